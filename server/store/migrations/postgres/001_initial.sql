-- The schema of server/store/sqlite.ts on PostgreSQL. Append-only: a released migration is never
-- edited, only followed by 002_..., 003_... (applied in order at boot, each version recorded).
--
-- Times are epoch milliseconds and amounts integer minor units, as bigint (read back as JS numbers:
-- both stay far below 2^53). Structured values the server builds itself (an item's names, the last
-- payment error) are jsonb. A webhook's payload stays text: it is the body Airwallex signed, kept
-- byte for byte (jsonb would reorder keys and drop whitespace, so it could no longer be re-verified).

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  open_id    text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);

CREATE TABLE orders (
  id                 text PRIMARY KEY,
  open_id            text NOT NULL,
  status             text NOT NULL,
  currency           text NOT NULL,
  total_amount       bigint NOT NULL,
  payment_intent_id  text UNIQUE,
  intent_status      text,
  intent_updated_at  bigint,
  create_request_id  text NOT NULL,
  idempotency_key    text,
  request_hash       text,
  last_error         jsonb,
  created_at         bigint NOT NULL,
  updated_at         bigint NOT NULL,
  expires_at         bigint NOT NULL,
  paid_at            bigint,
  checked_at         bigint,
  -- NULL keys never collide (orders without an Idempotency-Key), as in SQLite.
  CONSTRAINT orders_idempotency UNIQUE (open_id, idempotency_key)
);
CREATE INDEX orders_by_shopper ON orders (open_id, created_at DESC);
CREATE INDEX orders_open ON orders (status, checked_at);

CREATE TABLE order_items (
  order_id    text NOT NULL REFERENCES orders (id),
  line        integer NOT NULL,
  sku         text NOT NULL,
  names       jsonb NOT NULL,
  quantity    integer NOT NULL,
  unit_amount bigint NOT NULL,
  PRIMARY KEY (order_id, line)
);

CREATE TABLE webhook_events (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  order_id    text,
  payload     text NOT NULL,
  received_at bigint NOT NULL,
  applied_at  bigint,
  outcome     text
);
CREATE INDEX webhook_events_unapplied ON webhook_events (received_at) WHERE applied_at IS NULL;

-- Wake-ups across instances: every stored change of an order (insert or update, by any code path,
-- this server's or a one-off script's) publishes its id on the channel `order_changed`, inside the
-- writing transaction, so listeners hear of it only once it is committed. The payload is the id
-- alone (NOTIFY payloads are limited to 8000 bytes); identical notifications in one transaction
-- are folded into one by PostgreSQL.
CREATE FUNCTION notify_order_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('order_changed', NEW.id);
  RETURN NULL;
END;
$$;
CREATE TRIGGER orders_notify_change
  AFTER INSERT OR UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION notify_order_changed();
