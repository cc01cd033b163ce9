// Layout defects a real phone shows and jsdom hides, checked through the cascade of each page's own
// styles (app.wxss + the page's WXSS, as WeChat applies them): the home indicator, skeletons,
// spacing, and a pressed state on everything tappable.
import fs from 'fs';
import path from 'path';
import { declared } from './css';
import { fakeWx, flush, MP_ROOT, standardServer, tap, until } from './harness';
import type { Rendered, WxFakes } from './harness';

const top = (wxf: WxFakes): Rendered => wxf.app.top().page;
const px = (value: string) => parseFloat(value) || 0;

async function checkout(): Promise<WxFakes> {
  const wxf = fakeWx();
  wxf.app.launch('pages/shop/shop');
  await until(() => top(wxf).data.products.length > 0);
  top(wxf).querySelectorAll('.stepper')[0].querySelector('.increase')!.dispatchEvent('tap');
  await flush();
  await tap(top(wxf), '.checkout');
  await until(() => wxf.app.top().route === 'pages/checkout/checkout' && !top(wxf).data.loading);
  return wxf;
}

describe('the home indicator (iPhone X and later)', () => {
  test("checkout's Pay bar keeps the safe-area inset below it, and the page scrolls clear of the bar", async () => {
    const wxf = await checkout();
    const bar = top(wxf).querySelector('.bar')!.dom!;
    expect(declared(bar, 'padding-bottom')).toBe('env(safe-area-inset-bottom)');
    expect(declared(top(wxf).querySelector('.page')!.dom!, 'padding-bottom')).toMatch(/env\(safe-area-inset-bottom\)/);
  });
});

describe('skeletons and spacing', () => {
  test("the shop's skeleton pictures are as tall as the pictures, not flattened to a text bar", async () => {
    const wxf = fakeWx({ server: standardServer().on('GET /api/products', 'never') });
    wxf.app.launch('pages/shop/shop');
    await flush();
    const thumb = top(wxf).querySelector('.skeleton .thumb')!.dom!;
    expect(declared(thumb, 'height')).toBe(declared(thumb, 'width'));
    expect(px(declared(thumb, 'height'))).toBe(128);
  });

  test('while loading and confirming, the order card does not touch the headline', async () => {
    const wxf = fakeWx({ server: standardServer().on('GET /api/orders/:id', 'never') });
    wxf.app.launch('pages/result/result?id=ord_1');
    top(wxf).setData({ state: 'waiting', status: 'awaiting_payment' });
    await flush();
    const gap = px(declared(top(wxf).querySelector('.msg')!.dom!, 'padding-bottom')) + px(declared(top(wxf).querySelector('.order')!.dom!, 'margin-top'));
    expect(gap).toBeGreaterThanOrEqual(48);
  });
});

describe('pressed states', () => {
  // Buttons have WeChat's own hover; any other element with a tap handler needs a hover-class.
  const files = ['pages', 'components'].flatMap((dir) =>
    fs
      .readdirSync(path.join(MP_ROOT, dir))
      .map((name) => path.join(MP_ROOT, dir, name, `${name}.wxml`))
      .filter((file) => fs.existsSync(file)),
  );

  test.each(files.map((file) => [path.relative(MP_ROOT, file)]))('%s: every tappable element other than a button shows it is pressed', (file) => {
    const wxml = fs.readFileSync(path.join(MP_ROOT, file), 'utf8');
    const tappable = (wxml.match(/<(?!button)[a-z-]+\b[^>]*\b(?:bind|catch):?tap=[^>]*>/g) || []).filter((tag) => !/hover-class=/.test(tag));
    expect(tappable).toEqual([]);
  });
});
