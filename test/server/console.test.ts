// The merchant console over HTTP (no browser): its session, CSRF and Origin rules, security headers,
// languages, sign-in limits and audit; and that no /admin route works without a session.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { signWebhook } from '../../server/airwallex/webhooks';
import { csrfOf, signInToConsole, visitConsole, type VisitOptions } from './console-client';
import { CART, startTestServer, testConfig, type TestServer } from './helpers';

const ADMIN_TOKEN = 'console-admin-token-0123456789';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

/** A browser-like request: no redirects followed, cookies and Origin as given. */
const visit = (base: string, method: string, pathname: string, options: Omit<VisitOptions, 'method'> = {}) => visitConsole(base, pathname, { ...options, method });

/** Signs in like the sign-in form; returns the cookie and the CSRF token of the pages. */
async function signIn(base: string, token = ADMIN_TOKEN): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const { cookie, setCookie } = await signInToConsole(base, token, '/admin/orders');
  const page = await visit(base, 'GET', '/admin/orders', { cookie });
  expect(page.status).toBe(200);
  return { cookie, csrf: csrfOf(page.text), setCookie };
}

const paidOrder = async () => server.paidOrder(await server.sessionFor('cora'));

/** Every route fastify knows, as `METHOD /path`, from its route tree. */
function allRoutes(app: TestServer['app']): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    stack.length = depth;
    stack.push(match[2]);
    const full = stack.join('').replace(/\/\/+/g, '/');
    for (const method of match[3].split(', ')) routes.push(`${method} ${full}`);
  }
  return routes;
}

