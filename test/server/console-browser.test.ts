// The merchant console in a real browser (Debian's Chromium through playwright-core) against the real
// server and its simulator: sign in, find an order, refund it (a double click refunds once), see the
// refund and the timeline, CSRF refused, sign out, 390 px wide, keyboard only. Skipped without Chromium.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { formatMoney } from '../../server/console/format';
import { CART_TOTAL, eventually, startTestServer, testConfig, type TestServer } from './helpers';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN_TOKEN = 'browser-admin-token-0123456789';
/** Where docs/operating.md's screenshot lives; written only with UPDATE_SCREENSHOTS=1. */
const SCREENSHOT = path.resolve(__dirname, '../../docs/console.png');
/** docs/reconciliation.md's picture of the overview at 390 px (English), written only with UPDATE_SCREENSHOTS=1. */
const OVERVIEW_SCREENSHOT = path.resolve(__dirname, '../../docs/console-overview.png');

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  const message = `the console's browser tests need Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`;
  // .ci/run installs Chromium and sets this: there, a missing browser is a failure, not a skip.
  if (process.env.REQUIRE_BROWSER_TESTS === '1') throw new Error(message);
  console.warn(`SKIPPED: ${message}.`);
}
const describeInBrowser = haveChromium ? describe : describe.skip;
jest.setTimeout(30_000);

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!haveChromium) return;
  [browser, server] = await Promise.all([
    chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    }),
    startTestServer(testConfig({ ADMIN_TOKEN })),
  ]);
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh browser profile (no cookies) in `locale`, `width` px wide. */
async function newPage(locale = 'en-US', width = 1280): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width, height: 900 }, baseURL: server.url });
  contexts.push(context);
  return context.newPage();
}

async function signIn(page: Page): Promise<void> {
  await page.goto('/admin/sign-in');
  await page.getByLabel(/Admin token|管理员令牌/).fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
  await page.waitForURL('**/admin/overview');
}

/** A shopper pays for CART through the API and the simulated pay sheet, as `npm run demo` does. */
const paidOrder = async (shopper: string) => server.paidOrder(await server.sessionFor(shopper));

const refundsOf = (paymentIntentId: string) => server.simulator!.listRefunds().filter((refund) => refund.payment_intent_id === paymentIntentId);

