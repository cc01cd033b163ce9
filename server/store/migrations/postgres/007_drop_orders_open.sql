-- As sqlite/007_drop_orders_open.sql: orders_open (status, checked_at) served the sweep of 001, which orders_due
-- replaced in 002; no statement reads it, and every change of an order (each sets checked_at) inserted an entry in
-- it, three times per payment. Instances still running the previous version read nothing through it either.
DROP INDEX IF EXISTS orders_open;