describe('the console session', () => {
  test('no /admin route works without a session: pages go to the sign-in page, forms and the API are refused', async () => {
    // A refused bearer token counts as a guess of the admin token: room for one per admin API route here.
    server = await startTestServer(testConfig({ ADMIN_TOKEN, RATE_LIMIT_ADMIN_SIGN_INS_PER_MINUTE: '1000' }));
    const order = await paidOrder();
    const shopperToken = await server.sessionFor('sam');
    const routes = allRoutes(server.app).filter((route) => / \/admin/.test(route) && !route.startsWith('HEAD'));
    // The tree parser found the routes it must find (so a new route cannot slip past this test).
    expect(routes).toEqual(expect.arrayContaining(['GET /admin/orders', 'GET /admin/orders/:id', 'POST /admin/orders/:id/refunds', 'POST /admin/sign-out', 'GET /admin/api/orders', 'POST /admin/api/orders/:id/refunds', 'POST /admin/anomalies/:id/resolve']));
    expect(routes.length).toBeGreaterThanOrEqual(17);
    const publicRoutes = ['GET /admin/sign-in', 'POST /admin/sign-in'];
    for (const route of routes.filter((r) => !publicRoutes.includes(r))) {
      const [method, pattern] = route.split(' ');
      const pathname = pattern.replace(':id', pattern.includes('anomalies') ? '1' : order.id);
      for (const credentials of [{}, { cookie: `console_session=${shopperToken}` }, { headers: { authorization: `Bearer ${shopperToken}` } }]) {
        const answer = await visit(server.url, method, pathname, { ...credentials, form: method === 'POST' ? { _csrf: 'x', amount: '100', idempotencyKey: 'k1' } : undefined });
        const label = `${route} with ${JSON.stringify(credentials).slice(0, 30)}`;
        if (pathname.startsWith('/admin/api/')) {
          expect([label, answer.status]).toEqual([label, 401]);
        } else if (method === 'GET') {
          // The page to come back to is rebuilt from the route (`/admin/` is the route /admin).
          expect([label, answer.status, answer.headers.get('location')]).toEqual([label, 303, `/admin/sign-in?next=${encodeURIComponent(pathname === '/admin/' ? '/admin' : pathname)}`]);
        } else {
          expect([label, answer.status]).toEqual([label, 401]);
        }
        expect(answer.text).not.toContain(order.paymentIntentId);
      }
    }
    expect(server.simulator!.listRefunds()).toHaveLength(0);
  });

  test('signs in with the admin token only: a cookie HttpOnly, SameSite=Strict, Path=/admin; a wrong token is refused and audited', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN }));
    const wrong = await visit(server.url, 'POST', '/admin/sign-in', { form: { token: 'not-the-admin-token-0123456789' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(wrong.text).toContain('管理员令牌不正确');
    expect(wrong.text).not.toContain('not-the-admin-token');
    const shopper = await visit(server.url, 'POST', '/admin/sign-in', { form: { token: await server.sessionFor('sam') } });
    expect(shopper.status).toBe(401);

    const { setCookie, cookie } = await signIn(server.url);
    expect(setCookie).toMatch(/^console_session=[\w-]{43}; Path=\/admin; Max-Age=43200; SameSite=Strict; HttpOnly$/);
    const orders = await visit(server.url, 'GET', '/admin/orders', { cookie });
    expect(orders.text).not.toContain(ADMIN_TOKEN);
    expect(orders.text).not.toContain(cookie.split('=')[1]);
    // The same session reads the admin API.
    expect((await visit(server.url, 'GET', '/admin/api/orders', { cookie })).status).toBe(200);

    const audit = (await server.request('GET', '/admin/api/audit', { token: ADMIN_TOKEN })).body.entries.map((e: { action: string; actor: string }) => `${e.action} ${e.actor}`);
    expect(audit).toEqual([expect.stringMatching(/^console\.sign_in admin:[0-9a-f]{8}$/), 'console.sign_in_refused unknown', 'console.sign_in_refused unknown']);
    const metrics = await server.telemetry.registry.getSingleMetricAsString('shop_admin_sign_ins_total');
    expect(metrics).toMatch(/outcome="ok"} 1/);
    expect(metrics).toMatch(/outcome="refused"} 2/);
  });

  test('the cookie is Secure when PUBLIC_URL is https, and forms must come from exactly that origin', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN, PUBLIC_URL: 'https://shop.example', TRUST_PROXY: '127.0.0.1' }));
    const answer = await visit(server.url, 'POST', '/admin/sign-in', { form: { token: ADMIN_TOKEN }, origin: 'https://shop.example' });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('set-cookie')).toMatch(/; HttpOnly; Secure$/);
    // Over https, a page of the plain-http origin is another origin; so is the address the request was sent to.
    for (const origin of ['http://shop.example', server.url, 'https://shop.example.evil']) {
      expect([origin, (await visit(server.url, 'POST', '/admin/sign-in', { form: { token: ADMIN_TOKEN }, origin })).status]).toEqual([origin, 403]);
    }
  });

  test("a client's X-Forwarded-Proto and X-Forwarded-Host decide neither the cookie's Secure flag nor the origin, even from a trusted proxy", async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN, TRUST_PROXY: '127.0.0.1' }));
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' };
    const foreign = await visit(server.url, 'POST', '/admin/sign-in', { form: { token: ADMIN_TOKEN }, origin: 'https://shop.example', headers: forwarded });
    expect(foreign.status).toBe(403);
    const own = await visit(server.url, 'POST', '/admin/sign-in', { form: { token: ADMIN_TOKEN }, headers: forwarded });
    expect(own.status).toBe(303);
    expect(own.headers.get('set-cookie')).toMatch(/; SameSite=Strict; HttpOnly$/);
  });

  test('limits sign-in attempts per address', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN, RATE_LIMIT_ADMIN_SIGN_INS_PER_MINUTE: '3' }));
    for (let i = 0; i < 3; i++) expect((await visit(server.url, 'POST', '/admin/sign-in', { form: { token: `wrong-${i}` } })).status).toBe(401);
    const limited = await visit(server.url, 'POST', '/admin/sign-in', { form: { token: ADMIN_TOKEN } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('set-cookie')).toBeNull();
    expect(await server.telemetry.registry.getSingleMetricAsString('shop_admin_sign_ins_total')).toMatch(/outcome="limited"} 1/);
  });

  test('sign-out ends the session in the database, for every instance sharing it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'awx-console-'));
    const config = testConfig({ ADMIN_TOKEN, DATABASE_PATH: path.join(dir, 'app.sqlite') });
    server = await startTestServer(config);
    const other = await startTestServer(config);
    try {
      const { cookie, csrf } = await signIn(server.url);
      expect((await visit(other.url, 'GET', '/admin/orders', { cookie })).status).toBe(200);
      const out = await visit(other.url, 'POST', '/admin/sign-out', { cookie, form: { _csrf: csrf } });
      expect([out.status, out.headers.get('location')]).toEqual([303, '/admin/sign-in?signed_out=1']);
      expect(out.headers.get('set-cookie')).toMatch(/^console_session=; Path=\/admin; Max-Age=0/);
      expect((await visit(server.url, 'GET', '/admin/orders', { cookie })).status).toBe(303);
      expect((await visit(server.url, 'GET', '/admin/api/orders', { cookie })).status).toBe(401);
      const audit = (await server.request('GET', '/admin/api/audit', { token: ADMIN_TOKEN })).body.entries.map((e: { action: string }) => e.action);
      expect(audit.slice(0, 2)).toEqual(['console.sign_out', 'console.sign_in']);
    } finally {
      await other.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a new ADMIN_TOKEN signs every browser out', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'awx-console-'));
    try {
      server = await startTestServer(testConfig({ ADMIN_TOKEN, DATABASE_PATH: path.join(dir, 'app.sqlite') }));
      const { cookie } = await signIn(server.url);
      await server.close();
      server = await startTestServer(testConfig({ ADMIN_TOKEN: `${ADMIN_TOKEN}-rotated`, DATABASE_PATH: path.join(dir, 'app.sqlite') }));
      expect((await visit(server.url, 'GET', '/admin/orders', { cookie })).status).toBe(303);
    } finally {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CSRF and Origin', () => {
  test('a form without the session\'s CSRF token, or from another origin, changes nothing', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN }));
    const order = await paidOrder();
    const { cookie, csrf } = await signIn(server.url);
    const form = { amount: '100', idempotencyKey: 'csrf-test-key', reason: 'x' };
    const refused = [
      await visit(server.url, 'POST', `/admin/orders/${order.id}/refunds`, { cookie, form }),
      await visit(server.url, 'POST', `/admin/orders/${order.id}/refunds`, { cookie, form: { ...form, _csrf: `${csrf}x` } }),
      await visit(server.url, 'POST', `/admin/orders/${order.id}/refunds`, { cookie, form: { ...form, _csrf: csrf }, origin: 'http://127.0.0.1:1' }),
      await visit(server.url, 'POST', `/admin/orders/${order.id}/refunds`, { cookie, form: { ...form, _csrf: csrf }, origin: 'null' }),
    ];
    expect(refused.map((answer) => answer.status)).toEqual([403, 403, 403, 403]);
    // The admin API with the session cookie: the CSRF token must come in its header.
    const api = (headers: Record<string, string>) =>
      fetch(`${server.url}/admin/api/orders/${order.id}/refunds`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', 'idempotency-key': 'api-key', origin: server.url, ...headers },
        body: JSON.stringify({ amount: 100 }),
      });
    const noHeader = await api({});
    expect([noHeader.status, (await noHeader.json()).error.code]).toEqual([403, 'CSRF_INVALID']);
    expect((await api({ 'x-csrf-token': csrf, origin: 'http://evil.example' })).status).toBe(403);
    expect(server.simulator!.listRefunds()).toHaveLength(0);

    const made = await api({ 'x-csrf-token': csrf });
    expect(made.status).toBe(201);
    const ok = await visit(server.url, 'POST', `/admin/orders/${order.id}/refunds`, { cookie, form: { ...form, _csrf: csrf } });
    expect([ok.status, ok.headers.get('location')]).toEqual([303, expect.stringMatching(new RegExp(`^/admin/orders/${order.id}\\?refund=ref_`))]);
    expect(server.simulator!.listRefunds()).toHaveLength(2);
    const audit = (await server.request('GET', `/admin/api/audit?target=${order.id}`, { token: ADMIN_TOKEN })).body.entries;
    expect(audit.map((e: { action: string; detail: { via: string } }) => `${e.action} ${e.detail.via}`)).toEqual(['refund.create console', 'refund.create console']);
  });
});

