// What WeChat itself would break, caught by the strict fakes (issue 11): the page stack, double
// taps, leaving a page with work in flight, the background, button widths, titles, animations.
import { allText, attrsOf, doubleTap, fakeWx, flush, order, PAGES, standardServer, tap, text, TAB_ROUTES, until } from './harness';
import type { Answer, Call, FakeServer, Rendered, WxFakes } from './harness';
import { compare, matchingRules, specificityOf } from './css';

/** A route answer held back until the test releases it. */
function gate(answer: Answer): { handler: (call: Call) => Promise<Answer>; release: () => void; calls: Call[] } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const calls: Call[] = [];
  return {
    calls,
    release: () => open(),
    handler: async (call) => {
      calls.push(call);
      await opened;
      return answer;
    },
  };
}

function top(wxf: WxFakes): Rendered {
  return wxf.app.top().page;
}

/** Shop → one of the first product → Checkout, with the shopper's taps. */
async function toCheckout(wxf: WxFakes): Promise<Rendered> {
  const shop = wxf.app.launch('pages/shop/shop').page;
  await until(() => shop.data.products && shop.data.products.length > 0);
  shop.querySelectorAll('.stepper')[0].querySelector('.increase')!.dispatchEvent('tap');
  await flush();
  await tap(shop, '.checkout');
  await until(() => wxf.app.top().route === 'pages/checkout/checkout' && !top(wxf).data.loading);
  return top(wxf);
}

/** Checkout → Pay, the sheet says ok, and the result page waits on a long poll that does not answer. */
async function payAndWait(server: FakeServer): Promise<{ wxf: WxFakes; poll: ReturnType<typeof gate> }> {
  const poll = gate({ status: 200, body: { order: order({ status: 'processing' }) } });
  server.on('GET /api/orders/:id', poll.handler);
  const wxf = fakeWx({ server });
  const checkout = await toCheckout(wxf);
  await tap(checkout, '.pay');
  await until(() => wxf.app.top().route === 'pages/result/result' && poll.calls.length === 1);
  expect(top(wxf).data.state).toBe('waiting');
  return { wxf, poll };
}

