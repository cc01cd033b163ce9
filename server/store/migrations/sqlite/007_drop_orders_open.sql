-- orders_open (status, checked_at) served the sweep of 001, which orders_due (next_check_at) replaced in 002: no
-- statement reads it any more, and every change of an order rewrote its entry (each change sets checked_at), three
-- times per payment. Status lookups use orders_by_status (status, created_at).
DROP INDEX IF EXISTS orders_open;
