// The rules of a day's reconciliation, pure (no I/O, no clock): the day's financial transactions, the shop's orders and
// refunds, and the settlement batches in; matched, flagged and waiting items, their anomalies and the day's totals out.
// What is compared is docs/reference/airwallex-reconciliation.md §9; what each flag means is docs/reconciliation.md.
import type { FinancialTransaction } from '../airwallex/finance';
import { sourceOf } from '../airwallex/inferred-finance';
import type {
  ItemState,
  ItemSubject,
  NewAnomaly,
  OrderRecord,
  ReconciliationFlag,
  ReconciliationItem,
  RefundRecord,
} from '../store/types';
import type { DayFacts, DayVerdict } from './reconciliation-facts';
import { batchItem, dayTotals, summaryOf } from './reconciliation-totals';

/** How a transaction counts: the principal of a payment or refund, a reversal of a refund, anything else. */
type Role = 'payment' | 'refund' | 'reversal' | 'other';

const REVERSALS = new Set(['REFUND_REVERSAL', 'REFUND_FAILURE']);

export function roleOf(ft: FinancialTransaction): Role {
  const source = sourceOf(ft);
  const type = ft.transactionType;
  if (source.kind === 'payment_attempt' && (type === 'PAYMENT' || type === null)) return 'payment';
  if (source.kind === 'refund' && (type === 'REFUND' || type === null)) return 'refund';
  if (source.kind === 'refund' && type !== null && REVERSALS.has(type)) return 'reversal';
  return 'other';
}

