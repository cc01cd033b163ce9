// The rules of an order, pure (no I/O, no clock): how an Airwallex intent snapshot changes it (decide), whether a
// stored change is news (settle), the one place its status changes, when the sweep looks at it next, when it expires.
// Used by the order service and the webhook service alike; the decisions run inside the store's transaction.
import { isFinal, type OrderStatus } from '../contract';
import { failedAttemptOf, orderStatusFor, snapshotRank, storedSnapshotRank } from '../airwallex/inferred';
import type { AirwallexPaymentIntent } from '../airwallex/types';
import { toMinorUnits } from '../money';
import type { NewAnomaly, NewOrderEvent, OrderPatch, OrderRecord, OrderUpdate } from '../store/types';

/** An order whose pay sheet opened is not cancelled for age until this long after the sheet opened. */
export const PAY_SHEET_GRACE_MS = 5 * 60_000;
/** An order whose intent creation has not completed for this long is finished by the sweep. */
export const CREATION_GRACE_MS = 60_000;

/** Options of one snapshot application. */
export interface SnapshotSource {
  /** Where the snapshot came from, for logs and the timeline: create, confirm, retrieve, cancel, `webhook <name>`. */
  source: string;
  /**
   * A fresh read of the truth (retrieve, or an operation's own answer): applied even when it ties
   * with the stored snapshot's second, so the order always converges to Airwallex's state.
   */
  authoritative: boolean;
  /** Extra timeline details (the webhook event id). */
  note?: Record<string, unknown>;
  /** This snapshot answers our `seq`-th confirm, made at `at` (the pay sheet opens now). */
  confirmed?: { seq: number; at: number };
}

/** What the sweep's schedule depends on: an open order nothing told us about for this long is checked. */
export interface Schedule {
  staleAfterMs: number;
}

/**
 * The update an intent snapshot makes to its order, decided at `now` from the order as stored:
 * a final status never changes, an older snapshot never overwrites a newer one, and an intent whose
 * amount or currency differs from the order is refused (an anomaly).
 */
export function decideIntent(current: OrderRecord, intent: AirwallexPaymentIntent, from: SnapshotSource, now: number, schedule: Schedule): OrderUpdate {
  const snapshotAt = Date.parse(intent.updated_at);
  const orderId = current.id;
  const anomaly = (kind: NewAnomaly['kind'], key: string, detail: Record<string, unknown>): NewAnomaly => ({
    kind,
    key: `${kind}:${key}`,
    orderId,
    intentId: intent.id,
    detail: { source: from.source, intentStatus: intent.status, ...detail },
    at: now,
  });
  if (current.paymentIntentId && current.paymentIntentId !== intent.id) {
    return { anomalies: [anomaly('intent_mismatch', `${orderId}:${intent.id}`, { orderIntentId: current.paymentIntentId })] };
  }
  if (!matchesAmount(current, intent)) {
    return {
      anomalies: [anomaly('amount_mismatch', intent.id, { intentAmount: intent.amount, intentCurrency: intent.currency, orderTotal: current.totalAmount, orderCurrency: current.currency })],
    };
  }
  const patch: OrderPatch = { checkedAt: now };
  if (!current.paymentIntentId) patch.paymentIntentId = intent.id;
  // The succeeded attempt is what Airwallex's financial transactions name (reconciliation's key): kept whatever else the snapshot does.
  const attemptId = succeededAttemptOf(intent);
  if (attemptId && attemptId !== current.paymentAttemptId) patch.paymentAttemptId = attemptId;
  if (from.confirmed && current.confirmSeq < from.confirmed.seq) {
    patch.confirmSeq = from.confirmed.seq;
    patch.confirmedAt = from.confirmed.at;
  }
  const reschedule = () => {
    patch.nextCheckAt = nextCheckFor({ ...current, ...patch }, now, schedule);
  };
  const noChange = (outcome: string): NewOrderEvent[] =>
    from.note ? [{ kind: 'webhook', source: from.source, data: { ...from.note, intentStatus: intent.status, outcome }, at: now }] : [];
  if (isFinal(current.status)) {
    // A final status never changes; money taken for an order we gave up on needs a person.
    const anomalies = current.status !== 'paid' && intent.status === 'SUCCEEDED' ? [anomaly('paid_after_final', orderId, { orderStatus: current.status })] : [];
    reschedule();
    return { patch, anomalies, events: noChange('final') };
  }
  const stored = current.intentUpdatedAt;
  if (stored !== null && Number.isFinite(snapshotAt)) {
    // Airwallex's timestamps have whole seconds: within one second, only a snapshot at least
    // as far along wins, unless it is a fresh read (inferred.ts, snapshotRank).
    const older = snapshotAt < stored;
    const tieBehind = snapshotAt === stored && !from.authoritative && snapshotRank(intent) < storedSnapshotRank(current.intentStatus, current.lastPaymentError !== null);
    if (older || tieBehind) {
      if (patch.confirmSeq !== undefined) reschedule();
      return { patch, events: noChange('stale') };
    }
  }
  patch.intentStatus = intent.status;
  if (Number.isFinite(snapshotAt)) patch.intentUpdatedAt = snapshotAt;
  const status = orderStatusFor(intent) ?? current.status;
  const failure = failedAttemptOf(intent);
  let lastPaymentError = current.lastPaymentError;
  if (failure && (failure.code !== lastPaymentError?.code || failure.message !== lastPaymentError?.message)) {
    lastPaymentError = { ...failure, at: now };
  } else if (intent.status === 'REQUIRES_CUSTOMER_ACTION' || status === 'paid' || status === 'processing') {
    lastPaymentError = null; // a new attempt is under way, or the money is in
  }
  const events: NewOrderEvent[] = [];
  if (status !== current.status || lastPaymentError !== current.lastPaymentError || intent.status !== current.intentStatus) {
    changeStatus(patch, current, status, now);
    patch.lastPaymentError = lastPaymentError;
    events.push({
      kind: 'intent',
      source: from.source,
      data: { ...from.note, intentStatus: intent.status, from: current.status, to: status, ...(lastPaymentError && lastPaymentError !== current.lastPaymentError ? { error: lastPaymentError.code } : {}) },
      at: now,
    });
  } else {
    events.push(...noChange('same state'));
  }
  reschedule();
  return { patch, events };
}

