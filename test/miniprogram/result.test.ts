// The result page: the server decides. Waiting after "ok" (bounded long polls), cancel, failure,
// pay again on the same order, time-bound expiry, final states, and opening an order from history.
import { allText, errorBody, fakeWx, flush, load, mp, order, PAY_PARAMS, standardServer, tap, text, until } from './harness';
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
    expect(polls.length).toBeGreaterThan(1);
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

  test('stops polling when the page is closed', async () => {
    const server = standardServer();
    const polls = sequence(server, [order({ status: 'processing' })]);
    const { page } = await openResult({ server, pay: true, wait: { totalMs: 1000, minIntervalMs: 5 } });
    await until(() => polls.length >= 1);
    page.instance.onUnload();
    const count = polls.length;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(polls.length).toBeLessThanOrEqual(count + 1);
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

  test('a failure shows the reason in plain words, what WeChat said, and Pay again', async () => {
    const { page } = await openResult({ pay: true, payResult: 'requestPayment:fail 余额不足' });
    await until(settledOn(page));
    expect(page.data.state).toBe('failed');
    expect(text(page, '.failed')).toBe('Payment failed');
    expect(text(page, '.reason')).toBe('The payment did not go through. Please try again.');
    expect(text(page, '.detail')).toBe('WeChat says: 余额不足');
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
    ['paid', '.paid', 'Payment successful'],
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
    expect(text(page, '.paid')).toBe('支付成功');
    expect(allText(page)).toContain('已支付');
    expect(allText(page)).toContain('绿茶');
  });
});
