// npm run screenshots, step 1 (jest, jsdom): renders every page in its main states, in zh_CN and en,
// with miniprogram-simulate and the test harness's fake server, and writes each as a self-contained
// HTML file: the page with only the styles WeChat would give it (app.wxss, its own WXSS and its
// components'), an approximation of WeChat's built-in components and of its navigation and tab bars,
// in a phone frame (iPhone 8 by default; iPhone X with its home indicator and safe area; 320 pt wide).
// Step 2 (draw.ts) draws them with headless Chromium.
import fs from 'fs';
import path from 'path';
import { DEMO_PRODUCTS, createCatalogue } from '../../server/catalogue';
import type { Order, OrderItem, Refund } from '../../server/contract';
import { presentProducts } from '../../server/routes/presenters';
import { attrsOf, fakeWx, flush, order, PAY_PARAMS, standardServer, stylesOf, TAB_ROUTES, tap, until } from '../../test/miniprogram/harness';
import type { FakeServer, Rendered, WxFakes } from '../../test/miniprogram/harness';
import { chrome, FRAMES, withSafeArea } from './shell';
import type { Frame } from './shell';

export const OUT_DIR = process.env.SCREENSHOTS_HTML_DIR || path.join(__dirname, '../../node_modules/.cache/screenshots-html');
const MP_ROOT = path.join(__dirname, '../../miniprogram');
const MP_ASSETS = path.join(MP_ROOT, 'assets');

type Lang = 'zh_CN' | 'en';
const LANGS: Lang[] = ['zh_CN', 'en'];

const catalogue = createCatalogue('CNY', DEMO_PRODUCTS);

function item(sku: string, quantity: number): OrderItem {
  const p = catalogue.find(sku)!;
  return { sku, name: p.names.zh_CN, names: p.names, quantity, unitPrice: { amount: p.unitAmount, currency: 'CNY' } };
}

function demoOrder(id: string, overrides: Partial<Order>): Order {
  const items = overrides.items || [item('tea-oolong', 2), item('mooncake-lotus', 1)];
  const amount = items.reduce((sum, i) => sum + i.unitPrice.amount * i.quantity, 0);
  return order({
    id,
    items,
    total: { amount, currency: 'CNY' },
    createdAt: '2026-11-26T12:00:00.000Z',
    expiresAt: new Date(Date.now() + 1781_000).toISOString(),
    ...overrides,
  });
}

function refund(status: Refund['status'], amount: number): Refund {
  return { id: `rf_${status}`, amount: { amount, currency: 'CNY' }, reason: null, status, createdAt: '2026-11-27T09:00:00.000Z', updatedAt: '2026-11-27T09:00:00.000Z' };
}

function server(lang: Lang): FakeServer {
  return standardServer({ mode: 'live' })
    .on('GET /api/products', { status: 200, body: { products: presentProducts(catalogue, lang === 'en' ? 'en' : 'zh_CN') } })
    .on('POST /api/quote', (call) => {
      const lines = (call.data.items as Array<{ sku: string; quantity: number }>).map((i) => item(i.sku, i.quantity));
      return { status: 200, body: { items: lines, total: { amount: lines.reduce((s, l) => s + l.unitPrice.amount * l.quantity, 0), currency: 'CNY' } } };
    });
}

interface Shot {
  name: string;
  /** Sets up the fake server and drives the app to the state; returns nothing (the top page is drawn). */
  run: (wxf: WxFakes, lang: Lang) => Promise<void>;
  dark?: boolean;
  langs?: Lang[];
  /** The frames to draw it in; the default iPhone 8 frame only, when absent. */
  frames?: Frame[];
}

const ALL_FRAMES = [FRAMES.iphone8, FRAMES.iphoneX, FRAMES.narrow];

async function shopWithCart(wxf: WxFakes): Promise<Rendered> {
  const shop = wxf.app.launch('pages/shop/shop').page;
  await until(() => shop.data.products && shop.data.products.length > 0);
  const steppers = shop.querySelectorAll('.stepper');
  steppers[0].querySelector('.increase')!.dispatchEvent('tap');
  await flush();
  steppers[0].querySelector('.increase')!.dispatchEvent('tap');
  await flush();
  steppers[1].querySelector('.increase')!.dispatchEvent('tap');
  await flush();
  return shop;
}

