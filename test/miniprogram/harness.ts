// Test harness for the mini program: loads pages/components in miniprogram-simulate, fakes `wx`
// per test (answers on the microtask queue, docs/reference/wechat.md §B1 pitfall 7), fakes the server's HTTP API,
// and runs pages in a fake app that is as strict as WeChat where jsdom would be kinder
// (docs/reference/wechat.md §A8): a page stack of 10 with WeChat's navigation rules and lifecycle order,
// showModal's button text limits, requests cut off in the background, RequestTask.abort.
import fs from 'fs';
import path from 'path';
import simulate from 'miniprogram-simulate';
import type { RootComponent } from 'miniprogram-simulate';
import type { Order, OrderStatus, Product } from '../../server/contract';

/** The miniprogramRoot; pages resolve "/components/..." against it. */
export const MP_ROOT = path.join(__dirname, '../../miniprogram');

const APP_JSON = JSON.parse(fs.readFileSync(path.join(MP_ROOT, 'app.json'), 'utf8')) as {
  pages: string[];
  tabBar?: { list: Array<{ pagePath: string; text: string }> };
};
/** Routes of the tab bar's pages, in order ("pages/shop/shop"). */
export const TAB_ROUTES: string[] = APP_JSON.tabBar ? APP_JSON.tabBar.list.map((item) => item.pagePath) : [];

/** A rendered component or page (j-component's RootComponent, loosely typed). */
export type Rendered = RootComponent<any, any, any> & {
  /** Present at runtime, missing from j-component's .d.ts (docs/reference/wechat.md §B1 pitfall 8). */
  addEventListener?: (name: string, fn: (e: any) => void) => void;
};

// ---------------------------------------------------------------- loading the same page twice

// miniprogram-simulate runs a component's JS with require() and expects Component() to be called each
// time; under Jest the module registry caches it, so a page opened twice in one app (result → orders →
// result) would not register again (docs/reference/wechat.md §B1 pitfall 2). Remember each file's Component() options
// and register them again when the cached module does not run.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulateUtils: { runJs: (file: string) => void } = require('miniprogram-simulate/src/utils');
const registerComponent = (globalThis as { Component?: unknown }).Component as (options: object) => void;
const definitions = new Map<string, object>();
let running: string | null = null;
let registered = false;
(globalThis as { Component?: unknown }).Component = (options: object) => {
  if (running) {
    definitions.set(running, options);
    registered = true;
  }
  registerComponent(options);
};
simulateUtils.runJs = (file: string) => {
  running = file;
  registered = false;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(file);
  } finally {
    running = null;
  }
  const known = definitions.get(file);
  if (!registered && known) registerComponent(known);
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulateWxss: { compile: (wxss: string, options: { prefix: string }) => string } = require('miniprogram-simulate/src/wxss');

/**
 * WeChat applies app.wxss to every page (not to components); simulate does not load it. Scoped like a
 * page ("main--"), 1 rpx = 1 px as simulate does, and first in <head> so page styles come after it.
 */
function insertAppWxss(): void {
  if (document.getElementById('app-wxss')) return;
  const style = document.createElement('style');
  style.id = 'app-wxss';
  style.textContent = simulateWxss
    .compile(fs.readFileSync(path.join(MP_ROOT, 'app.wxss'), 'utf8'), { prefix: 'main' })
    .replace(/(\d+)rpx/gi, '$1px');
  document.head.insertBefore(style, document.head.firstChild);
}

