// The harness's page runner: loads pages and components in miniprogram-simulate (app.wxss applied
// as WeChat does), and runs pages in a fake app with WeChat's page stack, routing rules and
// lifecycle order (wechat.md A8).
import fs from 'fs';
import path from 'path';
import simulate from 'miniprogram-simulate';
import type { RootComponent } from 'miniprogram-simulate';
import type { FakeServer } from './fake-server';

/** The miniprogramRoot; pages resolve "/components/..." against it. */
export const MP_ROOT = path.join(__dirname, '../../miniprogram');

/** The app's app.json (pages and tab bar). */
export const APP_JSON = JSON.parse(fs.readFileSync(path.join(MP_ROOT, 'app.json'), 'utf8')) as {
  pages: string[];
  subpackages?: Array<{ root: string; pages: string[] }>;
  window?: { navigationBarTitleText?: string };
  tabBar?: { list: Array<{ pagePath: string; text: string }> };
};
/** Every page's route, the main package's and the subpackages' ("pages/result/result"). */
export const PAGES: string[] = APP_JSON.pages.concat(
  ...(APP_JSON.subpackages || []).map((sub) => sub.pages.map((page) => `${sub.root.replace(/\/$/, '')}/${page}`)),
);

/** Routes of the tab bar's pages, in order ("pages/shop/shop"). */
export const TAB_ROUTES: string[] = APP_JSON.tabBar ? APP_JSON.tabBar.list.map((item) => item.pagePath) : [];

/** A rendered component or page (j-component's RootComponent, loosely typed). */
export type Rendered = RootComponent<any, any, any> & {
  /** Present at runtime, missing from j-component's .d.ts (wechat.md B1 pitfall 8). */
  addEventListener?: (name: string, fn: (e: any) => void) => void;
};

// ---------------------------------------------------------------- loading the same page twice

// miniprogram-simulate runs a component's JS with require() and expects Component() to be called each
// time; under Jest the module registry caches it, so a page opened twice in one app (result → orders →
// result) would not register again (wechat.md B1 pitfall 2). Remember each file's Component() options
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
 * WeChat applies app.wxss to every page (not to components); simulate does not load it. Scoped like
 * the page (`prefix--`), 1 rpx = 1 px as simulate does, and first in <head> so page styles come after it.
 */
function insertAppWxss(prefix: string): void {
  if (document.getElementById(`app-wxss-${prefix}`)) return;
  const style = document.createElement('style');
  style.id = `app-wxss-${prefix}`;
  style.textContent = simulateWxss
    .compile(fs.readFileSync(path.join(MP_ROOT, 'app.wxss'), 'utf8'), { prefix })
    .replace(/(\d+)rpx/gi, '$1px');
  document.head.insertBefore(style, document.head.firstChild);
}

/** Each rendered page or component's styles: its app.wxss copy (pages only) and simulate's <style>. */
const styleIds = new WeakMap<object, { prefix: string; id: string }>();

/**
 * The styles WeChat would apply to `comp`: app.wxss, the page's own WXSS and its components'. Each
 * page gets its own class prefix, as each WeChat page gets its own document, so no page's rules reach
 * another's elements (in the tests' cascade checks and in the screenshots alike).
 */
export function stylesOf(comp: Rendered): string {
  const known = styleIds.get(comp);
  if (!known) throw new Error('stylesOf(): not a rendered page or component');
  const text = (id: string) => {
    const style = document.getElementById(id);
    return style ? style.textContent || '' : '';
  };
  return text(`app-wxss-${known.prefix}`) + text(known.id);
}

function render(relPath: string, props: Record<string, unknown> = {}): Rendered {
  // A page's class prefix is its own ("p-result--"); a component loaded alone keeps simulate's "main".
  const prefix = relPath.startsWith('pages/') ? `p-${relPath.split('/').pop()}` : 'main';
  if (prefix !== 'main') insertAppWxss(prefix);
  const id = simulate.load(path.join(MP_ROOT, relPath), prefix, { rootPath: MP_ROOT });
  const comp = simulate.render(id, props) as Rendered;
  comp.attach(document.createElement('parent-wrapper'));
  styleIds.set(comp, { prefix, id });
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

// ---------------------------------------------------------------- the fake app: page stack and lifecycles

/** A page in the fake app's stack. */
export interface PageEntry {
  route: string;
  query: Record<string, string>;
  page: Rendered;
  /** The navigation bar title the page set (wx.setNavigationBarTitle), or its json's. */
  title: string;
  /** Every title the bar showed, in order: the json's (drawn before any code runs), then each one set. */
  titles: string[];
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
    // A page without one gets app.json's window title.
    if (typeof json.navigationBarTitleText === 'string') return json.navigationBarTitleText;
    return (APP_JSON.window && APP_JSON.window.navigationBarTitleText) || '';
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
    const entry: PageEntry = { route, query: {}, page, title: pageTitle(route), titles: [pageTitle(route)] };
    Object.assign(page.instance as object, { route, options: {} });
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

  /**
   * A script error WeChat catches (a throw in a page's handler, a timer): App onError gets one string,
   * the message and the stack.
   */
  scriptError(err: Error): void {
    this.callApp('onError', `${err.message}\n${err.stack || ''}`);
  }

  /** A promise rejected with nobody to catch it: App onUnhandledRejection gets { reason, promise }. */
  unhandledRejection(reason: unknown): void {
    const promise = Promise.reject(reason);
    promise.catch(() => undefined);
    this.callApp('onUnhandledRejection', { reason, promise });
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
    if (!this.stack.length) return;
    this.top().title = title;
    this.top().titles.push(title);
  }

  private check(route: string, api: string): void {
    if (PAGES.indexOf(route) < 0) throw new Error(`page "${route}" is not found`);
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
    const entry: PageEntry = { route, query, page, title: pageTitle(route), titles: [pageTitle(route)] };
    // What getCurrentPages() gives in WeChat: each page's route and the query it was opened with.
    Object.assign(page.instance as object, { route, options: query });
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

/** Makes `app` the fake app of the current test (`fakeWx` does). */
export function setCurrentApp(app: FakeApp): void {
  currentApp = app;
}

/** The fake app of the current test (made by `fakeWx`). */
export function fakeApp(): FakeApp {
  if (!currentApp) currentApp = new FakeApp();
  return currentApp;
}
