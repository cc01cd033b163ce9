// The order history: newest first as the server sends it, pull-down refresh, tap to open an order.
import { allText, attrs, errorBody, fakeWx, flush, load, order, standardServer, tap, TEMPLATES, text, until } from './harness';
import type { FakeWxOptions, Rendered, WxFakes } from './harness';

const HISTORY = [
  order({ id: 'ord_2', status: 'processing', createdAt: '2026-11-26T13:00:00.000Z', total: { amount: 300, currency: 'CNY' },
    items: [{ sku: 'bun', name: '包子', names: { zh_CN: '包子', en: 'Steamed bun' }, quantity: 1, unitPrice: { amount: 300, currency: 'CNY' } }] }),
  order({ id: 'ord_1', status: 'paid' }),
];

async function openOrders(options: FakeWxOptions = {}): Promise<{ page: Rendered; wxf: WxFakes }> {
  const wxf = fakeWx({ server: standardServer().on('GET /api/orders', { status: 200, body: { orders: HISTORY } }), ...options });
  const page = load('pages/orders/orders');
  page.instance.onLoad({});
  await until(() => !page.data.loading);
  await flush();
  return { page, wxf };
}

describe('orders page', () => {
  test("lists the shopper's orders in the server's order (newest first) with status, items and total", async () => {
    const { page, wxf } = await openOrders();
    expect(page.data.orders.map((o: { id: string }) => o.id)).toEqual(['ord_2', 'ord_1']);
    const first = page.querySelector('.order-ord_2')!;
    expect(first.dom!.textContent).toContain('Processing');
    expect(first.dom!.textContent).toContain('Steamed bun');
    expect(first.dom!.textContent).toContain('1 item Total');
    expect(first.dom!.textContent).toContain('¥3.00');
    expect(text(page, '.order-ord_1')).toContain('Paid');
    expect(text(page, '.order-ord_1')).toContain('¥25.00');
    expect(wxf.server.calls.find((c) => c.path === '/api/orders')!.headers.Authorization).toBe('Bearer tok1');
  });

  test('shows a loading state first', async () => {
    fakeWx({ server: standardServer().on('GET /api/orders', 'never') });
    const page = load('pages/orders/orders');
    page.instance.onLoad({});
    await flush();
    expect(page.querySelectorAll('.skeleton')).toHaveLength(3);
  });

  test('says so when there are no orders yet', async () => {
    const { page } = await openOrders({ server: standardServer().on('GET /api/orders', { status: 200, body: { orders: [] } }) });
    expect(allText(page)).toContain('No orders yet.');
  });

  test('tapping an order opens its result page, which re-checks the status', async () => {
    const { page, wxf } = await openOrders();
    await tap(page, '.order-ord_2');
    expect(wxf.navigateTo.mock.calls[0][0].url).toBe('/pages/result/result?id=ord_2');
  });

  test('pull-down refresh reloads the list and stops the spinner', async () => {
    const { page, wxf } = await openOrders();
    wxf.server.on('GET /api/orders', { status: 200, body: { orders: [order({ id: 'ord_3' }), ...HISTORY] } });
    page.instance.onPullDownRefresh();
    await until(() => wxf.stopPullDownRefresh.mock.calls.length > 0);
    expect(page.data.orders).toHaveLength(3);
    // The list stays on screen while refreshing (no full-page loading state).
    expect(wxf.server.count('GET /api/orders')).toBe(2);
  });

  test('stops the spinner and shows the message when the refresh fails', async () => {
    const { page, wxf } = await openOrders();
    wxf.server.on('GET /api/orders', 'network');
    page.instance.onPullDownRefresh();
    await until(() => wxf.stopPullDownRefresh.mock.calls.length > 0);
    expect(text(page, '.error')).toBe('No connection to the shop. Check your network and try again.');
  });

  test('shows the error and retries', async () => {
    const server = standardServer().on('GET /api/orders', { status: 500, body: errorBody('INTERNAL') });
    const { page } = await openOrders({ server });
    expect(text(page, '.error')).toBe('Something went wrong on our side. Please try again.');
    server.on('GET /api/orders', { status: 200, body: { orders: HISTORY } });
    await tap(page, '.retry');
    await until(() => page.data.orders.length === 2);
    expect(page.querySelector('.error')).toBeFalsy();
  });

  test('speaks Chinese when the system does', async () => {
    const { page } = await openOrders({ language: 'zh_CN' });
    expect(text(page, '.order-ord_2')).toContain('处理中');
    expect(text(page, '.order-ord_2')).toContain('包子');
    expect(text(page, '.order-ord_2')).toContain('共 1 件');
    expect(wx.setNavigationBarTitle).toHaveBeenCalledWith(expect.objectContaining({ title: '我的订单' }));
  });

  test('shows item pictures, and refunds: "Refunded ¥12.50" or "Refund in progress"', async () => {
    const refund = (status: 'pending' | 'succeeded' | 'failed', amount: number) => ({
      id: `rf_${status}`,
      amount: { amount, currency: 'CNY' },
      reason: null,
      status,
      createdAt: '2026-11-27T09:00:00.000Z',
      updatedAt: '2026-11-27T09:00:00.000Z',
    });
    const history = [
      order({ id: 'ord_a', status: 'paid', refunds: [refund('succeeded', 1250), refund('failed', 1250)], refundedTotal: { amount: 1250, currency: 'CNY' } }),
      order({ id: 'ord_b', status: 'paid', refunds: [refund('pending', 2500)] }),
      order({ id: 'ord_c', status: 'paid', refunds: [refund('succeeded', 2500)], refundedTotal: { amount: 2500, currency: 'CNY' } }),
    ];
    const { page } = await openOrders({ server: standardServer().on('GET /api/orders', { status: 200, body: { orders: history } }) });
    expect(text(page, '.order-ord_a')).toContain('Refunded ¥12.50');
    expect(text(page, '.order-ord_a')).toContain('Paid');
    expect(text(page, '.order-ord_b')).toContain('Refund in progress: ¥25.00');
    expect(text(page, '.order-ord_c')).toContain('Refunded');
    expect(text(page, '.order-ord_c')).toContain('Refunded ¥25.00');
    expect(attrs(page, '.order-ord_a .thumb').src).toBe('http://localhost:3000/static/products/tea.png');
  });

  test('Pay now on an unpaid order pays it from the list and opens it to wait for the verdict', async () => {
    const history = [order({ id: 'ord_1' }), order({ id: 'ord_2', status: 'paid' })];
    const { page, wxf } = await openOrders({ server: standardServer().on('GET /api/orders', { status: 200, body: { orders: history } }) });
    expect(page.querySelector('.pay-now-ord_2')).toBeFalsy();
    expect(text(page, '.pay-now-ord_1')).toBe('Pay now');
    wxf.server.on('GET /api/orders/:id', { status: 200, body: { order: order({ status: 'paid' }) } });
    await tap(page, '.pay-now-ord_1');
    await until(() => wxf.app.top().route === 'pages/result/result');
    expect(wxf.server.count('POST /api/orders/ord_1/payment')).toBe(1);
    expect(wxf.requestPayment).toHaveBeenCalledTimes(1);
    expect(wxf.app.routes()).toEqual(['pages/orders/orders', 'pages/result/result']);
    await until(() => wxf.app.top().page.data.state === 'paid');
    // The list's own tap (open the order) did not fire as well.
    expect(wxf.navigateTo).toHaveBeenCalledTimes(1);
  });

  test('Pay now asks for the subscription messages from the tap itself, then tells the server for that order', async () => {
    const server = standardServer({ subscribeTemplates: TEMPLATES }).on('GET /api/orders', { status: 200, body: { orders: [order({ id: 'ord_1' })] } });
    const { page, wxf } = await openOrders({ server, subscribe: { choose: () => ({ tmpl_paid: 'accept', tmpl_refund: 'reject' }) } });
    await tap(page, '.pay-now-ord_1');
    await until(() => wxf.server.count('POST /api/orders/ord_1/subscriptions') === 1);
    expect(wxf.subscribe.calls).toEqual([
      { ids: ['tmpl_paid', 'tmpl_refund'], gesture: true, result: { errMsg: 'requestSubscribeMessage:ok', tmpl_paid: 'accept', tmpl_refund: 'reject' } },
    ]);
    expect(wxf.server.calls.find((c) => c.path === '/api/orders/ord_1/subscriptions')!.data).toEqual({ results: { tmpl_paid: 'accept', tmpl_refund: 'reject' } });
    await until(() => wxf.app.top().route === 'pages/result/result');
    expect(wxf.server.count('POST /api/orders/ord_1/payment')).toBe(1);
  });

  test('a double tap on Pay now makes one payment', async () => {
    const { page, wxf } = await openOrders({ server: standardServer().on('GET /api/orders', { status: 200, body: { orders: [order()] } }) });
    const button = page.querySelector('.pay-now-ord_1')!;
    button.dispatchEvent('tap');
    button.dispatchEvent('tap');
    await until(() => wxf.app.top().route === 'pages/result/result');
    expect(wxf.server.count('POST /api/orders/ord_1/payment')).toBe(1);
  });

  test('a failed Pay now says why on that order, where the shopper is looking, and keeps saying it', async () => {
    const history = [order({ id: 'ord_2', status: 'paid' }), order({ id: 'ord_1' })];
    const server = standardServer()
      .on('GET /api/orders', { status: 200, body: { orders: history } })
      .on('POST /api/orders/:id/payment', { status: 503, body: errorBody('UPSTREAM_UNAVAILABLE') });
    const { page, wxf } = await openOrders({ server });
    await tap(page, '.pay-now-ord_1');
    await until(() => !page.data.paying && wxf.server.count('GET /api/orders') === 2);
    await flush();
    expect(text(page, '.order-ord_1 .pay-error')).toBe('The payment provider is busy. Please try again in a moment.');
    expect(page.querySelector('.order-ord_2 .pay-error')).toBeFalsy();
  });

  test('says so when the list is full: the server sends the 100 latest orders', async () => {
    const many = Array.from({ length: 100 }, (_, i) => order({ id: `ord_${i}`, status: 'paid' }));
    const { page } = await openOrders({ server: standardServer().on('GET /api/orders', { status: 200, body: { orders: many } }) });
    expect(text(page, '.capped')).toBe('Showing your 100 most recent orders.');
    const few = await openOrders();
    expect(few.page.querySelector('.capped')).toBeFalsy();
  });

  test('lists in Chinese with 、 and in Traditional Chinese for zh_TW', async () => {
    const two = order({
      items: [
        { sku: 'tea', name: '绿茶', names: { zh_CN: '绿茶', en: 'Green tea' }, quantity: 1, unitPrice: { amount: 1250, currency: 'CNY' } },
        { sku: 'bun', name: '包子', names: { zh_CN: '包子', en: 'Steamed bun' }, quantity: 2, unitPrice: { amount: 300, currency: 'CNY' } },
      ],
    });
    const { page } = await openOrders({ language: 'zh_CN', server: standardServer().on('GET /api/orders', { status: 200, body: { orders: [two] } }) });
    expect(text(page, '.summary')).toBe('绿茶、包子');
    const tw = await openOrders({ language: 'zh_TW', server: standardServer().on('GET /api/orders', { status: 200, body: { orders: [two] } }) });
    expect(text(tw.page, '.pay-now-ord_1')).toBe('立即支付');
    expect(text(tw.page, '.head')).toContain('待支付');
    expect(tw.wxf.app.top().title).toBe('我的訂單');
  });

  test("after paying, the Shop tab's badge no longer counts the cart that became the order", async () => {
    const wxf = fakeWx({ server: standardServer().on('GET /api/orders/:id', { status: 200, body: { order: order({ status: 'paid' }) } }) });
    const shop = wxf.app.launch('pages/shop/shop').page;
    await until(() => shop.data.products.length > 0);
    shop.querySelectorAll('.stepper')[0].querySelector('.increase')!.dispatchEvent('tap');
    await flush();
    expect(wxf.tabBar[0].badge).toBe('1');
    await tap(shop, '.checkout');
    await until(() => wxf.app.top().route === 'pages/checkout/checkout' && !wxf.app.top().page.data.loading);
    await tap(wxf.app.top().page, '.pay');
    await until(() => wxf.app.top().route === 'pages/result/result' && wxf.app.top().page.data.state === 'paid');
    await tap(wxf.app.top().page, '.orders');
    await until(() => wxf.app.top().route === 'pages/orders/orders');
    await flush();
    expect(wxf.tabBar[0].badge).toBe('');
  });

  test('with no orders, Go shopping opens the shop tab', async () => {
    const { page, wxf } = await openOrders({ server: standardServer().on('GET /api/orders', { status: 200, body: { orders: [] } }) });
    await tap(page, '.shop');
    expect(wxf.switchTab).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/shop/shop' }));
  });
});
