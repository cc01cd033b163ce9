-- Wake-ups across instances, narrowed to what a long poll answers on. A long poll waits on an order that
-- exists (it read it first), and answers when its status changes, a payment attempt fails or a refund
-- changes (refunds_notify_change); the instance that stores a change wakes its own long polls on exactly
-- these (order-rules.ts isNews: status, last payment error, intent). The other instances now hear of the
-- same changes only:
-- - no notification for an insert: nobody can be waiting on an order before it exists;
-- - an update announces a change of status, payment_intent_id or last_error, compared column by column.
--   Comparing the whole row as jsonb (to_jsonb(OLD) against to_jsonb(NEW), 002) cost about 35 µs per
--   update, a third of an order UPDATE's execution time (measured on PostgreSQL 15), and every change
--   of checked_at, confirm_seq, intent_status … woke every instance's LISTEN connection for nothing:
--   four notifications per payment, now two (the intent attached, the payment's outcome).
DROP TRIGGER IF EXISTS orders_notify_insert ON orders;
DROP TRIGGER IF EXISTS orders_notify_update ON orders;
CREATE TRIGGER orders_notify_update
  AFTER UPDATE OF status, payment_intent_id, last_error ON orders
  FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status
    OR OLD.payment_intent_id IS DISTINCT FROM NEW.payment_intent_id
    OR OLD.last_error IS DISTINCT FROM NEW.last_error)
  EXECUTE FUNCTION notify_order_changed();
