-- Counters, as postgres/003_rate_limits.sql: one row per key, a window that opens at its first hit. On SQLite (one
-- process) the abuse limits count in memory; the shoppers' budgets of retrieves from Airwallex are kept here.
CREATE TABLE rate_limits (
  key       TEXT PRIMARY KEY,
  hits      INTEGER NOT NULL,
  resets_at INTEGER NOT NULL
);
CREATE INDEX rate_limits_by_reset ON rate_limits (resets_at);
