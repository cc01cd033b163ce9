// Refunds on PostgreSQL: no methods of their own; upserted by a statement sent in their order's transaction (updateOrder), read with the order.
import { sqlLiteral as L } from '../postgres-context';
import { refundToRow } from './common';
import type { RefundRecord } from './types';

/** The refunds of the order row `alias` as one JSON array, oldest first (ids compared byte by byte, as in SQLite). */
export function refundsColumn(alias: string): string {
  return `(SELECT COALESCE(json_agg(r ORDER BY r.created_at, r.id COLLATE "C"), '[]') FROM refunds r WHERE r.order_id = ${alias}.id)`;
}

/** INSERT of refunds, or of what Airwallex may change of them (by id). */
export function upsertRefundsStatement(refunds: RefundRecord[]): string {
  return `INSERT INTO refunds SELECT * FROM jsonb_populate_recordset(NULL::refunds, ${L(refunds.map((refund) => refundToRow(refund, (value: unknown) => value)))})
      ON CONFLICT (id) DO UPDATE SET airwallex_refund_id = excluded.airwallex_refund_id, status = excluded.status,
        airwallex_status = excluded.airwallex_status, airwallex_updated_at = excluded.airwallex_updated_at,
        failure = excluded.failure, updated_at = excluded.updated_at`;
}

/** One row per refund id (the last one given wins), as SQLite's successive upserts would leave it. */
export function uniqueRefunds(refunds: RefundRecord[]): RefundRecord[] {
  return [...new Map(refunds.map((refund) => [refund.id, refund])).values()];
}
