// Text no database keeps (NUL, which PostgreSQL refuses; a lone surrogate, which has no UTF-8 form) is refused with a
// 4xx before any store sees it: in paths, queries, JSON bodies, console forms and signed webhooks, on both stores.
import { SIMULATOR_CREDENTIALS } from '../../server/simulator/settings';
import { signWebhook } from '../../server/airwallex/webhooks';
import { CART, startTestServer, testConfig, type TestServer } from './helpers';
import { createDatabase, dropDatabase, newDatabaseName, postgresAvailable } from './postgres-helpers';

const ADMIN_TOKEN = 'c0ffee12e4f9a7b3d5c8e1f20a4b6c8d9e7f1a3b';
const stores = postgresAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

describe.each(stores)('text no store keeps, on %s', (store) => {
  let server: TestServer;
  let database: string | undefined;
  let token: string;

  beforeAll(async () => {
    const env: Record<string, string> = { ADMIN_TOKEN };
    if (store === 'postgres') {
      database = newDatabaseName('wxtext');
      env.DATABASE_URL = await createDatabase(database);
    }
    server = await startTestServer(testConfig(env));
    token = await server.sessionFor('nul');
  });
  afterAll(async () => {
    await server?.close();
    if (database) await dropDatabase(database);
  });

  const refused = (answer: { status: number; body: { error?: { code: string } } }) => [answer.status, answer.body.error?.code];

  test('GET /api/orders/%00 and POST /api/orders/a%00b/cancel answer 400, not a 500 from the database', async () => {
    expect(refused(await server.request('GET', '/api/orders/%00', { token }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(refused(await server.request('POST', '/api/orders/a%00b/cancel', { token }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(refused(await server.request('POST', '/api/orders/%ED%A0%80/payment', { token }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(refused(await server.request('GET', '/admin/api/orders?q=a%00', { token: ADMIN_TOKEN }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(refused(await server.request('GET', '/admin/api/audit?target=%00', { token: ADMIN_TOKEN }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(server.logs.filter((line) => line.includes('"level":50'))).toEqual([]);
  });

  test('JSON bodies with a NUL or a lone surrogate are refused, whichever field holds it', async () => {
    expect(refused(await server.request('POST', '/api/orders', { token, body: { items: [{ sku: 'tea-oolong\u0000', quantity: 1 }] } }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(refused(await server.request('POST', '/api/sessions', { body: { code: '\ud800abc' } }))).toEqual([400, 'VALIDATION_FAILED']);
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    const refund = await server.request('POST', `/admin/api/orders/${order.id}/refunds`, { token: ADMIN_TOKEN, body: { amount: 1, reason: 'oops\u0000' }, headers: { 'idempotency-key': 'nul-reason' } });
    expect(refused(refund)).toEqual([400, 'VALIDATION_FAILED']);
    expect(refused(await server.request('POST', '/api/orders', { token, body: { ...CART, note: '\u0000' } }))).toEqual([400, 'VALIDATION_FAILED']);
    expect((await server.request('POST', '/api/orders', { token, body: { ...CART, note: '乌龙茶 🙂' } })).status).toBe(201);
  });

  test('a signed webhook whose event holds a NUL is refused 400 and stored nowhere', async () => {
    const body = JSON.stringify({ id: 'evt_nul\u0000', name: 'payment_intent.succeeded', data: { object: { id: 'int_x', status: 'SUCCEEDED' } } });
    const timestamp = String(Date.now());
    const answer = await server.request('POST', '/webhooks/airwallex', {
      rawBody: body,
      headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signWebhook(SIMULATOR_CREDENTIALS.webhookSecret, timestamp, body) },
    });
    expect(refused(answer)).toEqual([400, 'WEBHOOK_PAYLOAD_INVALID']);
    expect(await server.store.webhookEventOutcome('evt_nul')).toBeUndefined();
  });
});
