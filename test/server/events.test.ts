// Order events end to end, in one process on SQLite (or PostgreSQL with TEST_DATABASE=postgres): written with the change,
// POSTed signed to EVENTS_URL in the background, retried with the same id, in order per order, given up after 72 h and
// resent from the admin API; recorded for the feed without EVENTS_URL; the feed resumable from a cursor.
import { randomUUID } from 'node:crypto';
import type { OrderEvent } from '../../server/contract-admin';
import { startEventsReceiver, type Answer, type Delivery, type EventsReceiver } from '../../scripts/lib/events-receiver';
import { CART, eventually, manualClock, startTestServer, testConfig, type TestServer } from './helpers';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const EVENTS_SECRET = 'events-secret-for-tests-5b7c9d1e3f';

let receiver: EventsReceiver;
let server: TestServer;
let answer: (delivery: Delivery) => Answer;

async function start(env: Record<string, string> = {}, options: Parameters<typeof startTestServer>[1] = {}): Promise<void> {
  const withUrl = 'EVENTS_URL' in env ? env : { EVENTS_URL: receiver.url, EVENTS_SECRET, ...env };
  server = await startTestServer(testConfig({ ADMIN_TOKEN, EVENTS_FIRST_RETRY_MS: '50', ...withUrl }), options);
}

beforeEach(async () => {
  answer = () => 200;
  receiver = await startEventsReceiver({ secret: EVENTS_SECRET, answer: (delivery) => answer(delivery), toleranceMs: 365 * 24 * 3600_000 });
});
afterEach(async () => {
  await server?.close();
  await receiver.close();
});

const admin = <T = any>(method: string, path: string) => server.request<T>(method, path, { token: ADMIN_TOKEN });
const feed = async (after?: string, limit = 100) => (await admin<{ events: OrderEvent[]; next: string }>('GET', `/admin/api/events?${after ? `after=${after}&` : ''}limit=${limit}`)).body;

/** The shopper's order for CART, with its pay sheet open (the `package` to pay it with). */
async function payable(token: string): Promise<{ id: string; pkg: string }> {
  const order = (await server.request<any>('POST', '/api/orders', { token, body: CART })).body.order;
  const payment = await server.request<any>('POST', `/api/orders/${order.id}/payment`, { token });
  return { id: order.id, pkg: payment.body.requestPayment.package };
}

