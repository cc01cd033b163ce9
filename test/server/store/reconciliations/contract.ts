// The store contract for reconciliation runs (one running run per day across processes, a lease taken over once it runs out,
// a completion written whole or not at all) and the shop's side of a day, run against both dialects by test/server/store/contract.ts.
import type { NewAnomaly, ReconciliationClaim, ReconciliationItem, ReconciliationOutcome, Store } from '../../../../server/store/types';
import { type ContractSubject, newRefund, patch, T0 } from '../fixtures';

let runs = 0;
const claimOf = (overrides: Partial<ReconciliationClaim> = {}): ReconciliationClaim => ({
  id: `rec_${T0}_${++runs}_${Math.random().toString(36).slice(2, 8)}`,
  day: '2026-05-12',
  timeZone: 'Asia/Shanghai',
  trigger: 'api',
  actor: 'admin:12345678',
  now: T0,
  leaseUntil: T0 + 60_000,
  ...overrides,
});

const item = (seq: number, overrides: Partial<ReconciliationItem> = {}): ReconciliationItem => ({
  seq,
  state: 'matched',
  flag: null,
  subject: 'payment',
  orderId: null,
  refundId: null,
  intentId: 'int_1',
  sourceId: 'att_1',
  transactionId: `ftx_${seq}`,
  batchId: 'bat_20260512_CNY_1',
  currency: 'CNY',
  expected: 2699,
  actual: 2699,
  fee: 16,
  anomalyKey: null,
  detail: { note: '乌龙茶 "quoted" \\ $1' },
  ...overrides,
});

const outcome = (overrides: Partial<ReconciliationOutcome> = {}): ReconciliationOutcome => ({
  finishedAt: T0 + 1000,
  summary: { transactions: 2, matched: 1, flagged: 1, waiting: 0, flags: { missing_in_shop: 1 } },
  totals: {
    currencies: [
      { currency: 'CNY', payments: 2, gross: 5398, fees: 32, refunds: 0, refunded: 0, other: 0, net: 5366, shopPayments: 1, shopPaid: 2699, shopRefunds: 0, shopRefunded: 0 },
    ],
    batches: [],
  },
  recheckAt: null,
  items: [item(1), item(2, { state: 'flagged', flag: 'missing_in_shop', subject: 'transaction', anomalyKey: 'recon_missing_in_shop:ftx_2', sourceId: 'att_unknown' })],
  anomalies: [],
  ...overrides,
});

const flagAnomaly = (key: string, orderId: string | null = null): NewAnomaly => ({
  kind: 'recon_missing_in_shop',
  key,
  orderId,
  intentId: null,
  detail: { runDay: '2026-05-12' },
  at: T0 + 1000,
});