describe('console pages', () => {
  test('answer with a strict CSP, no framing and no caching; language from the browser, the switch remembered', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN }));
    const { cookie } = await signIn(server.url);
    const page = await visit(server.url, 'GET', '/admin/orders', { cookie, headers: { 'accept-language': 'en-US,en;q=0.9,zh-CN;q=0.5' } });
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    // The only inline style is the one the CSP's hash allows.
    const style = /<style>([\s\S]*?)<\/style>/.exec(page.text)![1];
    expect(csp).toContain(`'sha256-${require('node:crypto').createHash('sha256').update(style).digest('base64')}'`);
    expect(page.text).not.toMatch(/<script|\son[a-z]+=/i);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('Simulator');

    const switched = await visit(server.url, 'GET', '/admin/orders?status=paid&lang=zh_CN', { cookie });
    expect([switched.status, switched.headers.get('location')]).toEqual([303, '/admin/orders?status=paid']);
    const langCookie = switched.headers.get('set-cookie')!.split(';')[0];
    expect(langCookie).toBe('console_lang=zh_CN');
    const chinese = await visit(server.url, 'GET', '/admin/orders?status=paid', { cookie: `${cookie}; ${langCookie}`, headers: { 'accept-language': 'en' } });
    expect(chinese.text).toContain('<html lang="zh-CN">');
    expect(chinese.text).toContain('模拟器');
    expect((await visit(server.url, 'GET', '/admin/api/orders', { cookie })).headers.get('cache-control')).toBe('no-store');
  });

  test('the language switch and its links stay on this console, whatever the path spells (..\\, //, %2F)', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN }));
    const { cookie } = await signIn(server.url);
    const { hostname, port } = new URL(server.url);
    // The request target exactly as written (curl --path-as-is): no client-side normalisation of `..` or `\`.
    const raw = (target: string) =>
      new Promise<{ status: number; location: string | undefined; text: string }>((resolve, reject) => {
        const request = http.request({ host: hostname, port, path: target, headers: { cookie, 'accept-language': 'en' }, agent: false }, (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, text }));
        });
        request.on('error', reject);
        request.end();
      });
    for (const target of ['/admin/orders/..\\..\\..\\\\evil.example', '/admin/orders/%2F%2Fevil.example', '/admin/orders/..%2F..%2F..%2Fevil.example', '/admin/orders/%5C%5Cevil.example']) {
      const switched = await raw(`${target}?lang=zh_CN`);
      expect([target, switched.status]).toEqual([target, 303]);
      expect([target, switched.location]).toEqual([target, expect.stringMatching(/^\/admin\/(?!\/)/)]);
      expect(switched.location).not.toMatch(/evil|\\|\/\/|%2F|%5C/i);
      // The page itself (an unknown order) links its language switch back to the console, never off-site.
      const page = await raw(target);
      const links = [...page.text.matchAll(/href="([^"]*)"/g)].map((match) => match[1].replace(/&amp;/g, '&'));
      expect(links.length).toBeGreaterThan(2);
      for (const link of links) expect([target, link]).toEqual([target, expect.stringMatching(/^(\/(admin|static)\/?(?!\/)[^\\]*|#main)$/)]);
      expect(page.text).not.toContain('evil.example"');
    }
  });

  test('the orders page filters by status and day, and refuses a refund amount beyond what is left', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN }));
    const order = await paidOrder();
    const { cookie } = await signIn(server.url);
    const en = { 'accept-language': 'en' };
    const today = new Date().toISOString().slice(0, 10);
    expect((await visit(server.url, 'GET', `/admin/orders?status=paid`, { cookie, headers: en })).text).toContain(order.id);
    expect((await visit(server.url, 'GET', `/admin/orders?status=cancelled`, { cookie, headers: en })).text).toContain('No orders match.');
    expect((await visit(server.url, 'GET', `/admin/orders?from=2001-01-01&to=2001-01-02`, { cookie, headers: en })).text).not.toContain(order.id);
    const bad = await visit(server.url, 'GET', `/admin/orders?from=2001-02-30`, { cookie, headers: en });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Dates are YYYY-MM-DD.');
    // A day filter around now finds it whatever the server's time zone (yesterday to tomorrow).
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    expect((await visit(server.url, 'GET', `/admin/orders?from=${day(-1)}&to=${day(1)}`, { cookie, headers: en })).text).toContain(order.id);
    expect(today).toMatch(/^\d{4}-/);

    const tooMuch = await visit(server.url, 'GET', `/admin/orders/${order.id}/refund?amount=26.991`, { cookie, headers: en });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.text).toContain('at most CN¥26.99');
    const confirm = await visit(server.url, 'GET', `/admin/orders/${order.id}/refund?amount=5&reason=late`, { cookie, headers: en });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain(`Refund CN¥5.00 to the shopper of order ${order.id}?`);
    expect(confirm.text).toMatch(/name="amount" value="500"/);
    expect(server.simulator!.listRefunds()).toHaveLength(0);

    // Re-check with Airwallex: a retrieve of the refunds now, audited, then the order with a notice.
    const lists = server.simulator!.stats().airwallex.calls.refund_list;
    // Another session's CSRF token is not this one's.
    const otherSession = await signIn(server.url);
    expect((await visit(server.url, 'POST', `/admin/orders/${order.id}/recheck`, { cookie, form: { _csrf: otherSession.csrf } })).status).toBe(403);
    const csrf = csrfOf((await visit(server.url, 'GET', `/admin/orders/${order.id}`, { cookie })).text);
    const rechecked = await visit(server.url, 'POST', `/admin/orders/${order.id}/recheck`, { cookie, form: { _csrf: csrf } });
    expect([rechecked.status, rechecked.headers.get('location')]).toEqual([303, `/admin/orders/${order.id}?rechecked=1`]);
    expect(server.simulator!.stats().airwallex.calls.refund_list).toBe(lists + 1);
    expect((await visit(server.url, 'GET', `/admin/orders/${order.id}?rechecked=1`, { cookie, headers: en })).text).toContain('Airwallex was asked; the order is paid.');
  });
});

