// The webhook endpoint's answer to `npm run doctor`: a signed doctor.ping is verified and acknowledged, and leaves nothing behind.
import { DOCTOR_PING_EVENT } from '../../server/airwallex/webhook-events';
import { signWebhook } from '../../server/airwallex/webhooks';
import { CART, startTestServer, testConfig, type TestServer } from './helpers';

const SECRET = 'whsec_doctor_ping_test';
const METRICS_TOKEN = 'metrics-token-for-doctor-ping-5e1b9a';
let server: TestServer;

beforeEach(async () => {
  server = await startTestServer(testConfig({ AIRWALLEX_WEBHOOK_SECRET: SECRET, METRICS_TOKEN }));
});
afterEach(async () => {
  await server.close();
});

function post(body: string, headers: Record<string, string>) {
  return server.request('POST', '/webhooks/airwallex', { rawBody: body, headers: { 'content-type': 'application/json', ...headers } });
}

function signed(body: string, secret = SECRET) {
  const timestamp = String(Date.now());
  return post(body, { 'x-timestamp': timestamp, 'x-signature': signWebhook(secret, timestamp, body) });
}

async function webhookMetrics(): Promise<string[]> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  return (await response.text()).split('\n').filter((line) => line.startsWith('shop_webhooks_total{'));
}

const ping = (id: string) => JSON.stringify({ id, name: DOCTOR_PING_EVENT, data: { object: { note: 'npm run doctor' } }, created_at: new Date().toISOString() });

describe('the doctor ping', () => {
  test('a signed doctor.ping is answered `ping` and stores no event, order change or anomaly', async () => {
    const token = await server.sessionFor('peggy');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    const before = await server.request('GET', `/api/orders/${order.id}`, { token });

    const response = await signed(ping('evt_doctor_1'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true, outcome: 'ping' });
    // The same id again is acknowledged again: nothing was recorded to deduplicate against.
    expect((await signed(ping('evt_doctor_1'))).body).toEqual({ received: true, outcome: 'ping' });

    expect(await server.store.webhookEventOutcome('evt_doctor_1')).toBeUndefined();
    expect(await server.store.listAnomalies({ openOnly: false, limit: 10, offset: 0 })).toEqual([]);
    expect((await server.request('GET', `/api/orders/${order.id}`, { token })).body).toEqual(before.body);
    expect(await webhookMetrics()).toEqual(['shop_webhooks_total{event="doctor.ping",outcome="ping"} 2']);
    expect(server.logs.filter((line) => line.includes('doctor ping verified'))).toHaveLength(2);
  });

  test("the doctor's unsigned probe and a ping signed with another secret are refused, counted apart from real refusals", async () => {
    const unsigned = await post(ping('evt_doctor_2'), {});
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    const otherSecret = await signed(ping('evt_doctor_3'), 'whsec_someone_else');
    expect(otherSecret.status).toBe(401);
    expect(await webhookMetrics()).toEqual(['shop_webhooks_total{event="doctor.ping",outcome="probe"} 2']);

    // Anything else that fails verification still counts as refused (what the "webhooks refused" alert watches).
    const forged = await signed(JSON.stringify({ id: 'evt_forged', name: 'payment_intent.succeeded', data: { object: {} } }), 'whsec_someone_else');
    expect(forged.status).toBe(401);
    expect(await webhookMetrics()).toEqual(
      expect.arrayContaining(['shop_webhooks_total{event="doctor.ping",outcome="probe"} 2', 'shop_webhooks_total{event="unverified",outcome="refused"} 1']),
    );
  });
});
