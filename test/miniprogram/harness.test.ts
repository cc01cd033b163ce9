// The fakes themselves: they must refuse what WeChat refuses (docs/reference/wechat.md §A8), or the page tests prove nothing.
import { fakeWx, flush, load, PAGE_STACK_LIMIT, standardServer, until } from './harness';

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
