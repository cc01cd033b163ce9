// What a day's reconciliation reads before deciding anything: the day's financial transactions and their batches from
// Airwallex, the shop's orders and refunds of the day and those the transactions name, and the few transactions of a
// source that lie beyond the day. Paid orders that lack their succeeded attempt (paid before it was recorded) are
// asked about once, through the order changes, so the attempt is kept for good.
import type { AirwallexClient } from '../airwallex/client';
import type { AirwallexFinance, FinancialTransaction } from '../airwallex/finance';
import type { OrderRecord, Store } from '../store/types';
import type { OrderChanges } from './order-changes';
import type { BatchFacts, DayFacts } from './reconciliation-facts';
import { roleOf } from './reconciliation-rules';

/** What gathering needs: the store, the Airwallex clients, the order changes (to keep an attempt learned). */
export interface GatherDeps {
  store: Store;
  finance: Pick<AirwallexFinance, 'listAllFinancialTransactions' | 'getSettlement'>;
  airwallex: Pick<AirwallexClient, 'retrievePaymentIntent'>;
  changes: Pick<OrderChanges, 'apply' | 'intent'>;
}

/** What gathering read (the facts of the day that come from Airwallex and the store), and what it cost. */
export interface Gathered extends Pick<DayFacts, 'transactions' | 'repeatedIds' | 'bySource' | 'batches' | 'orders' | 'intentStatuses'> {
  /** Calls made to Airwallex, for the run's log line. */
  calls: number;
}

const DAY_MS = 86_400_000;
/** Calls to Airwallex at once: it allows ~20 requests/s per endpoint for the whole account, and the sweep shares them. */
const CONCURRENCY = 4;

export async function gatherDay(deps: GatherDeps, window: { from: number; to: number }): Promise<Gathered> {
  const { store, finance } = deps;
  let calls = 0;
  const counted = <T>(call: Promise<T>) => {
    calls++;
    return call;
  };

  // 1. The shop's paid orders around the day that lack their attempt: learned from Airwallex and kept.
  const intentStatuses = new Map<string, string>();
  const near = await store.ordersPaidBetween(window.from - DAY_MS, window.to + DAY_MS);
  await forEachLimited(
    near.filter((order) => order.status === 'paid' && order.paymentAttemptId === null && order.paymentIntentId !== null),
    async (order) => {
      const intent = await counted(deps.airwallex.retrievePaymentIntent(order.paymentIntentId!));
      await deps.changes.apply(order.id, deps.changes.intent(intent, { source: 'reconciliation', authoritative: true }));
      if (intent.status !== 'SUCCEEDED') intentStatuses.set(order.id, intent.status);
    },
  );

  // 2. Airwallex's transactions of the day (the `to` bound is inclusive, to the second), each once.
  const listed = await counted(finance.listAllFinancialTransactions({ from: new Date(window.from), to: new Date(window.to - 1) }));
  calls += Math.max(0, listed.pages - 1);
  const transactions = listed.items.filter((ft) => ft.createdAtMs === null || (ft.createdAtMs >= window.from && ft.createdAtMs < window.to));

  // 3. The shop's side: orders paid or refunded in the day, and those the transactions name.
  const attempts = transactions.filter((ft) => roleOf(ft) === 'payment').map((ft) => ft.sourceId!);
  const refunds = transactions.filter((ft) => roleOf(ft) === 'refund' || roleOf(ft) === 'reversal').map((ft) => ft.sourceId!);
  const orders = new Map<string, OrderRecord>();
  for (const order of [
    ...(await store.ordersPaidBetween(window.from, window.to)),
    ...(await store.ordersRefundedBetween(window.from, window.to)),
    ...(await store.ordersByAttempts(attempts)),
    ...(await store.ordersByAirwallexRefunds(refunds)),
  ]) {
    orders.set(order.id, order);
  }

  // 4. Sources whose transaction is not among the day's: where it was booked (another day, or nowhere), and earlier bookings of a payment.
  const inDay = new Set(transactions.map((ft) => ft.sourceId));
  const lookups = new Set<string>();
  const paidInDay = (order: OrderRecord) => order.paidAt !== null && order.paidAt >= window.from && order.paidAt < window.to;
  for (const order of orders.values()) {
    const attempt = order.paymentAttemptId;
    // A payment of the day booked elsewhere; the payment a refund of the day refunds; a payment booked today for an order paid another day.
    if (attempt && !inDay.has(attempt) && (paidInDay(order) || order.refunds.some((r) => r.airwallexRefundId !== null && inDay.has(r.airwallexRefundId)))) lookups.add(attempt);
    if (attempt && inDay.has(attempt) && !paidInDay(order)) lookups.add(attempt);
    for (const refund of order.refunds) {
      const made = refund.createdAt >= window.from && refund.createdAt < window.to;
      if (made && refund.status === 'succeeded' && refund.airwallexRefundId && !inDay.has(refund.airwallexRefundId)) lookups.add(refund.airwallexRefundId);
    }
  }
  const bySource = new Map<string, FinancialTransaction[]>();
  await forEachLimited([...lookups].sort(), async (sourceId) => {
    const found = await counted(finance.listAllFinancialTransactions({ sourceId }));
    bySource.set(sourceId, found.items);
  });

  // 5. Every batch a transaction of the day is in: Airwallex's settlement, and all of the batch's transactions.
  const batchIds = [...new Set(transactions.flatMap((ft) => (ft.batchId ? [ft.batchId] : [])))].sort();
  const batches: BatchFacts[] = [];
  await forEachLimited(batchIds, async (batchId) => {
    const [settlement, members] = await Promise.all([counted(finance.getSettlement(batchId)), counted(finance.listAllFinancialTransactions({ batchId }))]);
    batches.push({ batchId, settlement, transactions: members.items });
  });

  return { transactions, repeatedIds: listed.repeatedIds, bySource, batches, orders: [...orders.values()], intentStatuses, calls };
}

/** Runs `work` on every item, at most CONCURRENCY at a time; the first failure fails the whole. */
async function forEachLimited<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
