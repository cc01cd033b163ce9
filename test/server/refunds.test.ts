// Refunds through the admin API, against the simulated Airwallex: partial and full, idempotent,
// never beyond what was paid, kept in step by webhooks and the sweep, and seen by the shopper.
import { randomUUID } from 'node:crypto';
import { CART, CART_TOTAL, eventually, manualClock, startTestServer, testConfig, type ManualClock, type TestServer } from './helpers';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

let server: TestServer;
let clock: ManualClock;
let shopperToken: string;
beforeEach(async () => {
  clock = manualClock();
  server = await startTestServer(testConfig({ ADMIN_TOKEN }), { now: clock.now });
  shopperToken = await server.sessionFor('rita');
});
afterEach(async () => {
  await server.close();
});

/** A paid order (the webhook has landed). */
const paidOrder = () => server.paidOrder(shopperToken);

function refund(orderId: string, body: Record<string, unknown>, key: string | null = randomUUID(), token = ADMIN_TOKEN) {
  return server.request('POST', `/admin/api/orders/${orderId}/refunds`, { token, body, headers: key ? { 'idempotency-key': key } : {} });
}

const shopperView = async (orderId: string) => (await server.request('GET', `/api/orders/${orderId}`, { token: shopperToken })).body.order;

describe('refunds through the admin API', () => {
  test('refunds part, then the rest; each settles, and the shopper sees them', async () => {
    const order = await paidOrder();
    const part = await refund(order.id, { amount: 500, reason: 'one postcard missing' });
    expect(part.status).toBe(201);
    expect(part.body.refund).toMatchObject({ amount: { amount: 500, currency: 'CNY' }, reason: 'one postcard missing', status: 'pending', origin: 'admin' });
    expect(part.body.refund.airwallexRefundId).toMatch(/^rfd_/);
    expect(part.body.order.refundable).toEqual({ amount: CART_TOTAL - 500, currency: 'CNY' });

    clock.advance(1000);
    const rest = await refund(order.id, {});
    expect(rest.status).toBe(201);
    expect(rest.body.refund.amount.amount).toBe(CART_TOTAL - 500);
    expect(rest.body.order.refundable.amount).toBe(0);

    // Airwallex accepts and settles them; the webhooks bring that to the order.
    const seen = await eventually(async () => {
      const view = await shopperView(order.id);
      return view.refunds.every((r: { status: string }) => r.status === 'succeeded') && view;
    }, 5_000);
    expect(seen.status).toBe('paid');
    expect(seen.refundedTotal).toEqual({ amount: CART_TOTAL, currency: 'CNY' });
    expect(seen.refunds.map((r: { amount: { amount: number } }) => r.amount.amount)).toEqual([500, CART_TOTAL - 500]);
    // Nothing beyond that: the order is fully refunded.
    const more = await refund(order.id, { amount: 1 });
    expect(more.status).toBe(409);
    expect(more.body.error.code).toBe('ORDER_NOT_REFUNDABLE');
    expect(server.simulator!.listRefunds().map((r) => r.amount)).toEqual([5, (CART_TOTAL - 500) / 100]);
  });

  test("a shopper's long poll with refundsSince waits on the paid order and answers with the merchant's refund", async () => {
    const order = await paidOrder();
    const poll = server.request('GET', `/api/orders/${order.id}?waitSeconds=10&unlessStatus=paid&refundsSince=0`, { token: shopperToken });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await refund(order.id, { amount: 500 })).status).toBe(201);
    const answer = await poll;
    expect(answer.body.order.refunds).toMatchObject([{ amount: { amount: 500 } }]);
    expect(Number(/wait;dur=([\d.]+)/.exec(answer.headers.get('server-timing') ?? '')?.[1])).toBeGreaterThan(0);
    // Past the refunds it has, it waits (here until its 1 s are up); without refundsSince a paid order answers at once, as before.
    const since = Math.max(...answer.body.order.refunds.map((r: { updatedAt: string }) => Date.parse(r.updatedAt)));
    const quietPoll = server.request('GET', `/api/orders/${order.id}?waitSeconds=1&unlessStatus=paid&refundsSince=${since + 60_000}`, { token: shopperToken });
    setTimeout(() => clock.advance(2000), 300); // this test's clock moves only when told: the wait ends after it
    const quiet = await quietPoll;
    expect(Number(/wait;dur=([\d.]+)/.exec(quiet.headers.get('server-timing') ?? '')?.[1])).toBeGreaterThan(200);
    const plain = await server.request('GET', `/api/orders/${order.id}?waitSeconds=10&unlessStatus=paid`, { token: shopperToken });
    expect(plain.headers.get('server-timing') ?? '').not.toMatch(/wait;dur=[1-9]/);
  });

  test('is idempotent: the same key and body answer the same refund; another body is 409', async () => {
    const order = await paidOrder();
    const key = randomUUID();
    const first = await refund(order.id, { amount: 300 }, key);
    const again = await refund(order.id, { amount: 300 }, key);
    expect(again.status).toBe(201);
    expect(again.body.refund.id).toBe(first.body.refund.id);
    const other = await refund(order.id, { amount: 400 }, key);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const missing = await refund(order.id, { amount: 300 }, null);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    expect(server.simulator!.listRefunds()).toHaveLength(1);
  });

  test('six concurrent full refunds: exactly one is made', async () => {
    const order = await paidOrder();
    const answers = await Promise.all(Array.from({ length: 6 }, () => refund(order.id, {})));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    for (const refused of answers.filter((a) => a.status !== 201)) expect(refused.body.error.code).toBe('ORDER_NOT_REFUNDABLE');
    expect(server.simulator!.listRefunds()).toHaveLength(1);
  });

  test('concurrent partial refunds never add up to more than was paid', async () => {
    const order = await paidOrder();
    const answers = await Promise.all(Array.from({ length: 8 }, () => refund(order.id, { amount: 1000 })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(Math.floor(CART_TOTAL / 1000));
    const total = server.simulator!.listRefunds().reduce((sum, r) => sum + Math.round(r.amount * 100), 0);
    expect(total).toBeLessThanOrEqual(CART_TOTAL);
  });

  test('refuses what cannot be refunded, with the code saying why', async () => {
    const unpaid = (await server.request('POST', '/api/orders', { token: shopperToken, body: CART })).body.order;
    expect((await refund(unpaid.id, {})).body.error.code).toBe('ORDER_NOT_REFUNDABLE');
    const order = await paidOrder();
    for (const amount of [0, -5, CART_TOTAL + 1]) {
      const answer = await refund(order.id, { amount });
      expect(answer.status).toBe(400);
      expect(['REFUND_AMOUNT_INVALID', 'VALIDATION_FAILED']).toContain(answer.body.error.code);
    }
    expect((await refund(order.id, { amount: 1.5 })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await refund(order.id, { amount: '100' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await refund('ord_nope', {})).status).toBe(404);
    clock.advance(366 * 24 * 3600_000);
    const late = await refund(order.id, {});
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/365 days/);
    expect(server.simulator!.listRefunds()).toHaveLength(0);
  });

  test('a refund Airwallex fails gives its amount back, and is not counted as refunded', async () => {
    server.simulator!.setFaults({ refundFailRate: 1 });
    const order = await paidOrder();
    const made = await refund(order.id, { amount: 700 });
    expect(made.status).toBe(201);
    const failed = await eventually(async () => {
      const view = await shopperView(order.id);
      return view.refunds[0]?.status === 'failed' && view;
    }, 5_000);
    expect(failed.refundedTotal.amount).toBe(0);
    server.simulator!.resetFaults();
    const again = await refund(order.id, {});
    expect(again.body.refund.amount.amount).toBe(CART_TOTAL);
  });

  test('a refund whose create answer is lost is made once: the retry with the same request_id finds it', async () => {
    const order = await paidOrder();
    // Every create is applied, then its answer lost, until the faults are lifted; no webhook tells either.
    server.simulator!.setFaults({ webhookDropRate: 1, timeoutHoldMs: 50, endpoints: { refund_create: { timeoutRate: 1 } } });
    const lost = await refund(order.id, { amount: 900 });
    expect(lost.status).toBe(503);
    const stored = (await server.store.getOrder(order.id))!.refunds;
    expect(stored).toEqual([expect.objectContaining({ status: 'pending', airwallexRefundId: null, amount: 900 })]);
    // The sweep sends it again with the same request_id: Airwallex says duplicate_request, the server reads it back.
    server.simulator!.setFaults({ endpoints: { refund_create: { timeoutRate: 0 } } });
    clock.advance(120_000);
    await server.sweeper.sweepOnce();
    expect(server.simulator!.listRefunds()).toHaveLength(1);
    const after = (await server.store.getOrder(order.id))!.refunds;
    expect(after).toEqual([expect.objectContaining({ airwallexRefundId: server.simulator!.listRefunds()[0].id, amount: 900 })]);
  });

  test('a refund made in Airwallex\'s web app shows on the order by webhook', async () => {
    const order = await paidOrder();
    const external = server.simulator!.createExternalRefund({ payment_intent_id: order.paymentIntentId, amount: 2, reason: 'refunded by phone' });
    const seen = await eventually(async () => {
      const view = (await server.request('GET', `/admin/api/orders/${order.id}`, { token: ADMIN_TOKEN })).body.order;
      return view.refunds.length === 1 && view.refunds[0].status === 'succeeded' && view;
    }, 5_000);
    expect(seen.refunds[0]).toMatchObject({ airwallexRefundId: external.id, origin: 'airwallex', amount: { amount: 200, currency: 'CNY' }, createdBy: null });
    // What is left to refund accounts for it.
    expect((await refund(order.id, { amount: CART_TOTAL - 199 })).body.error.code).toBe('REFUND_AMOUNT_INVALID');
  });

  test('lost refund webhooks are caught by the sweep, which lists the intent\'s refunds while one is pending', async () => {
    const order = await paidOrder();
    server.simulator!.setFaults({ webhookDropRate: 1 });
    await refund(order.id, { amount: 100 });
    // Airwallex moves the refund on (a real second passes); nothing tells the server.
    await eventually(async () => server.simulator!.listRefunds()[0]?.status === 'SETTLED', 5_000);
    expect((await shopperView(order.id)).refunds[0].status).toBe('pending');
    clock.advance(61_000);
    const report = await server.sweeper.sweepOnce();
    expect(report.refundsReconciled).toBe(1);
    expect((await shopperView(order.id)).refunds[0].status).toBe('succeeded');
    expect((await server.store.getOrder(order.id))!.nextCheckAt).toBeNull();
  });
});

describe('the admin API', () => {
  test('refuses every route without the admin token, and a shopper\'s session token is never one', async () => {
    // The budget of token guesses is raised: here every refusal must be the refusal itself (limits.test.ts has the limit).
    await server.close();
    server = await startTestServer(testConfig({ ADMIN_TOKEN, RATE_LIMIT_ADMIN_SIGN_INS_PER_MINUTE: '100' }), { now: clock.now });
    shopperToken = await server.sessionFor('sally');
    const order = await paidOrder();
    for (const token of [undefined, shopperToken, 'admin-token-for-tests-0123456788', ADMIN_TOKEN.toUpperCase()]) {
      for (const [method, path] of [['GET', '/admin/api/orders'], ['GET', `/admin/api/orders/${order.id}`], ['POST', `/admin/api/orders/${order.id}/refunds`], ['GET', '/admin/api/anomalies']]) {
        const answer = await server.request(method, path, { token, body: method === 'POST' ? {} : undefined, headers: { 'idempotency-key': randomUUID() } });
        expect([answer.status, answer.body.error.code]).toEqual([401, 'ADMIN_UNAUTHENTICATED']);
      }
    }
    expect(server.simulator!.listRefunds()).toHaveLength(0);
  });

  test('finds orders by status, id, intent and shopper fingerprint, newest first, never showing the openid', async () => {
    const paid = await paidOrder();
    clock.advance(1000);
    const open = (await server.request('POST', '/api/orders', { token: shopperToken, body: CART })).body.order;
    const all = await server.request('GET', '/admin/api/orders', { token: ADMIN_TOKEN });
    expect(all.body.orders.map((o: { id: string }) => o.id)).toEqual([open.id, paid.id]);
    expect(JSON.stringify(all.body)).not.toContain('"openId"');
    const byStatus = await server.request('GET', '/admin/api/orders?status=paid', { token: ADMIN_TOKEN });
    expect(byStatus.body).toMatchObject({ total: 1, orders: [{ id: paid.id }] });
    for (const q of [paid.id, paid.paymentIntentId]) {
      expect((await server.request('GET', `/admin/api/orders?q=${q}`, { token: ADMIN_TOKEN })).body.orders.map((o: { id: string }) => o.id)).toEqual([paid.id]);
    }
    const shopper = all.body.orders[0].shopper;
    expect(shopper).toMatch(/^[0-9a-f]{12}$/);
    expect((await server.request('GET', `/admin/api/orders?q=${shopper}`, { token: ADMIN_TOKEN })).body.total).toBe(2);
    const paged = await server.request('GET', '/admin/api/orders?limit=1&offset=1', { token: ADMIN_TOKEN });
    expect(paged.body).toMatchObject({ total: 2, limit: 1, offset: 1, orders: [{ id: paid.id }] });
  });

  test('shows an order\'s timeline in time order, and writes every change to the audit log', async () => {
    const order = await paidOrder();
    await refund(order.id, { amount: 100, reason: 'late delivery' });
    await eventually(async () => (await shopperView(order.id)).refunds[0].status === 'succeeded', 5_000);
    const { body } = await server.request('GET', `/admin/api/orders/${order.id}`, { token: ADMIN_TOKEN });
    const kinds = body.timeline.map((entry: { kind: string; source: string }) => `${entry.kind} ${entry.source}`);
    expect(kinds[0]).toBe('created shopper');
    expect(kinds).toEqual(expect.arrayContaining(['intent create', 'intent confirm', 'intent webhook payment_intent.succeeded', 'refund admin', 'refund create']));
    expect(kinds.some((k: string) => k.startsWith('refund webhook refund.'))).toBe(true);
    const times = body.timeline.map((entry: { at: string }) => Date.parse(entry.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const audit = await server.request('GET', `/admin/api/audit?target=${order.id}`, { token: ADMIN_TOKEN });
    expect(audit.body.entries).toEqual([
      expect.objectContaining({ action: 'refund.create', target: order.id, actor: expect.stringMatching(/^admin:[0-9a-f]{8}$/) }),
    ]);
    expect(JSON.stringify(audit.body)).not.toContain(ADMIN_TOKEN);
  });

  test('re-checks an order with Airwallex on request, within the per-order limit', async () => {
    server.simulator!.setFaults({ webhookDropRate: 1 });
    const order = (await server.request('POST', '/api/orders', { token: shopperToken, body: CART })).body.order;
    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token: shopperToken });
    await server.pay(payment.body.requestPayment.package);
    const checked = await server.request('POST', `/admin/api/orders/${order.id}/recheck`, { token: ADMIN_TOKEN });
    expect(checked.status).toBe(200);
    expect(checked.body.order.status).toBe('paid');
    const retrieves = server.simulator!.stats().airwallex.calls.refund_list;
    await server.request('POST', `/admin/api/orders/${order.id}/recheck`, { token: ADMIN_TOKEN });
    await server.request('POST', `/admin/api/orders/${order.id}/recheck`, { token: ADMIN_TOKEN });
    expect(server.simulator!.stats().airwallex.calls.refund_list - retrieves).toBeLessThanOrEqual(1);
  });

  // Found by the fuzzer: the coercing validator turned "Infinity" into a number its integer and maximum checks let through.
  test('refuses a limit or an offset that is not a finite number as VALIDATION_FAILED, not a 500', async () => {
    for (const query of ['/admin/api/orders?limit=Infinity', '/admin/api/orders?offset=1e999', '/admin/api/audit?limit=-Infinity', '/admin/api/anomalies?limit=Infinity']) {
      const answer = await server.request('GET', query, { token: ADMIN_TOKEN });
      expect([query, answer.status, answer.body.error.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
    }
    expect((await server.request('GET', '/admin/api/orders?limit=1.0', { token: ADMIN_TOKEN })).status).toBe(200);
  });
});
