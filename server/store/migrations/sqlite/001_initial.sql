-- Sessions, orders with their items, and received webhook events.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  open_id    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE orders (
  id                 TEXT PRIMARY KEY,
  open_id            TEXT NOT NULL,
  status             TEXT NOT NULL,
  currency           TEXT NOT NULL,
  total_amount       INTEGER NOT NULL,
  payment_intent_id  TEXT UNIQUE,
  intent_status      TEXT,
  intent_updated_at  INTEGER,
  create_request_id  TEXT NOT NULL,
  idempotency_key    TEXT,
  request_hash       TEXT,
  last_error         TEXT,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  expires_at         INTEGER NOT NULL,
  paid_at            INTEGER,
  checked_at         INTEGER,
  UNIQUE (open_id, idempotency_key)
);
CREATE INDEX orders_by_shopper ON orders (open_id, created_at DESC);
CREATE INDEX orders_open ON orders (status, checked_at);
CREATE TABLE order_items (
  order_id    TEXT NOT NULL REFERENCES orders (id),
  line        INTEGER NOT NULL,
  sku         TEXT NOT NULL,
  names       TEXT NOT NULL,
  quantity    INTEGER NOT NULL,
  unit_amount INTEGER NOT NULL,
  PRIMARY KEY (order_id, line)
);
CREATE TABLE webhook_events (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  order_id    TEXT,
  payload     TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  applied_at  INTEGER,
  outcome     TEXT
);
CREATE INDEX webhook_events_unapplied ON webhook_events (received_at) WHERE applied_at IS NULL;
