// The result page: the server decides. Waiting after "ok" (bounded long polls), cancel, failure,
// pay again on the same order, time-bound expiry, final states, and opening an order from history.
import { allText, attrs, errorBody, fakeWx, flush, load, mp, order, PAY_PARAMS, standardServer, tap, text, until } from './harness';
import type { Call, FakeServer, FakeWxOptions, Rendered, WxFakes } from './harness';
import type { Order } from '../../server/contract';

/** A GET /api/orders/:id that answers with each of `orders` in turn (the last one repeats). */
function sequence(server: FakeServer, orders: Order[]): Call[] {
  const polls: Call[] = [];
  server.on('GET /api/orders/:id', (call) => {
    polls.push(call);
    return { status: 200, body: { order: orders[Math.min(polls.length - 1, orders.length - 1)] } };
  });
  return polls;
}

interface Opened {
  page: Rendered;
  wxf: WxFakes;
}

/** Loads the result page; with `pay`, first runs a payment as checkout would (so the page gets the attempt). */
async function openResult(options: FakeWxOptions & { pay?: boolean; wait?: Record<string, number> } = {}): Promise<Opened> {
  const wxf = fakeWx(options);
  const page = load('pages/result/result');
  mp('services/payment').configureWait({ minIntervalMs: 0, ...(options.wait ?? {}) });
  if (options.pay) await mp('services/payment').payOrder('ord_1');
  page.instance.onLoad({ id: 'ord_1' });
  await flush();
  return { page, wxf };
}

const settledStates = ['paid', 'payable', 'failed', 'pending', 'cancelled', 'expired', 'error'];
const settledOn = (page: Rendered) => () => settledStates.indexOf(page.data.state) >= 0;

