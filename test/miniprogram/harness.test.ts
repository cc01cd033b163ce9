// The fakes themselves: they must refuse what WeChat refuses (docs/reference/wechat.md §A8), or the page tests prove nothing.
import simulate from 'miniprogram-simulate';
import { matchingRules } from './css';
import { currentWx, fakeWx, flush, load, PAGE_STACK_LIMIT, standardServer, stylesOf, until } from './harness';

function wxCall<T = any>(api: string, options: Record<string, unknown> = {}): Promise<{ ok: boolean; res: T }> {
  return new Promise((resolve) => {
    (wx as any)[api]({
      ...options,
      success: (res: T) => resolve({ ok: true, res }),
      fail: (res: T) => resolve({ ok: false, res }),
    });
  });
}

describe('wx.showModal', () => {
  test('fails without a dialog when a button text is longer than 4 Chinese / 8 Latin characters', async () => {
    const wxf = fakeWx();
    expect(await wxCall('showModal', { content: 'x', confirmText: 'Cancel order' })).toMatchObject({
      ok: false,
      res: { errMsg: expect.stringContaining('confirmText length should not larger than 4 Chinese characters') },
    });
    expect((await wxCall('showModal', { content: 'x', cancelText: '暂时不要取消' })).ok).toBe(false);
    expect(wxf.modals).toHaveLength(0);
    expect((await wxCall('showModal', { content: 'x', confirmText: '取消订单', cancelText: 'Keep it' })).ok).toBe(true);
    expect(wxf.modals).toHaveLength(1);
  });
});

describe('the page stack', () => {
  test('navigateTo runs onHide, then the new page onLoad with its query, onShow, onReady; navigateBack unloads it and shows the one below', async () => {
    const wxf = fakeWx({ server: standardServer().on('GET /api/orders/:id', 'never') });
    wxf.app.launch('pages/checkout/checkout');
    wx.navigateTo({ url: '/pages/result/result?id=ord_9' });
    await flush();
    expect(wxf.app.routes()).toEqual(['pages/checkout/checkout', 'pages/result/result']);
    expect(wxf.app.top().query).toEqual({ id: 'ord_9' });
    wx.navigateBack({});
    await flush();
    expect(wxf.app.routes()).toEqual(['pages/checkout/checkout']);
    expect(wxf.app.lifecycle.filter((name) => !name.startsWith('app.'))).toEqual([
      'checkout.onLoad',
      'checkout.onShow',
      'checkout.onReady',
      'checkout.onHide',
      'result.onLoad',
      'result.onShow',
      'result.onReady',
      'result.onUnload',
      'checkout.onShow',
    ]);
  });

  test(`navigateTo fails once ${PAGE_STACK_LIMIT} pages are open; redirectTo replaces the top page`, async () => {
    const wxf = fakeWx({ server: standardServer().on('GET /api/orders/:id', 'never') });
    wxf.app.launch('pages/checkout/checkout');
    const results: boolean[] = [];
    for (let i = 0; i < PAGE_STACK_LIMIT; i += 1) results.push((await wxCall('navigateTo', { url: `/pages/result/result?id=o${i}` })).ok);
    expect(results.filter(Boolean)).toHaveLength(PAGE_STACK_LIMIT - 1);
    expect((await wxCall('navigateTo', { url: '/pages/result/result?id=x' })).res).toMatchObject({
      errMsg: 'navigateTo:fail webview count limit exceed',
    });
    expect(wxf.app.stack).toHaveLength(PAGE_STACK_LIMIT);
    expect((await wxCall('redirectTo', { url: '/pages/result/result?id=y' })).ok).toBe(true);
    expect(wxf.app.stack).toHaveLength(PAGE_STACK_LIMIT);
    expect(wxf.app.top().query).toEqual({ id: 'y' });
    expect((await wxCall('navigateTo', { url: '/pages/nope/nope' })).ok).toBe(false);
  });

  test('two navigateTo calls in the same instant push two pages, as a fast double tap does in WeChat', async () => {
    const wxf = fakeWx({ server: standardServer().on('GET /api/orders/:id', 'never') });
    wxf.app.launch('pages/checkout/checkout');
    wx.navigateTo({ url: '/pages/result/result?id=a' });
    wx.navigateTo({ url: '/pages/result/result?id=a' });
    await flush();
    expect(wxf.app.routes()).toEqual(['pages/checkout/checkout', 'pages/result/result', 'pages/result/result']);
  });
});

