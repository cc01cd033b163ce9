// The harness's page loader: loads pages and components in miniprogram-simulate, each page with its
// own class prefix and its own copy of app.wxss (as each WeChat page has its own document), and
// registers a page again when Jest's module registry has it cached.
import fs from 'fs';
import path from 'path';
import simulate from 'miniprogram-simulate';
import type { RootComponent } from 'miniprogram-simulate';

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

/** Renders `relPath` (a page or a component) and attaches it to the document. */
export function render(relPath: string, props: Record<string, unknown> = {}): Rendered {
  // A page's class prefix is its own ("p-result--"); a component loaded alone keeps simulate's "main".
  const prefix = relPath.startsWith('pages/') ? `p-${relPath.split('/').pop()}` : 'main';
  if (prefix !== 'main') insertAppWxss(prefix);
  const id = simulate.load(path.join(MP_ROOT, relPath), prefix, { rootPath: MP_ROOT });
  const comp = simulate.render(id, props) as Rendered;
  comp.attach(document.createElement('parent-wrapper'));
  styleIds.set(comp, { prefix, id });
  return comp;
}
