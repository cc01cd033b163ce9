// Abuse limits and strict input: one shopper cannot spend the merchant's Airwallex quota or starve others, and
// no spelling of a path escapes its limit.
import http from 'node:http';
import { FORCED_REFRESH_INTERVAL_MS } from '../../server/services/orders';
import { CART, manualClock, startTestServer, testConfig, type ManualClock, type TestServer } from './helpers';

let server: TestServer;
let clock: ManualClock;
beforeEach(async () => {
  clock = manualClock();
  server = await startTestServer(testConfig(), { now: clock.now });
});
afterEach(async () => {
  await server.close();
});

const intents = () => server.simulator!.listIntents().length;

describe('abuse limits', () => {
  test('a flooding shopper gets 429 RATE_LIMITED with Retry-After while another shopper is served', async () => {
    const [alice, bob] = [await server.sessionFor('alice'), await server.sessionFor('bob')];
    const answers = [];
    for (let batch = 0; batch < 16; batch++) {
      answers.push(...(await Promise.all(Array.from({ length: 20 }, () => server.request('GET', '/api/orders', { token: alice })))));
    }
    const limited = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(300); // RATE_LIMIT_SHOPPER_PER_MINUTE
    expect(limited).toHaveLength(20);
    expect(limited[0].body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await server.request('GET', '/api/orders', { token: bob })).status).toBe(200);
  });

  test('300 forced refreshes of one order reach Airwallex at most once per 2 s', async () => {
    // This shopper's own limit is raised here: the point is what reaches Airwallex.
    await server.close();
    server = await startTestServer(testConfig({ RATE_LIMIT_SHOPPER_PER_MINUTE: '1000' }), { now: clock.now });
    const token = await server.sessionFor('carol');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    const before = server.simulator!.stats().airwallex.calls.retrieve;
    const answers = [];
    for (let batch = 0; batch < 15; batch++) {
      answers.push(...(await Promise.all(Array.from({ length: 20 }, () => server.request('GET', `/api/orders/${order.id}?refresh=true`, { token })))));
    }
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(server.simulator!.stats().airwallex.calls.retrieve - before).toBe(1);
    clock.advance(FORCED_REFRESH_INTERVAL_MS);
    await server.request('GET', `/api/orders/${order.id}?refresh=true`, { token });
    expect(server.simulator!.stats().airwallex.calls.retrieve - before).toBe(2);
  });

  test('the 21st unpaid order of a shopper is refused before any intent is made; paying or cancelling one frees a place', async () => {
    const token = await server.sessionFor('dave');
    const orders = [];
    for (let i = 0; i < 20; i++) orders.push((await server.request('POST', '/api/orders', { token, body: CART })).body.order);
    const made = intents();
    const refused = await server.request('POST', '/api/orders', { token, body: CART });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('TOO_MANY_OPEN_ORDERS');
    expect(intents()).toBe(made);
    // Another shopper is not affected.
    expect((await server.request('POST', '/api/orders', { token: await server.sessionFor('erin'), body: CART })).status).toBe(201);
    await server.request('POST', `/api/orders/${orders[0].id}/cancel`, { token });
    expect((await server.request('POST', '/api/orders', { token, body: CART })).status).toBe(201);
  });

  test('concurrent orders cannot together pass the limit', async () => {
    const token = await server.sessionFor('frank');
    const answers = await Promise.all(Array.from({ length: 30 }, () => server.request('POST', '/api/orders', { token, body: CART })));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(20);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(10);
  });

  test('logins are limited per client address (each one costs a call to WeChat)', async () => {
    const codes = await Promise.all(Array.from({ length: 61 }, (_, i) => server.loginCode(`s${i}`)));
    const answers = [];
    for (const code of codes) answers.push(await server.request('POST', '/api/sessions', { body: { code } }));
    expect(answers.slice(0, 60).every((answer) => answer.status === 201)).toBe(true);
    expect(answers[60].status).toBe(429);
    expect(answers[60].body.error.code).toBe('RATE_LIMITED');
  });
});

