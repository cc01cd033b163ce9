// The payment flow service on its own: reading the pay sheet's answer, classifying orders, and the
// default time bound of the wait (60 s, polls of at most 25 s) on a fake clock.
import { fakeWx, order, standardServer } from './harness';
import type { Call } from './harness';

type PaymentModule = typeof import('../../miniprogram/services/payment');
let payment: PaymentModule;

beforeEach(() => {
  jest.resetModules();
  payment = require('../../miniprogram/services/payment');
});
afterEach(() => jest.useRealTimers());

test.each([
  ['requestPayment:ok', { kind: 'ok' }],
  ['requestPayment:fail cancel', { kind: 'cancel' }],
  ['requestPayment:cancel', { kind: 'cancel' }],
  ['requestPayment:fail 支付签名验证失败', { kind: 'fail', detail: '支付签名验证失败' }],
  ['requestPayment:fail', { kind: 'fail', detail: '' }],
  ['something else', { kind: 'fail', detail: 'something else' }],
])('reads "%s" from the pay sheet', (errMsg, outcome) => {
  expect(payment.parsePaymentResult(errMsg)).toEqual(outcome);
});

test('classifies orders: final statuses, processing is pending, and only a new payment error is a failure', () => {
  const old = { code: 'PAYMENT_FAILED', message: '', at: '2026-01-01T00:00:00Z' };
  const fresh = { code: 'PAYMENT_DECLINED', message: '', at: '2026-01-01T00:05:00Z' };
  expect(payment.classify(order({ status: 'paid' })).kind).toBe('paid');
  expect(payment.classify(order({ status: 'expired' })).kind).toBe('expired');
  expect(payment.classify(order({ status: 'cancelled' })).kind).toBe('cancelled');
  expect(payment.classify(order({ status: 'processing' })).kind).toBe('pending');
  expect(payment.classify(order()).kind).toBe('payable');
  expect(payment.classify(order({ lastPaymentError: old })).kind).toBe('failed');
  expect(payment.classify(order({ lastPaymentError: old }), old).kind).toBe('payable');
  expect(payment.classify(order({ lastPaymentError: fresh }), old).kind).toBe('failed');
});

test('by default waits at most 60 s in long polls of at most 25 s, then reports pending', async () => {
  const polls: Call[] = [];
  const server = standardServer().on('GET /api/orders/:id', (call) => {
    polls.push(call);
    // A real long poll: the server holds the request for waitSeconds, then answers unchanged.
    const ms = Number(call.query.waitSeconds || 0) * 1000;
    return new Promise((resolve) => setTimeout(() => resolve({ status: 200, body: { order: order({ status: 'processing' }) } }), ms));
  });
  fakeWx({ server });
  // Config and session first, on the real clock, so the fake clock only measures the wait.
  await require('../../miniprogram/services/app-config').getConfig();
  await require('../../miniprogram/services/session').ensureSession();
  jest.useFakeTimers();
  const result = payment.waitForVerdict({ order: order({ status: 'processing' }) });
  await jest.advanceTimersByTimeAsync(0);
  let verdict: unknown;
  result.then((v) => (verdict = v));
  await jest.advanceTimersByTimeAsync(59000);
  expect(verdict).toBeUndefined();
  await jest.advanceTimersByTimeAsync(2000);
  expect(verdict).toMatchObject({ kind: 'pending' });
  const waits = polls.map((c) => Number(c.query.waitSeconds || 0));
  expect(waits.slice(0, 2)).toEqual([25, 25]);
  expect(Math.max(...waits)).toBeLessThanOrEqual(25);
  expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60);
  expect(polls.filter((c) => c.query.waitSeconds).every((c) => c.query.unlessStatus === 'processing')).toBe(true);
  // Each long poll gets a request timeout longer than the wait itself.
  const timeouts = server.request.mock.calls.filter(([o]) => o.url.includes('/api/orders/')).map(([o]) => o.timeout);
  expect(timeouts[0]).toBeGreaterThan(25000);
});

test('returns as soon as the server answers with a final status', async () => {
  const server = standardServer().on('GET /api/orders/:id', { status: 200, body: { order: order({ status: 'expired' }) } });
  fakeWx({ server });
  await expect(payment.waitForVerdict({ order: order() })).resolves.toMatchObject({ kind: 'expired' });
  expect(server.count('GET /api/orders/ord_1')).toBe(1);
});
