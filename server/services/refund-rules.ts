// The rules of a refund, pure (no I/O, no clock): how much an order can still give back, a new refund, a refusal,
// and how an Airwallex refund snapshot changes the order's refunds: every change of a refund's status is decided here.
// Used by the refund service and, through order-changes.ts, the webhook service alike.
import { randomBytes } from 'node:crypto';
import { refundRank, refundStatusFor } from '../airwallex/inferred';
import type { AirwallexRefund } from '../airwallex/types';
import { AppError } from '../errors';
import { toMinorUnits } from '../money';
import type { NewOrderEvent, OrderRecord, OrderUpdate, RefundRecord } from '../store/types';
import { nextCheckFor, type Schedule } from './order-rules';

/** WeChat Pay's own rules (Airwallex does not restate them): refunds within 365 days of payment, at most 50 per order. */
export const REFUND_WINDOW_MS = 365 * 24 * 3600_000;
export const MAX_REFUNDS_PER_ORDER = 50;

/** Where a refund snapshot came from, as for intents (order-rules.ts SnapshotSource). */
export interface RefundSource {
  source: string;
  authoritative: boolean;
  note?: Record<string, unknown>;
}

/** A refund a decision changed (`before` undefined: found at Airwallex, new to us). */
export interface RefundChange {
  before: RefundRecord | undefined;
  after: RefundRecord;
}

/** How much a new refund takes (`requested`, or the rest); throws when the order cannot give it. */
export function checkRefundable(order: OrderRecord, requested: number | undefined, now: number): number {
  if (order.status !== 'paid' || !order.paymentIntentId) {
    throw new AppError('ORDER_NOT_REFUNDABLE', `The order is ${order.status}; only paid orders can be refunded.`);
  }
  if (order.paidAt !== null && now - order.paidAt > REFUND_WINDOW_MS) {
    throw new AppError('ORDER_NOT_REFUNDABLE', 'WeChat Pay refunds only within 365 days of the payment.');
  }
  const live = order.refunds.filter((refund) => refund.status !== 'failed');
  if (live.length >= MAX_REFUNDS_PER_ORDER) {
    throw new AppError('ORDER_NOT_REFUNDABLE', `WeChat Pay allows at most ${MAX_REFUNDS_PER_ORDER} refunds per payment.`);
  }
  const left = order.totalAmount - live.reduce((sum, refund) => sum + refund.amount, 0);
  const amount = requested ?? left;
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > left) {
    throw new AppError(
      left > 0 ? 'REFUND_AMOUNT_INVALID' : 'ORDER_NOT_REFUNDABLE',
      left > 0
        ? `The refund amount must be an integer of minor units from 1 to ${left} (what is left, counting refunds in progress).`
        : 'The order is fully refunded (counting refunds in progress).',
    );
  }
  return amount;
}

/** What an operator asked for, with the ids and the request's hash made for it. */
export interface NewRefundRequest {
  amount?: number;
  reason?: string;
  idempotencyKey: string;
  requestHash: string;
  actor: string;
  /** Our id for the refund, and the request_id it is made at Airwallex with. */
  id: string;
  requestId: string;
}

/**
 * A new refund of the order, stored `pending` (checkRefundable decides how much), or the refund
 * this idempotency key made already (`existing`, nothing to update); the same key with another body
 * is IDEMPOTENCY_KEY_REUSED.
 */
