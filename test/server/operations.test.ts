// Operations: health and readiness probes, metrics, and long polls that end with their client.
import { NOT_READY_DETAIL } from '../../server/routes/public';
import { CART, eventually, startTestServer, testConfig, type TestServer } from './helpers';

let server: TestServer;
const METRICS_TOKEN = 'metrics-token-for-tests-9f2c41ab77d0';
afterEach(async () => {
  await server.close();
});

describe('probes', () => {
  test('/healthz and /readyz answer without writing info log lines', async () => {
    server = await startTestServer(testConfig({ LOG_LEVEL: 'info' }));
    const before = server.logs.length;
    for (let i = 0; i < 3; i++) {
      expect((await server.request('GET', '/healthz')).status).toBe(200);
      expect((await server.request('GET', '/readyz')).body).toEqual({ status: 'ready' });
    }
    expect(server.logs.slice(before).filter((line) => line.includes('/healthz') || line.includes('/readyz'))).toEqual([]);
  });

  test('/readyz says not ready when the database is gone, and logs why; /healthz still answers', async () => {
    server = await startTestServer();
    await server.store.close();
    const ready = await server.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'not_ready', detail: NOT_READY_DETAIL });
    expect(server.logs.some((line) => line.includes('"msg":"not ready"') && /"cause":"[^"]+"/.test(line))).toBe(true);
    expect((await server.request('GET', '/healthz')).status).toBe(200);
  });
});

describe('/metrics', () => {
  test('needs its token, then speaks Prometheus text with the shop counters', async () => {
    server = await startTestServer(testConfig({ METRICS_TOKEN }));
    expect((await server.request('GET', '/metrics')).status).toBe(401);
    expect((await server.request('GET', '/metrics', { token: 'wrong-token-wrong-token-wrong' })).status).toBe(401);
    const token = await server.sessionFor('olga');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    await server.pay(payment.body.requestPayment.package);
    await server.request('GET', `/api/orders/${order.id}?waitSeconds=5&unlessStatus=awaiting_payment`, { token });
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^shop_orders_created_total 1$/m);
    expect(text).toMatch(/^shop_order_status_changes_total\{status="paid"\} 1$/m);
    expect(text).toMatch(/^shop_orders\{status="paid"\} 1$/m);
    expect(text).toMatch(/^airwallex_requests_total\{operation="create",status="201"\} 1$/m);
    expect(text).toMatch(/^shop_webhooks_total\{event="payment_intent.succeeded",outcome="applied"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="POST",route="\/api\/orders",status="201"\} 1$/m);
    expect(text).toMatch(/^shop_long_polls_in_flight 0$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });
});

describe('long polls', () => {
  test('a long poll whose client goes away stops asking Airwallex', async () => {
    server = await startTestServer(testConfig(), { retrieveIntervalMs: 50 });
    server.simulator!.setFaults({ webhookDropRate: 1 });
    const token = await server.sessionFor('pete');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    const retrieves = () => server.simulator!.stats().airwallex.calls.retrieve;
    const inFlight = async () => (await server.telemetry.registry.getSingleMetric('shop_long_polls_in_flight')!.get()).values[0].value;

    const client = new AbortController();
    const waiting = fetch(`${server.url}/api/orders/${order.id}?waitSeconds=20&unlessStatus=awaiting_payment`, {
      headers: { authorization: `Bearer ${token}` },
      signal: client.signal,
    }).catch(() => 'aborted');
    const start = retrieves();
    await eventually(async () => retrieves() >= start + 2); // the long poll's own retrieves are running
    client.abort();
    expect(await waiting).toBe('aborted');
    await eventually(async () => (await inFlight()) === 0);
    const after = retrieves();
    await new Promise((resolve) => setTimeout(resolve, 400)); // eight intervals
    expect(retrieves()).toBe(after);
  });
});
