// Test harness for the mini program: loads pages/components in miniprogram-simulate, fakes `wx`
// per test (answers on the microtask queue, wechat.md B1 pitfall 7) and fakes the server's HTTP API.
import path from 'path';
import simulate from 'miniprogram-simulate';
import type { RootComponent } from 'miniprogram-simulate';
import type { Order, OrderStatus, Product } from '../../server/contract';

/** The miniprogramRoot; pages resolve "/components/..." against it. */
export const MP_ROOT = path.join(__dirname, '../../miniprogram');

/** A rendered component or page (j-component's RootComponent, loosely typed). */
export type Rendered = RootComponent<any, any, any> & {
  /** Present at runtime, missing from j-component's .d.ts (wechat.md B1 pitfall 8). */
  addEventListener?: (name: string, fn: (e: any) => void) => void;
};

/**
 * Loads `relPath` (e.g. "pages/shop/shop") fresh: resets the module registry first (pitfall 2),
 * so services' module state starts empty, and require() after this returns the page's copies.
 */
export function load(relPath: string, props: Record<string, unknown> = {}): Rendered {
  jest.resetModules();
  const id = simulate.load(path.join(MP_ROOT, relPath), { rootPath: MP_ROOT });
  const comp = simulate.render(id, props) as Rendered;
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

/** The same module instance the loaded page uses (call after `load`). */
export function mp<T = any>(relPath: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(MP_ROOT, relPath));
}

/** Lets queued microtasks and 0 ms timers run. */
export async function flush(times = 3): Promise<void> {
  for (let i = 0; i < times; i += 1) await simulate.sleep(0);
}

/** Waits until `check()` is truthy (real time, polling), or fails after `timeoutMs`. */
export async function until(check: () => unknown, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('until(): condition not met in time');
    await simulate.sleep(2);
  }
}

/** Text content of the first element matching `selector` in the component's own scope (".name"). */
export function text(comp: Rendered, selector: string): string {
  const node = comp.querySelector(selector);
  return node && node.dom ? (node.dom.textContent || '').trim() : '';
}

/** All text of the rendered tree. */
export function allText(comp: Rendered): string {
  return (comp.dom && comp.dom.textContent ? comp.dom.textContent : '').replace(/\s+/g, ' ').trim();
}

/** Dispatches a tap on the element matching `selector` and lets the handlers run. */
export async function tap(comp: Rendered, selector: string): Promise<void> {
  const node = comp.querySelector(selector);
  if (!node) throw new Error(`tap(): nothing matches ${selector}`);
  node.dispatchEvent('tap');
  await flush();
}

// ---------------------------------------------------------------- fake server

/** What a fake route answers: a status and a JSON body, or `network` for "no answer". */
export type Answer = { status: number; body?: unknown } | 'network' | 'never';

export interface Call {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  data: any;
}

export type Handler = (call: Call) => Answer | Promise<Answer>;

/** A fake HTTP API behind wx.request: routes by "METHOD /path" (":id" matches one segment). */
export class FakeServer {
  readonly calls: Call[] = [];
  private routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];

  on(route: string, handler: Handler | Answer): this {
    const [method, pathPattern] = route.split(' ');
    const pattern = new RegExp(`^${pathPattern.replace(/:[a-zA-Z]+/g, '[^/]+')}$`);
    const fn: Handler = typeof handler === 'function' ? handler : () => handler;
    this.routes.unshift({ method, pattern, handler: fn });
    return this;
  }

  count(route: string): number {
    const [method, p] = route.split(' ');
    return this.calls.filter((c) => c.method === method && c.path === p).length;
  }

  readonly request = jest.fn((options: WechatMiniprogram.RequestOption) => {
    const url = new URL(options.url);
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => {
      query[k] = v;
    });
    const call: Call = {
      method: options.method || 'GET',
      path: url.pathname,
      query,
      headers: (options.header || {}) as Record<string, string>,
      data: options.data,
    };
    this.calls.push(call);
    const route = this.routes.find((r) => r.method === call.method && r.pattern.test(call.path));
    const task = { abort: jest.fn() };
    Promise.resolve(route ? route.handler(call) : { status: 404, body: errorBody('NOT_FOUND') }).then((answer) => {
      if (answer === 'never') return;
      if (answer === 'network') {
        options.fail?.({ errMsg: 'request:fail ' } as any);
        return;
      }
      options.success?.({ statusCode: answer.status, data: answer.body as any, header: {}, cookies: [], errMsg: 'request:ok' } as any);
    });
    return task as unknown as WechatMiniprogram.RequestTask;
  });
}

/** The server's error envelope. */
export function errorBody(code: string, message = `${code} happened`): unknown {
  return { error: { code, message, requestId: 'req-1' } };
}

// ---------------------------------------------------------------- fixtures

export const PRODUCTS: Product[] = [
  { sku: 'tea', name: '绿茶', names: { zh_CN: '绿茶', en: 'Green tea' }, price: { amount: 1250, currency: 'CNY' } },
  { sku: 'bun', name: '包子', names: { zh_CN: '包子', en: 'Steamed bun' }, price: { amount: 300, currency: 'CNY' } },
];

export const CONFIG = {
  mode: 'live' as 'live' | 'simulator',
  currency: 'CNY',
  currencyPrecision: 2,
  orderLifetimeSeconds: 1800,
  maxWaitSeconds: 25,
};

