// The one place that holds our guesses about Airwallex: the status mapping and the pay parameters.
import { failedAttemptOf, orderStatusFor, refundRank, refundStatusFor, requestPaymentParamsOf, snapshotRank, storedSnapshotRank } from '../../server/airwallex/inferred';
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
  const paramsOf = (next: Record<string, unknown>) => requestPaymentParamsOf(intent({ status: 'REQUIRES_CUSTOMER_ACTION', next_action: { type: 'call_sdk', data: next } })).params;

  test('passes the wx.requestPayment fields through, as strings, and nothing else', () => {
    expect(paramsOf(data)).toEqual({ timeStamp: '1767225600', nonceStr: 'n', package: 'prepay_id=wx1', signType: 'RSA', paySign: 'sig' });
    expect(paramsOf({ ...data, timeStamp: 1767225600 })?.timeStamp).toBe('1767225600');
  });

  test('accepts the spellings a real answer may use: sign, lower and snake case, a bare prepay id', () => {
    const expected = { timeStamp: '1767225600', nonceStr: 'n', package: 'prepay_id=wx1', signType: 'RSA', paySign: 'sig' };
    expect(paramsOf({ timestamp: '1767225600', noncestr: 'n', package: 'prepay_id=wx1', signType: 'RSA', sign: 'sig' })).toEqual(expected);
    expect(paramsOf({ time_stamp: '1767225600', nonce_str: 'n', prepay_id: 'wx1', sign_type: 'RSA', pay_sign: 'sig' })).toEqual(expected);
    expect(paramsOf({ ...data, package: 'Sign=WXPay', prepayId: 'wx1' })?.package).toBe('prepay_id=wx1');
  });

  test('never invents a signType: without one, WeChat applies its own default', () => {
    const { signType: _omitted, ...withoutSignType } = data;
    const params = paramsOf(withoutSignType);
    expect(params).not.toBeNull();
    expect(params).not.toHaveProperty('signType');
  });

  test('refuses data without a package or a signature, or with an unknown signType, naming what is missing and the keys it saw', () => {
    expect(paramsOf({ ...data, package: undefined })).toBeNull();
    expect(paramsOf({ ...data, paySign: '' })).toBeNull();
    expect(paramsOf({ ...data, signType: 'SHA1' })).toBeNull();
    const found = requestPaymentParamsOf(intent({ next_action: { type: 'call_sdk', data: { appId: 'wx1', timeStamp: '1', secretThing: 'x' } } }));
    expect(found).toEqual({ params: null, missing: ['nonceStr', 'package', 'paySign'], keys: ['appId', 'timeStamp', 'secretThing'] });
    expect(requestPaymentParamsOf(intent({})).params).toBeNull();
  });
});

describe('ordering snapshots of the same second', () => {
  test('ranks an intent by how far along its lifecycle it is', () => {
    const failed = { id: 'att_1', status: 'FAILED' };
    expect(snapshotRank(intent({ status: 'REQUIRES_PAYMENT_METHOD' }))).toBeLessThan(snapshotRank(intent({ status: 'REQUIRES_CUSTOMER_ACTION' })));
    expect(snapshotRank(intent({ status: 'REQUIRES_CUSTOMER_ACTION' }))).toBeLessThan(snapshotRank(intent({ status: 'REQUIRES_PAYMENT_METHOD', latest_payment_attempt: failed })));
    expect(snapshotRank(intent({ status: 'REQUIRES_PAYMENT_METHOD', latest_payment_attempt: failed }))).toBeLessThan(snapshotRank(intent({ status: 'PENDING' })));
    expect(snapshotRank(intent({ status: 'PENDING' }))).toBeLessThan(snapshotRank(intent({ status: 'SUCCEEDED' })));
    expect(storedSnapshotRank('REQUIRES_PAYMENT_METHOD', true)).toBe(snapshotRank(intent({ status: 'REQUIRES_PAYMENT_METHOD', latest_payment_attempt: failed })));
  });

  test('maps refund statuses, tolerating unknown ones', () => {
    expect(refundStatusFor('RECEIVED')).toBe('pending');
    expect(refundStatusFor('ACCEPTED')).toBe('succeeded');
    expect(refundStatusFor('SETTLED')).toBe('succeeded');
    expect(refundStatusFor('FAILED')).toBe('failed');
    expect(refundStatusFor('SOMETHING_NEW')).toBeNull();
    expect(refundRank('RECEIVED')).toBeLessThan(refundRank('ACCEPTED'));
    expect(refundRank('ACCEPTED')).toBeLessThan(refundRank('SETTLED'));
  });
});
