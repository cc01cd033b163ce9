-- An order change decided on the order as the request last read it, written in one round trip instead of two
-- (updateOrder with `expected`, store/orders/postgres.ts): the transaction's first statement locks the order only
-- if it is still that version, and fails otherwise, which undoes the rest of the batch; the store then runs the
-- change the usual way (lock, read, decide, write).
--
-- The version is the row's xmin, the transaction that wrote it: every UPDATE of an order, of any column, writes a
-- new version with a new xmin, and a row lock alone (FOR UPDATE) leaves it. Waiting for a concurrent writer's lock,
-- FOR UPDATE re-checks the condition on the row's newest version (READ COMMITTED), so an order changed meanwhile
-- is never taken for the one read. A refund is part of the order but is its own row: the fast path is only for an
-- order read with no refunds, checked after the lock by a statement of its own (a fresh snapshot: a refund
-- committed while this waited is seen). Items never change.
CREATE FUNCTION lock_order_as_read(wanted text, version xid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM orders WHERE id = wanted AND xmin = version FOR UPDATE;
  IF NOT FOUND OR EXISTS (SELECT 1 FROM refunds WHERE order_id = wanted) THEN
    RAISE EXCEPTION 'order % changed since it was read', wanted USING ERRCODE = 'WP001';
  END IF;
END;
$$;
