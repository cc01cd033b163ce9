// End to end: the real pages and services in miniprogram-simulate against the real server (its own
// process, simulator mode, a free port). wx.request goes over real HTTP, wx.login gets simulator
// codes, wx.requestPayment is answered through POST /simulator/wechat/pay. No hand-written answers.
import { spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import http from 'http';
import net from 'net';
import os from 'os';
import path from 'path';
import simulate from 'miniprogram-simulate';
import type { Order } from '../../server/contract';
import { allText, flush, MP_ROOT, type Rendered, until } from './harness';
import { databaseUrl, newDatabaseName, psqlAdmin, serversOnPostgres } from '../server/postgres-helpers';

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-e2e-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // TEST_DATABASE=postgres (CI's second pass): the server on a fresh PostgreSQL database instead.
  if (serversOnPostgres) psqlAdmin(`CREATE DATABASE ${postgresDatabase}`);
  const database = serversOnPostgres ? { DATABASE_URL: databaseUrl(postgresDatabase) } : {};
  server = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: path.join(dataDir, 'app.sqlite'), LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...database },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await http_('GET', `${baseUrl}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the server did not start within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
  storage: Map<string, unknown>;
  navigations: string[];
}

/**
 * Bridges the wx APIs the mini program uses to the real server. envVersion "release" with the
 * server's URL: the real wx.requestPayment path, never the sandbox sheet.
 */
function bridgeWx(shopper: string, envVersion: 'develop' | 'release' = 'release'): Bridge {
  const bridge: Bridge = { outcomes: ['pay'], storage: new Map(), navigations: [] };
  const later = (fn: () => void) => setTimeout(fn, 0);
  const g = globalThis as unknown as { wx: Record<string, unknown> };
  Object.assign(g.wx, {
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
    login(options: { success?: (r: unknown) => void; fail?: (r: unknown) => void; complete?: (r: unknown) => void }) {
      http_('POST', `${baseUrl}/simulator/wechat/login`, { shopper }).then((res) => {
        const result = { code: res.body.code, errMsg: 'login:ok' };
        later(() => {
          options.success?.(result);
          options.complete?.(result);
        });
      });
    },
    requestPayment(options: WechatMiniprogram.RequestPaymentOption) {
      const outcome = bridge.outcomes.length > 1 ? bridge.outcomes.shift()! : bridge.outcomes[0];
      http_('POST', `${baseUrl}/simulator/wechat/pay`, { package: options.package, outcome }).then((res) => {
        const result = { errMsg: res.body.errMsg as string };
        later(() => {
          if (result.errMsg === 'requestPayment:ok') options.success?.(result);
          else options.fail?.(result);
          options.complete?.(result);
        });
      });
    },
    showActionSheet(options: any) {
      const outcome = bridge.outcomes.length > 1 ? bridge.outcomes.shift()! : bridge.outcomes[0];
      const result = outcome === 'cancel' ? { errMsg: 'showActionSheet:fail cancel' } : { tapIndex: outcome === 'pay' ? 0 : 1, errMsg: 'showActionSheet:ok' };
      later(() => (outcome === 'cancel' ? options.fail?.(result) : options.success?.(result)));
    },
    showModal: (options: any) => later(() => options.success?.({ confirm: true, cancel: false, errMsg: 'showModal:ok' })),
    navigateTo: (options: any) => {
      bridge.navigations.push(options.url);
      later(() => options.success?.({ errMsg: 'navigateTo:ok' }));
    },
    redirectTo: (options: any) => {
      bridge.navigations.push(options.url);
      later(() => options.success?.({ errMsg: 'redirectTo:ok' }));
    },
    reLaunch: (options: any) => later(() => options.success?.({ errMsg: 'reLaunch:ok' })),
    stopPullDownRefresh: () => undefined,
    setNavigationBarTitle: () => undefined,
    showToast: () => undefined,
    getAppBaseInfo: () => ({ language: 'en', SDKVersion: '3.0.0' }),
    getSystemInfoSync: () => ({ language: 'en' }),
    getAccountInfoSync: () => ({ miniProgram: { appId: 'touristappid', envVersion, version: '' } }),
    getStorageSync: (key: string) => (bridge.storage.has(key) ? bridge.storage.get(key) : ''),
    setStorageSync: (key: string, value: unknown) => bridge.storage.set(key, value),
    removeStorageSync: (key: string) => bridge.storage.delete(key),
  });
  return bridge;
}

/** Loads a page without resetting modules, so pages share services' state as in the real app. */
function openPage(relPath: string): Rendered {
  const id = simulate.load(path.join(MP_ROOT, relPath), { rootPath: MP_ROOT });
  const page = simulate.render(id) as Rendered;
  page.attach(document.createElement('parent-wrapper'));
  return page;
}

function orderIdFrom(bridge: Bridge): string {
  const url = bridge.navigations.find((u) => u.startsWith('/pages/result/result?id='))!;
  return decodeURIComponent(url.split('id=')[1]);
}

/** Shop → two of the first product → Checkout → Pay: the shopper's taps, through the real pages. */
async function checkoutAndPay(bridge: Bridge): Promise<{ result: Rendered; orderId: string }> {
  const shop = openPage('pages/shop/shop');
  shop.instance.onLoad({});
  await until(() => shop.data.products && shop.data.products.length > 0, 10_000);
  const increase = () => shop.querySelectorAll('.stepper')[0].querySelector('.increase')!.dispatchEvent('tap');
  increase();
  increase();
  await flush();
  shop.querySelector('.checkout')!.dispatchEvent('tap');
  await until(() => bridge.navigations.includes('/pages/checkout/checkout'));

  const checkout = openPage('pages/checkout/checkout');
  checkout.instance.onLoad({});
  await until(() => !checkout.data.loading, 10_000);
  checkout.querySelector('.pay')!.dispatchEvent('tap');
  await until(() => bridge.navigations.some((u) => u.startsWith('/pages/result/result')), 10_000);

  const orderId = orderIdFrom(bridge);
  const result = openPage('pages/result/result');
  result.instance.onLoad({ id: orderId });
  return { result, orderId };
}

/** The server's own view of the order, with the token the mini program stored. */
async function serverOrder(bridge: Bridge, orderId: string): Promise<Order> {
  const session = bridge.storage.get('session') as { token: string };
  const res = await http_('GET', `${baseUrl}/api/orders/${orderId}`, undefined, { authorization: `Bearer ${session.token}` });
  return res.body.order;
}

async function intentsOf(orderId: string): Promise<Array<{ status: string }>> {
  const res = await http_('GET', `${baseUrl}/simulator/airwallex/_intents`);
  return res.body.items.filter((intent: { merchant_order_id: string }) => intent.merchant_order_id === orderId);
}

beforeEach(async () => {
  jest.resetModules();
  await http_('DELETE', `${baseUrl}/simulator/faults`);
});

describe('end to end against the real server', () => {
  test('pay: the result page shows paid and the server’s order is paid', async () => {
    const bridge = bridgeWx('e2e-alice');
    const { result, orderId } = await checkoutAndPay(bridge);
    await until(() => result.data.state === 'paid', 10_000);
    expect(allText(result)).toContain('Payment successful');
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
    const session = bridge.storage.get('session') as { token: string };
    const list = await http_('GET', `${baseUrl}/api/orders`, undefined, { authorization: `Bearer ${session.token}` });
    expect(list.body.orders.map((o: Order) => o.id)).toEqual([orderId]);
  }, 30_000);

  test('fail: the page says the payment failed and the order stays payable', async () => {
    const bridge = bridgeWx('e2e-carol');
    bridge.outcomes = ['fail'];
    const { result, orderId } = await checkoutAndPay(bridge);
    await until(() => result.data.state === 'failed', 10_000);
    expect(result.querySelector('.pay')).toBeTruthy();
    const order = await serverOrder(bridge, orderId);
    expect(order.status).toBe('awaiting_payment');
    expect(order.lastPaymentError).not.toBeNull();
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

  test('sandbox mode in a develop build: the simulated pay sheet pays through the same path', async () => {
    const bridge = bridgeWx('e2e-erin', 'develop');
    const { result, orderId } = await checkoutAndPay(bridge);
    await until(() => result.data.state === 'paid', 10_000);
    expect((await serverOrder(bridge, orderId)).status).toBe('paid');
  }, 30_000);
});
