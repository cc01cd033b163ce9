// What both dialects share for orders: the row as the drivers return it, its record, the patchable columns, and how an update merges.
import type { OrderStatus } from '../../contract';
import { json } from '../common';
import { refundFromRow, type RefundRow } from '../refunds/common';
import type { RefundRecord } from '../refunds/types';
import type { NewOrder, OrderItemRecord, OrderPatch, OrderRecord, PaymentErrorRecord } from './types';

/** The order after `patch` and `refunds` were written, without reading it back. */
export function mergeUpdate(current: OrderRecord, patch: OrderPatch, refunds: RefundRecord[]): OrderRecord {
  const merged: OrderRecord = { ...current };
  for (const key of Object.keys(patch) as Array<keyof OrderPatch>) {
    if (patch[key] !== undefined) (merged as unknown as Record<string, unknown>)[key] = patch[key];
  }
  if (refunds.length > 0) {
    const byId = new Map(current.refunds.map((refund) => [refund.id, refund]));
    for (const refund of refunds) byId.set(refund.id, refund);
    merged.refunds = [...byId.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }
  return merged;
}

/** The keys of `patch` that carry a value. */
export function patchKeys(patch: OrderPatch | undefined): Array<keyof OrderPatch> {
  return patch ? (Object.keys(patch) as Array<keyof OrderPatch>).filter((key) => patch[key] !== undefined) : [];
}

/**
 * `build` memoized per set of patched columns (in their order): the UPDATE of each set, built once; a
 * payment's changes use a handful of sets.
 */
export function perColumnSet<T>(build: (keys: Array<keyof OrderPatch>) => T): (keys: Array<keyof OrderPatch>) => T {
  const built = new Map<string, T>();
  return (keys) => {
    const shape = keys.join();
    let value = built.get(shape);
    if (value === undefined) built.set(shape, (value = build(keys)));
    return value;
  };
}

/** snake_case column of each patchable order field. */
export const ORDER_COLUMNS: Record<keyof OrderPatch, string> = {
  status: 'status',
  paymentIntentId: 'payment_intent_id',
  intentStatus: 'intent_status',
  paymentAttemptId: 'payment_attempt_id',
  intentUpdatedAt: 'intent_updated_at',
  confirmSeq: 'confirm_seq',
  confirmedAt: 'confirmed_at',
  lastPaymentError: 'last_error',
  paidAt: 'paid_at',
  checkedAt: 'checked_at',
  retrievedAt: 'retrieved_at',
  nextCheckAt: 'next_check_at',
  checkFailures: 'check_failures',
  updatedAt: 'updated_at',
};

export interface OrderRow {
  id: string;
  open_id: string;
  shopper_ref: string;
  status: OrderStatus;
  currency: string;
  total_amount: number;
  payment_intent_id: string | null;
  intent_status: string | null;
  payment_attempt_id: string | null;
  intent_updated_at: number | null;
  create_request_id: string;
  confirm_seq: number;
  confirmed_at: number | null;
  idempotency_key: string | null;
  request_hash: string | null;
  /** JSON (PaymentErrorRecord) or null. */
  last_error: unknown;
  created_at: number;
  updated_at: number;
  expires_at: number;
  paid_at: number | null;
  checked_at: number | null;
  retrieved_at: number | null;
  next_check_at: number | null;
  check_failures: number;
}

export function orderFromRow(row: OrderRow, items: OrderItemRecord[], refunds: RefundRow[]): OrderRecord {
  return {
    id: row.id,
    openId: row.open_id,
    shopperRef: row.shopper_ref,
    status: row.status,
    currency: row.currency,
    totalAmount: row.total_amount,
    items,
    refunds: refunds.map(refundFromRow),
    paymentIntentId: row.payment_intent_id,
    intentStatus: row.intent_status,
    paymentAttemptId: row.payment_attempt_id,
    intentUpdatedAt: row.intent_updated_at,
    createRequestId: row.create_request_id,
    confirmSeq: row.confirm_seq,
    confirmedAt: row.confirmed_at,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    lastPaymentError: row.last_error === null ? null : json<PaymentErrorRecord>(row.last_error),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    paidAt: row.paid_at,
    checkedAt: row.checked_at,
    retrievedAt: row.retrieved_at,
    nextCheckAt: row.next_check_at,
    checkFailures: row.check_failures,
  };
}

/** What insertOrder stored for `order`: exactly what reading it back gives (the contract suite checks), without the read. */
export function newOrderRecord(order: NewOrder): OrderRecord {
  return {
    ...order,
    refunds: [],
    paymentIntentId: null,
    intentStatus: null,
    paymentAttemptId: null,
    intentUpdatedAt: null,
    confirmSeq: 0,
    confirmedAt: null,
    lastPaymentError: null,
    paidAt: null,
    checkedAt: null,
    retrievedAt: null,
    checkFailures: 0,
  };
}
