// Reconciliation runs over time and across instances: a run killed halfway is taken over once its lease runs out (never
// half-written, never counted twice), the schedule runs yesterday once after RECONCILE_AT, and days whose items wait
// are run again when their grace ends (a batch settles, a missing transaction becomes a flag).
import type { AirwallexFinance, AllPages, FinancialTransaction } from '../../server/airwallex/finance';
import { ReconciliationService } from '../../server/services/reconciliation';
import { addDays } from '../../server/services/merchant-day';
import { manualClock, startTestServer, testConfig, type ManualClock, type TestServer } from './helpers';

const DAY_MS = 86_400_000;
let server: TestServer;
let clock: ManualClock;
afterEach(async () => {
  await server?.close();
});

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  clock = manualClock();
  server = await startTestServer(testConfig({ ADMIN_TOKEN: 'runs-admin-token-0123456789abcdef', ...env }), { now: clock.now });
  return server;
}

/** Another instance on the same database, whose Airwallex never answers the day's list until told to: a process that died mid-run. */
function stalledInstance(): { service: ReconciliationService; release: (items: FinancialTransaction[]) => void } {
  let release: (items: FinancialTransaction[]) => void = () => undefined;
  const stalled = new Promise<AllPages<FinancialTransaction>>((resolve) => {
    release = (items) => resolve({ items, repeatedIds: [], pages: 1 });
  });
  const finance = {
    listAllFinancialTransactions: () => stalled,
    getSettlement: async () => undefined,
  } as unknown as Pick<AirwallexFinance, 'listAllFinancialTransactions' | 'getSettlement'>;
  const service = new ReconciliationService({
    store: server.store,
    finance,
    airwallex: { retrievePaymentIntent: async () => Promise.reject(new Error('not asked')) },
    changes: { apply: async () => undefined, intent: () => ({ decide: () => null, settle: () => undefined }) },
    logger: server.app.log.child({ instance: 'b' }) as never,
    telemetry: { anomaly: () => undefined, reconciliationRun: () => undefined, reconciliationFlag: () => undefined },
    timeZone: 'Asia/Shanghai',
    runAtMinute: null,
    graceBusinessDays: 0,
    pendingGraceMs: DAY_MS,
    leaseMs: 60_000,
    now: clock.now,
  });
  return { service, release };
}

test('a run whose instance died is taken over once its lease ran out; the late result of the dead one is refused, nothing counted twice', async () => {
  await start({ RECONCILE_AT: 'off', RECONCILE_GRACE_BUSINESS_DAYS: '0' });
  const order = await server.paidOrder(await server.sessionFor('ida'));
  server.simulator!.finance.drop({ payment_intent_id: order.paymentIntentId }); // one flag to count
  const day = server.reconciliation.today();
  const b = stalledInstance();
  const dying = b.service.run(day, { trigger: 'schedule', actor: null });
  // B holds the day: this instance is told so, by the API and by its schedule.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await expect(server.reconciliation.run(day, { trigger: 'api', actor: null })).rejects.toMatchObject({ code: 'RECONCILIATION_RUNNING' });
  await server.reconciliation.tick();
  expect((await server.store.listReconciliationRuns({ day, limit: 10, offset: 0 })).map((run) => run.status)).toEqual(['running']);

  // B's lease runs out: the schedule takes the day over and finishes it.
  clock.advance(60_001);
  await server.reconciliation.tick();
  const runs = await server.store.listReconciliationRuns({ day, limit: 10, offset: 0 });
  expect(runs.map((run) => [run.status, run.trigger])).toEqual([
    ['completed', 'schedule'],
    ['abandoned', 'schedule'],
  ]);
  expect(runs[0].summary).toMatchObject({ flagged: 1, flags: { missing_in_airwallex: 1 } });

  // B wakes up with its answer: refused, nothing of it written.
  b.release([]);
  await expect(dying).rejects.toThrow(/lost its lease/);
  expect(await server.store.reconciliationItems(runs[1].id)).toEqual([]);
  expect((await server.store.getReconciliationRun(runs[1].id))?.status).toBe('abandoned');
  const anomalies = await server.store.listAnomalies({ openOnly: true, limit: 10, offset: 0 });
  expect(anomalies.map((a) => a.kind)).toEqual(['recon_missing_in_airwallex']);
  const errors = server.logs.filter((line) => line.includes('reconciliation flag: needs an operator'));
  expect(errors).toHaveLength(1);
});

test('the schedule runs yesterday once after RECONCILE_AT, and runs a day again when what it waited for is due', async () => {
  await start({ RECONCILE_AT: '00:00' });
  const today = server.reconciliation.today();
  await server.reconciliation.tick();
  await server.reconciliation.tick();
  const yesterday = await server.store.listReconciliationRuns({ day: addDays(today, -1), limit: 10, offset: 0 });
  expect(yesterday.map((run) => [run.status, run.trigger, run.summary?.transactions])).toEqual([['completed', 'schedule', 0]]);

  // Today: a payment whose batch has not settled, and one whose transaction Airwallex never booked.
  const settles = await server.paidOrder(await server.sessionFor('jo'));
  const missing = await server.paidOrder(await server.sessionFor('kim'));
  server.simulator!.finance.drop({ payment_intent_id: missing.paymentIntentId });
  const first = await server.reconciliation.run(today, { trigger: 'api', actor: null });
  expect(first.summary).toMatchObject({ matched: 1, waiting: 2, flagged: 0 });
  expect(first.recheckAt).not.toBeNull();
  await server.reconciliation.tick();
  expect(await server.store.listReconciliationRuns({ day: today, limit: 10, offset: 0 })).toHaveLength(1); // not due yet

  // A week later: the batch has settled by itself, the missing transaction is past its 2 business days.
  clock.advance(7 * DAY_MS);
  await server.reconciliation.tick();
  const [latest] = await server.store.listReconciliationRuns({ day: today, limit: 10, offset: 0 });
  expect(latest).toMatchObject({ status: 'completed', trigger: 'schedule', recheckAt: null });
  expect(latest.summary).toMatchObject({ matched: 2, waiting: 0, flagged: 1, flags: { missing_in_airwallex: 1 } });
  const items = await server.store.reconciliationItems(latest.id);
  expect(items.find((item) => item.orderId === settles.id)).toMatchObject({ state: 'matched' });
  expect(items.find((item) => item.subject === 'batch')).toMatchObject({ state: 'matched', detail: expect.objectContaining({ status: 'SETTLED' }) });
  // The older run waits no more: nothing is due.
  expect(await server.store.dueReconciliationDays(clock.now())).toEqual([]);
});
