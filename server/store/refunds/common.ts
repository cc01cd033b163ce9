// What both dialects share for refunds: the row as the drivers return it, and its record both ways.
import { json } from '../common';
import type { RefundRecord } from './types';

export interface RefundRow {
  id: string;
  order_id: string;
  airwallex_refund_id: string | null;
  request_id: string;
  amount: number;
  currency: string;
  reason: string | null;
  status: RefundRecord['status'];
  airwallex_status: string | null;
  airwallex_updated_at: number | null;
  /** JSON ({code, message}) or null. */
  failure: unknown;
  origin: RefundRecord['origin'];
  created_by: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: number;
  updated_at: number;
}

export function refundFromRow(row: RefundRow): RefundRecord {
  return {
    id: row.id,
    orderId: row.order_id,
    airwallexRefundId: row.airwallex_refund_id,
    requestId: row.request_id,
    amount: row.amount,
    currency: row.currency,
    reason: row.reason,
    status: row.status,
    airwallexStatus: row.airwallex_status,
    airwallexUpdatedAt: row.airwallex_updated_at,
    failure: row.failure === null ? null : json<RefundRecord['failure']>(row.failure),
    origin: row.origin,
    createdBy: row.created_by,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The row a refund is stored as (its JSON column as given to `encodeJson`). */
export function refundToRow(refund: RefundRecord, encodeJson: (value: unknown) => unknown): RefundRow {
  return {
    id: refund.id,
    order_id: refund.orderId,
    airwallex_refund_id: refund.airwallexRefundId,
    request_id: refund.requestId,
    amount: refund.amount,
    currency: refund.currency,
    reason: refund.reason,
    status: refund.status,
    airwallex_status: refund.airwallexStatus,
    airwallex_updated_at: refund.airwallexUpdatedAt,
    failure: refund.failure === null ? null : encodeJson(refund.failure),
    origin: refund.origin,
    created_by: refund.createdBy,
    idempotency_key: refund.idempotencyKey,
    request_hash: refund.requestHash,
    created_at: refund.createdAt,
    updated_at: refund.updatedAt,
  };
}
