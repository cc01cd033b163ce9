-- Subscription messages ("payment succeeded", "refund succeeded") and the WeChat access token every instance shares.
--
-- subscription_messages: one row per accept a shopper gave for an order's message (order, template): at most one
-- message per row, so at most one per accept. Its state: waiting (the order's event has not happened), due (to send,
-- not before next_attempt_at), sending (an attempt recorded before WeChat is called), then sent, refused (43101),
-- failed (WeChat refused the message itself, or retries ran out) or unknown (the attempt was interrupted: never
-- sent again, so never twice).
CREATE TABLE subscription_messages (
  order_id        TEXT NOT NULL REFERENCES orders (id),
  template_id     TEXT NOT NULL,
  template        TEXT NOT NULL,
  open_id         TEXT NOT NULL,
  accept_status   TEXT NOT NULL,
  lang            TEXT NOT NULL,
  state           TEXT NOT NULL,
  accepted_at     INTEGER NOT NULL,
  event_at        INTEGER,
  refund_id       TEXT,
  next_attempt_at INTEGER,
  attempts        INTEGER NOT NULL DEFAULT 0,
  attempt_at      INTEGER,
  msgid           TEXT,
  error           TEXT,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (order_id, template_id)
);
CREATE INDEX subscription_messages_due ON subscription_messages (next_attempt_at) WHERE state = 'due';
CREATE INDEX subscription_messages_sending ON subscription_messages (attempt_at) WHERE state = 'sending';

-- A waiting message becomes due in the transaction that stores its event, whoever stores it: the order turning
-- paid (the payment message), a refund of the order succeeding (the refund message, for the first such refund).
-- Committed with the event, so a crash after the commit cannot forget it; the sender is woken after the commit.
CREATE TRIGGER subscription_messages_due_on_paid AFTER UPDATE OF status ON orders
  WHEN NEW.status = 'paid' AND OLD.status <> 'paid'
BEGIN
  UPDATE subscription_messages SET state = 'due', event_at = COALESCE(NEW.paid_at, NEW.updated_at), next_attempt_at = 0, updated_at = NEW.updated_at
  WHERE order_id = NEW.id AND template = 'paymentSucceeded' AND state = 'waiting';
END;
CREATE TRIGGER subscription_messages_due_on_refund_insert AFTER INSERT ON refunds
  WHEN NEW.status = 'succeeded'
BEGIN
  UPDATE subscription_messages SET state = 'due', refund_id = NEW.id, event_at = NEW.updated_at, next_attempt_at = 0, updated_at = NEW.updated_at
  WHERE order_id = NEW.order_id AND template = 'refundSucceeded' AND state = 'waiting';
END;
CREATE TRIGGER subscription_messages_due_on_refund_update AFTER UPDATE OF status ON refunds
  WHEN NEW.status = 'succeeded' AND OLD.status <> 'succeeded'
BEGIN
  UPDATE subscription_messages SET state = 'due', refund_id = NEW.id, event_at = NEW.updated_at, next_attempt_at = 0, updated_at = NEW.updated_at
  WHERE order_id = NEW.order_id AND template = 'refundSucceeded' AND state = 'waiting';
END;

-- The access token of each AppID, shared by every instance: fetched by the one instance holding the refresh lease.
CREATE TABLE wechat_tokens (
  app_id       TEXT PRIMARY KEY,
  access_token TEXT,
  expires_at   INTEGER,
  refreshed_at INTEGER,
  lease_holder TEXT,
  lease_until  INTEGER
);
