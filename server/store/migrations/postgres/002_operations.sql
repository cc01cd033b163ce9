-- Operations, as sqlite/002_operations.sql: sweep scheduling with backoff, retrieve claims,
-- deterministic confirm request_ids, refunds, the order timeline, anomalies, the admin audit log and
-- console sessions. Plus what only a shared database needs: refunds announce their order's change.
ALTER TABLE orders ADD COLUMN shopper_ref text NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN confirm_seq integer NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN confirmed_at bigint;
ALTER TABLE orders ADD COLUMN retrieved_at bigint;
ALTER TABLE orders ADD COLUMN next_check_at bigint;
ALTER TABLE orders ADD COLUMN check_failures integer NOT NULL DEFAULT 0;
-- 12 hex digits of the openid's SHA-256, as shopperRefOf() in common.ts.
UPDATE orders SET shopper_ref = substr(encode(sha256(convert_to(open_id, 'UTF8')), 'hex'), 1, 12);
UPDATE orders SET confirmed_at = updated_at
  WHERE last_error IS NOT NULL
     OR intent_status IN ('REQUIRES_CUSTOMER_ACTION', 'PENDING', 'PENDING_REVIEW', 'REQUIRES_CAPTURE', 'SUCCEEDED');
-- Open orders are looked at by the next sweep, which schedules them from there.
UPDATE orders SET next_check_at = COALESCE(checked_at, created_at) WHERE status IN ('awaiting_payment', 'processing');
DROP INDEX orders_open;
CREATE INDEX orders_due ON orders (next_check_at, id) WHERE next_check_at IS NOT NULL;
CREATE INDEX orders_by_status ON orders (status, created_at);
CREATE INDEX orders_by_created ON orders (created_at);
CREATE INDEX orders_by_shopper_ref ON orders (shopper_ref);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX webhook_events_by_received ON webhook_events (received_at);

CREATE TABLE refunds (
  id                   text PRIMARY KEY,
  order_id             text NOT NULL REFERENCES orders (id),
  airwallex_refund_id  text UNIQUE,
  request_id           text NOT NULL UNIQUE,
  amount               bigint NOT NULL,
  currency             text NOT NULL,
  reason               text,
  status               text NOT NULL,
  airwallex_status     text,
  airwallex_updated_at bigint,
  failure              jsonb,
  origin               text NOT NULL,
  created_by           text,
  idempotency_key      text,
  request_hash         text,
  created_at           bigint NOT NULL,
  updated_at           bigint NOT NULL,
  UNIQUE (order_id, idempotency_key)
);
CREATE INDEX refunds_by_order ON refunds (order_id, created_at);

CREATE TABLE order_events (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id text NOT NULL,
  at       bigint NOT NULL,
  kind     text NOT NULL,
  source   text,
  data     jsonb NOT NULL
);
CREATE INDEX order_events_by_order ON order_events (order_id, at, id);

CREATE TABLE anomalies (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key         text NOT NULL,
  kind        text NOT NULL,
  order_id    text,
  intent_id   text,
  detail      jsonb NOT NULL,
  created_at  bigint NOT NULL,
  resolved_at bigint
);
-- One open anomaly per key: INSERT ... ON CONFLICT (key) WHERE resolved_at IS NULL DO NOTHING.
CREATE UNIQUE INDEX anomalies_open_key ON anomalies (key) WHERE resolved_at IS NULL;
CREATE INDEX anomalies_by_created ON anomalies (created_at);

CREATE TABLE audit_log (
  id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at     bigint NOT NULL,
  actor  text NOT NULL,
  action text NOT NULL,
  target text,
  detail jsonb NOT NULL
);
CREATE INDEX audit_log_by_target ON audit_log (target, at);

CREATE TABLE admin_sessions (
  token_hash text PRIMARY KEY,
  csrf_hash  text NOT NULL,
  actor      text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX admin_sessions_by_expiry ON admin_sessions (expires_at);

-- The sweep's lease (next_check_at) and the retrieve claim (retrieved_at) change no state a shopper
-- or a long poll can see: they announce nothing, so claiming orders does not wake every instance's
-- long polls on them. Any other change of an order still does.
DROP TRIGGER orders_notify_change ON orders;
CREATE TRIGGER orders_notify_insert
  AFTER INSERT ON orders
  FOR EACH ROW EXECUTE FUNCTION notify_order_changed();
CREATE TRIGGER orders_notify_update
  AFTER UPDATE ON orders
  FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'next_check_at' - 'retrieved_at') IS DISTINCT FROM (to_jsonb(NEW) - 'next_check_at' - 'retrieved_at'))
  EXECUTE FUNCTION notify_order_changed();

-- A refund is part of its order's aggregate: a refund written on one instance wakes the long polls
-- of its order on every instance, like a change of the order itself.
CREATE FUNCTION notify_refund_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('order_changed', NEW.order_id);
  RETURN NULL;
END;
$$;
CREATE TRIGGER refunds_notify_change
  AFTER INSERT OR UPDATE ON refunds
  FOR EACH ROW EXECUTE FUNCTION notify_refund_changed();
