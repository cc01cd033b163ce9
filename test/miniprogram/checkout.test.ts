// The checkout page and the pay flow it starts: one order per checkout, one payment per tap, the lock.
import { allText, errorBody, fakeWx, flush, load, mp, order, PAY_PARAMS, PRODUCTS, standardServer, tap, text, until } from './harness';
import type { FakeWxOptions, Rendered, WxFakes } from './harness';

async function openCheckout(options: FakeWxOptions = {}, quantities: [number, number] = [2, 0]): Promise<{ page: Rendered; wxf: WxFakes }> {
  const wxf = fakeWx(options);
  const page = load('pages/checkout/checkout');
  mp('services/cart').setCart([
    { product: PRODUCTS[0], quantity: quantities[0] },
    { product: PRODUCTS[1], quantity: quantities[1] },
  ]);
  page.instance.onLoad({});
  await until(() => !page.data.loading);
  await flush();
  return { page, wxf };
}

describe('checkout page', () => {
  test('shows the items, the total and a Pay button with the amount', async () => {
    const { page } = await openCheckout({ language: 'en' }, [2, 1]);
    expect(allText(page)).toContain('Green tea× 2¥25.00');
    expect(allText(page)).toContain('Steamed bun× 1¥3.00');
    expect(text(page, '.total')).toBe('¥28.00');
    expect(text(page, '.pay')).toBe('Pay ¥28.00');
  });

  test('shows the lines and total the server computed, not its own sum', async () => {
    const server = standardServer().on('POST /api/quote', {
      status: 200,
      body: {
        items: [{ sku: 'tea', name: '绿茶', names: { zh_CN: '绿茶', en: 'Green tea' }, quantity: 2, unitPrice: { amount: 1300, currency: 'CNY' } }],
        total: { amount: 2600, currency: 'CNY' },
      },
    });
    const { page, wxf } = await openCheckout({ server, language: 'en' });
    expect(wxf.server.calls.find((c) => c.path === '/api/quote')!.data).toEqual({ items: [{ sku: 'tea', quantity: 2 }] });
    expect(text(page, '.total')).toBe('¥26.00');
    expect(text(page, '.pay')).toBe('Pay ¥26.00');
  });

  test('says why when the server cannot price the cart', async () => {
    const server = standardServer().on('POST /api/quote', { status: 400, body: errorBody('UNKNOWN_PRODUCT') });
    const { page } = await openCheckout({ server, language: 'en' });
    expect(allText(page)).toContain('A product in your cart is no longer available.');
  });

  test('speaks Chinese when the system does', async () => {
    const { page } = await openCheckout({ language: 'zh_CN' });
    expect(allText(page)).toContain('绿茶× 2¥25.00');
    expect(text(page, '.pay')).toBe('支付 ¥25.00');
  });

  test('says so when the cart is empty', async () => {
    const { page } = await openCheckout({}, [0, 0]);
    expect(allText(page)).toContain('Your cart is empty.');
    expect(page.querySelector('.pay')).toBeFalsy();
  });

  test('Pay logs in fresh, creates the order with an Idempotency-Key, pays with exactly the server fields, then opens the result', async () => {
    const { page, wxf } = await openCheckout();
    await tap(page, '.pay');
    await until(() => wxf.redirectTo.mock.calls.length > 0);
    expect(wxf.server.calls.slice(0, 5).map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /api/config',
      'POST /api/quote',
      'POST /api/sessions',
      'POST /api/orders',
      'POST /api/orders/ord_1/payment',
    ]);
    expect(wxf.login).toHaveBeenCalledTimes(1);
    const create = wxf.server.calls[3];
    expect(create.data).toEqual({ items: [{ sku: 'tea', quantity: 2 }] });
    expect(create.headers['Idempotency-Key']).toMatch(/^mp-/);
    expect(create.headers.Authorization).toBe('Bearer tok1');
    const payArgs = wxf.requestPayment.mock.calls[0][0];
    expect({
      timeStamp: payArgs.timeStamp,
      nonceStr: payArgs.nonceStr,
      package: payArgs.package,
      signType: payArgs.signType,
      paySign: payArgs.paySign,
    }).toEqual(PAY_PARAMS);
    expect(Object.keys(payArgs).sort()).toEqual(['fail', 'nonceStr', 'package', 'paySign', 'signType', 'success', 'timeStamp']);
    expect(wxf.redirectTo.mock.calls[0][0].url).toBe('/pages/result/result?id=ord_1');
    // The result page replaced checkout and, told the sheet said ok, waits for the server's verdict.
    await flush();
    expect(wxf.app.routes()).toEqual(['pages/result/result']);
    expect(wxf.app.top().page.data.state).toBe('waiting');
    expect(mp('services/cart').getCart()).toEqual([]);
  });

  test('a double tap on Pay makes one order and one payment', async () => {
    const { page, wxf } = await openCheckout();
    const button = page.querySelector('.pay')!;
    button.dispatchEvent('tap');
    button.dispatchEvent('tap');
    await flush();
    expect(page.data.paying).toBe(true);
    expect(text(page, '.pay')).toBe('Paying…');
    button.dispatchEvent('tap');
    await until(() => wxf.redirectTo.mock.calls.length > 0);
    button.dispatchEvent('tap');
    await flush(6);
    expect(wxf.server.count('POST /api/orders')).toBe(1);
    expect(wxf.server.count('POST /api/orders/ord_1/payment')).toBe(1);
    expect(wxf.requestPayment).toHaveBeenCalledTimes(1);
    expect(wxf.redirectTo).toHaveBeenCalledTimes(1);
  });

  test('shows the server total once the order exists', async () => {
    const server = standardServer()
      .on('POST /api/orders', { status: 201, body: { order: order({ total: { amount: 2400, currency: 'CNY' } }) } })
      .on('POST /api/orders/:id/payment', { status: 503, body: errorBody('UPSTREAM_UNAVAILABLE') });
    const { page } = await openCheckout({ server });
    await tap(page, '.pay');
    await until(() => !page.data.paying);
    expect(text(page, '.total')).toBe('¥24.00');
    expect(text(page, '.pay')).toBe('Pay ¥24.00');
  });

  test('after a failed payment request, Pay again reuses the same order', async () => {
    const server = standardServer().on('POST /api/orders/:id/payment', { status: 503, body: errorBody('UPSTREAM_UNAVAILABLE') });
    const { page, wxf } = await openCheckout({ server });
    await tap(page, '.pay');
    await until(() => !page.data.paying);
    expect(text(page, '.error')).toBe('The payment provider is busy. Please try again in a moment.');
    server.on('POST /api/orders/:id/payment', { status: 200, body: { order: order(), requestPayment: PAY_PARAMS } });
    await tap(page, '.pay');
    await until(() => wxf.redirectTo.mock.calls.length > 0);
    expect(server.count('POST /api/orders')).toBe(1);
    expect(server.count('POST /api/orders/ord_1/payment')).toBe(2);
  });

  test('a retry after a lost answer sends the same Idempotency-Key, so the server can return the same order', async () => {
    const server = standardServer().on('POST /api/orders', 'network');
    const { page, wxf } = await openCheckout({ server });
    await tap(page, '.pay');
    await until(() => !page.data.paying);
    expect(text(page, '.error')).toBe('No connection to the shop. Check your network and try again.');
    server.on('POST /api/orders', { status: 201, body: { order: order() } });
    await tap(page, '.pay');
    await until(() => wxf.redirectTo.mock.calls.length > 0);
    const keys = server.calls.filter((c) => c.path === '/api/orders').map((c) => c.headers['Idempotency-Key']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  test.each([
    ['VALIDATION_FAILED', 400],
    ['INVALID_JSON', 400],
    ['UNAUTHENTICATED', 401],
    ['ORDER_NOT_FOUND', 404],
    ['UNKNOWN_PRODUCT', 400],
    ['IDEMPOTENCY_KEY_REUSED', 409],
    ['ORDER_NOT_PAYABLE', 409],
    ['ORDER_NOT_CANCELLABLE', 409],
    ['WECHAT_CODE_INVALID', 400],
    ['WECHAT_RATE_LIMITED', 429],
    ['WECHAT_LOGIN_BLOCKED', 403],
    ['PAYMENT_DECLINED', 402],
    ['PAYMENT_NOT_AVAILABLE', 502],
    ['UPSTREAM_REJECTED', 502],
    ['UPSTREAM_UNAVAILABLE', 503],
    ['INTERNAL', 500],
    ['SOMETHING_NEW', 500],
  ])('shows the localised message for %s and unlocks Pay', async (code, status) => {
    const server = standardServer().on('POST /api/orders', { status, body: errorBody(code) });
    const { page, wxf } = await openCheckout({ server });
    await tap(page, '.pay');
    await until(() => !page.data.paying);
    const expected = mp('utils/error-message').errorMessage({ code });
    expect(text(page, '.error')).toBe(expected);
    expect(text(page, '.error')).not.toContain(code);
    expect(wxf.requestPayment).not.toHaveBeenCalled();
    expect(wxf.redirectTo).not.toHaveBeenCalled();
  });

  test.each([
    ['requestPayment:fail cancel', 'payable', 'You closed the payment.'],
    ['requestPayment:fail 余额不足', 'failed', 'The payment did not go through.'],
  ])('after "%s" it still opens the result page, which asks the server', async (errMsg, state, says) => {
    const { page, wxf } = await openCheckout({ payResult: errMsg });
    await tap(page, '.pay');
    await until(() => wxf.app.top().route === 'pages/result/result' && wxf.app.top().page.data.state === state);
    expect(allText(wxf.app.top().page)).toContain(says);
    expect(wxf.server.count('GET /api/orders/ord_1')).toBe(1);
  });
});

describe('sandbox pay sheet', () => {
  test('replaces wx.requestPayment with a labelled simulated sheet and reports its answer through the same path', async () => {
    const server = standardServer({ mode: 'simulator' }).on('POST /simulator/wechat/pay', (call) => ({
      status: 200,
      body: { errMsg: call.data.outcome === 'pay' ? 'requestPayment:ok' : 'requestPayment:fail cancel' },
    }));
    const { page, wxf } = await openCheckout({ server });
    await tap(page, '.pay');
    await until(() => wxf.redirectTo.mock.calls.length > 0);
    expect(wxf.requestPayment).not.toHaveBeenCalled();
    const sheet = wxf.showActionSheet.mock.calls[0][0];
    expect(sheet.itemList).toEqual(['Pay ¥25.00 (simulated)', 'Fail (simulated)']);
    expect(sheet.alertText).toMatch(/Simulated/);
    const simCall = server.calls.find((c) => c.path === '/simulator/wechat/pay')!;
    expect(simCall.data).toEqual({ package: 'prepay_id=wx123', outcome: 'pay' });
    await until(() => wxf.app.top().route === 'pages/result/result');
    await flush();
    expect(wxf.app.top().page.data.state).toBe('waiting');
  });

  test.each([
    [1, 'fail', 'requestPayment:fail simulated failure', 'failed'],
    [-1, 'cancel', 'requestPayment:fail cancel', 'payable'],
  ])('tapping %i sends outcome "%s"', async (tapIndex, outcome, errMsg, state) => {
    const server = standardServer({ mode: 'simulator' }).on('POST /simulator/wechat/pay', { status: 200, body: { errMsg } });
    const wxf0 = fakeWx({ server });
    wxf0.showActionSheet.mockImplementation((o: any) =>
      queueMicrotask(() => (tapIndex >= 0 ? o.success({ tapIndex }) : o.fail({ errMsg: 'showActionSheet:fail cancel' }))),
    );
    const page = load('pages/checkout/checkout');
    mp('services/cart').setCart([{ product: PRODUCTS[0], quantity: 1 }]);
    page.instance.onLoad({});
    await until(() => !page.data.loading);
    await tap(page, '.pay');
    await until(() => wxf0.redirectTo.mock.calls.length > 0);
    expect(server.calls.find((c) => c.path === '/simulator/wechat/pay')!.data.outcome).toBe(outcome);
    await until(() => wxf0.app.top().route === 'pages/result/result' && wxf0.app.top().page.data.state === state);
  });

  test('a release build pays with wx.requestPayment even against a simulator server', async () => {
    const server = standardServer({ mode: 'simulator' });
    const { page, wxf } = await openCheckout({ server, envVersion: 'release' });
    await tap(page, '.pay');
    await until(() => wxf.redirectTo.mock.calls.length > 0);
    expect(wxf.showActionSheet).not.toHaveBeenCalled();
    expect(wxf.requestPayment).toHaveBeenCalledTimes(1);
    expect(server.count('POST /simulator/wechat/pay')).toBe(0);
  });
});
