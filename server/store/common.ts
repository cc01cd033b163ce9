// What both store implementations share: migration files, the shopper fingerprint, and how an update merges.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { OrderStatus } from '../contract';
import type { AnomalyRecord, OrderItemRecord, OrderPatch, OrderRecord, PaymentErrorRecord, RefundRecord } from './types';

/** Statuses the sweep and the per-shopper limit count as open. */
export { OPEN_STATUSES } from '../contract';

/** A short, stable fingerprint of an openid for operators: 12 hex digits of its SHA-256. */
export function shopperRefOf(openId: string): string {
  return createHash('sha256').update(openId).digest('hex').slice(0, 12);
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** `migrations/<dialect>/NNN_name.sql`, in version order; versions must run 1, 2, 3 … without gaps. */
export function readMigrations(dialect: 'sqlite' | 'postgres'): Migration[] {
  const dir = path.join(__dirname, 'migrations', dialect);
  const migrations = fs
    .readdirSync(dir)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file.slice(4, -4), sql: fs.readFileSync(path.join(dir, file), 'utf8') }));
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migrations/${dialect}: expected version ${index + 1}, found ${migration.version}`);
  });
  return migrations;
}

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

/** snake_case column of each patchable order field. */
export const ORDER_COLUMNS: Record<keyof OrderPatch, string> = {
  status: 'status',
  paymentIntentId: 'payment_intent_id',
  intentStatus: 'intent_status',
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

/*
 * Rows as both databases return them. A JSON column is text in SQLite and jsonb (already parsed)
 * in PostgreSQL: the mappers take it either way (`json`).
 */

/** A JSON column's value: parsed by PostgreSQL (jsonb), text in SQLite. */
export function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export interface OrderRow {
  id: string;
  open_id: string;
  shopper_ref: string;
  status: OrderStatus;
  currency: string;
  total_amount: number;
  payment_intent_id: string | null;
  intent_status: string | null;
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

export interface AnomalyRow {
  id: number;
  key: string;
  kind: AnomalyRecord['kind'];
  order_id: string | null;
  intent_id: string | null;
  /** JSON object. */
  detail: unknown;
  created_at: number;
  resolved_at: number | null;
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

export function anomalyFromRow(row: AnomalyRow): AnomalyRecord {
  return {
    id: row.id,
    key: row.key,
    kind: row.kind,
    orderId: row.order_id,
    intentId: row.intent_id,
    detail: json<Record<string, unknown>>(row.detail),
    at: row.created_at,
    resolvedAt: row.resolved_at,
  };
}
