// The sweep: expires unpaid orders, re-checks payments nobody heard about, backs off from orders
// that keep failing, and never lets those hold up the others. Time is a manual clock.
import { MAX_BACKOFF_MS, REPORT_AFTER_FAILURES } from '../../server/services/sweep';
import { CART, manualClock, startTestServer, testConfig, type ManualClock, type TestServer } from './helpers';

const LIFETIME_S = 1800;
/** testConfig's SWEEP_INTERVAL_SECONDS (30) × 2: an open order nothing was heard about is re-checked after this. */
const STALE_MS = 60_000;

let server: TestServer;
let clock: ManualClock;
let token: string;
beforeEach(async () => {
  clock = manualClock();
  server = await startTestServer(testConfig({ ORDER_LIFETIME_SECONDS: String(LIFETIME_S) }), { now: clock.now });
  token = await server.sessionFor('ursula');
});
afterEach(async () => {
  await server.close();
});

const createOrder = async () => (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
const statusOf = async (id: string) => (await server.store.getOrder(id))!.status;
const retrieves = () => server.simulator!.stats().airwallex.calls.retrieve;

describe('the sweep', () => {
  test('leaves a cart nobody tried to pay alone until it expires, then cancels its intent and expires it', async () => {
    const order = await createOrder();
    clock.advance(LIFETIME_S * 1000 - 1000);
    const before = retrieves();
    expect((await server.sweeper.sweepOnce()).due).toBe(0);
    expect(retrieves()).toBe(before); // nothing asked of Airwallex for a cart
    clock.advance(2000);
    const report = await server.sweeper.sweepOnce();
    expect(report.expired).toBe(1);
    expect(await statusOf(order.id)).toBe('expired');
    expect(server.simulator!.listIntents()[0]).toMatchObject({ status: 'CANCELLED', cancellation_reason: 'order_expired' });
    const pay = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(pay.status).toBe(409);
    expect(pay.body.error.code).toBe('ORDER_NOT_PAYABLE');
  });

  test('finds a payment whose webhook was lost one stale interval after the pay sheet opened', async () => {
    server.simulator!.setFaults({ webhookDropRate: 1 });
    const order = await createOrder();
    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(await server.pay(payment.body.requestPayment.package)).toBe('requestPayment:ok');
    expect((await server.sweeper.sweepOnce()).due).toBe(0);
    expect(await statusOf(order.id)).toBe('awaiting_payment');
    clock.advance(STALE_MS + 1);
    await server.sweeper.sweepOnce();
    expect(await statusOf(order.id)).toBe('paid');
    expect((await server.store.getOrder(order.id))!.nextCheckAt).toBeNull();
  });

  test('does not cancel a pay sheet opened just before the order expires, nor a payment being processed', async () => {
    server.simulator!.setFaults({ webhookDropRate: 1 });
    const order = await createOrder();
    clock.advance(LIFETIME_S * 1000 - 10_000);
    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(payment.status).toBe(200);
    clock.advance(60_000); // past the lifetime, still within the pay sheet's grace
    await server.sweeper.sweepOnce();
    expect(await statusOf(order.id)).toBe('awaiting_payment');
    expect(server.simulator!.listIntents()[0].status).toBe('REQUIRES_CUSTOMER_ACTION');
    expect(await server.pay(payment.body.requestPayment.package)).toBe('requestPayment:ok');
    clock.advance(STALE_MS + 1);
    await server.sweeper.sweepOnce();
    expect(await statusOf(order.id)).toBe('paid');
  });

  test('an unpaid order whose pay sheet was left open expires once the grace after the sheet is over', async () => {
    const order = await createOrder();
    clock.advance(LIFETIME_S * 1000 - 10_000);
    await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    for (let minute = 0; minute < 6; minute++) {
      clock.advance(60_000);
      await server.sweeper.sweepOnce();
    }
    expect(await statusOf(order.id)).toBe('expired');
  });

  test('fifty orders that always fail back off, get reported, and never hold up the healthy ones', async () => {
    server.simulator!.setFaults({ webhookDropRate: 1 });
    // A cart that will expire while the broken orders are due.
    const cart = await createOrder();
    clock.advance(LIFETIME_S * 1000 - 5_000);
    // Fifty orders whose intents Airwallex no longer knows (say, made in the sandbox before going live):
    // due first, failing on every retrieve and cancel.
    const broken: string[] = [];
    for (let i = 0; i < 50; i++) {
      const order = await server.orders.createOrder(`o_broken_${i}`, CART.items);
      await server.store.updateOrder(order.id, () => ({ patch: { paymentIntentId: `int_gone_${i}`, confirmSeq: 1, confirmedAt: clock.now(), nextCheckAt: clock.now() } }));
      broken.push(order.id);
    }
    // A healthy order, paid but its webhook lost, due right after them.
    const paid = await createOrder();
    const payment = await server.request('POST', `/api/orders/${paid.id}/payment`, { token });
    await server.pay(payment.body.requestPayment.package);
    await server.store.updateOrder(paid.id, () => ({ patch: { nextCheckAt: clock.now() + 1 } }));
    clock.advance(10_000);

    const first = await server.sweeper.sweepOnce();
    expect(first.failures).toBe(50);
    expect(await statusOf(paid.id)).toBe('paid');
    expect(await statusOf(cart.id)).toBe('expired');

    // Each failure pushes its order back (exponentially); the next passes leave them alone meanwhile.
    const calls = retrieves();
    expect((await server.sweeper.sweepOnce()).due).toBe(0);
    expect(retrieves()).toBe(calls);
    const afterOne = (await server.store.getOrder(broken[0]))!;
    expect(afterOne.checkFailures).toBe(1);
    expect(afterOne.nextCheckAt! - clock.now()).toBeGreaterThanOrEqual(STALE_MS * 0.8 - 10);

    // After REPORT_AFTER_FAILURES failures in a row: an error, an anomaly, and at most hourly checks.
    for (let i = 1; i < REPORT_AFTER_FAILURES; i++) {
      clock.advance(MAX_BACKOFF_MS * 1.25);
      expect((await server.sweeper.sweepOnce()).failures).toBe(50);
    }
    const reported = (await server.store.listAnomalies({ openOnly: true, limit: 100, offset: 0 })).filter((a) => a.kind === 'sweep_failing');
    expect(reported.map((a) => a.orderId).sort()).toEqual([...broken].sort());
    expect(server.logs.filter((line) => line.includes('"level":50') && line.includes('sweep keeps failing'))).toHaveLength(50);
    const last = (await server.store.getOrder(broken[0]))!;
    expect(last.checkFailures).toBe(REPORT_AFTER_FAILURES);
    expect(last.nextCheckAt! - clock.now()).toBeLessThanOrEqual(MAX_BACKOFF_MS * 1.2 + 10);
    const timeline = await server.store.orderEvents(broken[0]);
    expect(timeline.filter((event) => event.kind === 'sweep')).toHaveLength(REPORT_AFTER_FAILURES);
  });

  test('prunes expired sessions and old webhook events, keeping the rest', async () => {
    const order = await createOrder();
    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    await server.pay(payment.body.requestPayment.package);
    await server.request('GET', `/api/orders/${order.id}?waitSeconds=5&unlessStatus=awaiting_payment`, { token });
    const events = (await server.store.orderEvents(order.id)).filter((event) => event.kind === 'intent' && String(event.source).startsWith('webhook'));
    expect(events.length).toBeGreaterThan(0);
    const eventId = String(events[0].data.eventId);
    expect(await server.store.webhookEventOutcome(eventId)).toBe('applied');
    clock.advance(8 * 24 * 3600_000); // past the session's 7 days, within the webhook events' 30
    expect((await server.sweeper.sweepOnce()).pruned).toMatchObject({ sessions: 1, webhookEvents: 0 });
    expect((await server.request('GET', '/api/orders', { token })).status).toBe(401);
    clock.advance(23 * 24 * 3600_000);
    expect((await server.sweeper.sweepOnce()).pruned.webhookEvents).toBeGreaterThan(0);
    expect(await server.store.webhookEventOutcome(eventId)).toBeUndefined();
    // The order's timeline keeps what happened.
    expect((await server.store.orderEvents(order.id)).length).toBe((await server.store.orderEvents(order.id)).length);
  });
});