describe('after wx.requestPayment:ok', () => {
  test('waits for the server with long polls and shows success only when the server says paid', async () => {
    const server = standardServer();
    const polls: Call[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.on('GET /api/orders/:id', async (call) => {
      polls.push(call);
      if (polls.length > 1) return { status: 200, body: { order: order({ status: 'paid' }) } };
      await gate;
      return { status: 200, body: { order: order({ status: 'processing' }) } };
    });
    const { page } = await openResult({ server, pay: true });
    expect(page.data.state).toBe('waiting');
    expect(allText(page)).toContain('Confirming your payment');
    expect(page.querySelector('.pay')).toBeFalsy();
    release();
    await until(settledOn(page));
    expect(page.data.state).toBe('paid');
    expect(text(page, '.paid')).toBe('Payment successful');
    expect(polls.map((c) => c.query)).toEqual([
      { waitSeconds: '25', unlessStatus: 'awaiting_payment' },
      { waitSeconds: '25', unlessStatus: 'processing' },
    ]);
  });

  test("never asks for longer polls than the server's maxWaitSeconds", async () => {
    const server = standardServer({ maxWaitSeconds: 10 });
    const polls = sequence(server, [order({ status: 'paid' })]);
    const { page } = await openResult({ server, pay: true });
    await until(settledOn(page));
    expect(polls[0].query.waitSeconds).toBe('10');
  });

  test("says \"we're confirming your payment\" when the time bound runs out, and Check again resumes the wait", async () => {
    const server = standardServer();
    const polls = sequence(server, [order({ status: 'processing' })]);
    const { page } = await openResult({ server, pay: true, wait: { totalMs: 40, minIntervalMs: 5 } });
    await until(settledOn(page));
    expect(page.data.state).toBe('pending');
    expect(text(page, '.pending')).toBe("We're confirming your payment");
    expect(allText(page)).toContain('My orders');
    expect(page.querySelector('.pay')).toBeFalsy();
    // Below a second left, the poll does not ask the server to wait at all.
    expect(polls[0].query.waitSeconds).toBeUndefined();

    const after = sequence(server, [order({ status: 'paid' })]);
    await tap(page, '.refresh');
    await until(settledOn(page));
    expect(page.data.state).toBe('paid');
    // "Check again" asks the server to re-check with Airwallex first.
    expect(after[0].query).toEqual({ refresh: 'true' });
  });

  test('an order still awaiting payment when the bound runs out is "being confirmed", not payable', async () => {
    const server = standardServer();
    sequence(server, [order({ status: 'awaiting_payment' })]);
    const { page } = await openResult({ server, pay: true, wait: { totalMs: 30, minIntervalMs: 5 } });
    await until(settledOn(page));
    expect(page.data.state).toBe('pending');
  });

  test('shows the reason when the server records a failed attempt, and offers Pay again', async () => {
    const server = standardServer();
    sequence(server, [order({ lastPaymentError: { code: 'PAYMENT_DECLINED', message: 'declined', at: '2026-11-26T12:02:00Z' } })]);
    const { page } = await openResult({ server, pay: true });
    await until(settledOn(page));
    expect(page.data.state).toBe('failed');
    expect(text(page, '.reason')).toBe('The payment was declined. Please try another payment method in WeChat Pay.');
    expect(text(page, '.pay')).toBe('Pay again');
  });

  test('a payment error from an earlier attempt does not count as this attempt failing', async () => {
    const old = { code: 'PAYMENT_FAILED', message: 'old', at: '2026-11-26T11:00:00Z' };
    const server = standardServer().on('POST /api/orders/:id/payment', {
      status: 200,
      body: { order: order({ lastPaymentError: old }), requestPayment: PAY_PARAMS },
    });
    sequence(server, [order({ lastPaymentError: old }), order({ status: 'paid' })]);
    const { page } = await openResult({ server, pay: true });
    await until(settledOn(page));
    expect(page.data.state).toBe('paid');
  });

  test('stops polling when the page is closed: the long poll in flight is aborted and none follows', async () => {
    const server = standardServer();
    const polls: Call[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.on('GET /api/orders/:id', async (call) => {
      polls.push(call);
      await gate;
      return { status: 200, body: { order: order({ status: 'processing' }) } };
    });
    const { page } = await openResult({ server, pay: true });
    await until(() => polls.length === 1);
    page.instance.onUnload();
    expect(polls[0].aborted).toBe(true);
    release();
    await flush(8);
    expect(polls).toHaveLength(1);
    expect(server.pending()).toEqual([]);
  });
});

describe('cancel and failure', () => {
  test('a shopper cancel is not an error: the order stays payable and Pay again pays the same order', async () => {
    const { page, wxf } = await openResult({ pay: true, payResult: 'requestPayment:fail cancel' });
    await until(settledOn(page));
    expect(page.data.state).toBe('payable');
    expect(text(page, '.shopper-cancel')).toBe('You closed the payment. Nothing was charged; the order is still open.');
    expect(page.querySelector('.error')).toBeFalsy();
    expect(page.querySelector('.failed')).toBeFalsy();
    expect(text(page, '.pay')).toBe('Pay again');

    wxf.requestPayment.mockImplementation((o: any) => queueMicrotask(() => o.success({ errMsg: 'requestPayment:ok' })));
    sequence(wxf.server, [order({ status: 'paid' })]);
    await tap(page, '.pay');
    await until(() => page.data.state === 'paid');
    expect(wxf.server.count('POST /api/orders/ord_1/payment')).toBe(2);
    expect(wxf.server.count('POST /api/orders')).toBe(0);
    expect(wxf.requestPayment).toHaveBeenCalledTimes(2);
  });

  test("a failure shows the reason in plain words and Pay again, never the pay sheet's developer text", async () => {
    const { page } = await openResult({ pay: true, payResult: 'requestPayment:fail jsapi has no permission, event=requestPayment' });
    await until(settledOn(page));
    expect(page.data.state).toBe('failed');
    expect(text(page, '.failed')).toBe('Payment failed');
    expect(text(page, '.reason')).toBe('The payment did not go through. Please try again.');
    expect(allText(page)).not.toMatch(/jsapi|requestPayment|WeChat says/);
    expect(text(page, '.pay')).toBe('Pay again');
  });

  test('a double tap on Pay again makes one payment request', async () => {
    const { page, wxf } = await openResult({ pay: true, payResult: 'requestPayment:fail cancel' });
    await until(settledOn(page));
    const button = page.querySelector('.pay')!;
    button.dispatchEvent('tap');
    button.dispatchEvent('tap');
    await until(settledOn(page));
    await flush(6);
    expect(wxf.server.count('POST /api/orders/ord_1/payment')).toBe(2);
    expect(wxf.requestPayment).toHaveBeenCalledTimes(2);
  });

  test('the server has the last word: a "failed" sheet on an order the server saw paid shows success', async () => {
    const server = standardServer();
    sequence(server, [order({ status: 'paid' })]);
    const { page } = await openResult({ server, pay: true, payResult: 'requestPayment:fail 网络错误' });
    await until(settledOn(page));
    expect(page.data.state).toBe('paid');
  });

  test('when the order can no longer be paid, Pay again says so and shows the order as it is', async () => {
    const { page, wxf } = await openResult({ pay: true, payResult: 'requestPayment:fail cancel' });
    await until(settledOn(page));
    wxf.server
      .on('POST /api/orders/:id/payment', { status: 409, body: errorBody('ORDER_NOT_PAYABLE') })
      .on('GET /api/orders/:id', { status: 200, body: { order: order({ status: 'expired' }) } });
    await tap(page, '.pay');
    await until(() => page.data.state === 'expired');
    await flush();
    expect(text(page, '.expired')).toBe('This order expired before it was paid.');
    expect(text(page, '.error')).toBe('This order can no longer be paid.');
  });

  test('Cancel order asks first, then shows the order cancelled', async () => {
    const { page, wxf } = await openResult({ pay: true, payResult: 'requestPayment:fail cancel' });
    await until(settledOn(page));
    wxf.server.on('POST /api/orders/:id/cancel', { status: 200, body: { order: order({ status: 'cancelled' }) } });
    await tap(page, '.cancel-order');
    await until(() => page.data.state === 'cancelled');
    // WeChat shows the dialog only when its button texts fit (4 Chinese / 8 Latin characters).
    expect(wxf.modals).toEqual([{ title: 'Cancel this order?', content: 'It cannot be paid afterwards.', confirmText: 'Yes', cancelText: 'No' }]);
    expect(text(page, '.cancelled')).toBe('This order was cancelled.');
    expect(page.querySelector('.pay')).toBeFalsy();
  });

  test('Cancel order asks in Chinese too, with button texts WeChat accepts', async () => {
    const { page, wxf } = await openResult({ pay: true, payResult: 'requestPayment:fail cancel', language: 'zh_CN' });
    await until(settledOn(page));
    wxf.server.on('POST /api/orders/:id/cancel', { status: 200, body: { order: order({ status: 'cancelled' }) } });
    await tap(page, '.cancel-order');
    await until(() => page.data.state === 'cancelled');
    expect(wxf.modals).toEqual([{ title: '取消此订单？', content: '取消后将无法支付。', confirmText: '取消订单', cancelText: '暂不取消' }]);
  });

  test('Cancel order does nothing when the shopper keeps the order', async () => {
    const { page, wxf } = await openResult({ pay: true, payResult: 'requestPayment:fail cancel' });
    await until(settledOn(page));
    wxf.showModal.mockImplementation((o: any) => queueMicrotask(() => o.success({ confirm: false, cancel: true })));
    await tap(page, '.cancel-order');
    await flush(6);
    expect(wxf.server.count('POST /api/orders/ord_1/cancel')).toBe(0);
    expect(page.data.state).toBe('payable');
  });
});

describe('opened from the history', () => {
  test.each([
    ['paid', '.paid', 'This order is paid'],
    ['cancelled', '.cancelled', 'This order was cancelled.'],
    ['expired', '.expired', 'This order expired before it was paid.'],
    ['awaiting_payment', '.payable', 'Payment not completed'],
  ] as const)('re-checks the status and shows a %s order', async (status, selector, headline) => {
    const server = standardServer();
    const polls = sequence(server, [order({ status })]);
    const { page } = await openResult({ server });
    await until(settledOn(page));
    expect(text(page, selector)).toBe(headline);
    expect(polls[0].query).toEqual({});
    expect(!!page.querySelector('.pay')).toBe(status === 'awaiting_payment');
    expect(allText(page)).toContain('Green tea× 2¥25.00');
  });

  test('offers Pay now (not Pay again) for an open order', async () => {
    const { page } = await openResult();
    await until(settledOn(page));
    expect(text(page, '.pay')).toBe('Pay now');
  });

  test('waits for a processing order', async () => {
    const server = standardServer();
    const polls = sequence(server, [order({ status: 'processing' }), order({ status: 'paid' })]);
    const { page } = await openResult({ server });
    await until(settledOn(page));
    expect(page.data.state).toBe('paid');
    expect(polls[1].query).toEqual({ waitSeconds: '25', unlessStatus: 'processing' });
  });

  test('shows the error and retries when the order cannot be read', async () => {
    const server = standardServer().on('GET /api/orders/:id', { status: 404, body: errorBody('ORDER_NOT_FOUND') });
    const { page } = await openResult({ server });
    await until(settledOn(page));
    expect(page.data.state).toBe('error');
    expect(allText(page)).toContain('We could not find this order.');
    const after = sequence(server, [order({ status: 'paid' })]);
    await tap(page, '.retry');
    await until(() => page.data.state === 'paid');
    expect(after[0].query).toEqual({ refresh: 'true' });
  });

  test('speaks Chinese when the system does', async () => {
    const server = standardServer();
    sequence(server, [order({ status: 'paid' })]);
    const { page } = await openResult({ server, language: 'zh_CN' });
    await until(settledOn(page));
    expect(text(page, '.paid')).toBe('订单已支付');
    expect(allText(page)).toContain('已支付');
    expect(allText(page)).toContain('绿茶');
  });
});

describe('one obvious next step in every outcome', () => {
  const primaryOf = (page: ReturnType<typeof load>) =>
    Array.from(page.dom!.querySelectorAll('wx-button'))
      .map((b) => ({ attrs: (b as any).__wxElement._vt.attrs as Array<{ name: string; value: unknown }>, text: (b.textContent || '').trim() }))
      .filter((b) => b.attrs.some((a) => a.name === 'type' && a.value === 'primary'))
      .map((b) => b.text);

  test.each([
    ['paid', order({ status: 'paid' }), undefined, ['Done']],
    ['a closed pay sheet', order(), 'requestPayment:fail cancel', ['Pay again']],
    ['a failed payment', order(), 'requestPayment:fail 余额不足', ['Pay again']],
    ['expired', order({ status: 'expired' }), undefined, ['Continue shopping']],
    ['cancelled', order({ status: 'cancelled' }), undefined, ['Continue shopping']],
  ] as const)('%s: exactly one primary button', async (_name, shown, payResult, primary) => {
    const server = standardServer();
    sequence(server, [shown]);
    const { page } = await openResult({ server, pay: !!payResult, payResult });
    await until(settledOn(page));
    expect(primaryOf(page)).toEqual(primary);
  });

  test('still confirming: Check again is the primary action, My orders the other', async () => {
    const server = standardServer();
    sequence(server, [order({ status: 'processing' })]);
    const { page } = await openResult({ server, pay: true, wait: { totalMs: 0 } });
    await until(settledOn(page));
    expect(page.data.state).toBe('pending');
    expect(primaryOf(page)).toEqual(['Check again']);
    expect(text(page, '.orders')).toBe('My orders');
  });

  test('Done after a payment goes back to the shop tab; My orders to the orders tab', async () => {
    const server = standardServer();
    sequence(server, [order({ status: 'paid' })]);
    const { page, wxf } = await openResult({ server });
    await until(settledOn(page));
    await tap(page, '.done');
    expect(wxf.switchTab).toHaveBeenCalledWith(expect.objectContaining({ url: '/pages/shop/shop' }));
  });

  test('the result shows a native icon per outcome', async () => {
    const server = standardServer();
    sequence(server, [order({ status: 'paid' })]);
    const { page } = await openResult({ server });
    await until(settledOn(page));
    expect(page.dom!.querySelector('wx-icon')).toBeTruthy();
    expect(page.data.icon).toBe('success');
  });
});

describe('order details', () => {
  test('shows the order number with Copy, when it was ordered and paid, and item pictures', async () => {
    const server = standardServer();
    sequence(server, [order({ status: 'paid', paidAt: '2026-11-26T12:03:00.000Z' })]);
    const { page, wxf } = await openResult({ server });
    await until(settledOn(page));
    await flush();
    const info = text(page, '.info');
    expect(info).toContain('Order numberord_1Copy');
    expect(info).toContain('Ordered');
    expect(text(page, '.paid-time')).toMatch(/^2026-11-26 \d\d:03$/);
    expect(attrs(page, '.copy')).toMatchObject({ 'aria-role': 'button', 'aria-label': 'Copy ord_1' });
    await tap(page, '.copy');
    expect(wxf.setClipboardData).toHaveBeenCalledWith(expect.objectContaining({ data: 'ord_1' }));
    expect(attrs(page.querySelector('.lines') as Rendered, '.thumb').src).toBe('http://localhost:3000/static/products/tea.png');
  });

  test('counts down to expiresAt while the order is unpaid, and checks again when time is up', async () => {
    // A fake clock that also moves with real time, so the page's own waits still end; the jump is explicit.
    jest.useFakeTimers({ advanceTimers: true, doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    try {
      const server = standardServer();
      const soon = new Date(Date.now() + 90_500).toISOString();
      const polls = sequence(server, [order({ expiresAt: soon })]);
      const { page } = await openResult({ server });
      await until(settledOn(page));
      expect(text(page, '.countdown')).toMatch(/^Pay within 01:(30|29)$/);
      const after = sequence(server, [order({ status: 'expired', expiresAt: soon })]);
      jest.advanceTimersByTime(92_000);
      await until(() => page.data.state === 'expired');
      expect(polls).toHaveLength(1);
      expect(after).toHaveLength(1);
      expect(page.querySelector('.countdown')).toBeFalsy();
    } finally {
      jest.useRealTimers();
    }
  });

  test('no countdown on a paid order', async () => {
    const server = standardServer();
    sequence(server, [order({ status: 'paid', expiresAt: new Date(Date.now() + 600_000).toISOString() })]);
    const { page } = await openResult({ server });
    await until(settledOn(page));
    expect(page.querySelector('.countdown')).toBeFalsy();
  });
});

describe('refunds', () => {
  const refund = (status: 'pending' | 'succeeded' | 'failed', amount: number, id = `rf_${status}`) => ({
    id,
    amount: { amount, currency: 'CNY' },
    reason: null,
    status,
    createdAt: '2026-11-27T09:00:00.000Z',
    updatedAt: '2026-11-27T09:00:00.000Z',
  });

  async function openWith(o: Order, language = 'en') {
    const server = standardServer();
    sequence(server, [o]);
    const { page } = await openResult({ server, language });
    await until(settledOn(page));
    await flush();
    return page;
  }

  test('a partial refund: "Refunded ¥12.50", the order still paid', async () => {
    const page = await openWith(order({ status: 'paid', refunds: [refund('succeeded', 1250)], refundedTotal: { amount: 1250, currency: 'CNY' } }));
    expect(text(page, '.refunded')).toBe('Refunded ¥12.50');
    expect(text(page, '.order')).toContain('Paid');
    expect(page.querySelector('.refund-pending')).toBeFalsy();
  });

  test('a full refund: the status says Refunded', async () => {
    const page = await openWith(order({ status: 'paid', refunds: [refund('succeeded', 2500)], refundedTotal: { amount: 2500, currency: 'CNY' } }));
    expect(text(page, '.refunded')).toBe('Refunded ¥25.00');
    expect(text(page, '.head')).toContain('Refunded');
  });

  test('a refund being processed, and a failed one that does not count', async () => {
    const page = await openWith(
      order({ status: 'paid', refunds: [refund('failed', 2500), refund('pending', 500)], refundedTotal: { amount: 0, currency: 'CNY' } }),
    );
    expect(text(page, '.refund-pending')).toBe('Refund in progress: ¥5.00');
    expect(page.querySelector('.refunded')).toBeFalsy();
    expect(text(page, '.head')).toContain('Paid');
    // The result's own line says it too, under "Payment successful".
    expect(text(page, '.refund-hint')).toBe('Refund in progress: ¥5.00');
  });

  test('speaks Chinese', async () => {
    const page = await openWith(
      order({ status: 'paid', refunds: [refund('succeeded', 1250), refund('pending', 500)], refundedTotal: { amount: 1250, currency: 'CNY' } }),
      'zh_CN',
    );
    expect(text(page, '.refunded')).toBe('已退款 ¥12.50');
    expect(text(page, '.refund-pending')).toBe('退款处理中：¥5.00');
  });
});