const live = (ft: FinancialTransaction) => ft.status !== 'CANCELLED';
const byTime = (a: FinancialTransaction, b: FinancialTransaction) => (a.createdAtMs ?? 0) - (b.createdAtMs ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

export function decideDay(facts: DayFacts): DayVerdict {
  const items: ReconciliationItem[] = [];
  const anomalies = new Map<string, NewAnomaly>();
  let recheckAt: number | null = null;
  const waitUntil = (at: number) => {
    recheckAt = recheckAt === null ? at : Math.min(recheckAt, at);
  };

  const byAttempt = new Map<string, OrderRecord>();
  const byAirwallexRefund = new Map<string, { order: OrderRecord; refund: RefundRecord }>();
  for (const order of facts.orders) {
    if (order.paymentAttemptId) byAttempt.set(order.paymentAttemptId, order);
    for (const refund of order.refunds) if (refund.airwallexRefundId) byAirwallexRefund.set(refund.airwallexRefundId, { order, refund });
  }
  const inDay = new Set(facts.transactions.map((ft) => ft.id));
  /** Every known transaction of a source with a role: the day's and those looked up, each once, oldest first. */
  const known = (sourceId: string, role: Role) => {
    const all = new Map<string, FinancialTransaction>();
    for (const ft of [...facts.transactions, ...(facts.bySource.get(sourceId) ?? [])]) if (ft.sourceId === sourceId && roleOf(ft) === role) all.set(ft.id, ft);
    return [...all.values()].sort(byTime);
  };
  /** The transaction Airwallex booked for a source: its oldest live principal (any later one is a duplicate). */
  const principalOf = (sourceId: string | null, role: 'payment' | 'refund') => (sourceId ? known(sourceId, role).filter(live)[0] : undefined);

  type Draft = Omit<ReconciliationItem, 'seq' | 'state' | 'flag' | 'anomalyKey'> & { subject: ItemSubject };
  const push = (draft: Draft, state: ItemState, flag?: { flag: ReconciliationFlag; key: string }) => {
    const anomalyKey = flag ? `recon_${flag.flag}:${flag.key}` : null;
    items.push({ ...draft, seq: items.length + 1, state: flag ? 'flagged' : state, flag: flag?.flag ?? null, anomalyKey });
    if (flag && anomalyKey && !anomalies.has(anomalyKey)) {
      anomalies.set(anomalyKey, {
        kind: `recon_${flag.flag}`,
        key: anomalyKey,
        orderId: draft.orderId,
        intentId: draft.intentId,
        detail: {
          day: facts.day,
          runId: facts.runId,
          ...(draft.refundId ? { refundId: draft.refundId } : {}),
          ...(draft.transactionId ? { transactionId: draft.transactionId } : {}),
          ...(draft.batchId ? { batchId: draft.batchId } : {}),
          ...(draft.sourceId ? { sourceId: draft.sourceId } : {}),
          currency: draft.currency,
          expected: draft.expected,
          actual: draft.actual,
          ...draft.detail,
        },
        at: facts.now,
      });
    }
  };
  const ftDraft = (ft: FinancialTransaction, subject: ItemSubject, detail: Record<string, unknown> = {}): Draft => ({
    subject,
    orderId: null,
    refundId: null,
    intentId: null,
    sourceId: ft.sourceId,
    transactionId: ft.id,
    batchId: ft.batchId,
    currency: ft.currency,
    expected: null,
    actual: ft.amountMinor,
    fee: ft.feeMinor,
    detail: { transactionType: ft.transactionType, status: ft.status, createdAt: iso(ft.createdAtMs), ...detail },
  });
  const repeated = new Set(facts.repeatedIds);

  // --- Airwallex's side: each transaction of the day, matched to what it pays or refunds ---
  for (const ft of facts.transactions) {
    const role = roleOf(ft);
    const listedTwice = repeated.has(ft.id) ? { flag: 'duplicate' as const, key: ft.id } : undefined;
    if (role === 'payment') {
      const order = byAttempt.get(ft.sourceId!);
      if (!order) {
        push(ftDraft(ft, 'transaction', { reason: 'source_unknown' }), 'flagged', { flag: 'missing_in_shop', key: ft.id });
        continue;
      }
      const draft: Draft = { ...ftDraft(ft, 'payment'), orderId: order.id, intentId: order.paymentIntentId, expected: order.totalAmount };
      const principal = principalOf(ft.sourceId, 'payment');
      if (!live(ft)) {
        // Airwallex cancelled the money: a conflict only if the shop still counts it paid (and has no other booking of it).
        const conflict = order.status === 'paid' && !principal;
        push({ ...draft, detail: { ...draft.detail, orderStatus: order.status } }, 'matched', conflict ? { flag: 'status_conflict', key: ft.id } : undefined);
      } else if (principal && principal.id !== ft.id) {
        push({ ...draft, detail: { ...draft.detail, original: principal.id } }, 'flagged', { flag: 'duplicate', key: ft.sourceId! });
      } else if (ft.currency !== order.currency) {
        push({ ...draft, detail: { ...draft.detail, orderCurrency: order.currency } }, 'flagged', { flag: 'currency_mismatch', key: ft.id });
      } else if (ft.amountMinor !== order.totalAmount) {
        push(draft, 'flagged', { flag: 'amount_mismatch', key: ft.id });
      } else if (order.status !== 'paid') {
        push({ ...draft, detail: { ...draft.detail, orderStatus: order.status } }, 'flagged', { flag: 'status_conflict', key: order.id });
      } else push(draft, 'matched', listedTwice);
    } else if (role === 'refund' || role === 'reversal') {
      const found = byAirwallexRefund.get(ft.sourceId!);
      if (!found) {
        push(ftDraft(ft, 'transaction', { reason: 'source_unknown' }), 'flagged', { flag: 'missing_in_shop', key: ft.id });
        continue;
      }
      const { order, refund } = found;
      const draft: Draft = {
        ...ftDraft(ft, 'refund', { refundStatus: refund.status }),
        orderId: order.id,
        refundId: refund.id,
        intentId: order.paymentIntentId,
        expected: -refund.amount,
      };
      if (role === 'reversal') {
        // Netted against the refund it reverses: fine when the shop's refund failed, a conflict when the shop says it went through.
        push({ ...draft, expected: null }, 'matched', refund.status === 'succeeded' ? { flag: 'status_conflict', key: ft.id } : undefined);
        continue;
      }
      const principal = principalOf(ft.sourceId, 'refund');
      const reversed = known(ft.sourceId!, 'reversal').filter(live).length > 0;
      const payment = principalOf(order.paymentAttemptId, 'payment');
      if (!live(ft)) {
        push(draft, 'matched', refund.status === 'succeeded' && !principal ? { flag: 'status_conflict', key: ft.id } : undefined);
      } else if (principal && principal.id !== ft.id) {
        push({ ...draft, detail: { ...draft.detail, original: principal.id } }, 'flagged', { flag: 'duplicate', key: ft.sourceId! });
      } else if (ft.currency !== refund.currency) {
        push({ ...draft, detail: { ...draft.detail, refundCurrency: refund.currency } }, 'flagged', { flag: 'currency_mismatch', key: ft.id });
      } else if (-ft.amountMinor !== refund.amount) {
        push(draft, 'flagged', { flag: 'amount_mismatch', key: ft.id });
      } else if (refund.status === 'failed' && !reversed) {
        push(draft, 'flagged', { flag: 'status_conflict', key: refund.id });
      } else if (!payment) {
        push({ ...draft, detail: { ...draft.detail, paymentAttemptId: order.paymentAttemptId } }, 'flagged', { flag: 'refund_without_payment', key: ft.sourceId! });
      } else push(draft, 'matched', listedTwice);
    } else {
      // A fee, a reserve, an adjustment, a payout: in the totals, with nothing of the shop's to match.
      const order = ft.sourceId ? (byAttempt.get(ft.sourceId) ?? byAirwallexRefund.get(ft.sourceId)?.order) : undefined;
      push({ ...ftDraft(ft, 'transaction'), orderId: order?.id ?? null, intentId: order?.paymentIntentId ?? null }, 'matched', listedTwice);
    }
  }

  // --- The shop's side: each payment and refund of the day, found in Airwallex's books (on this day or another) ---
  const { from, to } = facts.window;
  for (const order of facts.orders) {
    if (order.paidAt === null || order.paidAt < from || order.paidAt >= to) continue;
    const draft: Draft = {
      subject: 'payment', orderId: order.id, refundId: null, intentId: order.paymentIntentId, sourceId: order.paymentAttemptId, transactionId: null,
      batchId: null, currency: order.currency, expected: order.totalAmount, actual: null, fee: null, detail: { paidAt: iso(order.paidAt) },
    };
    const intentStatus = facts.intentStatuses.get(order.id);
    if (intentStatus !== undefined) {
      push({ ...draft, detail: { ...draft.detail, intentStatus } }, 'flagged', { flag: 'status_conflict', key: order.id });
      continue;
    }
    const principal = principalOf(order.paymentAttemptId, 'payment');
    if (principal && inDay.has(principal.id)) continue; // its transaction's item above
    if (principal) {
      push({ ...draft, transactionId: principal.id, batchId: principal.batchId, actual: principal.amountMinor, fee: principal.feeMinor, detail: { ...draft.detail, bookedAt: iso(principal.createdAtMs) } }, 'matched');
      continue;
    }
    missing(draft, order.paidAt, order.id);
  }
  for (const order of facts.orders) {
    for (const refund of order.refunds) {
      if (refund.status !== 'succeeded' || refund.createdAt < from || refund.createdAt >= to) continue;
      const draft: Draft = {
        subject: 'refund', orderId: order.id, refundId: refund.id, intentId: order.paymentIntentId, sourceId: refund.airwallexRefundId, transactionId: null,
        batchId: null, currency: refund.currency, expected: -refund.amount, actual: null, fee: null, detail: { refundedAt: iso(refund.createdAt) },
      };
      const principal = principalOf(refund.airwallexRefundId, 'refund');
      if (principal && inDay.has(principal.id)) continue;
      if (principal) {
        push({ ...draft, transactionId: principal.id, batchId: principal.batchId, actual: principal.amountMinor, fee: principal.feeMinor, detail: { ...draft.detail, bookedAt: iso(principal.createdAtMs) } }, 'matched');
        continue;
      }
      missing(draft, refund.createdAt, refund.id);
    }
  }

  // --- The batches: each one's transactions add up to what Airwallex settles, and it settles in time ---
  for (const batch of [...facts.batches].sort((a, b) => (a.batchId < b.batchId ? -1 : 1))) {
    const decided = batchItem(batch, facts.now, facts.pendingGraceMs);
    if (decided.waitUntil !== null) waitUntil(decided.waitUntil);
    push(decided.draft, decided.state, decided.flag);
  }

  function missing(draft: Draft, at: number, key: string): void {
    const due = facts.missingAfter(at);
    if (facts.now >= due) push({ ...draft, detail: { ...draft.detail, missingSince: iso(due) } }, 'flagged', { flag: 'missing_in_airwallex', key });
    else {
      waitUntil(due);
      push({ ...draft, detail: { ...draft.detail, expectedBy: iso(due) } }, 'waiting');
    }
  }

  return {
    items,
    anomalies: [...anomalies.values()],
    summary: summaryOf(facts.transactions.length, items),
    totals: dayTotals(facts),
    recheckAt,
  };
}
