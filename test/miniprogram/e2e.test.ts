// End to end: the real pages and services in miniprogram-simulate against the real server (its own
// process, simulator mode, a free port). wx.request goes over real HTTP, wx.login gets simulator
// codes, wx.requestPayment is answered through POST /simulator/wechat/pay. No hand-written answers.
import { spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import readline from 'readline';
import type { Order } from '../../server/contract';
import { databaseUrl, newDatabaseName, psqlAdmin, serversOnPostgres } from '../server/postgres-helpers';
import { allText, fakeWx, type FakeWxOptions, flush, type Rendered, tap, until, type WxFakes } from './harness';

const postgresDatabase = newDatabaseName();

const ROOT = path.join(__dirname, '../..');
let server: ChildProcess;
let baseUrl = '';
let dataDir = '';

/** One HTTP call to the real server, from Node (the test's own checks and the wx bridges). */
function http_(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, { method, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/**
 * Starts the real server on port 0 and reads the address it bound from its first log line: no
 * probe-then-reuse of a port another process could take in between (issue 12).
 */
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-e2e-'));
  // TEST_DATABASE=postgres (CI's second pass): the server on a fresh PostgreSQL database instead.
  if (serversOnPostgres) psqlAdmin(`CREATE DATABASE ${postgresDatabase}`);
  const database = serversOnPostgres ? { DATABASE_URL: databaseUrl(postgresDatabase) } : {};
  server = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', DATABASE_PATH: path.join(dataDir, 'app.sqlite'), LOG_LEVEL: 'info', LOG_FORMAT: 'json', ADMIN_TOKEN, ...database },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start within 20 s')), 20_000);
    const lines = readline.createInterface({ input: server.stdout! });
    lines.on('line', (line) => {
      let entry: { url?: string; msg?: string } = {};
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.url && entry.msg && entry.msg.startsWith('Listening on')) {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
    server.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
  // Keep draining its log (request lines) so the pipe never fills.
  server.stdout!.resume();
}, 30_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (serversOnPostgres) psqlAdmin(`DROP DATABASE IF EXISTS ${postgresDatabase} WITH (FORCE)`);
});

interface Bridge {
  /** What the shopper does in the WeChat Pay sheet, in order; the last one repeats. */
  outcomes: Array<'pay' | 'cancel' | 'fail'>;
  wxf: WxFakes;
}

/**
 * The strict fake app (page stack, lifecycles, storage) with the wx APIs that leave the phone
 * bridged to the real server. envVersion "release": the real wx.requestPayment path, never the
 * sandbox sheet.
 */
function bridgeWx(shopper: string, envVersion: 'develop' | 'release' = 'release', sheet?: FakeWxOptions['sheet']): Bridge {
  const wxf = fakeWx({ envVersion, language: 'en', sheet });
  const bridge: Bridge = { outcomes: ['pay'], wxf };
  const later = (fn: () => void) => setTimeout(fn, 0);
  const next = () => (bridge.outcomes.length > 1 ? bridge.outcomes.shift()! : bridge.outcomes[0]);
  // The fake's action sheet (recorded, answered by `sheet`) shows the sandbox's simulated subscription panel.
  const panel = wx.showActionSheet;
  Object.assign(wx, {
    request(options: WechatMiniprogram.RequestOption) {
      // The mini program's configured base URL (localhost:3000 or the production placeholder) → the test server.
      const url = new URL(options.url);
      const target = `${baseUrl}${url.pathname}${url.search}`;
      const body = options.method === 'POST' || options.method === 'PUT' ? options.data : undefined;
      http_(options.method ?? 'GET', target, body, (options.header ?? {}) as Record<string, string>).then(
        (res) => later(() => options.success?.({ statusCode: res.status, data: res.body, header: {}, cookies: [], errMsg: 'request:ok' } as any)),
        (err: Error) => later(() => options.fail?.({ errMsg: `request:fail ${err.message}` } as any)),
      );
      return { abort() {} };
    },
    login(options: { success?: (r: unknown) => void; complete?: (r: unknown) => void }) {
      http_('POST', `${baseUrl}/simulator/wechat/login`, { shopper }).then((res) => {
        const result = { code: res.body.code, errMsg: 'login:ok' };
        later(() => {
          options.success?.(result);
          options.complete?.(result);
        });
      });
    },
    requestPayment(options: WechatMiniprogram.RequestPaymentOption) {
      http_('POST', `${baseUrl}/simulator/wechat/pay`, { package: options.package, outcome: next() }).then((res) => {
        const result = { errMsg: res.body.errMsg as string };
        later(() => {
          if (result.errMsg === 'requestPayment:ok') options.success?.(result);
          else options.fail?.(result);
          options.complete?.(result);
        });
      });
    },
    showActionSheet(options: any) {
      // The sandbox pay sheet follows the outcomes; any other sheet (the simulated panel) is the fake's.
      if (!/^Pay /.test(options.itemList[0])) return panel(options);
      const outcome = next();
      const result = outcome === 'cancel' ? { errMsg: 'showActionSheet:fail cancel' } : { tapIndex: outcome === 'pay' ? 0 : 1, errMsg: 'showActionSheet:ok' };
      later(() => (outcome === 'cancel' ? options.fail?.(result) : options.success?.(result)));
    },
  });
  return bridge;
}

