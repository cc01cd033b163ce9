-- Reconciliation (issue 19): the succeeded payment attempt of each order (the key Airwallex's financial
-- transactions carry as source_id), the runs of the daily reconciliation with their items, and the indexes the
-- day's reads and the console's overview need.
ALTER TABLE orders ADD COLUMN payment_attempt_id TEXT;
CREATE INDEX orders_by_attempt ON orders (payment_attempt_id) WHERE payment_attempt_id IS NOT NULL;
CREATE INDEX orders_by_paid ON orders (paid_at) WHERE paid_at IS NOT NULL;
CREATE INDEX refunds_by_created ON refunds (created_at);

-- One row per run of a day. `running` holds a lease (lease_until): one running run per day across instances (the
-- partial unique index), taken over once its lease ran out (status `abandoned`). A run's items, totals and
-- anomalies are written with its `completed` status in one transaction: a run is whole or absent.
CREATE TABLE reconciliation_runs (
  id          TEXT PRIMARY KEY,
  day         TEXT NOT NULL,
  time_zone   TEXT NOT NULL,
  status      TEXT NOT NULL,
  trigger     TEXT NOT NULL,
  actor       TEXT,
  started_at  INTEGER NOT NULL,
  lease_until INTEGER,
  finished_at INTEGER,
  error       TEXT,
  summary     TEXT,
  totals      TEXT,
  recheck_at  INTEGER
);
CREATE UNIQUE INDEX reconciliation_runs_running ON reconciliation_runs (day) WHERE status = 'running';
CREATE INDEX reconciliation_runs_by_day ON reconciliation_runs (day, started_at);
CREATE INDEX reconciliation_runs_by_started ON reconciliation_runs (started_at);

CREATE TABLE reconciliation_items (
  run_id         TEXT NOT NULL REFERENCES reconciliation_runs (id),
  seq            INTEGER NOT NULL,
  state          TEXT NOT NULL,
  flag           TEXT,
  subject        TEXT NOT NULL,
  order_id       TEXT,
  refund_id      TEXT,
  intent_id      TEXT,
  source_id      TEXT,
  transaction_id TEXT,
  batch_id       TEXT,
  currency       TEXT,
  expected       INTEGER,
  actual         INTEGER,
  fee            INTEGER,
  anomaly_key    TEXT,
  detail         TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX reconciliation_items_by_transaction ON reconciliation_items (transaction_id) WHERE transaction_id IS NOT NULL;
