-- Operations: sweep scheduling with backoff, retrieve claims, deterministic confirm request_ids,
-- refunds, the order timeline, anomalies, the admin audit log and console sessions.
ALTER TABLE orders ADD COLUMN shopper_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN confirm_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN confirmed_at INTEGER;
ALTER TABLE orders ADD COLUMN retrieved_at INTEGER;
ALTER TABLE orders ADD COLUMN next_check_at INTEGER;
ALTER TABLE orders ADD COLUMN check_failures INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET shopper_ref = substr(sha256_hex(open_id), 1, 12);
UPDATE orders SET confirmed_at = updated_at
  WHERE last_error IS NOT NULL
     OR intent_status IN ('REQUIRES_CUSTOMER_ACTION', 'PENDING', 'PENDING_REVIEW', 'REQUIRES_CAPTURE', 'SUCCEEDED');
-- Open orders are looked at by the next sweep, which schedules them from there.
UPDATE orders SET next_check_at = COALESCE(checked_at, created_at) WHERE status IN ('awaiting_payment', 'processing');
DROP INDEX orders_open;
CREATE INDEX orders_due ON orders (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX orders_by_status ON orders (status, created_at);
CREATE INDEX orders_by_created ON orders (created_at);
CREATE INDEX orders_by_shopper_ref ON orders (shopper_ref);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX webhook_events_by_received ON webhook_events (received_at);

CREATE TABLE refunds (
  id                   TEXT PRIMARY KEY,
  order_id             TEXT NOT NULL REFERENCES orders (id),
  airwallex_refund_id  TEXT UNIQUE,
  request_id           TEXT NOT NULL UNIQUE,
  amount               INTEGER NOT NULL,
  currency             TEXT NOT NULL,
  reason               TEXT,
  status               TEXT NOT NULL,
  airwallex_status     TEXT,
  airwallex_updated_at INTEGER,
  failure              TEXT,
  origin               TEXT NOT NULL,
  created_by           TEXT,
  idempotency_key      TEXT,
  request_hash         TEXT,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  UNIQUE (order_id, idempotency_key)
);
CREATE INDEX refunds_by_order ON refunds (order_id, created_at);

CREATE TABLE order_events (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL,
  at       INTEGER NOT NULL,
  kind     TEXT NOT NULL,
  source   TEXT,
  data     TEXT NOT NULL
);
CREATE INDEX order_events_by_order ON order_events (order_id, at, id);

CREATE TABLE anomalies (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  key         TEXT NOT NULL,
  kind        TEXT NOT NULL,
  order_id    TEXT,
  intent_id   TEXT,
  detail      TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  resolved_at INTEGER
);
CREATE UNIQUE INDEX anomalies_open_key ON anomalies (key) WHERE resolved_at IS NULL;
CREATE INDEX anomalies_by_created ON anomalies (created_at);

CREATE TABLE audit_log (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  at     INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  detail TEXT NOT NULL
);
CREATE INDEX audit_log_by_target ON audit_log (target, at);

CREATE TABLE admin_sessions (
  token_hash TEXT PRIMARY KEY,
  csrf_hash  TEXT NOT NULL,
  actor      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
