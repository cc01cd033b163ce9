// The schedule reconciles a day once it has closed even when an operator reconciled it while it was open (clean,
// nothing waiting): what happened later that day is checked too; after an outage it catches up the days it missed.
import { addDays } from '../../server/services/merchant-day';
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

test('after an outage over RECONCILE_AT the schedule reconciles each day it missed, and never a day before its first', async () => {
  clock = manualClock();
  server = await startTestServer(testConfig({ ADMIN_TOKEN: 'audit-admin-token-0123456789abcdef', RECONCILE_AT: '00:00', RECONCILE_GRACE_BUSINESS_DAYS: '0' }), { now: clock.now });
  const scheduled = async () =>
    (await server.store.listReconciliationRuns({ limit: 50, offset: 0 })).filter((run) => run.trigger === 'schedule').map((run) => run.day).sort();
  const start = server.reconciliation.today();
  // A new install: yesterday only, not the week before it.
  await server.reconciliation.tick();
  expect(await scheduled()).toEqual([addDays(start, -1)]);

  // A payment today that Airwallex never books, then no instance runs for three days.
  const lost = await server.paidOrder(await server.sessionFor('c'));
  server.simulator!.finance.drop({ payment_intent_id: lost.paymentIntentId });
  clock.advance(3 * DAY_MS);
  await server.reconciliation.tick();
  expect(await scheduled()).toEqual([addDays(start, -1), start, addDays(start, 1), addDays(start, 2)]);
  const [missed] = await server.store.listReconciliationRuns({ day: start, limit: 1, offset: 0 });
  expect(missed.summary).toMatchObject({ flagged: 1, flags: { missing_in_airwallex: 1 } });
  // Nothing more to do: the next tick runs nothing.
  await server.reconciliation.tick();
  expect(await scheduled()).toHaveLength(4);

  // A longer outage: at most a week back.
  clock.advance(20 * DAY_MS);
  await server.reconciliation.tick();
  const today = server.reconciliation.today();
  expect((await scheduled()).slice(4)).toEqual([-7, -6, -5, -4, -3, -2, -1].map((n) => addDays(today, n)));
});
