// One shopper cannot spend the account's Airwallex quota: long polls ask Airwallex only about orders whose pay sheet
// opened (or that are processing), and all of a shopper's long polls and refreshes together retrieve at most once per
// LONG_POLL_RECHECK_MS. The scenario, scaled: 20 carts, 20 concurrent long polls, retrieves counted at the
// simulator (here a 50 ms interval for 1 s, as 1 s for 20 s).
import { CART, startTestServer, testConfig, type TestServer } from './helpers';

const INTERVAL_MS = 50;
const WAIT_SECONDS = 1;

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const retrieves = () => server.simulator!.stats().airwallex.calls.retrieve;

/** 20 concurrent long polls, one per order, each `WAIT_SECONDS` long (nothing changes meanwhile). */
const longPollAll = (token: string, orders: Array<{ id: string }>) =>
  Promise.all(orders.map((order) => server.request('GET', `/api/orders/${order.id}?waitSeconds=${WAIT_SECONDS}&unlessStatus=awaiting_payment`, { token })));

describe("a shopper's long polls and Airwallex's quota", () => {
  test('20 carts whose pay sheet never opened, long-polled together, make no retrieve', async () => {
    server = await startTestServer(testConfig(), { retrieveIntervalMs: INTERVAL_MS });
    const token = await server.sessionFor('quota');
    const orders = [];
    for (let i = 0; i < 20; i++) orders.push((await server.request('POST', '/api/orders', { token, body: CART })).body.order);
    const before = retrieves();
    const answers = await longPollAll(token, orders);
    expect(answers.every((answer) => answer.status === 200 && answer.body.order.status === 'awaiting_payment')).toBe(true);
    expect(retrieves() - before).toBe(0);
    // Nor does "check again" on such a cart.
    expect((await server.request('GET', `/api/orders/${orders[0].id}?refresh=true`, { token })).status).toBe(200);
    expect(retrieves() - before).toBe(0);
  });

  test("20 opened ones retrieve at most once per interval in all, for that shopper; another shopper's budget is its own", async () => {
    server = await startTestServer(testConfig(), { retrieveIntervalMs: INTERVAL_MS });
    // No webhook arrives: every answer the long polls could get is a retrieve of their own.
    server.simulator!.setFaults({ webhookDropRate: 1 });
    const token = await server.sessionFor('quota');
    const orders = [];
    for (let i = 0; i < 20; i++) {
      const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
      expect((await server.request('POST', `/api/orders/${order.id}/payment`, { token })).status).toBe(200);
      orders.push(order);
    }
    const other = await server.sessionFor('quota-neighbour');
    const theirs = (await server.request('POST', '/api/orders', { token: other, body: CART })).body.order;
    await server.request('POST', `/api/orders/${theirs.id}/payment`, { token: other });

    // This shopper alone: without the budget, 20 orders × 20 intervals, about 400 retrieves; with it, one per interval.
    let before = retrieves();
    let started = performance.now();
    const alone = await longPollAll(token, orders);
    let intervals = Math.ceil((performance.now() - started) / INTERVAL_MS);
    expect(alone.every((answer) => answer.status === 200)).toBe(true);
    const made = retrieves() - before;
    expect(made).toBeGreaterThan(5);
    expect(made).toBeLessThanOrEqual(intervals + 1);

    // Both together: the neighbour's order is still asked about (its budget is its own), one per interval each.
    before = retrieves();
    const startedAt = Date.now();
    started = performance.now();
    const [answers] = await Promise.all([longPollAll(token, orders), longPollAll(other, [theirs])]);
    intervals = Math.ceil((performance.now() - started) / INTERVAL_MS);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(retrieves() - before).toBeLessThanOrEqual(2 * (intervals + 1));
    expect((await server.store.getOrder(theirs.id))!.checkedAt).toBeGreaterThanOrEqual(startedAt);
  });
});