async function result(wxf: WxFakes, o: Order, state: string, pay?: string): Promise<void> {
  wxf.server.on('GET /api/orders/:id', { status: 200, body: { order: o } });
  wxf.server.on('POST /api/orders/:id/payment', { status: 200, body: { order: demoOrder(o.id, {}), requestPayment: PAY_PARAMS } });
  if (pay) {
    const shop = await shopWithCart(wxf);
    wxf.server.on('POST /api/orders', { status: 201, body: { order: demoOrder(o.id, {}) } });
    (wx as any).requestPayment = (opts: any) =>
      queueMicrotask(() => (pay === 'requestPayment:ok' ? opts.success({ errMsg: pay }) : opts.fail({ errMsg: pay })));
    await tap(shop, '.checkout');
    await until(() => wxf.app.top().route === 'pages/checkout/checkout' && !wxf.app.top().page.data.loading);
    await tap(wxf.app.top().page, '.pay');
  } else {
    wxf.app.launch(`pages/orders/orders`);
    await until(() => !wxf.app.top().page.data.loading);
    wx.navigateTo({ url: `/pages/result/result?id=${o.id}` });
  }
  await until(() => wxf.app.top().route === 'pages/result/result' && wxf.app.top().page.data.state === state);
}

const SHOTS: Shot[] = [
  {
    name: 'shop',
    frames: ALL_FRAMES,
    run: async (wxf) => {
      await shopWithCart(wxf);
    },
  },
  {
    name: 'shop-loading',
    run: async (wxf) => {
      wxf.server.on('GET /api/products', 'never');
      wxf.app.launch('pages/shop/shop');
      await flush();
    },
  },
  {
    name: 'checkout',
    frames: ALL_FRAMES,
    run: async (wxf) => {
      const shop = await shopWithCart(wxf);
      await tap(shop, '.checkout');
      await until(() => wxf.app.top().route === 'pages/checkout/checkout' && !wxf.app.top().page.data.loading);
    },
  },
  {
    name: 'result-waiting',
    run: async (wxf) => {
      const shop = await shopWithCart(wxf);
      wxf.server.on('GET /api/orders/:id', 'never');
      wxf.server.on('POST /api/orders', { status: 201, body: { order: demoOrder('ord_7Kq2', {}) } });
      wxf.server.on('POST /api/orders/:id/payment', { status: 200, body: { order: demoOrder('ord_7Kq2', {}), requestPayment: PAY_PARAMS } });
      await tap(shop, '.checkout');
      await until(() => wxf.app.top().route === 'pages/checkout/checkout' && !wxf.app.top().page.data.loading);
      await tap(wxf.app.top().page, '.pay');
      await until(() => wxf.app.top().route === 'pages/result/result' && wxf.app.top().page.data.state === 'waiting');
    },
  },
  {
    name: 'result-paid',
    frames: [FRAMES.iphone8, FRAMES.iphoneX],
    run: (wxf) => result(wxf, demoOrder('ord_7Kq2', { status: 'paid', paidAt: '2026-11-26T12:01:12.000Z' }), 'paid', 'requestPayment:ok'),
  },
  {
    name: 'result-cancelled-sheet',
    run: (wxf) => result(wxf, demoOrder('ord_7Kq2', {}), 'payable', 'requestPayment:fail cancel'),
  },
  {
    name: 'result-failed',
    frames: [FRAMES.iphone8, FRAMES.iphoneX],
    run: (wxf) =>
      result(
        wxf,
        demoOrder('ord_7Kq2', { lastPaymentError: { code: 'PAYMENT_DECLINED', message: 'declined', at: '2026-11-26T12:01:00.000Z' } }),
        'failed',
        'requestPayment:fail 余额不足',
      ),
  },
  {
    name: 'result-confirming',
    run: async (wxf) => {
      wxf.server.on('GET /api/orders/:id', { status: 200, body: { order: demoOrder('ord_7Kq2', { status: 'processing' }) } });
      wxf.app.launch('pages/orders/orders');
      await until(() => !wxf.app.top().page.data.loading);
      // The bound of the wait, shortened: the page says it is still confirming.
      require(path.join(__dirname, '../../miniprogram/services/payment')).configureWait({ totalMs: 0 });
      wx.navigateTo({ url: '/pages/result/result?id=ord_7Kq2' });
      await until(() => wxf.app.top().route === 'pages/result/result' && wxf.app.top().page.data.state === 'pending');
    },
  },
  {
    name: 'result-expired',
    run: (wxf) => result(wxf, demoOrder('ord_7Kq2', { status: 'expired', expiresAt: '2026-11-26T12:30:00.000Z' }), 'expired'),
  },
  {
    name: 'result-refunded',
    frames: [FRAMES.iphone8, FRAMES.narrow],
    run: (wxf) =>
      result(
        wxf,
        demoOrder('ord_3Fa9', {
          status: 'paid',
          paidAt: '2026-11-26T12:01:12.000Z',
          refunds: [refund('succeeded', 1250), refund('pending', 880)],
          refundedTotal: { amount: 1250, currency: 'CNY' },
        }),
        'paid',
      ),
  },
  {
    name: 'orders',
    frames: ALL_FRAMES,
    run: async (wxf) => {
      const history = [
        demoOrder('ord_9Xc1', { items: [item('coffee-beans', 1)] }),
        demoOrder('ord_7Kq2', { status: 'paid', paidAt: '2026-11-26T12:01:12.000Z' }),
        demoOrder('ord_3Fa9', {
          status: 'paid',
          items: [item('postcard', 3), item('tea-oolong', 1)],
          refunds: [refund('succeeded', 1847)],
          refundedTotal: { amount: 1847, currency: 'CNY' },
        }),
        demoOrder('ord_1Bb0', { status: 'expired', items: [item('mooncake-lotus', 4)] }),
      ];
      wxf.server.on('GET /api/orders', { status: 200, body: { orders: history } });
      wxf.app.launch('pages/orders/orders');
      await until(() => !wxf.app.top().page.data.loading);
    },
  },
  {
    name: 'orders-empty',
    run: async (wxf) => {
      wxf.server.on('GET /api/orders', { status: 200, body: { orders: [] } });
      wxf.app.launch('pages/orders/orders');
      await until(() => !wxf.app.top().page.data.loading);
    },
  },
  {
    name: 'result-privacy',
    frames: [FRAMES.iphoneX],
    run: async (wxf) => {
      await result(wxf, demoOrder('ord_7Kq2', { status: 'paid', paidAt: '2026-11-26T12:01:12.000Z' }), 'paid');
      await tap(wxf.app.top().page, '.copy');
    },
  },
  { name: 'shop-dark', dark: true, langs: ['en'], run: async (wxf) => void (await shopWithCart(wxf)) },
  {
    name: 'result-paid-dark',
    dark: true,
    langs: ['zh_CN'],
    run: (wxf) => result(wxf, demoOrder('ord_7Kq2', { status: 'paid', paidAt: '2026-11-26T12:01:12.000Z' }), 'paid', 'requestPayment:ok'),
  },
];