describe('the page stack', () => {
  test('going result → My orders → an order → My orders ... never grows the stack, so navigation keeps working', async () => {
    const wxf = fakeWx({ server: standardServer().on('GET /api/orders/:id', { status: 200, body: { order: order({ status: 'paid' }) } }) });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    wxf.app.launch('pages/result/result?id=ord_1');
    for (let round = 0; round < 8; round += 1) {
      await until(() => top(wxf).data.state === 'paid');
      await tap(top(wxf), '.orders');
      await until(() => wxf.app.top().route === 'pages/orders/orders' && top(wxf).data.orders.length > 0);
      await tap(top(wxf), '.order-ord_1');
      await until(() => wxf.app.top().route === 'pages/result/result');
      expect(wxf.app.stack.length).toBeLessThanOrEqual(2);
    }
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});

describe('double taps', () => {
  test('a double tap on Checkout opens one checkout page', async () => {
    const wxf = fakeWx();
    const shop = wxf.app.launch('pages/shop/shop').page;
    await until(() => shop.data.products && shop.data.products.length > 0);
    shop.querySelectorAll('.stepper')[0].querySelector('.increase')!.dispatchEvent('tap');
    await flush();
    await doubleTap(shop, '.checkout');
    await flush();
    expect(wxf.app.routes()).toEqual(['pages/shop/shop', 'pages/checkout/checkout']);
    // The guard is released once the navigation is over: a later tap (after Back) works again.
    wx.navigateBack({});
    await flush();
    await tap(shop, '.checkout');
    await flush();
    expect(wxf.app.routes()).toEqual(['pages/shop/shop', 'pages/checkout/checkout']);
  });

  test('a double tap on an order opens it once', async () => {
    const wxf = fakeWx();
    const orders = wxf.app.launch('pages/orders/orders').page;
    await until(() => orders.data.orders && orders.data.orders.length > 0);
    await doubleTap(orders, '.order-ord_1');
    await flush();
    expect(wxf.app.routes()).toEqual(['pages/orders/orders', 'pages/result/result']);
  });
});

describe('leaving checkout while Pay is in flight', () => {
  test.each([
    ['the order', 'POST /api/orders', { status: 201, body: { order: order() } }],
    ['the payment request', 'POST /api/orders/:id/payment', { status: 200, body: { order: order(), requestPayment: { timeStamp: '1', nonceStr: 'n', package: 'prepay_id=p', signType: 'RSA', paySign: 's' } } }],
  ] as const)('Back while %s is being made opens no pay sheet and does not replace the shop', async (_what, route, answer) => {
    const held = gate(answer as Answer);
    const wxf = fakeWx({ server: standardServer().on(route, held.handler) });
    const checkout = await toCheckout(wxf);
    await tap(checkout, '.pay');
    await until(() => held.calls.length === 1);
    wx.navigateBack({});
    await flush();
    expect(wxf.app.routes()).toEqual(['pages/shop/shop']);
    held.release();
    await flush(8);
    expect(wxf.requestPayment).not.toHaveBeenCalled();
    expect(wxf.showActionSheet).not.toHaveBeenCalled();
    expect(wxf.redirectTo).not.toHaveBeenCalled();
    expect(wxf.app.routes()).toEqual(['pages/shop/shop']);
  });
});

describe('the result page and the long poll', () => {
  test('closing the page aborts the long poll in flight, and no poll follows (explicit events, no timers)', async () => {
    const { wxf, poll } = await payAndWait(standardServer());
    wx.navigateBack({});
    await flush();
    expect(poll.calls[0].aborted).toBe(true);
    poll.release();
    await flush(8);
    expect(poll.calls).toHaveLength(1);
    expect(wxf.server.pending()).toEqual([]);
  });

  test('back from the background after WeChat cut the long poll off, it checks again and shows the verdict', async () => {
    const server = standardServer();
    const { wxf, poll } = await payAndWait(server);
    server.on('GET /api/orders/:id', { status: 200, body: { order: order({ status: 'paid', paidAt: '2026-11-26T12:01:00.000Z' }) } });
    wxf.app.hide();
    wxf.app.show(30, server);
    expect(poll.calls[0].interrupted).toBe(true);
    await until(() => top(wxf).data.state === 'paid');
    expect(allText(top(wxf))).toContain('Payment successful');
  });

  test('says it is confirming the payment with WeChat Pay (not "the bank")', async () => {
    const { wxf } = await payAndWait(standardServer());
    expect(text(top(wxf), '.waiting')).toBe('Confirming your payment with WeChat Pay…');
  });

  test('the waiting indicator really turns: a style rule gives it an animation', async () => {
    const { wxf } = await payAndWait(standardServer());
    const animated = Array.from(top(wxf).dom!.querySelectorAll('*')).filter((el) =>
      matchingRules(el).some((rule) => !!rule.style.getPropertyValue('animation') || !!rule.style.getPropertyValue('animation-name')),
    );
    expect(animated.length).toBeGreaterThan(0);
  });
});

describe('login', () => {
  test('the app logs in when it opens, so the first Pay does not wait for wx.login and a session', async () => {
    const wxf = fakeWx();
    const checkout = await toCheckout(wxf);
    expect(wxf.login).toHaveBeenCalledTimes(1);
    expect(wxf.server.count('POST /api/sessions')).toBe(1);
    const before = wxf.server.calls.length;
    await tap(checkout, '.pay');
    await until(() => wxf.requestPayment.mock.calls.length > 0);
    const afterPay = wxf.server.calls.slice(before).map((c) => `${c.method} ${c.path}`);
    expect(afterPay.slice(0, 2)).toEqual(['POST /api/orders', 'POST /api/orders/ord_1/payment']);
    expect(wxf.login).toHaveBeenCalledTimes(1);
  });
});

describe('titles', () => {
  const cases = PAGES.flatMap((page) => [
    [page, 'en', /^[A-Z][A-Za-z ]+$/],
    [page, 'zh_CN', /^[\u4e00-\u9fff]+$/],
  ]) as Array<[string, string, RegExp]>;

  // The json's title shows before any code runs (WeChat has no per-language json title outside
  // multi-platform apps): so none is set there, and the page sets its own in onLoad, synchronously.
  test.each(cases)('%s in %s never shows a title in another language, and has its own as soon as it loads', (page, language, own) => {
    const wxf = fakeWx({ language, server: standardServer().on('GET /api/orders/:id', 'never') });
    const entry = wxf.app.launch(page.indexOf('result') >= 0 ? `${page}?id=ord_1` : page);
    expect(entry.title).toMatch(own);
    expect(entry.titles.filter((title) => title !== '' && !own.test(title))).toEqual([]);
  });

  test('the tab texts are in the shopper\'s language once the first tab page has loaded', () => {
    const wxf = fakeWx({ language: 'en' });
    wxf.app.launch('pages/orders/orders');
    expect(wxf.tabBar.map((tab) => tab.text)).toEqual(['Shop', 'Orders']);
  });
});

describe('buttons under style v2', () => {
  // WeChat's own stylesheet (style: v2): every button but size="mini" is 184px wide with auto side margins.
  const WECHAT_DEFAULT = { specificity: [0, 1, 1], width: '184px' };

  /** The `width` that wins for `el`: WeChat's default, or a page rule that outranks it (or ties and comes later). */
  function widthWinner(el: Element): string {
    let best = { specificity: WECHAT_DEFAULT.specificity, value: `WeChat's ${WECHAT_DEFAULT.width}` };
    matchingRules(el).forEach((rule) => {
      const value = rule.style.getPropertyValue('width');
      if (!value) return;
      const spec = specificityOf(el, rule.selectorText);
      if (compare(spec, best.specificity) >= 0) best = { specificity: spec, value };
    });
    return best.value;
  }

  test.each([
    ['pages/result/result?id=ord_1', 'awaiting_payment'],
    ['pages/result/result?id=ord_1', 'paid'],
    ['pages/checkout/checkout', ''],
    ['pages/shop/shop', ''],
  ])('%s (%s): every full-size button gets the width the page asked for, not WeChat\'s 184px', async (url, status) => {
    const wxf = fakeWx({ server: standardServer().on('GET /api/orders/:id', { status: 200, body: { order: order({ status: (status || 'awaiting_payment') as any }) } }) });
    wxf.app.launch(url);
    await flush(6);
    const buttons = Array.from(top(wxf).dom!.querySelectorAll('wx-button')).filter((b) => attrsOf(b).size !== 'mini');
    expect(buttons.length).toBeGreaterThan(0);
    for (const button of buttons) expect(`${button.className}: ${widthWinner(button)}`).not.toMatch(/WeChat's/);
  });

  test.each(['pages/shop/shop', 'pages/checkout/checkout', 'pages/orders/orders'])(
    '%s: buttons whose height the page sets are at least 44 px (88 rpx) to tap',
    async (url) => {
      const wxf = fakeWx();
      if (url.indexOf('checkout') >= 0) await toCheckout(wxf);
      else wxf.app.launch(url);
      await flush(6);
      await until(() => !top(wxf).data.loading);
      const buttons = Array.from(top(wxf).dom!.querySelectorAll('wx-button'));
      expect(buttons.length).toBeGreaterThan(0);
      for (const button of buttons) {
        const heights = matchingRules(button).map((r) => parseFloat(r.style.getPropertyValue('height'))).filter((h) => !isNaN(h));
        if (heights.length) expect(`${button.className}: ${heights[heights.length - 1]}`).toBe(`${button.className}: ${Math.max(88, heights[heights.length - 1])}`);
      }
    },
  );
});

test('the tab bar has the shop and the orders', () => {
  expect(TAB_ROUTES).toEqual(['pages/shop/shop', 'pages/orders/orders']);
});