/** A change the server makes alone (no intent to ask): the order cancelled or expired, unless it is final already. */
export function decideStatus(current: OrderRecord, status: OrderStatus, source: string, now: number): OrderUpdate | null {
  if (isFinal(current.status)) return null;
  const patch: OrderPatch = { nextCheckAt: null };
  changeStatus(patch, current, status, now);
  return { patch, events: [{ kind: 'status', source, data: { from: current.status, to: status }, at: now }] };
}

/**
 * The one place an order's status is set, by an intent snapshot or by the server alone: the status,
 * when it changed, and when it was first paid. What else a change of status writes in the same
 * transaction belongs here too.
 */
export function changeStatus(patch: OrderPatch, current: Pick<OrderRecord, 'paidAt'>, status: OrderStatus, now: number): void {
  patch.status = status;
  patch.updatedAt = now;
  if (status === 'paid' && current.paidAt === null) patch.paidAt = now;
}

/**
 * Whether a stored update is news for the order's watchers (and its log line): its status, its
 * last payment error or its intent changed.
 */
export function isNews(before: OrderRecord, after: OrderRecord): boolean {
  return after.status !== before.status || after.lastPaymentError?.at !== before.lastPaymentError?.at || after.paymentIntentId !== before.paymentIntentId;
}

/**
 * When the sweep should next look at an order, as it stands after a change at `now`: pending
 * refunds and processing payments are re-checked every `staleAfterMs` while no webhook comes; a
 * cart nobody tried to pay needs nothing from Airwallex until it expires; final orders, nothing.
 */
export function nextCheckFor(order: Pick<OrderRecord, 'status' | 'paymentIntentId' | 'confirmedAt' | 'expiresAt' | 'refunds'>, now: number, schedule: Schedule): number | null {
  if (order.refunds.some((refund) => refund.status === 'pending')) return now + schedule.staleAfterMs;
  if (isFinal(order.status)) return null;
  if (!order.paymentIntentId) return now + CREATION_GRACE_MS;
  if (order.status === 'processing') return now + schedule.staleAfterMs;
  const expiry = expiryOf(order);
  if (order.confirmedAt === null) return expiry;
  return Math.min(now + schedule.staleAfterMs, expiry);
}

/** When an unpaid order expires: its lifetime, extended so a pay sheet opened late is not cancelled under the shopper. */
export function expiryOf(order: Pick<OrderRecord, 'expiresAt' | 'confirmedAt'>): number {
  return Math.max(order.expiresAt, (order.confirmedAt ?? 0) + PAY_SHEET_GRACE_MS);
}

/** The id of the intent's succeeded attempt (`att_…`), when the snapshot says the money was taken. */
export function succeededAttemptOf(intent: Pick<AirwallexPaymentIntent, 'status' | 'latest_payment_attempt'>): string | null {
  return intent.status === 'SUCCEEDED' && intent.latest_payment_attempt?.id ? intent.latest_payment_attempt.id : null;
}

function matchesAmount(order: OrderRecord, intent: AirwallexPaymentIntent): boolean {
  if (intent.currency?.toUpperCase() !== order.currency) return false;
  try {
    return toMinorUnits(intent.amount, order.currency) === order.totalAmount;
  } catch {
    return false;
  }
}