describe('the anomalies page', () => {
  test('lists money taken for a cancelled order, links to the order (whose timeline shows it), and marks it resolved', async () => {
    const secret = 'whsec_console_test';
    server = await startTestServer(testConfig({ ADMIN_TOKEN, AIRWALLEX_WEBHOOK_SECRET: secret }));
    const token = await server.sessionFor('vera');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    expect((await server.request('POST', `/api/orders/${order.id}/cancel`, { token })).body.order.status).toBe('cancelled');
    // Airwallex then says the intent succeeded: money taken for an order we cancelled.
    const updatedAt = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, '+0000');
    const body = JSON.stringify({
      id: `evt_console_${Date.now()}`,
      name: 'payment_intent.succeeded',
      account_id: 'acct_test',
      data: { object: { id: order.paymentIntentId, amount: 26.99, currency: 'CNY', merchant_order_id: order.id, status: 'SUCCEEDED', created_at: updatedAt, updated_at: updatedAt } },
      created_at: updatedAt,
    });
    const timestamp = String(Date.now());
    const delivered = await fetch(`${server.url}/webhooks/airwallex`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signWebhook(secret, timestamp, body) },
      body,
    });
    expect(delivered.status).toBe(200);

    const { cookie, csrf } = await signIn(server.url);
    const en = { 'accept-language': 'en' };
    const list = await visit(server.url, 'GET', '/admin/anomalies', { cookie, headers: en });
    expect(list.text).toContain('Money taken for a cancelled or expired order');
    expect(list.text).toContain(`href="/admin/orders/${order.id}"`);
    expect(list.text).toMatch(/class="count">1</); // the header's count of open anomalies
    const page = await visit(server.url, 'GET', `/admin/orders/${order.id}`, { cookie, headers: en });
    expect(page.text).toMatch(/<span class="what">Anomaly<\/span> <code>paid_after_final<\/code>/);
    expect(page.text).toContain('Only paid orders can be refunded; this one is cancelled.');

    const id = /action="\/admin\/anomalies\/(\d+)\/resolve"/.exec(list.text)![1];
    expect((await visit(server.url, 'POST', `/admin/anomalies/${id}/resolve`, { cookie, form: {} })).status).toBe(403);
    const resolved = await visit(server.url, 'POST', `/admin/anomalies/${id}/resolve`, { cookie, form: { _csrf: csrf } });
    expect([resolved.status, resolved.headers.get('location')]).toEqual([303, '/admin/anomalies?resolved=1']);
    const after = await visit(server.url, 'GET', '/admin/anomalies?resolved=1', { cookie, headers: en });
    expect(after.text).toContain('Marked resolved.');
    expect(after.text).toContain('No anomalies.');
    expect(after.text).not.toContain('class="count"');
    expect((await visit(server.url, 'GET', '/admin/anomalies?all=1', { cookie, headers: en })).text).toMatch(/Resolved \d{4}-\d{2}-\d{2}/);
    const audit = (await server.request('GET', `/admin/api/audit?target=${order.id}`, { token: ADMIN_TOKEN })).body.entries;
    expect(audit).toEqual([expect.objectContaining({ action: 'anomaly.resolve', detail: expect.objectContaining({ kind: 'paid_after_final', via: 'console' }) })]);
  });
});

describe('/metrics for operators', () => {
  test('counts console sign-ins and the sweep\'s failing orders', async () => {
    server = await startTestServer(testConfig({ ADMIN_TOKEN }));
    await signIn(server.url);
    await server.sweeper.sweepOnce();
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(text).toMatch(/^shop_admin_sign_ins_total\{door="console",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^shop_sweep_orders_failing 0$/m);
    expect(text).toMatch(/^shop_sweep_runs_total 1$/m);
    expect(text).toMatch(/^shop_open_anomalies 0$/m);
  });
});