function render(relPath: string, props: Record<string, unknown> = {}): Rendered {
  insertAppWxss();
  const id = simulate.load(path.join(MP_ROOT, relPath), { rootPath: MP_ROOT });
  const comp = simulate.render(id, props) as Rendered;
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

/**
 * Loads `relPath` (e.g. "pages/shop/shop") fresh: resets the module registry first (pitfall 2),
 * so services' module state starts empty, and require() after this returns the page's copies.
 * A page becomes the only page of the fake app's stack (its lifecycles are the test's to call);
 * pages it opens are loaded by the fake app, with their lifecycles, sharing the same modules.
 */
export function load(relPath: string, props: Record<string, unknown> = {}): Rendered {
  jest.resetModules();
  const comp = render(relPath, props);
  if (relPath.startsWith('pages/')) fakeApp().adopt(relPath, comp);
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

/** The WXML attributes of a built-in element (`disabled`, `type`, `src`...), which j-component keeps off the DOM. */
export function attrs(comp: Rendered, selector: string): Record<string, unknown> {
  const node = comp.querySelector(selector);
  if (!node || !node.dom) throw new Error(`attrs(): nothing matches ${selector}`);
  return attrsOf(node.dom);
}

/** The WXML attributes of a rendered DOM element (see `attrs`). */
export function attrsOf(dom: Element): Record<string, unknown> {
  const vt = (dom as unknown as { __wxElement?: { _vt?: { attrs?: Array<{ name: string; value: unknown }> } } }).__wxElement;
  const result: Record<string, unknown> = {};
  ((vt && vt._vt && vt._vt.attrs) || []).forEach((a) => {
    // wcc hands attribute names over camelCased (ariaLabel); give them back as written in WXML.
    if (a.value !== undefined) result[a.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] = a.value;
  });
  return result;
}

/**
 * Taps the element matching `selector` and lets the handlers run. Like WeChat, a `disabled` button
 * still fires its bindtap (docs/reference/wechat.md §A8): handlers must check their own state.
 */
export async function tap(comp: Rendered, selector: string): Promise<void> {
  const node = comp.querySelector(selector);
  if (!node) throw new Error(`tap(): nothing matches ${selector}`);
  node.dispatchEvent('tap');
  await flush();
}

/** Two taps in the same instant, as a fast double tap delivers them. */
export async function doubleTap(comp: Rendered, selector: string): Promise<void> {
  const node = comp.querySelector(selector);
  if (!node) throw new Error(`doubleTap(): nothing matches ${selector}`);
  node.dispatchEvent('tap');
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
  /** Set when the mini program aborted the request (RequestTask.abort) before its answer. */
  aborted?: boolean;
  /** Set when WeChat cut the request off (the app stayed in the background too long). */
  interrupted?: boolean;
}

export type Handler = (call: Call) => Answer | Promise<Answer>;

interface InFlight {
  call: Call;
  fail: (errMsg: string) => void;
}

/** A fake HTTP API behind wx.request: routes by "METHOD /path" (":id" matches one segment). */
export class FakeServer {
  readonly calls: Call[] = [];
  private routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];
  private inFlight: InFlight[] = [];

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

  /** Requests sent and not answered yet. */
  pending(): Call[] {
    return this.inFlight.map((f) => f.call);
  }

  /** What WeChat does to requests still running about 5 s after the app went to the background. */
  interruptAll(): void {
    this.inFlight.slice().forEach((f) => {
      f.call.interrupted = true;
      f.fail('request:fail interrupted');
    });
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
    let settled = false;
    const entry: InFlight = {
      call,
      fail: (errMsg) => {
        if (settled) return;
        settled = true;
        this.inFlight = this.inFlight.filter((f) => f !== entry);
        queueMicrotask(() => {
          options.fail?.({ errMsg } as any);
          options.complete?.({ errMsg } as any);
        });
      },
    };
    this.inFlight.push(entry);
    const route = this.routes.find((r) => r.method === call.method && r.pattern.test(call.path));
    const task = {
      abort: jest.fn(() => {
        if (settled) return;
        call.aborted = true;
        entry.fail('request:fail abort');
      }),
    };
    Promise.resolve(route ? route.handler(call) : { status: 404, body: errorBody('NOT_FOUND') }).then((answer) => {
      if (answer === 'never' || settled) return;
      if (answer === 'network') {
        entry.fail('request:fail ');
        return;
      }
      settled = true;
      this.inFlight = this.inFlight.filter((f) => f !== entry);
      const res = { statusCode: answer.status, data: answer.body as any, header: {}, cookies: [], errMsg: 'request:ok' };
      options.success?.(res as any);
      options.complete?.(res as any);
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
  {
    sku: 'tea',
    name: '绿茶',
    names: { zh_CN: '绿茶', en: 'Green tea' },
    description: '明前龙井，100 克',
    descriptions: { zh_CN: '明前龙井，100 克', en: 'Spring Longjing, 100 g' },
    image: '/static/products/tea.png',
    price: { amount: 1250, currency: 'CNY' },
  },
  {
    sku: 'bun',
    name: '包子',
    names: { zh_CN: '包子', en: 'Steamed bun' },
    description: '猪肉白菜馅',
    descriptions: { zh_CN: '猪肉白菜馅', en: 'Pork and cabbage' },
    image: '/static/products/bun.png',
    price: { amount: 300, currency: 'CNY' },
  },
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

// ---------------------------------------------------------------- the fake app: page stack and lifecycles

/** A page in the fake app's stack. */
export interface PageEntry {
  route: string;
  query: Record<string, string>;
  page: Rendered;
  /** The navigation bar title the page set (wx.setNavigationBarTitle), or its json's. */
  title: string;
  /** Set once the page was unloaded. */
  closed?: boolean;
}

/** WeChat's limit of pages on the stack (navigateTo fails beyond it). */
export const PAGE_STACK_LIMIT = 10;

type NavOptions = { url?: string; delta?: number; success?: (r: any) => void; fail?: (r: any) => void; complete?: (r: any) => void };

function parseUrl(url: string): { route: string; query: Record<string, string> } {
  const [pathPart, queryPart] = url.split('?');
  const query: Record<string, string> = {};
  // WeChat hands onLoad the query values as they were written in the URL (not decoded).
  (queryPart || '').split('&').filter(Boolean).forEach((pair) => {
    const at = pair.indexOf('=');
    if (at < 0) query[pair] = '';
    else query[pair.slice(0, at)] = pair.slice(at + 1);
  });
  return { route: pathPart.replace(/^\//, ''), query };
}

function pageTitle(route: string): string {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(MP_ROOT, `${route}.json`), 'utf8'));
    return json.navigationBarTitleText || '';
  } catch {
    return '';
  }
}

/**
 * The app around the pages, with WeChat's routing rules (the official "page routing" table):
 * navigateTo (onHide, then the new page's onLoad, onShow, onReady; fails at 10 pages and for tab
 * pages), redirectTo (onUnload, then the new page), navigateBack (onUnload of each page popped,
 * onShow of the one revealed), switchTab (non-tab pages unloaded, tab pages kept alive) and
 * reLaunch. Each navigation completes asynchronously, as in WeChat, so two taps can push twice.
 */
export class FakeApp {
  /** The page stack, bottom first. */
  stack: PageEntry[] = [];
  /** Every lifecycle call in order: "shop.onLoad", "app.onShow", ... */
  readonly lifecycle: string[] = [];
  /** Tab pages loaded once and kept alive by switchTab. */
  private tabs = new Map<string, PageEntry>();
  private appOptions: Record<string, any> | null = null;

  /** Launches the app on `url` as WeChat does: App onLaunch, onShow, then the page. */
  launch(url: string): PageEntry {
    jest.resetModules();
    const g = globalThis as { App?: unknown };
    g.App = (options: Record<string, any>) => {
      this.appOptions = options;
    };
    mp('app');
    const { route, query } = parseUrl(url);
    this.callApp('onLaunch', { path: route, query, scene: 1001 });
    this.callApp('onShow', { path: route, query, scene: 1001 });
    const entry = this.open(route, query);
    this.stack = [entry];
    this.enter(entry, query);
    return entry;
  }

  /** Makes an already rendered page the only page (for `load()`: the test calls its lifecycles). */
  adopt(route: string, page: Rendered): void {
    const entry: PageEntry = { route, query: {}, page, title: pageTitle(route) };
    this.stack = [entry];
    this.tabs.clear();
    if (TAB_ROUTES.indexOf(route) >= 0) this.tabs.set(route, entry);
  }

  /** The page on top of the stack. */
  top(): PageEntry {
    return this.stack[this.stack.length - 1];
  }

  /** The routes on the stack, bottom first. */
  routes(): string[] {
    return this.stack.map((e) => e.route);
  }

  /** The app goes to the background: the page's onHide, then App onHide. */
  hide(): void {
    this.call(this.top(), 'onHide');
    this.callApp('onHide');
  }

  /**
   * The app comes back after `secondsAway`: requests still running after about 5 s in the
   * background were cut off by WeChat ("request:fail interrupted"); then App onShow, the page's onShow.
   */
  show(secondsAway: number, server?: FakeServer): void {
    if (secondsAway >= 5 && server) server.interruptAll();
    this.callApp('onShow', { scene: 1001 });
    this.call(this.top(), 'onShow');
  }

  navigateTo(o: NavOptions): void {
    const { route, query } = parseUrl(o.url || '');
    this.later(o, 'navigateTo', () => {
      this.check(route, 'navigateTo');
      if (TAB_ROUTES.indexOf(route) >= 0) throw new Error('can not navigateTo a tabbar page');
      if (this.stack.length >= PAGE_STACK_LIMIT) throw new Error('webview count limit exceed');
      this.call(this.top(), 'onHide');
      const entry = this.open(route, query);
      this.stack.push(entry);
      this.enter(entry, query);
    });
  }

  redirectTo(o: NavOptions): void {
    const { route, query } = parseUrl(o.url || '');
    this.later(o, 'redirectTo', () => {
      this.check(route, 'redirectTo');
      if (TAB_ROUTES.indexOf(route) >= 0) throw new Error('can not redirectTo a tabbar page');
      this.unload(this.stack.pop()!);
      const entry = this.open(route, query);
      this.stack.push(entry);
      this.enter(entry, query);
    });
  }

  navigateBack(o: NavOptions): void {
    this.later(o, 'navigateBack', () => {
      if (this.stack.length <= 1) throw new Error('cannot navigate back at first page');
      const delta = Math.max(1, Math.min(o.delta || 1, this.stack.length - 1));
      for (let i = 0; i < delta; i += 1) this.unload(this.stack.pop()!);
      this.call(this.top(), 'onShow');
    });
  }

  switchTab(o: NavOptions): void {
    const url = o.url || '';
    const { route } = parseUrl(url);
    this.later(o, 'switchTab', () => {
      if (url.indexOf('?') >= 0) throw new Error('url can not contain query');
      this.check(route, 'switchTab');
      if (TAB_ROUTES.indexOf(route) < 0) throw new Error('can not switch to no-tabBar page');
      const current = this.top();
      if (current.route === route && this.stack.length === 1) return;
      while (this.stack.length > 0 && TAB_ROUTES.indexOf(this.top().route) < 0) this.unload(this.stack.pop()!);
      if (this.stack.length > 0 && this.top().route !== route) this.call(this.top(), 'onHide');
      const known = this.tabs.get(route);
      if (known) {
        this.stack = [known];
        this.call(known, 'onShow');
      } else {
        const entry = this.open(route, {});
        this.stack = [entry];
        this.enter(entry, {}, false);
      }
    });
  }

  reLaunch(o: NavOptions): void {
    const { route, query } = parseUrl(o.url || '');
    this.later(o, 'reLaunch', () => {
      this.check(route, 'reLaunch');
      while (this.stack.length > 0) this.unload(this.stack.pop()!);
      Array.from(this.tabs.values()).forEach((entry) => this.unload(entry));
      this.tabs.clear();
      const entry = this.open(route, query);
      this.stack = [entry];
      this.enter(entry, query);
    });
  }

  /** Unloads every page (end of a test). */
  closeAll(): void {
    while (this.stack.length > 0) this.unload(this.stack.pop()!);
    Array.from(this.tabs.values()).forEach((entry) => this.unload(entry));
    this.tabs.clear();
  }

  /** Sets the top page's title (wx.setNavigationBarTitle). */
  setTitle(title: string): void {
    if (this.stack.length) this.top().title = title;
  }

  private check(route: string, api: string): void {
    if (APP_JSON.pages.indexOf(route) < 0) throw new Error(`page "${route}" is not found`);
    void api;
  }

  private later(o: NavOptions, api: string, run: () => void): void {
    queueMicrotask(() => {
      let res: { errMsg: string };
      try {
        run();
        res = { errMsg: `${api}:ok` };
        o.success?.(res);
      } catch (err) {
        res = { errMsg: `${api}:fail ${(err as Error).message}` };
        o.fail?.(res);
      }
      o.complete?.(res);
    });
  }

  private open(route: string, query: Record<string, string>): PageEntry {
    const page = render(route);
    const entry: PageEntry = { route, query, page, title: pageTitle(route) };
    if (TAB_ROUTES.indexOf(route) >= 0) this.tabs.set(route, entry);
    return entry;
  }

  private enter(entry: PageEntry, query: Record<string, string>, ready = true): void {
    this.call(entry, 'onLoad', query);
    this.call(entry, 'onShow');
    if (ready) this.call(entry, 'onReady');
  }

  private unload(entry: PageEntry): void {
    if (entry.closed) return;
    entry.closed = true;
    this.call(entry, 'onUnload');
    if (this.tabs.get(entry.route) === entry) this.tabs.delete(entry.route);
    entry.page.detach();
  }

  private call(entry: PageEntry | undefined, hook: string, arg?: unknown): void {
    if (!entry) return;
    this.lifecycle.push(`${entry.route.split('/').pop()}.${hook}`);
    const fn = (entry.page.instance as Record<string, unknown>)[hook];
    if (typeof fn === 'function') fn.call(entry.page.instance, arg);
  }

  private callApp(hook: string, arg?: unknown): void {
    this.lifecycle.push(`app.${hook}`);
    const fn = this.appOptions && this.appOptions[hook];
    if (typeof fn === 'function') fn.call(this.appOptions, arg);
  }
}

let currentApp: FakeApp | null = null;

// Pages left open at the end of a test are closed, so none keeps polling into the next one.
afterEach(() => {
  if (currentApp) currentApp.closeAll();
});

/** The fake app of the current test (made by `fakeWx`). */
export function fakeApp(): FakeApp {
  if (!currentApp) currentApp = new FakeApp();
  return currentApp;
}

// ---------------------------------------------------------------- wx fakes

function answer(o: any, ok: boolean, res: any): void {
  queueMicrotask(() => {
    if (ok) o.success?.(res);
    else o.fail?.(res);
    o.complete?.(res);
  });
}

/** Width of a button text as WeChat counts it: a Chinese character is 2, a Latin one 1 (limit 8, i.e. 4 Chinese). */
export function buttonTextWidth(textValue: string): number {
  let width = 0;
  for (const ch of textValue) width += ch.charCodeAt(0) > 0xff ? 2 : 1;
  return width;
}

export interface WxFakes {
  server: FakeServer;
  app: FakeApp;
  login: jest.Mock;
  requestPayment: jest.Mock;
  showActionSheet: jest.Mock;
  /** Every wx.showModal call, shown or refused. */
  showModal: jest.Mock;
  /** The dialogs WeChat actually showed. */
  modals: Array<{ title?: string; content?: string; confirmText?: string; cancelText?: string }>;
  navigateTo: jest.Mock;
  redirectTo: jest.Mock;
  navigateBack: jest.Mock;
  switchTab: jest.Mock;
  reLaunch: jest.Mock;
  stopPullDownRefresh: jest.Mock;
  setClipboardData: jest.Mock;
  showToast: jest.Mock;
  /** Tab bar state: each item's text (as set) and badge. */
  tabBar: Array<{ text: string; badge: string }>;
  storage: Map<string, unknown>;
}

export interface FakeWxOptions {
  server?: FakeServer;
  language?: string;
  envVersion?: 'develop' | 'trial' | 'release';
  /** errMsg wx.requestPayment answers with. */
  payResult?: string;
}

/** Installs fresh wx fakes onto the global `wx` (miniprogram-simulate's mock fills the rest) and a new fake app. */
export function fakeWx(options: FakeWxOptions = {}): WxFakes {
  const server = options.server ?? standardServer();
  let codes = 0;
  const storage = new Map<string, unknown>();
  const app = new FakeApp();
  currentApp = app;
  const tabBar = APP_JSON.tabBar ? APP_JSON.tabBar.list.map((item) => ({ text: item.text, badge: '' })) : [];
  const onTabPage = () => app.stack.length > 0 && TAB_ROUTES.indexOf(app.top().route) >= 0;
  const tabCall = (api: string, o: any, change: () => void) => {
    // WeChat refuses the tab bar APIs on pages without a tab bar.
    if (!onTabPage()) return answer(o, false, { errMsg: `${api}:fail not TabBar page` });
    if (typeof o.index !== 'number' || !tabBar[o.index]) return answer(o, false, { errMsg: `${api}:fail tabbar item not found` });
    change();
    answer(o, true, { errMsg: `${api}:ok` });
  };
  const modals: WxFakes['modals'] = [];
  const fakes: WxFakes = {
    server,
    app,
    login: jest.fn((o: any) => {
      codes += 1;
      answer(o, true, { code: `code${codes}`, errMsg: 'login:ok' });
    }),
    requestPayment: jest.fn((o: any) => {
      const errMsg = options.payResult ?? 'requestPayment:ok';
      answer(o, errMsg === 'requestPayment:ok', { errMsg });
    }),
    showActionSheet: jest.fn((o: any) => answer(o, true, { tapIndex: 0, errMsg: 'showActionSheet:ok' })),
    showModal: jest.fn((o: any) => {
      for (const key of ['confirmText', 'cancelText']) {
        if (o[key] !== undefined && buttonTextWidth(o[key]) > 8) {
          return answer(o, false, { errMsg: `showModal:fail ${key} length should not larger than 4 Chinese characters` });
        }
      }
      modals.push({ title: o.title, content: o.content, confirmText: o.confirmText, cancelText: o.cancelText });
      answer(o, true, { confirm: true, cancel: false, errMsg: 'showModal:ok' });
    }),
    modals,
    navigateTo: jest.fn((o: any) => app.navigateTo(o)),
    redirectTo: jest.fn((o: any) => app.redirectTo(o)),
    navigateBack: jest.fn((o: any = {}) => app.navigateBack(o)),
    switchTab: jest.fn((o: any) => app.switchTab(o)),
    reLaunch: jest.fn((o: any) => app.reLaunch(o)),
    stopPullDownRefresh: jest.fn((o?: any) => o && answer(o, true, { errMsg: 'stopPullDownRefresh:ok' })),
    setClipboardData: jest.fn((o: any) => {
      storage.set('__clipboard__', o.data);
      answer(o, true, { errMsg: 'setClipboardData:ok' });
    }),
    showToast: jest.fn((o: any) => answer(o, true, { errMsg: 'showToast:ok' })),
    tabBar,
    storage,
  };
  const g = globalThis as unknown as { wx?: WechatMiniprogram.Wx; getCurrentPages?: () => unknown[] };
  if (!g.wx) g.wx = {} as WechatMiniprogram.Wx;
  g.getCurrentPages = () => app.stack.map((e) => e.page.instance);
  Object.assign(g.wx, {
    request: server.request,
    login: fakes.login,
    requestPayment: fakes.requestPayment,
    showActionSheet: fakes.showActionSheet,
    showModal: fakes.showModal,
    navigateTo: fakes.navigateTo,
    redirectTo: fakes.redirectTo,
    navigateBack: fakes.navigateBack,
    switchTab: fakes.switchTab,
    reLaunch: fakes.reLaunch,
    stopPullDownRefresh: fakes.stopPullDownRefresh,
    setClipboardData: fakes.setClipboardData,
    showToast: fakes.showToast,
    setNavigationBarTitle: jest.fn((o: any) => {
      app.setTitle(o.title);
      answer(o, true, { errMsg: 'setNavigationBarTitle:ok' });
    }),
    setTabBarItem: jest.fn((o: any) => tabCall('setTabBarItem', o, () => (tabBar[o.index].text = o.text ?? tabBar[o.index].text))),
    setTabBarBadge: jest.fn((o: any) => tabCall('setTabBarBadge', o, () => (tabBar[o.index].badge = o.text))),
    removeTabBarBadge: jest.fn((o: any) => tabCall('removeTabBarBadge', o, () => (tabBar[o.index].badge = ''))),
    getAppBaseInfo: () => ({ language: options.language ?? 'en', SDKVersion: '3.0.0', theme: 'light' }),
    getSystemInfoSync: () => ({ language: options.language ?? 'en' }),
    getAccountInfoSync: () => ({ miniProgram: { appId: 'touristappid', envVersion: options.envVersion ?? 'develop', version: '' } }),
    getStorageSync: (key: string) => (storage.has(key) ? storage.get(key) : ''),
    setStorageSync: (key: string, value: unknown) => storage.set(key, JSON.parse(JSON.stringify(value))),
    removeStorageSync: (key: string) => storage.delete(key),
  });
  return fakes;
}