/** The rendered page as HTML: built-in elements keep their WXML attributes as data-* for the shell's CSS. */
function pageHtml(page: Rendered): string {
  const root = page.dom!.cloneNode(true) as Element;
  const originals = Array.from(page.dom!.querySelectorAll('*'));
  Array.from(root.querySelectorAll('*')).forEach((el, i) => {
    const a = attrsOf(originals[i]);
    ['type', 'size', 'mode', 'color'].forEach((name) => {
      if (a[name] !== undefined && a[name] !== '') el.setAttribute(`data-${name}`, String(a[name]));
    });
    if (a.disabled === true) el.setAttribute('data-disabled', '');
    if (a.loading === true) el.setAttribute('data-loading', '');
    if (el.tagName === 'WX-IMAGE' && a.src) {
      // A path in the package ("/assets/…") is inlined; server pictures are fetched (and served by draw.ts).
      const src = String(a.src);
      const url = src.startsWith('/') ? dataUrl(path.join(MP_ROOT, src)) : src;
      el.setAttribute('style', `background-image:url("${url}")`);
    }
    if (el.tagName === 'WX-ICON') el.setAttribute('data-size', String(a.size || 23));
  });
  return root.outerHTML;
}

/** Only the styles WeChat would apply to this page, its `page` selector standing for the document's body. */
function pageStyles(page: Rendered): string {
  return stylesOf(page).replace(/(^|[{},;\s])page(?=\s*[{,])/g, '$1body');
}

function dataUrl(file: string): string {
  return `data:image/png;base64,${fs.readFileSync(path.isAbsolute(file) ? file : path.join(MP_ASSETS, file)).toString('base64')}`;
}

beforeAll(() => {
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUT_DIR, { recursive: true });
});

const cases = SHOTS.flatMap((shot) =>
  (shot.frames || [FRAMES.iphone8]).flatMap((frame) => (shot.langs || LANGS).map((lang) => [shot, frame, lang] as const)),
);

test.each(cases.map(([shot, frame, lang]) => [`${shot.name}${frame.name ? `-${frame.name}` : ''}.${lang}`, shot, frame, lang] as const))(
  '%s',
  async (file, shot, frame, lang) => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const wxf = fakeWx({ language: lang, server: server(lang) });
    await shot.run(wxf, lang);
    await flush(6);
    const entry = wxf.app.top();
    const tabIndex = TAB_ROUTES.indexOf(entry.route);
    const html = chrome({
      title: entry.title,
      back: wxf.app.stack.length > 1,
      tabs:
        tabIndex < 0
          ? null
          : wxf.tabBar.map((tab, i) => ({
              text: tab.text,
              badge: tab.badge,
              selected: i === tabIndex,
              icon: dataUrl(i === 0 ? (i === tabIndex ? 'tab-shop-on.png' : 'tab-shop.png') : i === tabIndex ? 'tab-orders-on.png' : 'tab-orders.png'),
            })),
      css: withSafeArea(pageStyles(entry.page), frame, tabIndex >= 0),
      body: pageHtml(entry.page),
      lang,
      frame,
    });
    fs.writeFileSync(path.join(OUT_DIR, `${file}.html`), html);
    fs.writeFileSync(path.join(OUT_DIR, `${file}.json`), JSON.stringify({ dark: !!shot.dark, frame }));
    warn.mockRestore();
  },
);
