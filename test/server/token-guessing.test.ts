// Operators' tokens cannot be guessed: every refused bearer token (admin API, /metrics) and every console sign-in
// spends one budget per client address, moves the counter the README's alert watches, and X-Forwarded-For counts
// only from a proxy the server was told to trust.
import { startTestServer, testConfig, type TestServer } from './helpers';

const ADMIN_TOKEN = '5be0c8a1f2d94e7360b1a9c4d8e2f7a3b6c0d5e1';
const METRICS_TOKEN = 'e41f9a07c3b26d58f0a1b2c3d4e5f6a7b8c9d0e1';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const counter = async (door: string, outcome: string) => {
  const text = await server.telemetry.registry.getSingleMetricAsString('shop_admin_sign_ins_total');
  return Number(new RegExp(`\\{door="${door}",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
};

const signIn = (token: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/admin/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, ...headers },
    body: new URLSearchParams({ token }).toString(),
  });

describe('guessing the admin token', () => {
  test('30 wrong bearer tokens on the admin API end in 429 and move the refused counter; then the right one is refused too', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN, METRICS_TOKEN }));
    const statuses = [];
    for (let i = 0; i < 30; i++) statuses.push((await server.request('GET', '/admin/api/orders', { token: `guess-${i}-0123456789abcdefghijklmnop` })).status);
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(20).fill(429)]);
    const right = await server.request('GET', '/admin/api/orders', { token: ADMIN_TOKEN });
    expect([right.status, right.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await counter('api', 'refused')).toBe(10);
    expect(await counter('api', 'limited')).toBe(21);
    expect(server.logs.filter((line) => line.includes('operator token refused'))).toHaveLength(10);
    expect(server.logs.join('\n')).not.toContain('guess-0-');
  });

  test('/metrics is the same door: guesses there, on the admin API and on the sign-in form share one budget', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN, METRICS_TOKEN, RATE_LIMIT_ADMIN_SIGN_INS_PER_MINUTE: '5' }));
    const metrics = (token: string) => fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect((await metrics(METRICS_TOKEN)).status).toBe(200); // the right token is not a guess
    expect((await metrics(ADMIN_TOKEN)).status).toBe(401); // nor is the admin token a metrics token
    expect((await metrics('wrong-metrics-token-0123456789abcdef')).status).toBe(401);
    expect((await server.request('GET', '/admin/api/audit', { token: 'wrong-admin-token-0123456789abcdef' })).status).toBe(401);
    expect((await signIn('wrong-console-token-0123456789abcdef')).status).toBe(401);
    expect((await server.request('GET', '/admin/api/audit', { token: 'wrong-admin-token-0123456789abcdeg' })).status).toBe(401);
    // Five guesses spent (the admin token is a wrong metrics token): every door is shut for this address, the right tokens too.
    expect((await metrics(METRICS_TOKEN)).status).toBe(429);
    expect((await server.request('GET', '/admin/api/audit', { token: ADMIN_TOKEN })).status).toBe(429);
    expect((await signIn(ADMIN_TOKEN)).status).toBe(429);
    expect(await counter('metrics', 'refused')).toBe(2);
    expect(await counter('api', 'refused')).toBe(2);
    expect(await counter('console', 'refused')).toBe(1);
    expect(await counter('metrics', 'limited')).toBe(1);
  });

  test('the sign-in limit ignores X-Forwarded-For unless the proxy is trusted (TRUST_PROXY)', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN, RATE_LIMIT_ADMIN_SIGN_INS_PER_MINUTE: '2' }));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await signIn('wrong-token-0123456789abcdefghij')).status);
    for (let i = 0; i < 6; i++) statuses.push((await signIn('wrong-token-0123456789abcdefghij', { 'x-forwarded-for': `10.0.0.${i}` })).status);
    expect(statuses).toEqual([401, 401, 429, 429, 429, 429, 429, 429, 429, 429]);
    // The audit log names the socket's address, not the one the client claimed.
    const audit = await server.store.listAudit({ limit: 10 });
    expect(audit.map((entry) => `${entry.action} ${String(entry.detail.address)}`)).toEqual(['console.sign_in_refused 127.0.0.1', 'console.sign_in_refused 127.0.0.1']);
    await server.close();

    // Behind a load balancer at 127.0.0.1 the server is told so, and then each client address has its own budget.
    server = await startTestServer(testConfig({ ADMIN_TOKEN, RATE_LIMIT_ADMIN_SIGN_INS_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' }));
    for (let i = 0; i < 2; i++) expect((await signIn('wrong-token-0123456789abcdefghij', { 'x-forwarded-for': '203.0.113.1' })).status).toBe(401);
    expect((await signIn('wrong-token-0123456789abcdefghij', { 'x-forwarded-for': '203.0.113.1' })).status).toBe(429);
    expect((await signIn(ADMIN_TOKEN, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(303);
  });
});
