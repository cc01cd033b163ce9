-- Subscription messages and the shared WeChat access token, as sqlite/006_subscription_messages.sql (the states,
-- the triggers that make a waiting message due with its event, the token's refresh lease).
CREATE TABLE subscription_messages (
  order_id        text NOT NULL REFERENCES orders (id),
  template_id     text NOT NULL,
  template        text NOT NULL,
  open_id         text NOT NULL,
  accept_status   text NOT NULL,
  lang            text NOT NULL,
  state           text NOT NULL,
  accepted_at     bigint NOT NULL,
  event_at        bigint,
  refund_id       text,
  next_attempt_at bigint,
  attempts        integer NOT NULL DEFAULT 0,
  attempt_at      bigint,
  msgid           text,
  error           text,
  updated_at      bigint NOT NULL,
  PRIMARY KEY (order_id, template_id)
);
CREATE INDEX subscription_messages_due ON subscription_messages (next_attempt_at) WHERE state = 'due';
CREATE INDEX subscription_messages_sending ON subscription_messages (attempt_at) WHERE state = 'sending';

-- In the transaction that stores the event (updateOrder holds the order's row lock): a message accepted while that
-- transaction runs waits for the lock (recordAccepts locks the order first), then sees the event and is due at once.
CREATE FUNCTION subscription_messages_due_on_paid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE subscription_messages SET state = 'due', event_at = COALESCE(NEW.paid_at, NEW.updated_at), next_attempt_at = 0, updated_at = NEW.updated_at
  WHERE order_id = NEW.id AND template = 'paymentSucceeded' AND state = 'waiting';
  RETURN NULL;
END;
$$;
CREATE TRIGGER subscription_messages_due_on_paid
  AFTER UPDATE OF status ON orders
  FOR EACH ROW WHEN (NEW.status = 'paid' AND OLD.status IS DISTINCT FROM 'paid')
  EXECUTE FUNCTION subscription_messages_due_on_paid();

CREATE FUNCTION subscription_messages_due_on_refund() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE subscription_messages SET state = 'due', refund_id = NEW.id, event_at = NEW.updated_at, next_attempt_at = 0, updated_at = NEW.updated_at
  WHERE order_id = NEW.order_id AND template = 'refundSucceeded' AND state = 'waiting';
  RETURN NULL;
END;
$$;
CREATE TRIGGER subscription_messages_due_on_refund_insert
  AFTER INSERT ON refunds
  FOR EACH ROW WHEN (NEW.status = 'succeeded')
  EXECUTE FUNCTION subscription_messages_due_on_refund();
CREATE TRIGGER subscription_messages_due_on_refund_update
  AFTER UPDATE OF status ON refunds
  FOR EACH ROW WHEN (NEW.status = 'succeeded' AND OLD.status IS DISTINCT FROM 'succeeded')
  EXECUTE FUNCTION subscription_messages_due_on_refund();

CREATE TABLE wechat_tokens (
  app_id       text PRIMARY KEY,
  access_token text,
  expires_at   bigint,
  refreshed_at bigint,
  lease_holder text,
  lease_until  bigint
);
