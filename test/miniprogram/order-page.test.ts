// The order page as a shopper on a real phone meets it: what the badge and headline say while and
// after paying, where Done leads, getting help (customer service, the payment reference, Copy behind
// WeChat's privacy agreement), and the subscription messages asked for on Pay again.
import { agreePrivacy, allText, attrs, fakeWx, flush, order, standardServer, tap, TEMPLATES, text, until } from './harness';
import type { FakeWxOptions, Rendered, WxFakes } from './harness';
import type { Order } from '../../server/contract';

const refund = (amount: number) => ({
  id: `rf_${amount}`,
  amount: { amount, currency: 'CNY' },
  reason: null,
  status: 'succeeded' as const,
  createdAt: '2026-11-27T09:00:00.000Z',
  updatedAt: '2026-11-27T09:00:00.000Z',
});

const top = (wxf: WxFakes): Rendered => wxf.app.top().page;
const settled = (page: Rendered) => ['loading', 'waiting'].indexOf(page.data.state) < 0;

/** My orders → the order `shown`, as the shopper opens it from the history. */
async function fromHistory(shown: Order, options: FakeWxOptions = {}): Promise<WxFakes> {
  const wxf = fakeWx({ server: standardServer().on('GET /api/orders/:id', { status: 200, body: { order: shown } }), ...options });
  const orders = wxf.app.launch('pages/orders/orders').page;
  await until(() => !orders.data.loading);
  await tap(orders, '.order-ord_1');
  await until(() => wxf.app.top().route === 'pages/result/result' && settled(top(wxf)));
  await flush();
  return wxf;
}

describe('while and after paying', () => {
  test('while the payment is being confirmed the badge says Processing, not "Awaiting payment"', async () => {
    const wxf = fakeWx({ server: standardServer().on('GET /api/orders/:id', 'never') });
    const shop = wxf.app.launch('pages/shop/shop').page;
    await until(() => shop.data.products.length > 0);
    shop.querySelectorAll('.stepper')[0].querySelector('.increase')!.dispatchEvent('tap');
    await flush();
    await tap(shop, '.checkout');
    await until(() => wxf.app.top().route === 'pages/checkout/checkout' && !top(wxf).data.loading);
    await tap(top(wxf), '.pay');
    await until(() => wxf.app.top().route === 'pages/result/result' && top(wxf).data.state === 'waiting');
    await flush();
    expect(text(top(wxf), '.head')).toContain('Processing');
    expect(allText(top(wxf))).not.toContain('Awaiting payment');
  });

  test('a fully refunded order does not open with "Payment successful": it says it was refunded', async () => {
    const wxf = await fromHistory(order({ status: 'paid', refunds: [refund(2500)], refundedTotal: { amount: 2500, currency: 'CNY' } }));
    const page = top(wxf);
    expect(text(page, '.headline')).toBe('This order was refunded');
    expect(text(page, '.refund-hint')).toBe('Refunded ¥25.00');
    expect(page.data.icon).not.toBe('success');
    expect(allText(page)).not.toContain('Payment successful');
  });

  test('an order paid earlier says it is paid, without the thanks for a payment just made', async () => {
    const wxf = await fromHistory(order({ status: 'paid' }));
    expect(text(top(wxf), '.headline')).toBe('This order is paid');
    expect(allText(top(wxf))).not.toContain('Thank you');
  });

  test('Done goes back to My orders when the order was opened from there, and to the shop otherwise', async () => {
    const wxf = await fromHistory(order({ status: 'paid' }));
    await tap(top(wxf), '.done');
    await flush();
    expect(wxf.app.routes()).toEqual(['pages/orders/orders']);
    expect(wxf.switchTab).not.toHaveBeenCalled();

    // Opened on its own (a subscription message, a share): nothing below it, so the shop.
    wxf.app.launch('pages/result/result?id=ord_1');
    await until(() => top(wxf).data.state === 'paid');
    top(wxf).querySelector('.done')!.dispatchEvent('tap');
    top(wxf).querySelector('.done')!.dispatchEvent('tap');
    await until(() => wxf.app.top().route === 'pages/shop/shop');
    expect(wxf.app.routes()).toEqual(['pages/shop/shop']);
  });
});