export function order(overrides: Partial<Order> = {}): Order {
  return {
    id: 'ord_1',
    status: 'awaiting_payment' as OrderStatus,
    items: [
      { sku: 'tea', name: '绿茶', names: { zh_CN: '绿茶', en: 'Green tea' }, quantity: 2, unitPrice: { amount: 1250, currency: 'CNY' } },
    ],
    total: { amount: 2500, currency: 'CNY' },
    paymentIntentId: 'int_1',
    lastPaymentError: null,
    createdAt: '2026-11-26T12:00:00.000Z',
    updatedAt: '2026-11-26T12:00:00.000Z',
    expiresAt: '2026-11-26T12:30:00.000Z',
    paidAt: null,
    refunds: [],
    refundedTotal: { amount: 0, currency: 'CNY' },
    ...overrides,
  };
}

export const PAY_PARAMS = {
  timeStamp: '1764158400',
  nonceStr: 'nonce123',
  package: 'prepay_id=wx123',
  signType: 'RSA' as const,
  paySign: 'c2lnbmF0dXJl',
};

/** What the server's POST /api/quote answers for `items`, priced from PRODUCTS. */
export function quote(items: Array<{ sku: string; quantity: number }>): Answer {
  const lines = items.map(({ sku, quantity }) => {
    const product = PRODUCTS.find((p) => p.sku === sku)!;
    return { sku, name: product.name, names: product.names, quantity, unitPrice: product.price };
  });
  const amount = lines.reduce((sum, line) => sum + line.unitPrice.amount * line.quantity, 0);
  return { status: 200, body: { items: lines, total: { amount, currency: 'CNY' } } };
}

/** A server with config, products, sessions and one order; tests override routes with `on`. */
export function standardServer(config: Partial<typeof CONFIG> = {}): FakeServer {
  let n = 0;
  return new FakeServer()
    .on('GET /api/config', { status: 200, body: { ...CONFIG, ...config } })
    .on('GET /api/products', { status: 200, body: { products: PRODUCTS } })
    .on('POST /api/quote', (call) => quote(call.data.items))
    .on('POST /api/sessions', () => {
      n += 1;
      return { status: 201, body: { token: `tok${n}`, expiresAt: new Date(Date.now() + 3600e3).toISOString() } };
    })
    .on('POST /api/orders', { status: 201, body: { order: order() } })
    .on('GET /api/orders', { status: 200, body: { orders: [order()] } })
    .on('GET /api/orders/:id', { status: 200, body: { order: order() } })
    .on('POST /api/orders/:id/payment', { status: 200, body: { order: order(), requestPayment: PAY_PARAMS } });
}

// ---------------------------------------------------------------- wx fakes

function answer(o: any, ok: boolean, res: any): void {
  queueMicrotask(() => {
    if (ok) o.success?.(res);
    else o.fail?.(res);
    o.complete?.(res);
  });
}

export interface WxFakes {
  server: FakeServer;
  login: jest.Mock;
  requestPayment: jest.Mock;
  showActionSheet: jest.Mock;
  showModal: jest.Mock;
  navigateTo: jest.Mock;
  redirectTo: jest.Mock;
  stopPullDownRefresh: jest.Mock;
  storage: Map<string, unknown>;
}

export interface FakeWxOptions {
  server?: FakeServer;
  language?: string;
  envVersion?: 'develop' | 'trial' | 'release';
  /** errMsg wx.requestPayment answers with. */
  payResult?: string;
}

/** Installs fresh wx fakes onto the global `wx` (miniprogram-simulate's mock fills the rest). */
export function fakeWx(options: FakeWxOptions = {}): WxFakes {
  const server = options.server ?? standardServer();
  let codes = 0;
  const storage = new Map<string, unknown>();
  const fakes: WxFakes = {
    server,
    login: jest.fn((o: any) => {
      codes += 1;
      answer(o, true, { code: `code${codes}`, errMsg: 'login:ok' });
    }),
    requestPayment: jest.fn((o: any) => {
      const errMsg = options.payResult ?? 'requestPayment:ok';
      answer(o, errMsg === 'requestPayment:ok', { errMsg });
    }),
    showActionSheet: jest.fn((o: any) => answer(o, true, { tapIndex: 0, errMsg: 'showActionSheet:ok' })),
    showModal: jest.fn((o: any) => answer(o, true, { confirm: true, cancel: false, errMsg: 'showModal:ok' })),
    navigateTo: jest.fn((o: any) => answer(o, true, { errMsg: 'navigateTo:ok' })),
    redirectTo: jest.fn((o: any) => answer(o, true, { errMsg: 'redirectTo:ok' })),
    stopPullDownRefresh: jest.fn((o?: any) => o && answer(o, true, { errMsg: 'stopPullDownRefresh:ok' })),
    storage,
  };
  const g = globalThis as unknown as { wx?: WechatMiniprogram.Wx };
  if (!g.wx) g.wx = {} as WechatMiniprogram.Wx;
  Object.assign(g.wx, {
    request: server.request,
    login: fakes.login,
    requestPayment: fakes.requestPayment,
    showActionSheet: fakes.showActionSheet,
    showModal: fakes.showModal,
    navigateTo: fakes.navigateTo,
    redirectTo: fakes.redirectTo,
    stopPullDownRefresh: fakes.stopPullDownRefresh,
    setNavigationBarTitle: jest.fn(),
    showToast: jest.fn(),
    getAppBaseInfo: () => ({ language: options.language ?? 'en', SDKVersion: '3.0.0' }),
    getSystemInfoSync: () => ({ language: options.language ?? 'en' }),
    getAccountInfoSync: () => ({ miniProgram: { appId: 'touristappid', envVersion: options.envVersion ?? 'develop', version: '' } }),
    getStorageSync: (key: string) => (storage.has(key) ? storage.get(key) : ''),
    setStorageSync: (key: string, value: unknown) => storage.set(key, value),
    removeStorageSync: (key: string) => storage.delete(key),
  });
  return fakes;
}