export function describeReconciliationsContract(subject: ContractSubject): void {
  const { peer, put } = subject;
  describe('reconciliation runs', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });

    test('claims a day once while its lease lives; a claim after the lease ran out takes the day over and abandons the old run', async () => {
      const first = claimOf();
      const claimed = await store.claimReconciliation(first);
      expect(claimed).toEqual({
        claimed: true,
        run: {
          id: first.id, day: first.day, timeZone: 'Asia/Shanghai', status: 'running', trigger: 'api', actor: 'admin:12345678', startedAt: T0,
          leaseUntil: T0 + 60_000, finishedAt: null, error: null, summary: null, totals: null, recheckAt: null,
        },
      });
      const busy = await store.claimReconciliation(claimOf({ now: T0 + 59_999 }));
      expect(busy).toMatchObject({ claimed: false, running: { id: first.id } });
      // Another day is free.
      expect((await store.claimReconciliation(claimOf({ day: '2026-05-13' }))).claimed).toBe(true);

      const takeover = claimOf({ now: T0 + 60_000, leaseUntil: T0 + 120_000, trigger: 'schedule', actor: null });
      expect(await store.claimReconciliation(takeover)).toMatchObject({ claimed: true, run: { id: takeover.id } });
      expect(await store.getReconciliationRun(first.id)).toMatchObject({ status: 'abandoned', finishedAt: T0 + 60_000, leaseUntil: null });
      // The abandoned run's instance wakes up: its lease and its result are refused, nothing is written.
      expect(await store.renewReconciliationLease(first.id, T0 + 200_000)).toBe(false);
      expect(await store.completeReconciliation(first.id, outcome({ anomalies: [flagAnomaly('recon_missing_in_shop:ftx_2')] }))).toEqual({ completed: false, newAnomalies: [] });
      expect(await store.reconciliationItems(first.id)).toEqual([]);
      expect(await store.listAnomalies({ openOnly: false, limit: 10, offset: 0 })).toEqual([]);
      expect(await store.renewReconciliationLease(takeover.id, T0 + 300_000)).toBe(true);
      expect((await store.getReconciliationRun(takeover.id))?.leaseUntil).toBe(T0 + 300_000);
    });

    test('one claim wins when two processes claim the same day at once', async () => {
      const other = await peer();
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? other : store).claimReconciliation(claimOf())));
      expect(results.filter((result) => result.claimed)).toHaveLength(1);
      const winner = results.find((result) => result.claimed)!;
      for (const result of results) expect(result.claimed ? result.run.id : result.running.id).toBe(winner.claimed ? winner.run.id : '');
    });

    test('completes a run whole: items, totals, summary and anomalies in one go; a run of the day again opens no anomaly twice', async () => {
      const orderId = await put();
      const claim = claimOf();
      await store.claimReconciliation(claim);
      const result = await store.completeReconciliation(claim.id, outcome({ anomalies: [flagAnomaly('recon_missing_in_shop:ftx_2', orderId)] }));
      expect(result.completed).toBe(true);
      expect(result.newAnomalies).toEqual([{ ...flagAnomaly('recon_missing_in_shop:ftx_2', orderId), id: expect.any(Number), resolvedAt: null }]);
      const run = await store.getReconciliationRun(claim.id);
      expect(run).toMatchObject({ status: 'completed', finishedAt: T0 + 1000, leaseUntil: null, summary: outcome().summary, totals: outcome().totals, recheckAt: null });
      expect(await store.reconciliationItems(claim.id)).toEqual(outcome().items);
      expect(await store.reconciliationItems(claim.id, { flaggedOnly: true })).toEqual([outcome().items[1]]);
      // The anomaly is on its order's timeline.
      expect((await store.orderEvents(orderId)).map((e) => [e.kind, e.source])).toEqual([['anomaly', 'recon_missing_in_shop']]);
      // Completing twice writes nothing more.
      expect((await store.completeReconciliation(claim.id, outcome())).completed).toBe(false);
      expect(await store.reconciliationItems(claim.id)).toHaveLength(2);

      const again = claimOf({ now: T0 + 5000, leaseUntil: T0 + 65_000 });
      expect((await store.claimReconciliation(again)).claimed).toBe(true);
      const second = await store.completeReconciliation(again.id, outcome({ anomalies: [flagAnomaly('recon_missing_in_shop:ftx_2', orderId)] }));
      expect(second).toEqual({ completed: true, newAnomalies: [] });
      expect(await store.listAnomalies({ openOnly: true, limit: 10, offset: 0 })).toHaveLength(1);
      // History: both runs, newest first.
      expect((await store.listReconciliationRuns({ day: claim.day, limit: 10, offset: 0 })).map((r) => r.id)).toEqual([again.id, claim.id]);
      expect((await store.listReconciliationRuns({ limit: 1, offset: 0 })).map((r) => r.id)).toEqual([again.id]);
      expect(await store.listReconciliationRuns({ day: '1999-01-01', limit: 10, offset: 0 })).toEqual([]);
      // Every item naming a transaction, newest run first.
      const named = await store.transactionItems('ftx_2', 10);
      expect(named.map(({ run: r, item: i }) => [r.id, i.seq, i.flag])).toEqual([
        [again.id, 2, 'missing_in_shop'],
        [claim.id, 2, 'missing_in_shop'],
      ]);
    });

    test("knows the latest day the schedule completed, whatever was run by hand since, or failed", async () => {
      expect(await store.lastScheduledDay()).toBeUndefined();
      const complete = async (claim: ReconciliationClaim) => {
        await store.claimReconciliation(claim);
        await store.completeReconciliation(claim.id, outcome({ anomalies: [] }));
      };
      await complete(claimOf({ day: '2026-05-10', trigger: 'schedule' }));
      await complete(claimOf({ day: '2026-05-12', trigger: 'schedule' }));
      // An older day done again by the schedule later (its recheck), and later days by hand or failed: not the answer.
      await complete(claimOf({ day: '2026-05-11', trigger: 'schedule', now: T0 + 1000 }));
      for (let i = 0; i < 60; i++) await complete(claimOf({ day: '2026-05-13', trigger: 'api', now: T0 + 2000 + i }));
      const failed = claimOf({ day: '2026-05-14', trigger: 'schedule', now: T0 + 3000 });
      await store.claimReconciliation(failed);
      await store.failReconciliation(failed.id, 'Airwallex did not answer', T0 + 3010);
      await store.claimReconciliation(claimOf({ day: '2026-05-15', trigger: 'schedule', now: T0 + 4000 }));
      expect(await store.lastScheduledDay()).toBe('2026-05-12');
    });

    test('a failed run says why and frees its day', async () => {
      const claim = claimOf();
      await store.claimReconciliation(claim);
      await store.failReconciliation(claim.id, 'Airwallex did not answer', T0 + 10);
      expect(await store.getReconciliationRun(claim.id)).toMatchObject({ status: 'failed', error: 'Airwallex did not answer', finishedAt: T0 + 10, leaseUntil: null });
      expect((await store.claimReconciliation(claimOf({ now: T0 + 20 }))).claimed).toBe(true);
    });

    test('says which days are due: a dead run\'s lease ran out, or the latest completed run waits for a recheck', async () => {
      const waiting = claimOf({ day: '2026-05-10' });
      await store.claimReconciliation(waiting);
      await store.completeReconciliation(waiting.id, outcome({ recheckAt: T0 + 50_000 }));
      const dead = claimOf({ day: '2026-05-11', leaseUntil: T0 + 30_000 });
      await store.claimReconciliation(dead);
      const live = claimOf({ day: '2026-05-12', leaseUntil: T0 + 900_000 });
      await store.claimReconciliation(live);
      expect(await store.dueReconciliationDays(T0 + 10_000)).toEqual([]);
      expect(await store.dueReconciliationDays(T0 + 30_000)).toEqual(['2026-05-11']);
      expect(await store.dueReconciliationDays(T0 + 50_000)).toEqual(['2026-05-10', '2026-05-11']);
      // A newer run of the day (with nothing waiting) ends the older one's recheck.
      const rerun = claimOf({ day: '2026-05-10', now: T0 + 60_000, leaseUntil: T0 + 120_000 });
      await store.claimReconciliation(rerun);
      await store.completeReconciliation(rerun.id, outcome({ finishedAt: T0 + 61_000 }));
      expect(await store.dueReconciliationDays(T0 + 60_000)).toEqual(['2026-05-11']);
      expect((await store.getReconciliationRun(waiting.id))?.recheckAt).toBeNull();
    });

    test('reads the shop\'s side of a day: orders paid in it, orders with refunds made in it, orders by attempt and by Airwallex refund', async () => {
      const before = await put({}, patch({ status: 'paid', paidAt: T0 - 1, paymentAttemptId: 'att_before' }));
      const first = await put({}, patch({ status: 'paid', paidAt: T0, paymentAttemptId: 'att_first', paymentIntentId: 'int_first' }));
      const last = await put({}, patch({ status: 'paid', paidAt: T0 + 999, paymentAttemptId: 'att_last' }));
      await put({}, patch({ status: 'paid', paidAt: T0 + 1000 }));
      await put({}, patch({ status: 'cancelled' }));
      expect((await store.ordersPaidBetween(T0, T0 + 1000)).map((o) => o.id)).toEqual([first, last]);
      const [read] = await store.ordersPaidBetween(T0, T0 + 1);
      expect(read).toMatchObject({ id: first, paymentAttemptId: 'att_first', paymentIntentId: 'int_first', items: expect.any(Array) });

      const refund = newRefund(first, { airwallexRefundId: 'rfd_1', createdAt: T0 + 500, status: 'succeeded' });
      await store.updateOrder(first, () => ({ refunds: [refund, newRefund(first, { airwallexRefundId: 'rfd_2', createdAt: T0 + 5000 })] }));
      await store.updateOrder(before, () => ({ refunds: [newRefund(before, { airwallexRefundId: 'rfd_3', createdAt: T0 - 5000 })] }));
      const refunded = await store.ordersRefundedBetween(T0, T0 + 1000);
      expect(refunded.map((o) => o.id)).toEqual([first]);
      expect(refunded[0].refunds.map((r) => r.airwallexRefundId)).toEqual(['rfd_1', 'rfd_2']);

      expect((await store.ordersByAttempts(['att_last', 'att_first', 'att_first', 'att_nobody'])).map((o) => o.id).sort()).toEqual([first, last].sort());
      expect(await store.ordersByAttempts([])).toEqual([]);
      expect((await store.ordersByAirwallexRefunds(['rfd_3', 'rfd_2', 'rfd_1', 'rfd_nobody'])).map((o) => o.id).sort()).toEqual([before, first].sort());
      expect(await store.ordersByAirwallexRefunds([])).toEqual([]);
    });
  });
}
