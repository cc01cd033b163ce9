// Refunds on SQLite: no methods of their own; written inside their order's transaction (updateOrder), read with the order.
import { serializeJson, type SqliteContext } from '../sqlite-context';
import { refundToRow, type RefundRow } from './common';
import type { RefundRecord } from './types';

/** The order's refund rows, oldest first. */
export function refundsOf(ctx: SqliteContext, orderId: string): RefundRow[] {
  return ctx.prepare('SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at, id').all(orderId) as RefundRow[];
}

/** Inserts the refund, or replaces what Airwallex may change of it (by id): inside the caller's transaction. */
export function upsertRefund(ctx: SqliteContext, refund: RefundRecord): void {
  ctx
    .prepare(
      `INSERT INTO refunds (id, order_id, airwallex_refund_id, request_id, amount, currency, reason, status,
        airwallex_status, airwallex_updated_at, failure, origin, created_by, idempotency_key, request_hash, created_at, updated_at)
      VALUES (@id, @order_id, @airwallex_refund_id, @request_id, @amount, @currency, @reason, @status, @airwallex_status,
        @airwallex_updated_at, @failure, @origin, @created_by, @idempotency_key, @request_hash, @created_at, @updated_at)
      ON CONFLICT (id) DO UPDATE SET airwallex_refund_id = excluded.airwallex_refund_id, status = excluded.status,
        airwallex_status = excluded.airwallex_status, airwallex_updated_at = excluded.airwallex_updated_at,
        failure = excluded.failure, updated_at = excluded.updated_at`,
    )
    .run(refundToRow(refund, serializeJson));
}