describe('help', () => {
  test.each([
    ['failed', order({ lastPaymentError: { code: 'PAYMENT_DECLINED', message: 'declined', at: '2026-11-26T12:02:00Z' } })],
    ['expired', order({ status: 'expired' })],
  ])('%s: the outcome offers the customer service chat among its actions, telling the agent which order', async (state, shown) => {
    const wxf = await fromHistory(shown);
    expect(top(wxf).data.state).toBe(state);
    expect(attrs(top(wxf), '.actions .contact')).toMatchObject({
      'open-type': 'contact',
      'session-from': 'order:ord_1',
      'send-message-path': '/pages/result/result?id=ord_1',
    });
    expect(text(top(wxf), '.contact')).toBe('Contact us');
  });

  test('every order shows the payment reference a support agent asks for, and a way to contact the shop', async () => {
    const wxf = await fromHistory(order({ status: 'paid', paymentIntentId: 'int_hkdm7s2x' }));
    expect(text(top(wxf), '.info')).toContain('Payment referenceint_hkdm7s2x');
    expect(attrs(top(wxf), '.payment-ref')['user-select']).toBe(true);
    expect(attrs(top(wxf), '.info .help')['open-type']).toBe('contact');
  });

  test('no payment reference before the first payment was started', async () => {
    const wxf = await fromHistory(order({ paymentIntentId: null }));
    expect(top(wxf).querySelector('.payment-ref')).toBeFalsy();
  });
});

describe('Copy and the privacy agreement', () => {
  test('before the shopper agreed, Copy shows the privacy popup; Agree (WeChat\'s own button) copies', async () => {
    const wxf = await fromHistory(order({ status: 'paid' }));
    await tap(top(wxf), '.copy');
    expect(top(wxf).data.privacy).toBe(true);
    expect(wxf.clipboard()).toBe('');
    expect(attrs(top(wxf), '.agree')).toMatchObject({ 'open-type': 'agreePrivacyAuthorization' });
    await tap(top(wxf), '.guide');
    expect(wxf.privacy.openedContract).toBe(1);
    await agreePrivacy(top(wxf), '.agree');
    await flush();
    expect(wxf.clipboard()).toBe('ord_1');
    expect(top(wxf).querySelector('.mask')).toBeFalsy();
    // Agreed once: the next Copy needs no popup.
    await tap(top(wxf), '.copy');
    expect(top(wxf).data.privacy).toBe(false);
  });

  test('"Not now" closes the popup; nothing is copied and the shopper is told how to copy by hand', async () => {
    const wxf = await fromHistory(order({ status: 'paid' }));
    await tap(top(wxf), '.copy');
    await tap(top(wxf), '.disagree');
    await flush();
    expect(wxf.clipboard()).toBe('');
    expect(wxf.toasts).toEqual(['Not copied. Press and hold the number to copy it.']);
    expect(attrs(top(wxf), '.value')['user-select']).toBe(true);
  });

  test('a privacy guide that does not declare the clipboard (errno 112): the shopper is told, the server log learns it', async () => {
    const wxf = await fromHistory(order({ status: 'paid' }), { privacy: { declared: [], agreed: true } });
    await tap(top(wxf), '.copy');
    await until(() => wxf.server.count('POST /api/client-errors') === 1);
    expect(wxf.toasts).toEqual(['Not copied. Press and hold the number to copy it.']);
    expect(wxf.server.calls.find((c) => c.path === '/api/client-errors')!.data.message).toMatch(/clipboard is not declared/);
  });
});

describe('subscription messages on Pay again', () => {
  test('asked from the tap itself, then told to the server for this order', async () => {
    const server = standardServer({ subscribeTemplates: TEMPLATES }).on('GET /api/orders/:id', { status: 200, body: { order: order() } });
    const wxf = await fromHistory(order(), { server, subscribe: { choose: () => ({ tmpl_paid: 'accept', tmpl_refund: 'reject' }) } });
    await tap(top(wxf), '.pay');
    await until(() => wxf.server.count('POST /api/orders/ord_1/subscriptions') === 1);
    expect(wxf.subscribe.calls).toEqual([
      { ids: ['tmpl_paid', 'tmpl_refund'], gesture: true, result: { errMsg: 'requestSubscribeMessage:ok', tmpl_paid: 'accept', tmpl_refund: 'reject' } },
    ]);
    const sent = wxf.server.calls.find((c) => c.path === '/api/orders/ord_1/subscriptions')!;
    expect(sent.data).toEqual({ results: { tmpl_paid: 'accept', tmpl_refund: 'reject' } });
    expect(sent.headers.Authorization).toMatch(/^Bearer tok/);
  });
});