/** Shop → two of the first product → Checkout → Pay: the shopper's taps, through the real pages. */
async function checkoutAndPay(bridge: Bridge): Promise<{ result: Rendered; orderId: string }> {
  const app = bridge.wxf.app;
  const shop = app.launch('pages/shop/shop').page;
  await until(() => shop.data.products && shop.data.products.length > 0, 10_000);
  const increase = () => shop.querySelectorAll('.stepper')[0].querySelector('.increase')!.dispatchEvent('tap');
  increase();
  await flush();
  increase();
  await flush();
  await tap(shop, '.checkout');
  await until(() => app.top().route === 'pages/checkout/checkout' && !app.top().page.data.loading, 10_000);
  await tap(app.top().page, '.pay');
  await until(() => app.top().route === 'pages/result/result', 10_000);
  expect(app.routes()).toEqual(['pages/shop/shop', 'pages/result/result']);
  return { result: app.top().page, orderId: decodeURIComponent(app.top().query.id) };
}

/** The server's own view of the order, with the token the mini program stored. */
async function serverOrder(bridge: Bridge, orderId: string): Promise<Order> {
  const session = bridge.wxf.storage.get('session') as { token: string };
  const res = await http_('GET', `${baseUrl}/api/orders/${orderId}`, undefined, { authorization: `Bearer ${session.token}` });
  return res.body.order;
}

async function intentsOf(orderId: string): Promise<Array<{ status: string }>> {
  const res = await http_('GET', `${baseUrl}/simulator/airwallex/_intents`);
  return res.body.items.filter((intent: { merchant_order_id: string }) => intent.merchant_order_id === orderId);
}

beforeEach(async () => {
  await http_('DELETE', `${baseUrl}/simulator/faults`);
});

/** The operator's token for the admin API (the merchant's back office). */
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