/** A GET with the request target exactly as given (no URL normalisation), from this machine; resolves with the status. */
function rawGet(base: string, target: string, headers: Record<string, string> = {}): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, method: 'GET', path: target, headers, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the per-address limit, decided by the matched route', () => {
  test('counts every spelling of an API path: %-encoded letters and an absolute-form request target', async () => {
    await server.close();
    server = await startTestServer(testConfig({ RATE_LIMIT_ADDRESS_PER_MINUTE: '5' }), { now: clock.now });
    const host = new URL(server.url).host;
    const spellings = ['/api/config', '/%61pi/config', `http://${host}/api/config`, '/%61%70%69/config', `http://${host}/%61pi/products`];
    const statuses = [];
    for (const target of spellings) statuses.push(await rawGet(server.url, target));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    for (const target of spellings) expect([target, await rawGet(server.url, target)]).toEqual([target, 429]);
  });

  test('counts paths that no route matches, and made-up tokens on the shopper\'s routes', async () => {
    await server.close();
    server = await startTestServer(testConfig({ RATE_LIMIT_ADDRESS_PER_MINUTE: '4' }), { now: clock.now });
    expect(await rawGet(server.url, '/no/such/route')).toBe(404);
    expect(await rawGet(server.url, '/API/orders')).toBe(404);
    expect((await server.request('GET', '/api/orders', { token: 'made-up-token-made-up-token-0001' })).status).toBe(401);
    expect((await server.request('GET', '/api/orders/ord_x')).status).toBe(401);
    expect(await rawGet(server.url, '/no/such/route')).toBe(429);
    const made = await server.request('GET', '/api/orders', { token: 'made-up-token-made-up-token-0002' });
    expect([made.status, made.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(await rawGet(server.url, '/%61pi/quote')).toBe(429);
    // Probes, pictures and webhooks are not the API's: they never count, nor are they refused.
    expect(await rawGet(server.url, '/healthz')).toBe(200);
  });

  test("a shopper's requests spend that shopper's budget only: another shopper behind the same address is served while one floods", async () => {
    await server.close();
    server = await startTestServer(testConfig({ RATE_LIMIT_ADDRESS_PER_MINUTE: '20', RATE_LIMIT_SESSIONS_PER_MINUTE: '20', RATE_LIMIT_SHOPPER_PER_MINUTE: '100' }), { now: clock.now });
    const [alice, bob] = [await server.sessionFor('alice'), await server.sessionFor('bob')];
    const answers = [];
    for (let batch = 0; batch < 6; batch++) {
      answers.push(...(await Promise.all(Array.from({ length: 20 }, () => server.request('GET', '/api/orders', { token: alice })))));
    }
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(100);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(20);
    // Alice's 120 requests came from this address, far past its 20, yet they spent none of it.
    expect((await server.request('GET', '/api/orders', { token: bob })).status).toBe(200);
    expect((await server.request('POST', '/api/orders', { token: bob, body: CART })).status).toBe(201);
    expect((await server.request('GET', '/api/products')).status).toBe(200);
  });
});

describe('strict input', () => {
  test('JSON bodies are taken as sent: a number is not a code, true is not a quantity', async () => {
    const code = await server.request('POST', '/api/sessions', { body: { code: 12345 } });
    expect(code.status).toBe(400);
    expect(code.body.error.code).toBe('VALIDATION_FAILED');
    const token = await server.sessionFor('gina');
    for (const quantity of [true, '2', 2.5, null]) {
      const answer = await server.request('POST', '/api/orders', { token, body: { items: [{ sku: 'tea-oolong', quantity }] } });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(intents()).toBe(0);
  });

  test('query strings are still read as the types they stand for', async () => {
    const token = await server.sessionFor('hana');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    const answer = await server.request('GET', `/api/orders/${order.id}?waitSeconds=0&refresh=true`, { token });
    expect(answer.status).toBe(200);
  });
});

describe('shared counters out of reach', () => {
  test('each instance counts on its own meanwhile, and says so once a minute; the request is not failed for the limiter', async () => {
    const Fastify = (await import('fastify')).default;
    const { registerLimits } = await import('../../server/limits');
    const warnings: string[] = [];
    const logger = { warn: (_: unknown, message: string) => warnings.push(message) } as unknown as import('../../server/logger').Logger;
    const down = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    const app = Fastify();
    const limits = await registerLimits(app, { shopperPerMinute: 5, addressPerMinute: 3, sessionsPerMinute: 5, adminSignInsPerMinute: 5 }, { countHit: down, peekHits: down }, logger);
    app.setErrorHandler((err: { status?: number; code?: string }, _request, reply) => reply.code(err.status ?? 500).send({ code: err.code }));
    app.get('/limited', async (request, reply) => {
      await limits.address(request, reply);
      return { ok: true };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const statuses = [];
    try {
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/limited`)).status);
    } finally {
      await app.close();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(warnings).toEqual(['abuse limits: the shared counters are unreachable; counting in this process meanwhile']);
  });
});
