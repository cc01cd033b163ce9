// The shop page: products, prices, steppers, cart total, Checkout; loading and error states.
import { allText, attrs, errorBody, fakeWx, flush, load, mp, PRODUCTS, standardServer, tap, text, until } from './harness';

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
  test('shows skeleton rows, labelled for screen readers, until the products arrive', async () => {
    fakeWx({ server: standardServer().on('GET /api/products', 'never') });
    const page = load('pages/shop/shop');
    page.instance.onLoad({});
    await flush();
    expect(page.data.loading).toBe(true);
    expect(page.querySelectorAll('.skeleton')).toHaveLength(4);
    expect(attrs(page, '.list')).toMatchObject({ 'aria-role': 'progressbar', 'aria-label': 'Loading products…' });
  });

  test('lists the products with picture, English name, one-line description and price', async () => {
    fakeWx({ language: 'en' });
    const page = await openShop();
    expect(page.data.products.map((p: { name: string }) => p.name)).toEqual(['Green tea', 'Steamed bun']);
    expect(text(page, '.product-tea')).toBe('Green teaSpring Longjing, 100 g¥12.50+');
    expect(text(page, '.product-bun')).toContain('Steamed bunPork and cabbage¥3.00');
    // Pictures come from the server (develop builds: localhost), lazily, cropped to fill.
    expect(attrs(page, '.product-tea .thumb')).toMatchObject({
      src: 'http://localhost:3000/static/products/tea.png',
      mode: 'aspectFill',
      'lazy-load': true,
      'aria-label': 'Green tea',
    });
    expect(text(page, '.checkout')).toBe('Checkout');
    expect(wx.setNavigationBarTitle).toHaveBeenCalledWith(expect.objectContaining({ title: 'Shop' }));
  });

  test('speaks Chinese when the system language is zh_CN', async () => {
    fakeWx({ language: 'zh_CN' });
    const page = await openShop();
    expect(text(page, '.product-tea')).toContain('绿茶明前龙井，100 克¥12.50');
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

  test('the cart bar shows the count and total, and the Shop tab a badge', async () => {
    const wxf = fakeWx();
    const page = await openShop();
    expect(page.querySelector('.cart-count')).toBeFalsy();
    expect(attrs(page, '.checkout').disabled).toBe(true);
    stepper(page, 0, 'increase');
    await flush();
    stepper(page, 1, 'increase');
    await flush();
    expect(text(page, '.cart-count')).toBe('2');
    expect(attrs(page, '.cart')['aria-label']).toBe('Cart: 2 items');
    expect(attrs(page, '.checkout').disabled).toBe(false);
    expect(wxf.tabBar[0].badge).toBe('2');
    stepper(page, 0, 'decrease');
    stepper(page, 1, 'decrease');
    await flush();
    expect(wxf.tabBar[0].badge).toBe('');
  });

  test('the cart survives a relaunch, with the catalogue\'s current prices', async () => {
    const wxf = fakeWx();
    let page = await openShop();
    stepper(page, 0, 'increase');
    await flush();
    stepper(page, 0, 'increase');
    await flush();
    expect(wxf.storage.get('cart')).toEqual([{ product: PRODUCTS[0], quantity: 2 }]);
    // A relaunch: fresh modules, same storage; the tea now costs more and the bun is gone.
    wxf.server.on('GET /api/products', { status: 200, body: { products: [{ ...PRODUCTS[0], price: { amount: 1300, currency: 'CNY' } }] } });
    page = await openShop();
    expect(page.data.products[0].quantity).toBe(2);
    expect(text(page, '.total')).toBe('¥26.00');
  });

  test('pull-down refresh reloads the products, keeps the list on screen and stops the spinner', async () => {
    const wxf = fakeWx();
    const page = await openShop();
    wxf.server.on('GET /api/products', { status: 200, body: { products: [PRODUCTS[1]] } });
    page.instance.onPullDownRefresh();
    expect(page.data.loading).toBe(false);
    await until(() => wxf.stopPullDownRefresh.mock.calls.length > 0);
    expect(page.data.products.map((p: { sku: string }) => p.sku)).toEqual(['bun']);
  });

  test('a failed pull-down refresh keeps the products on screen and says why above them', async () => {
    const wxf = fakeWx();
    const page = await openShop();
    wxf.server.on('GET /api/products', 'network');
    page.instance.onPullDownRefresh();
    await until(() => wxf.stopPullDownRefresh.mock.calls.length > 0);
    await flush();
    expect(page.querySelectorAll('.product')).toHaveLength(2);
    expect(text(page, '.refresh-error')).toBe('No connection to the shop. Check your network and try again.');
    expect(page.querySelector('.retry')).toBeFalsy();
  });

  test('can be shared, with a localised title that opens the shop', async () => {
    fakeWx({ language: 'zh_CN' });
    const page = await openShop();
    expect(page.instance.onShareAppMessage()).toEqual({ title: '好茶、月饼和更多好物，微信支付', path: '/pages/shop/shop' });
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