export function decideNewRefund(
  order: OrderRecord,
  request: NewRefundRequest,
  now: number,
  schedule: Schedule,
): { update: OrderUpdate | null; existing?: RefundRecord; created?: RefundRecord } {
  const existing = order.refunds.find((refund) => refund.idempotencyKey === request.idempotencyKey);
  if (existing) {
    if (existing.requestHash !== request.requestHash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key was first used for refund ${existing.id} with a different body.`);
    }
    return { update: null, existing };
  }
  const amount = checkRefundable(order, request.amount, now);
  const created: RefundRecord = {
    id: request.id,
    orderId: order.id,
    airwallexRefundId: null,
    requestId: request.requestId,
    amount,
    currency: order.currency,
    reason: request.reason?.trim() || null,
    status: 'pending',
    airwallexStatus: null,
    airwallexUpdatedAt: null,
    failure: null,
    origin: 'admin',
    createdBy: request.actor,
    idempotencyKey: request.idempotencyKey,
    requestHash: request.requestHash,
    createdAt: now,
    updatedAt: now,
  };
  const event: NewOrderEvent = { kind: 'refund', source: 'admin', data: { refundId: created.id, amount, reason: created.reason, status: 'pending', actor: request.actor }, at: now };
  return { update: { refunds: [created], events: [event], patch: { nextCheckAt: nextCheckFor({ ...order, refunds: [...order.refunds, created] }, now, schedule) } }, created };
}

/** Airwallex refused to make the refund: it ends `failed` (its amount is refundable again), unless Airwallex knows it already. */
export function decideRefusal(order: OrderRecord, refundId: string, failure: { code: string; message: string }, now: number, schedule: Schedule): OrderUpdate | null {
  const current = order.refunds.find((r) => r.id === refundId);
  if (!current || current.status !== 'pending' || current.airwallexRefundId !== null) return null;
  const updated: RefundRecord = { ...current, status: 'failed', failure, updatedAt: now };
  return {
    refunds: [updated],
    events: [{ kind: 'refund', source: 'create', data: { refundId, status: 'failed', error: failure.code }, at: now }],
    patch: { nextCheckAt: nextCheckFor({ ...order, refunds: order.refunds.map((r) => (r.id === updated.id ? updated : r)) }, now, schedule) },
  };
}

/**
 * The update a Refund snapshot makes to its order's refunds, decided at `now` from the order as
 * stored. The refund is found by Airwallex's id, our request_id, or our id in its metadata; one we
 * never asked for (made in Airwallex's web app) is recorded as found, with `newId` as its id. A final
 * refund never changes, and an older snapshot never overwrites a newer one (same-second ties by refundRank).
 */
export function decideRefund(
  order: OrderRecord,
  snapshot: AirwallexRefund,
  from: RefundSource,
  now: number,
  schedule: Schedule,
  newId: () => string,
): { update: OrderUpdate; changes: RefundChange[] } {
  const snapshotAt = Date.parse(snapshot.updated_at);
  const ours = snapshot.metadata?.refund_id;
  const current = order.refunds.find(
    (r) => r.airwallexRefundId === snapshot.id || (snapshot.request_id !== undefined && r.requestId === snapshot.request_id) || (ours !== undefined && r.id === ours),
  );
  const note = (status: string, extra: Record<string, unknown> = {}): NewOrderEvent => ({
    kind: 'refund',
    source: from.source,
    data: { ...from.note, refundId: current?.id, airwallexRefundId: snapshot.id, airwallexStatus: snapshot.status, status, ...extra },
    at: now,
  });
  const unchanged = (update: OrderUpdate) => ({ update, changes: [] });
  let amount: number;
  try {
    amount = toMinorUnits(snapshot.amount, order.currency);
  } catch {
    amount = Number.NaN;
  }
  if (snapshot.currency?.toUpperCase() !== order.currency || !Number.isSafeInteger(amount) || (current && current.amount !== amount)) {
    return unchanged({
      anomalies: [
        {
          kind: 'amount_mismatch',
          key: `amount_mismatch:${snapshot.id}`,
          orderId: order.id,
          intentId: order.paymentIntentId,
          detail: { refundId: snapshot.id, refundAmount: snapshot.amount, refundCurrency: snapshot.currency, source: from.source },
          at: now,
        },
      ],
    });
  }
  const mapped = refundStatusFor(snapshot.status);
  if (!current) {
    const found: RefundRecord = {
      id: newId(),
      orderId: order.id,
      airwallexRefundId: snapshot.id,
      requestId: snapshot.request_id ?? `airwallex:${snapshot.id}`,
      amount,
      currency: order.currency,
      reason: snapshot.reason ?? null,
      status: mapped ?? 'pending',
      airwallexStatus: snapshot.status,
      airwallexUpdatedAt: Number.isFinite(snapshotAt) ? snapshotAt : null,
      failure: mapped === 'failed' ? failureOf(snapshot) : null,
      origin: 'airwallex',
      createdBy: null,
      idempotencyKey: null,
      requestHash: null,
      createdAt: now,
      updatedAt: now,
    };
    const refunds = [...order.refunds, found];
    // Money going back for an order we consider unpaid: somebody must look.
    const anomalies =
      order.status !== 'paid'
        ? [{ kind: 'paid_after_final' as const, key: `paid_after_final:${order.id}`, orderId: order.id, intentId: order.paymentIntentId, detail: { orderStatus: order.status, refundId: snapshot.id }, at: now }]
        : [];
    return {
      update: { refunds: [found], events: [note(found.status, { origin: 'airwallex', amount })], anomalies, patch: { nextCheckAt: nextCheckFor({ ...order, refunds }, now, schedule) } },
      changes: [{ before: undefined, after: found }],
    };
  }
  if (current.status !== 'pending' && current.airwallexRefundId !== null) return unchanged({ events: from.note ? [note(current.status, { outcome: 'final' })] : [] });
  const stored = current.airwallexUpdatedAt;
  if (stored !== null && Number.isFinite(snapshotAt)) {
    const older = snapshotAt < stored;
    const tieBehind = snapshotAt === stored && !from.authoritative && refundRank(snapshot.status) < refundRank(current.airwallexStatus);
    if (older || tieBehind) return unchanged({ events: from.note ? [note(current.status, { outcome: 'stale' })] : [] });
  }
  const status = mapped ?? current.status;
  const updated: RefundRecord = {
    ...current,
    airwallexRefundId: snapshot.id,
    airwallexStatus: snapshot.status,
    airwallexUpdatedAt: Number.isFinite(snapshotAt) ? snapshotAt : current.airwallexUpdatedAt,
    status,
    failure: status === 'failed' ? failureOf(snapshot) : null,
    updatedAt: status !== current.status || snapshot.status !== current.airwallexStatus ? now : current.updatedAt,
  };
  if (status === current.status && snapshot.status === current.airwallexStatus && current.airwallexRefundId === snapshot.id) {
    return unchanged({ events: from.note ? [note(status, { outcome: 'same state' })] : [] });
  }
  const refunds = order.refunds.map((r) => (r.id === updated.id ? updated : r));
  return {
    update: { refunds: [updated], events: [note(status)], patch: { nextCheckAt: nextCheckFor({ ...order, refunds }, now, schedule) } },
    changes: [{ before: current, after: updated }],
  };
}

/** Whether the order still waits on Airwallex for a refund. */
export function hasPendingRefund(order: Pick<OrderRecord, 'refunds'>): boolean {
  return order.refunds.some((refund) => refund.status === 'pending');
}

function failureOf(snapshot: AirwallexRefund): { code: string; message: string } {
  return { code: snapshot.failure_details?.code ?? 'refund_failed', message: snapshot.failure_details?.message ?? 'Airwallex reported the refund as failed' };
}

/** Our id of a refund. Not Airwallex's `rfd_`: an operator must never mistake one for the other. */
export function newRefundId(): string {
  return `ref_${randomBytes(12).toString('base64url')}`;
}
