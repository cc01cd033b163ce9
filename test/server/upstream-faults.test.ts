// Airwallex and WeChat misbehaving: retries, request_id reuse, clear 503s, nothing half-written, webhooks lost.
import { CART, eventually, startTestServer, type TestServer } from './helpers';

let server: TestServer;
let token: string;
beforeEach(async () => {
  server = await startTestServer(undefined, { airwallex: { timeoutMs: 300, backoffBaseMs: 5, retryBudgetMs: 2_000, maxAttempts: 4 } });
  token = await server.sessionFor('fiona');
  server.simulator!.resetStats();
});
afterEach(async () => {
  await server.close();
});

/**
 * For tests that switch a fault off once it has been seen: a retry budget far longer than the test
 * needs, so the switch always lands while the client is still retrying, however slow the machine.
 */
async function useAPatientClient() {
  await server.close();
  server = await startTestServer(undefined, { airwallex: { timeoutMs: 300, backoffBaseMs: 20, retryBudgetMs: 20_000, maxAttempts: 1_000 } });
  token = await server.sessionFor('fiona');
}

const createOrder = (key?: string) =>
  server.request('POST', '/api/orders', { token, body: CART, headers: key ? { 'idempotency-key': key } : {} });

describe('when Airwallex fails', () => {
  test('a 5xx on create is retried and makes exactly one intent', async () => {
    await useAPatientClient();
    server.simulator!.setFaults({ endpoints: { create: { errorRate5xx: 1 } } });
    const pending = createOrder('k-5xx');
    await eventually(async () => server.simulator!.stats().airwallex.faults['5xx'] >= 2);
    server.simulator!.setFaults({ endpoints: { create: { errorRate5xx: 0 } } });
    const response = await pending;
    expect(response.status).toBe(201);
    expect(server.simulator!.stats().airwallex.faults['5xx']).toBeGreaterThanOrEqual(2);
    expect(server.simulator!.listIntents()).toHaveLength(1);
  });

  test('a create whose answer is lost is recovered through duplicate_request, not created twice', async () => {
    await useAPatientClient();
    server.simulator!.setFaults({ timeoutHoldMs: 2_000, endpoints: { create: { timeoutRate: 1 } } });
    const pending = createOrder('k-timeout');
    await eventually(async () => server.simulator!.stats().airwallex.faults.timeout >= 1);
    server.simulator!.setFaults({ endpoints: { create: { timeoutRate: 0 } } });
    const response = await pending;
    expect(response.status).toBe(201);
    const intents = server.simulator!.listIntents();
    expect(intents).toHaveLength(1);
    expect(response.body.order.paymentIntentId).toBe(intents[0].id);
  });

  test('a create that keeps failing answers 503 UPSTREAM_UNAVAILABLE and leaves no visible order', async () => {
    server.simulator!.setFaults({ endpoints: { create: { errorRate5xx: 1 } } });
    const response = await createOrder('k-down');
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(response.body.error.message).not.toMatch(/internal_error|trace/i);
    const list = await server.request('GET', '/api/orders', { token });
    expect(list.body.orders).toEqual([]);

    // The shopper retries the same checkout once Airwallex is back: one order, one intent.
    server.simulator!.resetFaults();
    const retry = await createOrder('k-down');
    expect(retry.status).toBe(201);
    expect(server.simulator!.listIntents()).toHaveLength(1);
    expect((await server.request('GET', '/api/orders', { token })).body.orders).toHaveLength(1);
  });

  test('a confirm whose answer is lost still hands the shopper the pay parameters', async () => {
    await useAPatientClient();
    const order = (await createOrder()).body.order;
    server.simulator!.setFaults({ timeoutHoldMs: 2_000, endpoints: { confirm: { timeoutRate: 1 } } });
    const pending = server.request('POST', `/api/orders/${order.id}/payment`, { token });
    await eventually(async () => server.simulator!.stats().airwallex.faults.timeout >= 1);
    server.simulator!.setFaults({ endpoints: { confirm: { timeoutRate: 0 } } });
    const response = await pending;
    expect(response.status).toBe(200);
    expect(response.body.requestPayment.package).toMatch(/^prepay_id=/);
    expect(await server.pay(response.body.requestPayment.package)).toBe('requestPayment:ok');
    const polled = await server.request('GET', `/api/orders/${order.id}?waitSeconds=5&unlessStatus=awaiting_payment`, { token });
    expect(polled.body.order.status).toBe('paid');
    expect(server.simulator!.listIntents()).toHaveLength(1);
  });

  test('a confirm that keeps failing answers 503 and the order stays payable', async () => {
    const order = (await createOrder()).body.order;
    server.simulator!.setFaults({ endpoints: { confirm: { errorRate429: 1 } } });
    const response = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    server.simulator!.resetFaults();
    const retry = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(retry.status).toBe(200);
  });

  test('with every webhook dropped, a waiting shopper learns the order is paid within 2 s (the long poll retrieves once a second)', async () => {
    server.simulator!.setFaults({ webhookDropRate: 1 });
    const order = (await createOrder()).body.order;
    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    const waiting = server.request('GET', `/api/orders/${order.id}?waitSeconds=10&unlessStatus=awaiting_payment`, { token });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const paidAt = Date.now();
    await server.pay(payment.body.requestPayment.package);
    const answer = await waiting;
    expect(answer.body.order.status).toBe('paid');
    // docs/proofs.md's promise: about 1 s, never more than 2 s (one retrieve interval, plus the retrieve).
    expect(Date.now() - paidAt).toBeLessThan(2_000);
    expect(server.simulator!.stats().webhooks.delivered).toBe(0);
    // The retrieve came from the order's shared poller, not from this request: its Server-Timing shows waiting only.
    expect(answer.headers.get('server-timing')).toMatch(/upstream;dur=0\.00, wait;dur=[1-9]/);
  });

  test('?refresh=true asks Airwallex before answering', async () => {
    server.simulator!.setFaults({ webhookDropRate: 1 });
    const order = (await createOrder()).body.order;
    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    await server.pay(payment.body.requestPayment.package);
    expect((await server.request('GET', `/api/orders/${order.id}`, { token })).body.order.status).toBe('awaiting_payment');
    const retrievesBefore = server.simulator!.stats().airwallex.calls.retrieve;
    const refreshed = await server.request('GET', `/api/orders/${order.id}?refresh=true`, { token });
    expect(refreshed.body.order.status).toBe('paid');
    expect(server.simulator!.stats().airwallex.calls.retrieve).toBe(retrievesBefore + 1);
  });

  test('an order nobody waits on is settled by the sweep', async () => {
    server.simulator!.setFaults({ webhookDropRate: 1 });
    const order = (await createOrder()).body.order;
    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    await server.pay(payment.body.requestPayment.package);
    expect((await server.request('GET', `/api/orders/${order.id}`, { token })).body.order.status).toBe('awaiting_payment');
    // Make the order due for its check now, then run one sweep pass.
    await server.store.updateOrder(order.id, () => ({ patch: { nextCheckAt: 0 } }));
    const report = await server.sweeper.sweepOnce();
    expect(report.checked).toBeGreaterThanOrEqual(1);
    expect((await server.request('GET', `/api/orders/${order.id}`, { token })).body.order.status).toBe('paid');
  });
});

describe('when WeChat fails', () => {
  test('a busy jscode2session answers 503 and a new code then works', async () => {
    server.simulator!.setFaults({ wechatBusyRate: 1 });
    const busy = await server.request('POST', '/api/sessions', { body: { code: await server.loginCode('gina') } });
    expect(busy.status).toBe(503);
    expect(busy.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    server.simulator!.resetFaults();
    const ok = await server.request('POST', '/api/sessions', { body: { code: await server.loginCode('gina') } });
    expect(ok.status).toBe(201);
  });
});