/** Reads `read` until `check` holds for what it gives (bounded: 10 s), and returns that. */
async function readUntil<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`never got there: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls the server until `check` holds for the order (bounded). */
const serverOrderUntil = (bridge: Bridge, orderId: string, check: (order: Order) => boolean): Promise<Order> =>
  readUntil(() => serverOrder(bridge, orderId), check);

describe('end to end against the real server', () => {
  test('refund: the merchant refunds part of a paid order, and the shopper sees it on the order and in the list', async () => {
    const bridge = bridgeWx('e2e-erin');
    const { result, orderId } = await checkoutAndPay(bridge);
    await until(() => result.data.state === 'paid', 10_000);
    const refunded = await http_('POST', `${baseUrl}/admin/api/orders/${orderId}/refunds`, { amount: 500, reason: 'one tea arrived broken' }, {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      'idempotency-key': `e2e-refund-${orderId}`,
    });
    expect(refunded.status).toBe(201);
    const order = await serverOrderUntil(bridge, orderId, (o) => o.refunds.length === 1 && o.refunds[0].status === 'succeeded');
    expect(order).toMatchObject({ status: 'paid', refundedTotal: { amount: 500, currency: 'CNY' } });

    // The shopper opens the order again: the page shows what came back; so does My orders.
    const app = bridge.wxf.app;
    const again = app.launch(`pages/result/result?id=${encodeURIComponent(orderId)}`).page;
    await until(() => again.data.state === 'paid' && allText(again).includes('Refunded ¥5.00'), 10_000);
    const orders = app.launch('pages/orders/orders').page;
    await until(() => allText(orders).includes('Refunded ¥5.00'), 10_000);
  }, 30_000);

  test('pay: the result page shows paid and the server’s order is paid', async () => {
    const bridge = bridgeWx('e2e-alice');
    const { result, orderId } = await checkoutAndPay(bridge);
    await until(() => result.data.state === 'paid', 10_000);
    expect(allText(result)).toContain('Payment successful');
    expect(allText(result)).toContain('Oolong tea× 2¥25.00');
    const order = await serverOrder(bridge, orderId);
    expect(order.status).toBe('paid');
    expect(order.total).toEqual({ amount: 2500, currency: 'CNY' });
    expect(await intentsOf(orderId)).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
  }, 30_000);

  test('cancel then pay again: paid, one order, one intent', async () => {
    const bridge = bridgeWx('e2e-bob');
    bridge.outcomes = ['cancel', 'pay'];
    const { result, orderId } = await checkoutAndPay(bridge);
    await until(() => result.data.state === 'payable', 10_000);
    expect((await serverOrder(bridge, orderId)).status).toBe('awaiting_payment');

    result.querySelector('.pay')!.dispatchEvent('tap');
    await until(() => result.data.state === 'paid', 10_000);
    expect((await serverOrder(bridge, orderId)).status).toBe('paid');
    expect(await intentsOf(orderId)).toHaveLength(1);
    const session = bridge.wxf.storage.get('session') as { token: string };
    const list = await http_('GET', `${baseUrl}/api/orders`, undefined, { authorization: `Bearer ${session.token}` });
    expect(list.body.orders.map((o: Order) => o.id)).toEqual([orderId]);
  }, 30_000);

  test('fail: the page says the payment failed and the order stays payable', async () => {
    const bridge = bridgeWx('e2e-carol');
    bridge.outcomes = ['fail'];
    const { result, orderId } = await checkoutAndPay(bridge);
    await until(() => result.data.state === 'failed', 10_000);
    expect(result.querySelector('.pay')).toBeTruthy();
    // The page knows from the pay sheet; the server hears of the failed attempt from its webhook (or its retrieve), later.
    const order = await serverOrderUntil(bridge, orderId, (o) => o.lastPaymentError !== null);
    expect(order.status).toBe('awaiting_payment');
  }, 30_000);

  test('webhooks dropped by the simulator: still paid, because the server retrieves the intent', async () => {
    await http_('POST', `${baseUrl}/simulator/faults`, { webhookDropRate: 1 });
    const bridge = bridgeWx('e2e-dave');
    const { result, orderId } = await checkoutAndPay(bridge);
    await until(() => result.data.state === 'paid', 15_000);
    expect((await serverOrder(bridge, orderId)).status).toBe('paid');
    const stats = await http_('GET', `${baseUrl}/simulator/stats`);
    expect(stats.body.webhooks.dropped).toBeGreaterThan(0);
  }, 30_000);

  test('sandbox mode in a develop build: the simulated pay sheet pays through the same path, and the simulated panel gets the shopper the "payment succeeded" message', async () => {
    // In the simulated panel the shopper allows "payment succeeded" only (then pays in the simulated sheet).
    const bridge = bridgeWx('e2e-erin', 'develop', (shown) => (shown.itemList[0] === 'Allow both' ? 1 : 0));
    const { result, orderId } = await checkoutAndPay(bridge);
    await until(() => result.data.state === 'paid', 10_000);
    expect((await serverOrder(bridge, orderId)).status).toBe('paid');
    expect(bridge.wxf.sheets.map((sheet) => sheet.itemList[1])).toEqual(['Only "payment succeeded"']);
    // The simulator recorded each template's answer for this shopper, and the server sent the one message allowed.
    const answers = (await http_('GET', `${baseUrl}/simulator/wechat/_subscriptions?shopper=e2e-erin`)).body.templates as Record<string, { lastStatus: string }>;
    expect(Object.values(answers).map((template) => template.lastStatus).sort()).toEqual(['accept', 'reject']);
    const messages = async () => (await http_('GET', `${baseUrl}/simulator/wechat/_messages?shopper=e2e-erin`)).body.items as Array<{ page: string }>;
    await readUntil(messages, (items) => items.length > 0);
    expect((await messages()).map((m) => m.page)).toEqual([`pages/result/result?id=${orderId}`]);
  }, 30_000);
});
