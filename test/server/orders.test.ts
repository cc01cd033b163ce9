// Orders: server-side pricing, idempotency, validation errors and ownership.
import { CART, CART_TOTAL, startTestServer, type TestServer } from './helpers';

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  token = await server.sessionFor('olivia');
});
afterAll(async () => {
  await server.close();
});

const createOrder = (body: unknown, headers: Record<string, string> = {}, as = token) =>
  server.request('POST', '/api/orders', { token: as, body, headers });

describe('POST /api/orders', () => {
  test('prices the order from the catalogue and ignores a price sent by the client', async () => {
    const response = await createOrder({
      items: [
        { sku: 'tea-oolong', quantity: 2, price: 1, unitPrice: { amount: 1 } },
        { sku: 'postcard', quantity: 1 },
      ],
      total: { amount: 1, currency: 'CNY' },
    });
    expect(response.status).toBe(201);
    expect(response.body.order.total).toEqual({ amount: CART_TOTAL, currency: 'CNY' });
    expect(response.body.order.items[0]).toMatchObject({ sku: 'tea-oolong', quantity: 2, unitPrice: { amount: 1250, currency: 'CNY' } });
    const intent = server.simulator!.listIntents().find((i) => i.id === response.body.order.paymentIntentId)!;
    expect(intent.amount).toBe(26.99);
  });

  test('returns the same order for the same Idempotency-Key and body', async () => {
    const key = `checkout-${Date.now()}`;
    const first = await createOrder(CART, { 'idempotency-key': key });
    const second = await createOrder(CART, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.order.id).toBe(first.body.order.id);
    expect(second.body.order.paymentIntentId).toBe(first.body.order.paymentIntentId);
  });

  test('refuses the same Idempotency-Key with another body with a 409', async () => {
    const key = `checkout-conflict-${Date.now()}`;
    await createOrder(CART, { 'idempotency-key': key });
    const other = await createOrder({ items: [{ sku: 'postcard', quantity: 3 }] }, { 'idempotency-key': key });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.body.error.requestId).toEqual(expect.any(String));
  });

  test('two concurrent identical requests make one order and one intent', async () => {
    const key = `checkout-race-${Date.now()}`;
    const before = server.simulator!.listIntents().length;
    const answers = await Promise.all([1, 2, 3].map(() => createOrder(CART, { 'idempotency-key': key })));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.order.id)).size).toBe(1);
    expect(server.simulator!.listIntents().length).toBe(before + 1);
  });

  test('an Idempotency-Key belongs to one shopper only', async () => {
    const key = `shared-key-${Date.now()}`;
    const other = await server.sessionFor('oscar');
    const mine = await createOrder(CART, { 'idempotency-key': key });
    const theirs = await createOrder(CART, { 'idempotency-key': key }, other);
    expect(theirs.status).toBe(201);
    expect(theirs.body.order.id).not.toBe(mine.body.order.id);
  });

  test.each([
    ['no items', { items: [] }],
    ['a zero quantity', { items: [{ sku: 'postcard', quantity: 0 }] }],
    ['a negative quantity', { items: [{ sku: 'postcard', quantity: -2 }] }],
    ['a fractional quantity', { items: [{ sku: 'postcard', quantity: 1.5 }] }],
    ['a huge quantity', { items: [{ sku: 'postcard', quantity: 1e9 }] }],
    ['a missing sku', { items: [{ quantity: 1 }] }],
    ['items that are not a list', { items: 'postcard' }],
  ])('answers 400 VALIDATION_FAILED to %s', async (_name, body) => {
    const response = await createOrder(body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.message).toEqual(expect.any(String));
  });

  test('answers 400 UNKNOWN_PRODUCT to a sku not in the catalogue', async () => {
    const response = await createOrder({ items: [{ sku: 'caviar', quantity: 1 }] });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('UNKNOWN_PRODUCT');
  });

  test('answers 400 INVALID_JSON to a body that is not JSON', async () => {
    const response = await server.request('POST', '/api/orders', { token, rawBody: '{"items": [', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_JSON');
  });

  test('answers 413 BODY_TOO_LARGE to a body past the limit', async () => {
    const items = Array.from({ length: 2000 }, () => ({ sku: 'postcard-with-a-very-long-name', quantity: 1 }));
    const response = await createOrder({ items });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('BODY_TOO_LARGE');
  });

  test('answers 401 UNAUTHENTICATED without a token or with a bad one', async () => {
    const variants: Array<Record<string, string>> = [{}, { authorization: 'Bearer not-a-real-token-at-all' }, { authorization: 'Basic abc' }];
    for (const headers of variants) {
      const response = await server.request('POST', '/api/orders', { body: CART, headers });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('POST /api/quote', () => {
  test('prices a cart exactly as the order will be, without a session and without creating anything', async () => {
    const intentsBefore = server.simulator!.listIntents().length;
    const quote = await server.request('POST', '/api/quote', {
      body: { items: [...CART.items, { sku: 'tea-oolong', quantity: 1, price: 1 }] },
      headers: { 'accept-language': 'en' },
    });
    expect(quote.status).toBe(200);
    expect(quote.body.total).toEqual({ amount: CART_TOTAL + 1250, currency: 'CNY' });
    expect(quote.body.items[0]).toMatchObject({ sku: 'tea-oolong', name: 'Oolong tea', quantity: 3, unitPrice: { amount: 1250, currency: 'CNY' } });
    expect(server.simulator!.listIntents().length).toBe(intentsBefore);
    const order = await createOrder({ items: [...CART.items, { sku: 'tea-oolong', quantity: 1 }] });
    expect(order.body.order.total).toEqual(quote.body.total);
    const withoutName = ({ name: _name, ...rest }: { name: string }) => rest;
    expect(order.body.order.items.map(withoutName)).toEqual(quote.body.items.map(withoutName));
  });

  test('refuses an unknown sku and a malformed cart like an order would', async () => {
    expect((await server.request('POST', '/api/quote', { body: { items: [{ sku: 'caviar', quantity: 1 }] } })).body.error.code).toBe('UNKNOWN_PRODUCT');
    expect((await server.request('POST', '/api/quote', { body: { items: [{ sku: 'postcard', quantity: 0 }] } })).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('reading orders', () => {
  test('another shopper’s order is a 404, for reading, paying and cancelling', async () => {
    const order = (await createOrder(CART)).body.order;
    const intruder = await server.sessionFor('mallory');
    for (const [method, path] of [
      ['GET', `/api/orders/${order.id}`],
      ['POST', `/api/orders/${order.id}/payment`],
      ['POST', `/api/orders/${order.id}/cancel`],
    ]) {
      const response = await server.request(method, path, { token: intruder });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('ORDER_NOT_FOUND');
    }
    expect((await server.request('GET', `/api/orders/${order.id}`, { token })).body.order.status).toBe('awaiting_payment');
  });

  test('a long poll with nothing happening answers after waitSeconds with the same status', async () => {
    const order = (await createOrder(CART)).body.order;
    const started = Date.now();
    const response = await server.request('GET', `/api/orders/${order.id}?waitSeconds=1&unlessStatus=awaiting_payment`, { token });
    expect(response.status).toBe(200);
    expect(response.body.order.status).toBe('awaiting_payment');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test('a long poll answers at once when the status already differs', async () => {
    const order = (await createOrder(CART)).body.order;
    const started = Date.now();
    const response = await server.request('GET', `/api/orders/${order.id}?waitSeconds=20&unlessStatus=processing`, { token });
    expect(response.body.order.status).toBe('awaiting_payment');
    expect(Date.now() - started).toBeLessThan(10_000); // not the 20 s wait
  });

  test('refuses a wait longer than 25 seconds and an unknown status', async () => {
    const order = (await createOrder(CART)).body.order;
    const tooLong = await server.request('GET', `/api/orders/${order.id}?waitSeconds=26`, { token });
    expect(tooLong.status).toBe(400);
    const unknown = await server.request('GET', `/api/orders/${order.id}?waitSeconds=1&unlessStatus=shipped`, { token });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
  });

  test('an unknown route answers the error envelope', async () => {
    const response = await server.request('GET', '/api/nope');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'NOT_FOUND', requestId: expect.any(String) });
  });
});

describe('POST /api/sessions', () => {
  test('answers 201 with an opaque token and its expiry, and nothing about WeChat', async () => {
    const response = await server.request('POST', '/api/sessions', { body: { code: await server.loginCode('sam') } });
    expect(response.status).toBe(201);
    expect(Object.keys(response.body).sort()).toEqual(['expiresAt', 'token']);
    expect(response.body.token.length).toBeGreaterThanOrEqual(40);
    expect(Date.parse(response.body.expiresAt)).toBeGreaterThan(Date.now());
  });

  test('refuses a code used twice with WECHAT_CODE_INVALID', async () => {
    const code = await server.loginCode('sam');
    expect((await server.request('POST', '/api/sessions', { body: { code } })).status).toBe(201);
    const reused = await server.request('POST', '/api/sessions', { body: { code } });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('WECHAT_CODE_INVALID');
  });

  test('answers 400 VALIDATION_FAILED without a code', async () => {
    const response = await server.request('POST', '/api/sessions', { body: {} });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
  });
});
