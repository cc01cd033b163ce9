-- The outbox of order events, as postgres/004_outbox.sql: one row per event (order.paid, refund.succeeded …), written in
-- the transaction that changed the order, with its body frozen as sent; its delivery to EVENTS_URL (state, attempts,
-- the next try, the claim of the instance trying it). On SQLite (one process, one writer at a time) `seq` is also
-- the feed's position: rows commit in the order of their seq.
CREATE TABLE outbox (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT NOT NULL UNIQUE,
  order_id        TEXT NOT NULL,
  type            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  body            TEXT NOT NULL,
  state           TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  retries         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  give_up_at      INTEGER,
  claim           TEXT,
  last_attempt_at INTEGER,
  last_error      TEXT,
  delivered_at    INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, seq) WHERE state = 'pending';
CREATE INDEX outbox_pending_by_order ON outbox (order_id, seq) WHERE state = 'pending';
CREATE INDEX outbox_by_order ON outbox (order_id, seq);
CREATE INDEX outbox_by_state ON outbox (state, seq);
