// The shop page: products, prices, steppers, cart total, Checkout; loading and error states.
import { allText, errorBody, fakeWx, flush, load, mp, standardServer, tap, text, until } from './harness';

async function openShop(): Promise<ReturnType<typeof load>> {
  const page = load('pages/shop/shop');
  page.instance.onLoad({});
  await until(() => !page.data.loading);
  await flush();
  return page;
}

function stepper(page: ReturnType<typeof load>, index: number, direction: 'increase' | 'decrease'): void {
  const steppers = page.querySelectorAll('.stepper');
  steppers[index].querySelector(`.${direction}`)!.dispatchEvent('tap');
}

describe('shop page', () => {
  test('shows a loading state until the products arrive', async () => {
    fakeWx({ server: standardServer().on('GET /api/products', 'never') });
    const page = load('pages/shop/shop');
    page.instance.onLoad({});
    await flush();
    expect(page.data.loading).toBe(true);
    expect(allText(page)).toContain('Loading products');
  });

  test('lists the products with English names and formatted prices', async () => {
    fakeWx({ language: 'en' });
    const page = await openShop();
    expect(page.data.products.map((p: { name: string }) => p.name)).toEqual(['Green tea', 'Steamed bun']);
    expect(allText(page)).toContain('Green tea¥12.50');
    expect(allText(page)).toContain('Steamed bun¥3.00');
    expect(text(page, '.checkout')).toBe('Checkout');
    expect(wx.setNavigationBarTitle).toHaveBeenCalledWith(expect.objectContaining({ title: 'Shop' }));
  });

  test('speaks Chinese when the system language is zh_CN', async () => {
    fakeWx({ language: 'zh_CN' });
    const page = await openShop();
    expect(allText(page)).toContain('绿茶¥12.50');
    expect(text(page, '.checkout')).toBe('去结算');
  });

  test('formats JPY prices without decimals when the server says precision 0', async () => {
    fakeWx({
      server: standardServer({ currency: 'JPY', currencyPrecision: 0 }).on('GET /api/products', {
        status: 200,
        body: { products: [{ sku: 'onigiri', name: 'x', names: { zh_CN: '饭团', en: 'Onigiri' }, price: { amount: 1250, currency: 'JPY' } }] },
      }),
    });
    const page = await openShop();
    expect(allText(page)).toContain('Onigiri¥1,250');
  });

  test('steppers change quantities and the cart total; Checkout opens the checkout page', async () => {
    const wxf = fakeWx();
    const page = await openShop();
    expect(page.data.count).toBe(0);
    stepper(page, 0, 'increase');
    await flush();
    stepper(page, 0, 'increase');
    await flush();
    stepper(page, 1, 'increase');
    await flush();
    expect(page.data.products.map((p: { quantity: number }) => p.quantity)).toEqual([2, 1]);
    expect(page.data.total).toBe(2800);
    expect(text(page, '.total')).toContain('¥28.00');
    stepper(page, 1, 'decrease');
    await flush();
    expect(page.data.total).toBe(2500);
    expect(mp('services/cart').getCart().map((l: any) => [l.product.sku, l.quantity])).toEqual([['tea', 2]]);

    await tap(page, '.checkout');
    expect(wxf.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/checkout/checkout' }));
  });

  test('does not open checkout with an empty cart', async () => {
    const wxf = fakeWx();
    const page = await openShop();
    await tap(page, '.checkout');
    expect(wxf.navigateTo).not.toHaveBeenCalled();
  });

  test('shows the localised error and retries when the products cannot be loaded', async () => {
    const server = standardServer().on('GET /api/products', 'network');
    fakeWx({ server });
    const page = await openShop();
    expect(text(page, '.error')).toBe('No connection to the shop. Check your network and try again.');
    server.on('GET /api/products', { status: 503, body: errorBody('UPSTREAM_UNAVAILABLE') });
    await tap(page, '.retry');
    await until(() => !page.data.loading);
    expect(text(page, '.error')).toBe('The payment provider is busy. Please try again in a moment.');
    server.on('GET /api/products', { status: 200, body: { products: [] } });
    await tap(page, '.retry');
    await until(() => !page.data.loading);
    expect(page.data.error).toBe('');
    expect(allText(page)).toContain('No products yet.');
  });

  test('labels sandbox mode in a develop build against the simulator, and not in a release build', async () => {
    fakeWx({ server: standardServer({ mode: 'simulator' }) });
    let page = await openShop();
    expect(page.data.sandbox).toBe(true);
    expect(allText(page)).toContain('payments are simulated');
    fakeWx({ server: standardServer({ mode: 'simulator' }), envVersion: 'release' });
    page = await openShop();
    expect(page.data.sandbox).toBe(false);
  });

  test('My orders opens the order history', async () => {
    const wxf = fakeWx();
    const page = await openShop();
    await tap(page, '.orders-link');
    expect(wxf.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/orders/orders' }));
  });

  test('shows an emptied cart when the shopper comes back after checking out', async () => {
    fakeWx();
    const page = await openShop();
    stepper(page, 0, 'increase');
    await flush();
    expect(page.data.count).toBe(1);
    mp('services/cart').clearCart();
    page.instance.onShow();
    await flush();
    expect(page.data.count).toBe(0);
    expect(page.data.products[0].quantity).toBe(0);
  });
});
