-- Reconciliation (issue 19), as sqlite/005_reconciliation.sql: the succeeded payment attempt of each order (the key
-- Airwallex's financial transactions carry as source_id), the runs of the daily reconciliation with their items,
-- and the indexes the day's reads and the console's overview need.
ALTER TABLE orders ADD COLUMN payment_attempt_id text;
CREATE INDEX orders_by_attempt ON orders (payment_attempt_id) WHERE payment_attempt_id IS NOT NULL;
CREATE INDEX orders_by_paid ON orders (paid_at) WHERE paid_at IS NOT NULL;
CREATE INDEX refunds_by_created ON refunds (created_at);

-- One row per run of a day. `running` holds a lease (lease_until): one running run per day across instances (the
-- partial unique index), taken over once its lease ran out (status `abandoned`). A run's items, totals and
-- anomalies are written with its `completed` status in one transaction: a run is whole or absent.
CREATE TABLE reconciliation_runs (
  id          text PRIMARY KEY,
  day         text NOT NULL,
  time_zone   text NOT NULL,
  status      text NOT NULL,
  trigger     text NOT NULL,
  actor       text,
  started_at  bigint NOT NULL,
  lease_until bigint,
  finished_at bigint,
  error       text,
  summary     jsonb,
  totals      jsonb,
  recheck_at  bigint
);
CREATE UNIQUE INDEX reconciliation_runs_running ON reconciliation_runs (day) WHERE status = 'running';
CREATE INDEX reconciliation_runs_by_day ON reconciliation_runs (day, started_at);
CREATE INDEX reconciliation_runs_by_started ON reconciliation_runs (started_at);

CREATE TABLE reconciliation_items (
  run_id         text NOT NULL REFERENCES reconciliation_runs (id),
  seq            integer NOT NULL,
  state          text NOT NULL,
  flag           text,
  subject        text NOT NULL,
  order_id       text,
  refund_id      text,
  intent_id      text,
  source_id      text,
  transaction_id text,
  batch_id       text,
  currency       text,
  expected       bigint,
  actual         bigint,
  fee            bigint,
  anomaly_key    text,
  detail         jsonb NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX reconciliation_items_by_transaction ON reconciliation_items (transaction_id) WHERE transaction_id IS NOT NULL;