describe('order events to EVENTS_URL', () => {
  test('paying an order delivers order.paid within a second, signed, its order as GET /admin/api/orders/{id} shows it', async () => {
    // No periodic look for due events during the test: only the change's own wake-up can deliver it this fast.
    await start({}, { events: { pollMs: 3_600_000 } });
    const token = await server.sessionFor('paula');
    const { id, pkg } = await payable(token);
    expect(await server.pay(pkg)).toBe('requestPayment:ok');
    const paidAt = Date.now();
    await receiver.until((d) => d.length === 1, 3_000);
    const [delivery] = receiver.deliveries;
    expect(delivery.receivedAt - paidAt).toBeLessThan(1_000);
    expect(delivery).toMatchObject({ verified: true, status: 200 });
    expect(delivery.event).toMatchObject({ id: delivery.id, type: 'order.paid', data: { order: { id, status: 'paid' } } });
    expect(delivery.id).toMatch(/^evt_[A-Za-z0-9_-]{16}$/);
    expect(Math.abs(Number(delivery.timestamp) - Date.now())).toBeLessThan(5_000);
    expect(Date.parse(delivery.event!.createdAt)).toBeGreaterThan(paidAt - 5_000);
    // The order in the event is the admin API's, field for field, as it was when paid.
    const shown = (await admin('GET', `/admin/api/orders/${id}`)).body.order;
    expect(delivery.event!.data.order).toEqual(shown);
    expect(Object.keys(delivery.event!.data)).toEqual(['order']);
    await eventually(async () => (await server.store.outboxOfOrder(id))[0].state === 'delivered');
  });

  test('a receiver answering 500 twice gets the same event id a third time; refund.succeeded waits for order.paid', async () => {
    // order.paid is refused until the refund's event is written, so the refund's is due while paid's is still retried.
    let refundWritten = false;
    answer = (delivery) => (delivery.event?.type === 'order.paid' && (!refundWritten || receiver.deliveries.filter((d) => d.event?.type === 'order.paid').length <= 2) ? 500 : 200);
    await start();
    const order = await server.paidOrder(await server.sessionFor('rob'));
    await receiver.until((d) => d.length >= 2);
    const refund = await server.request('POST', `/admin/api/orders/${order.id}/refunds`, { token: ADMIN_TOKEN, body: {}, headers: { 'idempotency-key': randomUUID() } });
    expect(refund.status).toBe(201);
    await eventually(async () => (await server.store.outboxOfOrder(order.id)).some((e) => e.type === 'refund.succeeded'), 5_000);
    refundWritten = true;
    await receiver.until((d) => d.some((x) => x.event?.type === 'refund.succeeded' && x.status === 200), 5_000);
    const paid = receiver.deliveries.filter((d) => d.event?.type === 'order.paid');
    expect(paid.length).toBeGreaterThanOrEqual(3);
    expect(paid.slice(0, 2).map((d) => d.status)).toEqual([500, 500]);
    expect(new Set(paid.map((d) => d.id)).size).toBe(1);
    expect(paid.every((d) => d.body === paid[0].body)).toBe(true);
    // Not one try of the refund's event before order.paid was taken.
    const firstRefundTry = receiver.deliveries.findIndex((d) => d.event?.type === 'refund.succeeded');
    const paidTaken = receiver.deliveries.findIndex((d) => d.event?.type === 'order.paid' && d.status === 200);
    expect(paidTaken).toBeGreaterThanOrEqual(0);
    expect(firstRefundTry).toBeGreaterThan(paidTaken);
    const refunded = receiver.deliveries[firstRefundTry].event!;
    expect(refunded.data.refund).toMatchObject({ id: refund.body.refund.id, status: 'succeeded' });
    expect(refunded.data.order.refunds).toEqual([refunded.data.refund]);
    await eventually(async () => (await server.store.outboxOfOrder(order.id)).every((e) => e.state === 'delivered'));
    const [paidEvent, refundEvent] = await server.store.outboxOfOrder(order.id);
    expect(paidEvent).toMatchObject({ state: 'delivered', attempts: paid.length, lastError: 'HTTP 500: try again' });
    expect(refundEvent).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  test('an event says what the order was when it happened: a later refund does not change order.paid', async () => {
    await start();
    const order = await server.paidOrder(await server.sessionFor('fay'));
    await server.request('POST', `/admin/api/orders/${order.id}/refunds`, { token: ADMIN_TOKEN, body: { amount: 100 }, headers: { 'idempotency-key': randomUUID() } });
    await receiver.until((d) => d.some((x) => x.event?.type === 'refund.succeeded'), 5_000);
    const [paid, refunded] = receiver.accepted().map((d) => d.event!);
    expect(paid.data.order).toMatchObject({ status: 'paid', refunds: [], refundedTotal: { amount: 0 } });
    expect(refunded.data.order).toMatchObject({ status: 'paid', refundedTotal: { amount: 100 } });
    expect((await feed()).events).toEqual([paid, refunded]);
  });

  test('cancelling, expiring and a refund Airwallex fails each tell their event', async () => {
    const clock = manualClock();
    await start({ ORDER_LIFETIME_SECONDS: '60', SIMULATOR_REFUND_FAIL_RATE: '1' }, { now: clock.now });
    const token = await server.sessionFor('cara');
    const cancelled = (await server.request<any>('POST', '/api/orders', { token, body: CART })).body.order;
    expect((await server.request('POST', `/api/orders/${cancelled.id}/cancel`, { token })).status).toBe(200);
    const expired = (await server.request<any>('POST', '/api/orders', { token, body: CART })).body.order;
    clock.advance(61_000);
    await server.sweeper.sweepOnce();
    expect((await admin('GET', `/admin/api/orders/${expired.id}`)).body.order.status).toBe('expired');
    const { id, pkg } = await payable(token);
    await server.pay(pkg);
    await eventually(async () => (await admin('GET', `/admin/api/orders/${id}`)).body.order.status === 'paid');
    await server.request('POST', `/admin/api/orders/${id}/refunds`, { token: ADMIN_TOKEN, body: {}, headers: { 'idempotency-key': randomUUID() } });
    await receiver.until((d) => d.some((x) => x.event?.type === 'refund.failed'), 5_000);
    const told = receiver.accepted().map((d) => [d.event!.type, d.event!.data.order.id]);
    expect(told).toEqual([
      ['order.cancelled', cancelled.id],
      ['order.expired', expired.id],
      ['order.paid', id],
      ['refund.failed', id],
    ]);
    expect(receiver.accepted()[3].event!.data.refund).toMatchObject({ status: 'failed', failure: { code: expect.any(String) } });
  });

  test('a refund Airwallex refuses at once tells refund.failed', async () => {
    // No webhooks: the refund made in Airwallex's web app stays unknown here, so ours asks for more than is left.
    await start({ SIMULATOR_WEBHOOK_DROP_RATE: '1' });
    const order = await server.paidOrder(await server.sessionFor('rhea'));
    server.simulator!.createExternalRefund({ payment_intent_id: order.paymentIntentId, amount: 26.99, reason: 'refunded in the web app' });
    const refused = await server.request('POST', `/admin/api/orders/${order.id}/refunds`, { token: ADMIN_TOKEN, body: {}, headers: { 'idempotency-key': randomUUID() } });
    expect(refused.body.error.code).toBe('REFUND_REJECTED');
    await receiver.until((d) => d.some((x) => x.event?.type === 'refund.failed'));
    const failed = receiver.accepted().find((d) => d.event?.type === 'refund.failed')!.event!;
    expect(failed.data.refund).toMatchObject({ status: 'failed', failure: { code: 'amount_above_limit' }, origin: 'admin' });
  });

  test('given up after 72 h: failed, counted, logged at error; a resend delivers it with the same id', async () => {
    const clock = manualClock();
    answer = () => 503;
    await start({}, { now: clock.now, events: { pollMs: 3_600_000 } });
    const order = await server.paidOrder(await server.sessionFor('gus'));
    await receiver.until((d) => d.length === 1);
    // The receiver answered; the server records the try's outcome right after.
    await eventually(async () => (await server.store.outboxOfOrder(order.id))[0].retries === 1);
    const [pending] = await server.store.outboxOfOrder(order.id);
    expect(pending).toMatchObject({ state: 'pending', attempts: 1, retries: 1, lastError: 'HTTP 503: try again' });
    // The first retry comes within 5 s (50 ms here), then doubling.
    expect(pending.nextAttemptAt! - clock.now()).toBeLessThanOrEqual(50);
    clock.advance(72 * 3600_000);
    await server.events!.deliverDue();
    expect(receiver.deliveries).toHaveLength(2);
    const [failed] = await server.store.outboxOfOrder(order.id);
    expect(failed).toMatchObject({ state: 'failed', attempts: 2, lastError: 'HTTP 503: try again', nextAttemptAt: null });
    expect(server.logs.map((line) => JSON.parse(line)).filter((entry) => entry.level === 50 && entry.eventId === failed.id)).toHaveLength(1);
    const metrics = await server.telemetry.registry.metrics();
    expect(metrics).toMatch(/shop_event_deliveries_total\{outcome="failed"\} 1/);
    expect(metrics).toMatch(/shop_events\{state="failed"\} 1/);
    answer = () => 200;
    const resent = await admin('POST', `/admin/api/events/${failed.id}/resend`);
    expect(resent.body).toEqual({ event: { id: failed.id, type: 'order.paid', orderId: order.id, state: 'pending' }, resent: true });
    await receiver.until((d) => d.length === 3);
    expect(receiver.deliveries[2]).toMatchObject({ id: failed.id, status: 200, body: receiver.deliveries[0].body });
    const audit = (await admin('GET', `/admin/api/audit?target=${order.id}`)).body.entries;
    expect(audit.map((entry: { action: string }) => entry.action)).toContain('event.resend');
    expect((await admin('POST', '/admin/api/events/evt_nothing/resend')).status).toBe(404);
  });

  test('the feed returns the delivered events, the same bodies in a stable order, and resumes from a cursor', async () => {
    await start();
    const token = await server.sessionFor('ida');
    const orders = [];
    for (let i = 0; i < 3; i++) orders.push(await server.paidOrder(token));
    await server.request('POST', `/api/orders/${(await server.request<any>('POST', '/api/orders', { token, body: CART })).body.order.id}/cancel`, { token });
    await receiver.until((d) => d.length === 4);
    const all = await feed();
    expect(all.events.map((e) => e.type)).toEqual(['order.paid', 'order.paid', 'order.paid', 'order.cancelled']);
    expect(all.events.slice(0, 3).map((e) => e.data.order.id)).toEqual(orders.map((o) => o.id));
    expect(new Map(all.events.map((e) => [e.id, e]))).toEqual(new Map(receiver.deliveries.map((d) => [d.id, JSON.parse(d.body)])));
    // Page by page: the same events, each once.
    const first = await feed(undefined, 2);
    const second = await feed(first.next, 2);
    const third = await feed(second.next, 2);
    expect([...first.events, ...second.events]).toEqual(all.events);
    expect(third).toEqual({ events: [], next: second.next });
    expect(second.next).toBe(all.next);
    // Refused: a cursor that is not one, a limit out of range, no admin token.
    expect((await admin('GET', '/admin/api/events?after=abc')).status).toBe(400);
    expect((await admin('GET', '/admin/api/events?limit=501')).status).toBe(400);
    expect((await server.request('GET', '/admin/api/events')).status).toBe(401);
  });
});

describe('order events without EVENTS_URL', () => {
  test('are recorded for the feed, never sent; a resend says how to turn delivery on', async () => {
    await start({ EVENTS_URL: '' });
    const token = await server.sessionFor('nia');
    const order = await server.paidOrder(token);
    const { events, next } = await feed();
    expect(events).toMatchObject([{ type: 'order.paid', data: { order: { id: order.id, status: 'paid' } } }]);
    expect(await feed(next)).toEqual({ events: [], next });
    const [stored] = await server.store.outboxOfOrder(order.id);
    expect(stored).toMatchObject({ state: 'unsent', attempts: 0, nextAttemptAt: null });
    expect(server.events).toBeUndefined();
    const resend = await admin('POST', `/admin/api/events/${stored.id}/resend`);
    expect(resend.status).toBe(409);
    expect(resend.body.error.code).toBe('EVENTS_NOT_CONFIGURED');
    expect(receiver.deliveries).toEqual([]);
  });
});
