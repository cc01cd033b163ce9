// POST /api/client-errors: the mini program's script errors reach the server's log and /metrics, without the queries
// that may carry an order id, within a small body and a rate limit of their own.
import type { ClientErrorReport } from '../../server/contract';
import { manualClock, startTestServer, testConfig, type ManualClock, type TestServer } from './helpers';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
let server: TestServer;
let clock: ManualClock;
beforeEach(async () => {
  clock = manualClock();
  // A budget of 3, so the limit shows; each test that needs more starts its own server.
  server = await startTestServer(testConfig({ ADMIN_TOKEN, RATE_LIMIT_CLIENT_ERRORS_PER_MINUTE: '3' }), { now: clock.now });
});
afterEach(async () => {
  await server.close();
});

const REPORT: ClientErrorReport = {
  kind: 'error',
  message: "Cannot read properties of undefined (reading 'status') at pages/result/result?id=ord_secret123",
  stack: 'TypeError: x\n    at onLoad (pages/result/result.js?id=ord_secret123&t=1:12:3)',
  route: 'pages/result/result',
  appVersion: '1.2.0',
  envVersion: 'release',
  sdkVersion: '3.4.1',
  contractVersion: 2,
};
const report = (body: unknown) => server.request('POST', '/api/client-errors', { body });

describe('client errors', () => {
  test('a report is logged without its queries and counted; no session needed', async () => {
    const answer = await report(REPORT);
    expect(answer.status).toBe(204);
    const line = server.logs.find((l) => l.includes('mini program error'));
    expect(line).toBeDefined();
    const logged = JSON.parse(line!).clientError;
    expect(logged).toMatchObject({ kind: 'error', route: 'pages/result/result', appVersion: '1.2.0', envVersion: 'release', contractVersion: 2 });
    expect(logged.message).toContain("reading 'status'");
    expect(server.logs.join('\n')).not.toContain('ord_secret123');
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(metrics).toContain('shop_client_errors_total{kind="error",build="release"} 1');
  });

  test('refuses a malformed or oversized report with 400, a huge body with 413', async () => {
    await server.close();
    server = await startTestServer(testConfig({ RATE_LIMIT_CLIENT_ERRORS_PER_MINUTE: '20' }), { now: clock.now });
    const bad: unknown[] = [
      {},
      { ...REPORT, kind: 'warning' },
      { ...REPORT, message: 'm'.repeat(301) },
      { ...REPORT, stack: 's'.repeat(1501) },
      { ...REPORT, route: 'pages/result/result?id=ord_1' },
      { ...REPORT, contractVersion: '2' },
      (({ sdkVersion: _, ...rest }) => rest)(REPORT),
    ];
    for (const body of bad) {
      const answer = await report(body);
      expect([JSON.stringify(body).slice(0, 60), answer.status, answer.body.error.code]).toEqual([JSON.stringify(body).slice(0, 60), 400, 'VALIDATION_FAILED']);
    }
    expect((await report({ ...REPORT, extra: 'x'.repeat(15_000) })).status).toBe(413);
    expect(server.logs.some((l) => l.includes('mini program error'))).toBe(false);
    // The largest report the contract allows, every character a control character (6 bytes escaped), still fits.
    expect((await report({ ...REPORT, message: '\u0001'.repeat(300), stack: '\u0001'.repeat(1500), route: 'p'.repeat(200), appVersion: 'v'.repeat(64), envVersion: 'e'.repeat(16), sdkVersion: 's'.repeat(32) })).status).toBe(204);
  });

  test('its own rate limit per address: the 4th report in a minute gets 429, other routes are still served', async () => {
    for (let i = 0; i < 3; i++) expect((await report(REPORT)).status).toBe(204);
    const limited = await report(REPORT);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await server.request('GET', '/api/config')).status).toBe(200);
  });
});
