// The harness's page runner: runs pages in a fake app with WeChat's page stack, routing rules and
// lifecycle order (docs/reference/wechat.md §A8), loading them with page-loader.ts.
import fs from 'fs';
import path from 'path';
import type { FakeServer } from './fake-server';
import { APP_JSON, MP_ROOT, PAGES, render, TAB_ROUTES } from './page-loader';
import type { Rendered } from './page-loader';

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
