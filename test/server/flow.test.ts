// The shopper's whole journey over HTTP, server and simulator both real.
import { CART, CART_TOTAL, startTestServer, testConfig, type TestServer } from './helpers';

let server: TestServer;
beforeEach(async () => {
  // A long poll's own retrieve is a minute away here: what answers a long poll early is a webhook.
  server = await startTestServer(testConfig(), { retrieveIntervalMs: 60_000 });
});
afterEach(async () => {
  await server.close();
});

async function checkout(token: string, idempotencyKey?: string) {
  const created = await server.request('POST', '/api/orders', {
    token,
    body: CART,
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
  });
  expect(created.status).toBe(201);
  return created.body.order;
}

describe('the payment flow', () => {
  test('serves health, config and a catalogue priced in integer minor units', async () => {
    expect((await server.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const config = await server.request('GET', '/api/config');
    expect(config.body).toMatchObject({ mode: 'simulator', currency: 'CNY', currencyPrecision: 2 });
    const products = await server.request('GET', '/api/products', { headers: { 'accept-language': 'en-US' } });
    expect(products.body.products.length).toBeGreaterThan(0);
    for (const product of products.body.products) {
      expect(Number.isInteger(product.price.amount)).toBe(true);
      expect(product.price.currency).toBe('CNY');
    }
    expect(products.body.products[0]).toMatchObject({ sku: 'tea-oolong', name: 'Oolong tea', price: { amount: 1250 } });
    const chinese = await server.request('GET', '/api/products');
    expect(chinese.body.products[0].name).toBe('乌龙茶');
  });

  test('answers say in Server-Timing how long the server itself took and how long it waited on Airwallex', async () => {
    const token = await server.sessionFor('tim');
    const created = await server.request('POST', '/api/orders', { token, body: CART });
    const timing = created.headers.get('server-timing') ?? '';
    const parts = Object.fromEntries([...timing.matchAll(/(\w+);dur=([\d.]+)/g)].map((m) => [m[1], Number(m[2])]));
    expect(Object.keys(parts).sort()).toEqual(['app', 'upstream', 'wait']);
    expect(parts.upstream).toBeGreaterThan(0); // the create call to the simulator
    expect(parts.wait).toBe(0);
    const polled = await server.request('GET', `/api/orders/${created.body.order.id}?waitSeconds=1&unlessStatus=awaiting_payment`, { token });
    expect(Number(/wait;dur=([\d.]+)/.exec(polled.headers.get('server-timing') ?? '')?.[1])).toBeGreaterThanOrEqual(900);
  });

  test('a shopper logs in, orders, pays, and the long poll is answered by the webhook', async () => {
    const token = await server.sessionFor('alice');
    const order = await checkout(token);
    expect(order).toMatchObject({ status: 'awaiting_payment', total: { amount: CART_TOTAL, currency: 'CNY' } });
    expect(order.paymentIntentId).toMatch(/^int_/);

    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(payment.status).toBe(200);
    expect(Object.keys(payment.body.requestPayment).sort()).toEqual(['nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
    expect(payment.body.requestPayment.package).toMatch(/^prepay_id=/);
    expect(payment.body.requestPayment.timeStamp).toMatch(/^\d{10}$/);

    expect(await server.pay(payment.body.requestPayment.package)).toBe('requestPayment:ok');
    const retrieves = server.simulator!.stats().airwallex.calls.retrieve;
    const polled = await server.request('GET', `/api/orders/${order.id}?waitSeconds=5&unlessStatus=awaiting_payment`, { token });
    expect(polled.body.order.status).toBe('paid');
    expect(polled.body.order.paidAt).not.toBeNull();
    // Nobody asked Airwallex (this server's fallback retrieve is minutes away): the webhook did it.
    expect(server.simulator!.stats().airwallex.calls.retrieve).toBe(retrieves);

    const intents = server.simulator!.listIntents();
    expect(intents).toHaveLength(1);
    // Every request the server sent passed the simulator's OpenAPI validation (no 400 validation_error).
    expect(server.simulator!.stats().airwallex.statusCodes['400']).toBeUndefined();
    expect(intents[0]).toMatchObject({ id: order.paymentIntentId, status: 'SUCCEEDED', amount: 26.99, merchant_order_id: order.id });

    const again = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ORDER_NOT_PAYABLE');
  });

  test('a shopper who closes the pay sheet can pay again on the same order and intent', async () => {
    const token = await server.sessionFor('bob');
    const order = await checkout(token);
    const first = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(await server.pay(first.body.requestPayment.package, 'cancel')).toBe('requestPayment:fail cancel');
    const afterCancel = await server.request('GET', `/api/orders/${order.id}`, { token });
    expect(afterCancel.body.order.status).toBe('awaiting_payment');

    const second = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(second.status).toBe(200);
    expect(second.body.order.id).toBe(order.id);
    expect(await server.pay(second.body.requestPayment.package)).toBe('requestPayment:ok');
    const polled = await server.request('GET', `/api/orders/${order.id}?waitSeconds=5&unlessStatus=awaiting_payment`, { token });
    expect(polled.body.order.status).toBe('paid');
    expect(server.simulator!.listIntents()).toHaveLength(1);
    const list = await server.request('GET', '/api/orders', { token });
    expect(list.body.orders.map((o: { id: string }) => o.id)).toEqual([order.id]);
  });

  test('a failed attempt leaves the order payable with the reason, and paying again succeeds', async () => {
    const token = await server.sessionFor('carol');
    const order = await checkout(token);
    const first = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(await server.pay(first.body.requestPayment.package, 'fail')).toMatch(/^requestPayment:fail (?!cancel)/);

    const failed = await server.request('GET', `/api/orders/${order.id}?waitSeconds=3&unlessStatus=awaiting_payment`, { token });
    // The status stays awaiting_payment; the failure shows up as lastPaymentError.
    const withError = failed.body.order.lastPaymentError
      ? failed.body.order
      : (await server.request('GET', `/api/orders/${order.id}`, { token })).body.order;
    expect(withError.status).toBe('awaiting_payment');
    expect(withError.lastPaymentError).toMatchObject({ code: expect.stringMatching(/^PAYMENT_/) });

    const second = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(second.status).toBe(200);
    expect(second.body.order.lastPaymentError).toBeNull();
    await server.pay(second.body.requestPayment.package);
    const polled = await server.request('GET', `/api/orders/${order.id}?waitSeconds=5&unlessStatus=awaiting_payment`, { token });
    expect(polled.body.order.status).toBe('paid');
    expect(server.simulator!.listIntents()).toHaveLength(1);
  });

  test('a shopper cancels an unpaid order and its intent is cancelled upstream', async () => {
    const token = await server.sessionFor('dave');
    const order = await checkout(token);
    const cancelled = await server.request('POST', `/api/orders/${order.id}/cancel`, { token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.order.status).toBe('cancelled');
    expect(server.simulator!.listIntents()[0].status).toBe('CANCELLED');
    const pay = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    expect(pay.body.error.code).toBe('ORDER_NOT_PAYABLE');
    const cancelAgain = await server.request('POST', `/api/orders/${order.id}/cancel`, { token });
    expect(cancelAgain.status).toBe(200);
  });

  test('a paid order cannot be cancelled', async () => {
    const token = await server.sessionFor('erin');
    const order = await checkout(token);
    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    await server.pay(payment.body.requestPayment.package);
    await server.request('GET', `/api/orders/${order.id}?waitSeconds=5&unlessStatus=awaiting_payment`, { token });
    const cancel = await server.request('POST', `/api/orders/${order.id}/cancel`, { token });
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe('ORDER_NOT_CANCELLABLE');
  });

  test('lists only this shopper’s orders, newest first', async () => {
    const alice = await server.sessionFor('alice');
    const bob = await server.sessionFor('bob');
    const first = await checkout(alice);
    const second = await checkout(alice);
    await checkout(bob);
    const list = await server.request('GET', '/api/orders', { token: alice });
    expect(list.body.orders.map((o: { id: string }) => o.id)).toEqual([second.id, first.id]);
  });
});