describe('taps', () => {
  test('a disabled button still fires its bindtap, as in WeChat', async () => {
    fakeWx({ server: standardServer().on('GET /api/config', 'never') });
    const page = load('pages/checkout/checkout');
    const handler = jest.fn();
    page.instance.onPayTap = handler;
    page.setData({ empty: false, loading: true, paying: true });
    await flush();
    page.querySelector('.pay')!.dispatchEvent('tap');
    await flush();
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('requests', () => {
  test('RequestTask.abort fails the request with "request:fail abort" and no answer comes after it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const wxf = fakeWx({
      server: standardServer().on('GET /api/config', async () => {
        await gate;
        return { status: 200, body: {} };
      }),
    });
    const outcomes: string[] = [];
    const task = wx.request({ url: 'http://localhost:3000/api/config', success: () => outcomes.push('success'), fail: (e) => outcomes.push(e.errMsg) });
    task.abort();
    release();
    await flush();
    expect(outcomes).toEqual(['request:fail abort']);
    expect(wxf.server.calls[0].aborted).toBe(true);
  });

  test('requests still running 5 s after the app went to the background are cut off', async () => {
    const wxf = fakeWx({ server: standardServer().on('GET /api/orders/:id', 'never') });
    wxf.app.launch('pages/checkout/checkout');
    const outcomes: string[] = [];
    wx.request({ url: 'http://localhost:3000/api/orders/x', fail: (e) => outcomes.push(e.errMsg) });
    wxf.app.hide();
    wxf.app.show(2, wxf.server);
    await flush();
    expect(outcomes).toEqual([]);
    wxf.app.hide();
    wxf.app.show(6, wxf.server);
    await until(() => outcomes.length > 0);
    expect(outcomes).toEqual(['request:fail interrupted']);
    expect(wxf.app.lifecycle.slice(-4)).toEqual(['checkout.onHide', 'app.onHide', 'app.onShow', 'checkout.onShow']);
  });
});

/** A component whose `.go` tap runs `handler` (the code a page's tap handler would run). */
function tappable(handler: () => void): { tap: () => Promise<void> } {
  const comp = simulate.render(simulate.load({ template: '<view class="go" bindtap="onTap">go</view>', methods: { onTap: handler } } as any));
  comp.attach(document.createElement('parent-wrapper'));
  return {
    tap: async () => {
      comp.querySelector('.go')!.dispatchEvent('tap');
      await flush();
    },
  };
}

describe('wx.requestSubscribeMessage', () => {
  const NOT_A_TAP = { errMsg: 'requestSubscribeMessage:fail can only be invoked by user TAP gesture.' };

  test('refuses outside a tap, without an errCode, and after anything async in the tap handler', async () => {
    const wxf = fakeWx();
    expect(await wxCall('requestSubscribeMessage', { tmplIds: ['tmpl_paid'] })).toEqual({ ok: false, res: NOT_A_TAP });
    let later: Promise<unknown> = Promise.resolve();
    await tappable(() => {
      later = Promise.resolve().then(() => wxCall('requestSubscribeMessage', { tmplIds: ['tmpl_paid'] }));
    }).tap();
    expect(await later).toEqual({ ok: false, res: NOT_A_TAP });
    expect(wxf.subscribe.calls.map((c) => c.gesture)).toEqual([false, false]);
  });

  test("asks inside a tap handler and in wx.requestPayment's success callback (not its fail)", async () => {
    const wxf = fakeWx();
    let asked: Promise<{ ok: boolean; res: any }> = Promise.resolve({ ok: false, res: null });
    await tappable(() => {
      asked = wxCall('requestSubscribeMessage', { tmplIds: ['tmpl_paid', 'tmpl_refund'] });
    }).tap();
    expect(await asked).toEqual({ ok: true, res: { errMsg: 'requestSubscribeMessage:ok', tmpl_paid: 'accept', tmpl_refund: 'accept' } });
    const afterPay = await new Promise<{ ok: boolean }>((resolve) =>
      wx.requestPayment({ timeStamp: '1', nonceStr: 'n', package: 'p', paySign: 's', success: () => resolve(wxCall('requestSubscribeMessage', { tmplIds: ['tmpl_paid'] })) }),
    );
    expect(afterPay.ok).toBe(true);
    fakeWx({ payResult: 'requestPayment:fail cancel' });
    const afterFail = await new Promise<{ ok: boolean; res: any }>((resolve) =>
      wx.requestPayment({ timeStamp: '1', nonceStr: 'n', package: 'p', paySign: 's', fail: () => resolve(wxCall('requestSubscribeMessage', { tmplIds: ['tmpl_paid'] })) }),
    );
    expect(afterFail).toEqual({ ok: false, res: NOT_A_TAP });
    expect(wxf.subscribe.calls).toHaveLength(2);
  });

  test.each([
    [[], 10001, "TmplIds can't be empty"],
    ['tmpl_paid', 10004, 'Invalid template id'],
    [['a', 'b', 'c', 'd'], 20003, 'Templates count out of max bounds'],
    [['tmpl_nope'], 20001, 'No template data return, verify the template id exist'],
    [['tmpl_paid', 'tmpl_long'], 20002, 'Templates type must be same'],
  ])('refuses %j with errCode %i', async (ids, errCode, text) => {
    fakeWx({ subscribe: { templates: { tmpl_paid: { title: 'A', type: 2 }, tmpl_long: { title: 'B', type: 3 }, a: { title: 'a', type: 2 }, b: { title: 'b', type: 2 }, c: { title: 'c', type: 2 }, d: { title: 'd', type: 2 } } } });
    let asked: Promise<{ ok: boolean; res: any }> = Promise.resolve({ ok: true, res: null });
    await tappable(() => {
      asked = wxCall('requestSubscribeMessage', { tmplIds: ids });
    }).tap();
    expect(await asked).toEqual({ ok: false, res: { errMsg: `requestSubscribeMessage:fail ${text}`, errCode } });
  });

  test('refuses a second call while the panel is open, when the main switch is off, and filters a duplicate title; kept answers need no panel', async () => {
    fakeWx({ subscribe: { held: true, choose: () => ({ tmpl_paid: 'reject' }) } });
    const asked: Array<Promise<{ ok: boolean; res: any }>> = [];
    const page = tappable(() => asked.push(wxCall('requestSubscribeMessage', { tmplIds: ['tmpl_paid'] })));
    await page.tap();
    await page.tap();
    expect(await asked[1]).toEqual({ ok: false, res: { errMsg: 'requestSubscribeMessage:fail last call has not ended' } });
    currentWx().subscribe.answer();
    expect(await asked[0]).toEqual({ ok: true, res: { errMsg: 'requestSubscribeMessage:ok', tmpl_paid: 'reject' } });

    fakeWx({ subscribe: { mainSwitch: false } });
    const off: Array<Promise<{ ok: boolean; res: any }>> = [];
    await tappable(() => off.push(wxCall('requestSubscribeMessage', { tmplIds: ['tmpl_paid'] }))).tap();
    expect((await off[0]).res).toEqual({ errMsg: 'requestSubscribeMessage:fail The main switch is switched off', errCode: 20004 });

    fakeWx({ subscribe: { templates: { x: { title: 'Paid', type: 2 }, y: { title: 'Paid', type: 2 } }, kept: { x: 'ban' }, held: true } });
    const kept: Array<Promise<{ ok: boolean; res: any }>> = [];
    await tappable(() => kept.push(wxCall('requestSubscribeMessage', { tmplIds: ['x'] }))).tap();
    expect((await kept[0]).res).toEqual({ errMsg: 'requestSubscribeMessage:ok', x: 'ban' });
    expect((await wxCall('getSetting', { withSubscriptions: true })).res.subscriptionsSetting).toEqual({ mainSwitch: true, itemSettings: { x: 'ban' } });
    fakeWx({ subscribe: { templates: { x: { title: 'Paid', type: 2 }, y: { title: 'Paid', type: 2 } } } });
    const twins: Array<Promise<{ ok: boolean; res: any }>> = [];
    await tappable(() => twins.push(wxCall('requestSubscribeMessage', { tmplIds: ['x', 'y'] }))).tap();
    expect((await twins[0]).res).toEqual({ errMsg: 'requestSubscribeMessage:ok', x: 'accept', y: 'filter' });
  });
});

describe('privacy APIs (wx.setClipboardData)', () => {
  test('fail with errno 112 when the privacy guide does not declare the clipboard', async () => {
    fakeWx({ privacy: { declared: [], agreed: true } });
    expect(await wxCall('setClipboardData', { data: 'x' })).toEqual({
      ok: false,
      res: { errMsg: 'setClipboardData:fail api scope is not declared in the privacy agreement', errno: 112 },
    });
  });

  test('before the shopper agreed: errno 104 with no listener; with one, the call waits for its resolve, which needs the agree button tapped', async () => {
    const wxf = fakeWx();
    expect((await wxCall('setClipboardData', { data: 'x' })).res).toEqual({ errMsg: 'setClipboardData:fail privacy permission is not authorized', errno: 104 });
    const resolves: Array<(r: Record<string, unknown>) => void> = [];
    wx.onNeedPrivacyAuthorization((resolve) => resolves.push(resolve as any));
    const first = wxCall('setClipboardData', { data: 'one' });
    await flush();
    expect(resolves).toHaveLength(1);
    resolves[0]({ event: 'agree', buttonId: 'agree-btn' });
    expect((await first).ok).toBe(false);
    const second = wxCall('setClipboardData', { data: 'two' });
    await flush();
    wxf.privacy.tappedButtons.push('agree-btn');
    resolves[1]({ event: 'agree', buttonId: 'agree-btn' });
    expect(await second).toEqual({ ok: true, res: { errMsg: 'setClipboardData:ok' } });
    expect(wxf.clipboard()).toBe('two');
    // Agreed once, agreed for good: no listener call any more.
    expect((await wxCall('setClipboardData', { data: 'three' })).ok).toBe(true);
    expect(resolves).toHaveLength(2);
  });
});

describe('wx.getUpdateManager', () => {
  test('applies only an update that finished downloading', () => {
    const wxf = fakeWx();
    const manager = wx.getUpdateManager();
    manager.applyUpdate();
    expect(wxf.update.applied).toBe(0);
    wxf.update.ready();
    manager.applyUpdate();
    expect(wxf.update.applied).toBe(1);
  });
});

describe('styles', () => {
  test('each page gets only its own styles and app.wxss, as each WeChat page has its own document', async () => {
    const wxf = fakeWx({ server: standardServer().on('GET /api/orders/:id', 'never') });
    wxf.app.launch('pages/shop/shop');
    wx.navigateTo({ url: '/pages/result/result?id=ord_1' });
    await flush();
    const result = wxf.app.top().page;
    // shop.wxss and result.wxss both style a `.row`; only the order page's own rule reaches its rows.
    result.setData({ status: 'paid' });
    await flush();
    const row = result.querySelector('.info .row')!.dom!;
    const selectors = matchingRules(row).map((rule) => rule.selectorText);
    expect(selectors.length).toBeGreaterThan(0);
    expect(selectors.filter((selector) => selector.indexOf('.p-result--') < 0)).toEqual([]);
    expect(stylesOf(result)).not.toContain('.p-shop--');
    expect(stylesOf(result)).toContain('.p-result--row');
  });
});
