// The one place that holds our guesses about Airwallex: the status mapping and the pay parameters.
import { failedAttemptOf, orderStatusFor, requestPaymentParamsOf } from '../../server/airwallex/inferred';
import type { AirwallexPaymentIntent } from '../../server/airwallex/types';

const intent = (fields: Partial<AirwallexPaymentIntent>): AirwallexPaymentIntent => ({
  id: 'int_1',
  amount: 12.5,
  currency: 'CNY',
  status: 'REQUIRES_PAYMENT_METHOD',
  created_at: '2026-01-01T00:00:00+0000',
  updated_at: '2026-01-01T00:00:00+0000',
  ...fields,
});

describe('Airwallex status → order status', () => {
  test.each([
    ['REQUIRES_PAYMENT_METHOD', 'awaiting_payment'],
    ['REQUIRES_CUSTOMER_ACTION', 'awaiting_payment'],
    ['PENDING', 'processing'],
    ['PENDING_REVIEW', 'processing'],
    ['REQUIRES_CAPTURE', 'processing'],
    ['SUCCEEDED', 'paid'],
    ['CANCELLED', 'cancelled'],
    ['FAILED', 'cancelled'],
    ['SOMETHING_NEW', null],
  ])('maps %s to %s', (status, expected) => {
    expect(orderStatusFor(intent({ status }))).toBe(expected);
  });

  test('maps an intent we cancelled for age to expired', () => {
    expect(orderStatusFor(intent({ status: 'CANCELLED', cancellation_reason: 'order_expired' }))).toBe('expired');
  });

  test('reads a failed attempt behind REQUIRES_PAYMENT_METHOD, and nothing behind a fresh intent', () => {
    const failed = intent({ latest_payment_attempt: { id: 'att_1', status: 'FAILED', failure_code: 'provider_declined' } });
    expect(failedAttemptOf(failed)).toEqual({ code: 'PAYMENT_FAILED', message: expect.stringContaining('provider_declined') });
    expect(failedAttemptOf(intent({ latest_payment_attempt: { id: 'att_1', status: 'EXPIRED' } }))?.code).toBe('PAYMENT_EXPIRED');
    expect(failedAttemptOf(intent({}))).toBeNull();
    expect(failedAttemptOf(intent({ status: 'REQUIRES_CUSTOMER_ACTION', latest_payment_attempt: { id: 'att_1', status: 'AUTHENTICATION_REDIRECTED' } }))).toBeNull();
  });

  test('both Airwallex timestamp formats parse to the same instant', () => {
    expect(Date.parse('2026-03-26T22:19:00+0000')).toBe(Date.parse('2026-03-26T22:19:00+00:00'));
    expect(Number.isFinite(Date.parse('2026-03-26T22:19:00.123+0000'))).toBe(true);
  });
});

describe('next_action.data → wx.requestPayment parameters', () => {
  const data = { appId: 'wx1', timeStamp: '1767225600', nonceStr: 'n', package: 'prepay_id=wx1', signType: 'RSA', paySign: 'sig' };

  test('passes the five wx.requestPayment fields through, as strings, and nothing else', () => {
    expect(requestPaymentParamsOf(intent({ status: 'REQUIRES_CUSTOMER_ACTION', next_action: { type: 'call_sdk', data } }))).toEqual({
      timeStamp: '1767225600',
      nonceStr: 'n',
      package: 'prepay_id=wx1',
      signType: 'RSA',
      paySign: 'sig',
    });
    const numeric = requestPaymentParamsOf(intent({ next_action: { type: 'call_sdk', data: { ...data, timeStamp: 1767225600 } } }));
    expect(numeric?.timeStamp).toBe('1767225600');
  });

  test('refuses data without a package or a signature, or with an unknown signType', () => {
    expect(requestPaymentParamsOf(intent({ next_action: { type: 'call_sdk', data: { ...data, package: undefined } } }))).toBeNull();
    expect(requestPaymentParamsOf(intent({ next_action: { type: 'call_sdk', data: { ...data, paySign: '' } } }))).toBeNull();
    expect(requestPaymentParamsOf(intent({ next_action: { type: 'call_sdk', data: { ...data, signType: 'SHA1' } } }))).toBeNull();
    expect(requestPaymentParamsOf(intent({}))).toBeNull();
  });
});
