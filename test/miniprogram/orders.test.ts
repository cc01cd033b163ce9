// The order history: newest first as the server sends it, pull-down refresh, tap to open an order.
import { allText, errorBody, fakeWx, flush, load, order, standardServer, tap, text, until } from './harness';
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
    expect(first.dom!.textContent).toContain('1 item(s)');
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
});
