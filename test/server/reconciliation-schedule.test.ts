// The schedule reconciles a day once it has closed even when an operator reconciled it while it was open (clean,
// nothing waiting): what happened later that day is checked too.
import { manualClock, startTestServer, testConfig, type ManualClock, type TestServer } from './helpers';

const DAY_MS = 86_400_000;
let server: TestServer;
let clock: ManualClock;
afterEach(async () => {
  await server?.close();
});

test('a payment after a clean mid-day run is reconciled once the day has closed', async () => {
  clock = manualClock();
  server = await startTestServer(testConfig({ ADMIN_TOKEN: 'audit-admin-token-0123456789abcdef', RECONCILE_AT: '00:00', RECONCILE_GRACE_BUSINESS_DAYS: '0' }), { now: clock.now });
  const day = server.reconciliation.today();
  await server.paidOrder(await server.sessionFor('a'));
  server.simulator!.finance.settle();
  const first = await server.reconciliation.run(day, { trigger: 'api', actor: null });
  expect(first.summary).toMatchObject({ flagged: 0, waiting: 0 });
  expect(first.recheckAt).toBeNull();

  // Later that day: a payment Airwallex never books.
  const later = await server.paidOrder(await server.sessionFor('b'));
  server.simulator!.finance.drop({ payment_intent_id: later.paymentIntentId });

  clock.advance(DAY_MS); // the day has closed, RECONCILE_AT passed
  await server.reconciliation.tick();
  await server.reconciliation.tick();
  const runs = await server.store.listReconciliationRuns({ day, limit: 10, offset: 0 });
  expect(runs.map((run) => run.trigger)).toEqual(['schedule', 'api']);
  expect(runs[0].summary).toMatchObject({ flagged: 1 });
});
