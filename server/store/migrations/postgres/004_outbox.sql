-- The outbox of order events, as sqlite/004_outbox.sql: one row per event (order.paid, refund.succeeded …), written in
-- the transaction that changed the order, with its body frozen as sent (text: the exact bytes signed); its delivery
-- to EVENTS_URL (state, attempts, the next try, the claim of the instance trying it).
-- `seq` orders one order's events (they are written under the order's row lock), but transactions of different orders
-- may commit out of seq order: the feed reads `position` instead, given to committed rows in commit order by one
-- sequencer at a time (outbox/postgres.ts), so a consumer's cursor never skips a row that commits late.
CREATE TABLE outbox (
  seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              text NOT NULL UNIQUE,
  order_id        text NOT NULL,
  type            text NOT NULL,
  created_at      bigint NOT NULL,
  body            text NOT NULL,
  position        bigint UNIQUE,
  state           text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  retries         integer NOT NULL DEFAULT 0,
  next_attempt_at bigint,
  give_up_at      bigint,
  claim           text,
  last_attempt_at bigint,
  last_error      text,
  delivered_at    bigint
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, seq) WHERE state = 'pending';
CREATE INDEX outbox_pending_by_order ON outbox (order_id, seq) WHERE state = 'pending';
CREATE INDEX outbox_by_order ON outbox (order_id, seq);
CREATE INDEX outbox_by_state ON outbox (state, seq);
CREATE INDEX outbox_unpositioned ON outbox (seq) WHERE position IS NULL;
