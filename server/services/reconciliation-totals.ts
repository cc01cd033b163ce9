// A day's money, pure: per currency (Airwallex's side from the day's transactions, the shop's from its paid orders and
// refunds), per settlement batch (what its transactions add up to against what Airwallex settles), and the run's summary.
// Integer minor units throughout.
import type { FinancialTransaction } from '../airwallex/finance';
import type { BatchTotals, CurrencyTotals, ItemState, ReconciliationFlag, ReconciliationItem, ReconciliationSummary, ReconciliationTotals } from '../store/types';
import type { BatchFacts, DayFacts } from './reconciliation-facts';

const REFUND_TYPES = new Set(['REFUND', 'REFUND_REVERSAL', 'REFUND_FAILURE']);

/** What one transaction adds to a sum: its gross, fee, refunded share, the rest, and its net. */
function parts(ft: FinancialTransaction): { gross: number; fees: number; refunded: number; other: number; net: number } {
  const type = ft.transactionType;
  const zero = { gross: 0, fees: ft.feeMinor, refunded: 0, other: 0, net: ft.netMinor };
  if (type === 'PAYMENT') return { ...zero, gross: ft.amountMinor };
  if (type !== null && REFUND_TYPES.has(type)) return { ...zero, refunded: -ft.amountMinor };
  // A FEE transaction is a fee whatever its sign; anything else is counted as it goes.
  if (type === 'FEE') return { ...zero, fees: ft.feeMinor + Math.abs(ft.amountMinor) };
  return { ...zero, other: ft.amountMinor };
}

export function dayTotals(facts: DayFacts): ReconciliationTotals {
  const currencies = new Map<string, CurrencyTotals>();
  const of = (currency: string): CurrencyTotals => {
    let totals = currencies.get(currency);
    if (!totals) {
      totals = { currency, payments: 0, gross: 0, fees: 0, refunds: 0, refunded: 0, other: 0, net: 0, shopPayments: 0, shopPaid: 0, shopRefunds: 0, shopRefunded: 0 };
      currencies.set(currency, totals);
    }
    return totals;
  };
  for (const ft of facts.transactions) {
    if (ft.status === 'CANCELLED') continue; // booked, then taken back: no money moved
    const totals = of(ft.currency);
    const add = parts(ft);
    if (ft.transactionType === 'PAYMENT') totals.payments++;
    if (ft.transactionType === 'REFUND') totals.refunds++;
    totals.gross += add.gross;
    totals.fees += add.fees;
    totals.refunded += add.refunded;
    totals.other += add.other;
    totals.net += add.net;
  }
  const { from, to } = facts.window;
  for (const order of facts.orders) {
    if (order.paidAt !== null && order.paidAt >= from && order.paidAt < to) {
      const totals = of(order.currency);
      totals.shopPayments++;
      totals.shopPaid += order.totalAmount;
    }
    for (const refund of order.refunds) {
      if (refund.status !== 'succeeded' || refund.createdAt < from || refund.createdAt >= to) continue;
      const totals = of(refund.currency);
      totals.shopRefunds++;
      totals.shopRefunded += refund.amount;
    }
  }
  return {
    currencies: [...currencies.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)),
    batches: facts.batches.map(batchTotals).sort((a, b) => (a.batchId < b.batchId ? -1 : 1)),
  };
}

function batchTotals(batch: BatchFacts): BatchTotals {
  const sums = { transactions: 0, gross: 0, fees: 0, refunded: 0, net: 0 };
  for (const ft of batch.transactions) {
    if (ft.status === 'CANCELLED') continue;
    const add = parts(ft);
    sums.transactions++;
    sums.gross += add.gross;
    sums.fees += add.fees;
    sums.refunded += add.refunded;
    sums.net += add.net;
  }
  const settlement = batch.settlement;
  return {
    batchId: batch.batchId,
    currency: settlement?.currency ?? batch.transactions[0]?.currency ?? '',
    status: settlement?.status ?? null,
    ...sums,
    settlementAmount: settlement?.amountMinor ?? null,
    settlementFee: settlement?.feeMinor ?? null,
    estimatedSettledAt: settlement?.estimatedSettledAtMs ?? null,
    settledAt: settlement?.settledAtMs ?? null,
  };
}

/** A batch's item: checked once settled (its transactions add up to the settlement, all settled), waiting before, flagged when late. */
export function batchItem(
  batch: BatchFacts,
  now: number,
  pendingGraceMs: number,
): {
  draft: Omit<ReconciliationItem, 'seq' | 'state' | 'flag' | 'anomalyKey'>;
  state: ItemState;
  flag: { flag: ReconciliationFlag; key: string } | undefined;
  waitUntil: number | null;
} {
  const totals = batchTotals(batch);
  const { settlement } = batch;
  const estimated = settlement?.estimatedSettledAtMs ?? Math.max(0, ...batch.transactions.map((ft) => ft.estimatedSettledAtMs ?? 0));
  const draft = {
    subject: 'batch' as const,
    orderId: null,
    refundId: null,
    intentId: null,
    sourceId: null,
    transactionId: null,
    batchId: batch.batchId,
    currency: totals.currency,
    expected: totals.net,
    actual: settlement?.amountMinor ?? null,
    fee: settlement?.feeMinor ?? null,
    detail: {
      status: totals.status,
      transactions: totals.transactions,
      feeSum: totals.fees,
      estimatedSettledAt: estimated ? new Date(estimated).toISOString() : null,
      settledAt: settlement?.settledAtMs ? new Date(settlement.settledAtMs).toISOString() : null,
    },
  };
  const key = batch.batchId;
  if (settlement?.status === 'SETTLED') {
    if (settlement.amountMinor !== totals.net || settlement.feeMinor !== totals.fees) {
      return { draft, state: 'flagged', flag: { flag: 'batch_total_mismatch', key }, waitUntil: null };
    }
    const unsettled = batch.transactions.filter((ft) => ft.status !== 'SETTLED' && ft.status !== 'CANCELLED').map((ft) => ft.id);
    if (unsettled.length > 0) return { draft: { ...draft, detail: { ...draft.detail, unsettled } }, state: 'flagged', flag: { flag: 'status_conflict', key }, waitUntil: null };
    return { draft, state: 'matched', flag: undefined, waitUntil: null };
  }
  // Not settled yet (or no settlement shown yet): checked again at its estimated settlement, then late after the grace.
  const late = estimated + pendingGraceMs;
  if (now >= late) return { draft, state: 'flagged', flag: { flag: 'pending_too_long', key }, waitUntil: null };
  return { draft, state: 'waiting', flag: undefined, waitUntil: now < estimated ? estimated : late };
}

export function summaryOf(transactions: number, items: ReconciliationItem[]): ReconciliationSummary {
  const summary: ReconciliationSummary = { transactions, matched: 0, flagged: 0, waiting: 0, flags: {} };
  for (const item of items) {
    summary[item.state]++;
    if (item.flag) summary.flags[item.flag] = (summary.flags[item.flag] ?? 0) + 1;
  }
  return summary;
}