describeInBrowser('the merchant console in Chromium', () => {
  test('signs in with the keyboard alone; a wrong token is refused; focus is visible', async () => {
    const page = await newPage();
    await page.goto('/admin');
    await page.waitForURL('**/admin/sign-in?next=%2Fadmin');
    // The token field has the focus: type, Enter.
    await page.keyboard.type('not-the-admin-token-000000000');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('That is not the admin token.');
    expect(page.url()).toContain('/admin/sign-in');
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/admin/overview'); // /admin is the overview
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await page.getByRole('region', { name: 'Simulator' }).textContent()).toContain('No real money moves');
    // Tab reaches the skip link first, and the focus ring shows.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement;
      return { text: element.textContent, outline: getComputedStyle(element).outlineStyle };
    });
    expect(focused).toEqual({ text: 'Skip to content', outline: 'solid' });
  });

  test('finds a paid order, refunds part of it with a double click (one refund), and sees the refund and the timeline', async () => {
    const order = await paidOrder('brenda');
    await paidOrder('other-shopper'); // a second order the search must leave out
    const page = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Orders' }).click();
    await page.getByLabel('Search').fill(order.id);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(`**/admin/orders?q=${order.id}**`);
    const rows = page.locator('table tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('CN¥26.99');
    await page.getByRole('link', { name: order.id }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(`Order ${order.id}`);

    await page.getByLabel('Amount (CNY)').fill('5.00');
    await page.getByLabel(/^Reason/).fill('one postcard missing');
    await page.getByRole('button', { name: 'Review the refund' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm the refund');
    expect(await page.locator('#confirm-question').textContent()).toBe(`Refund CN¥5.00 to the shopper of order ${order.id}?`);
    expect(refundsOf(order.paymentIntentId)).toHaveLength(0); // nothing before the confirmation

    const form = await page.locator('form[action$="/refunds"]').evaluate((element) => Object.fromEntries(new FormData(element as HTMLFormElement) as unknown as Iterable<[string, string]>));
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    await page.getByRole('button', { name: 'Refund CN¥5.00' }).dblclick();
    await page.waitForURL(`**/admin/orders/${order.id}?refund=*`);
    expect(posts.length).toBeGreaterThanOrEqual(1);
    // The same confirmation sent again (what a double click that lands twice sends) is the same refund.
    const again = await page.request.post(`/admin/orders/${order.id}/refunds`, { form, headers: { origin: server.url }, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    expect(again.headers().location).toBe(new URL(page.url()).pathname + new URL(page.url()).search);
    expect(refundsOf(order.paymentIntentId).map((refund) => refund.amount)).toEqual([5]);

    expect(await page.getByRole('status').textContent()).toMatch(/^Refund of CN¥5\.00 (requested|made) \(ref_/);
    // Airwallex settles it (webhooks); a reload shows it, with its timeline.
    await eventually(async () => {
      await page.reload();
      return (await page.locator('#refunds tbody tr').first().textContent())?.includes('refunded');
    }, 10_000);
    const refundRow = await page.locator('#refunds tbody tr').first().textContent();
    expect(refundRow).toContain('CN¥5.00');
    expect(refundRow).toContain('one postcard missing');
    expect(await page.locator('dl.summary').textContent()).toContain(`Left to refund${'CN¥21.99'}`);
    const timeline = await page.locator('ol.timeline li').allTextContents();
    expect(timeline[0]).toContain('Created');
    expect(timeline.some((entry) => entry.includes('Airwallex status') && entry.includes('webhook payment_intent.succeeded'))).toBe(true);
    expect(timeline.some((entry) => entry.includes('Refund') && entry.includes('amount: CN¥5.00'))).toBe(true);
    expect(timeline.some((entry) => /webhook refund\.(accepted|settled)/.test(entry))).toBe(true);

    // docs/operating.md's picture: this page at 1280 px.
    const shot = await page.screenshot({ path: path.join(os.tmpdir(), 'console-order.png'), fullPage: true });
    expect(shot.length).toBeGreaterThan(10_000);
    if (process.env.UPDATE_SCREENSHOTS === '1') fs.writeFileSync(SCREENSHOT, shot);
  });

  test('the rest is refunded in full from its prefilled amount; the order then offers no refund', async () => {
    const order = await paidOrder('fiona');
    const page = await newPage();
    await signIn(page);
    await page.goto(`/admin/orders/${order.id}`);
    expect(await page.getByLabel('Amount (CNY)').inputValue()).toBe('26.99');
    await page.getByRole('button', { name: 'Review the refund' }).click();
    await page.getByRole('button', { name: 'Refund CN¥26.99' }).click();
    await page.waitForURL(`**/admin/orders/${order.id}?refund=*`);
    expect(refundsOf(order.paymentIntentId).map((refund) => refund.amount)).toEqual([CART_TOTAL / 100]);
    expect(await page.getByRole('button', { name: 'Review the refund' }).count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('Nothing is left to refund');
  });

  test('a page of another site cannot refund: its form post is refused, and nothing is refunded', async () => {
    const order = await paidOrder('gina');
    // Another origin on the same host: the SameSite cookie is sent, so the CSRF token is what stops it.
    const evil = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<!doctype html><form method="post" action="${server.url}/admin/orders/${order.id}/refunds">
<input name="amount" value="2699"><input name="idempotencyKey" value="evil-key"><input name="reason" value="x"></form>
<script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const page = await newPage();
      await signIn(page);
      const answer = page.waitForResponse((response) => response.url().endsWith(`/admin/orders/${order.id}/refunds`));
      await page.goto(`http://127.0.0.1:${(evil.address() as { port: number }).port}/`);
      expect((await answer).status()).toBe(403);
      expect(await page.getByRole('alert').textContent()).toContain('did not come from this console');
      expect(refundsOf(order.paymentIntentId)).toHaveLength(0);
    } finally {
      evil.close();
    }
  });

  test('signs out: the session is gone and every page leads to the sign-in page', async () => {
    const page = await newPage();
    await signIn(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/admin/sign-in?signed_out=1');
    expect(await page.getByRole('status').textContent()).toBe('You are signed out.');
    for (const pathname of ['/admin/orders', '/admin/anomalies']) {
      await page.goto(pathname);
      expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    }
    const api = await page.request.get('/admin/api/orders');
    expect(api.status()).toBe(401);
  });

  test('reads at 390 px without sideways scrolling, in Chinese from the browser; the language switch is remembered', async () => {
    const order = await paidOrder('hana');
    const page = await newPage('zh-CN', 390);
    await signIn(page);
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('概览');
    expect(await fits()).toBe(true);
    await page.goto(`/admin/orders/${order.id}`);
    expect(await fits()).toBe(true);
    expect(await page.getByLabel('金额（CNY）').inputValue()).toBe('26.99');
    await page.screenshot({ path: path.join(os.tmpdir(), 'console-order-390.png'), fullPage: true });
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(`**/admin/orders/${order.id}`);
    expect(await page.getByRole('heading', { level: 2, name: 'Timeline' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Anomalies' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Anomalies');
    expect(await fits()).toBe(true);
  });

  test('the overview and a reconciliation at 390 px in both languages: figures, the server-drawn chart, the Run button', async () => {
    await paidOrder('ivy');
    server.simulator!.finance.settle(); // the day's batch settles: nothing waits
    // What today's figures must say: every order of this file's server was made and paid today (the admin API's list).
    const paid = (await server.request<{ orders: Array<{ total: { amount: number } }>; total: number }>('GET', '/admin/api/orders?status=paid&limit=200', { token: ADMIN_TOKEN })).body;
    expect(paid.total).toBe(paid.orders.length);
    const paidMinor = paid.orders.reduce((sum, order) => sum + order.total.amount, 0);
    for (const [locale, names] of [
      ['zh-CN', { h1: '概览', chart: /近 30 天每日收款/, nav: '对账', run: '开始对账', clean: '无差异', language: 'zh_CN' }],
      ['en-US', { h1: 'Overview', chart: /Paid per day, last 30 days/, nav: 'Reconciliation', run: 'Reconcile', clean: 'nothing flagged', language: 'en' }],
    ] as const) {
      const page = await newPage(locale, 390);
      const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      await signIn(page);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(names.h1);
      // Today's figures, as the browser shows them (the first of the three periods).
      expect(await page.locator('[data-figure="payments"]').first().textContent()).toBe(String(paid.total));
      expect(await page.locator('[data-figure="paid"]').first().textContent()).toBe(formatMoney(paidMinor, 'CNY', names.language));
      expect(await page.locator('[data-figure="paid"]').first().isVisible()).toBe(true);
      const chart = page.getByRole('img', { name: names.chart });
      const box = (await chart.boundingBox())!;
      expect(box.width).toBeGreaterThan(250);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      expect(await page.locator('svg.chart rect.bar').count()).toBeGreaterThanOrEqual(1);
      expect(await fits()).toBe(true);
      const shot = await page.screenshot({ path: path.join(os.tmpdir(), `console-overview-390-${locale}.png`), fullPage: true });
      if (process.env.UPDATE_SCREENSHOTS === '1' && locale === 'en-US') fs.writeFileSync(OVERVIEW_SCREENSHOT, shot);

      await page.getByRole('navigation').getByRole('link', { name: names.nav }).click();
      await page.getByLabel(/Day|日期/).fill(server.reconciliation.today());
      await page.getByRole('button', { name: names.run }).click();
      await page.waitForURL('**/admin/reconciliations/rec_*?ran=1');
      expect(await page.locator('[data-figure="result"]').textContent()).toBe(names.clean);
      expect(await fits()).toBe(true);
      await page.screenshot({ path: path.join(os.tmpdir(), `console-reconciliation-390-${locale}.png`), fullPage: true });
    }
  });
});
