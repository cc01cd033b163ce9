// The one mapping from the Airwallex adapter's own errors to the app's: each kind answers the code (and message) the API
// answered before the adapter had its own errors, keeping the adapter's error as the cause; other errors pass through.
import {
  AirwallexApiError,
  AirwallexCredentialsError,
  AirwallexFormatError,
  AirwallexUnreachableError,
  AirwallexWebhookError,
  type AirwallexError,
} from '../../server/airwallex/errors';
import { AppError, ERRORS } from '../../server/errors';
import { appErrorOf } from '../../server/services/upstream-errors';

const answer = (status: number, code?: string) => new AirwallexApiError('confirm', status, code, 'tr_1', 'Airwallex says no');

test.each<[string, AirwallexError, string, string]>([
  ['a 503', answer(503, 'service_unavailable'), 'UPSTREAM_UNAVAILABLE', ERRORS.UPSTREAM_UNAVAILABLE.message],
  ['a 429 whatever its code', answer(429, 'provider_declined'), 'UPSTREAM_UNAVAILABLE', ERRORS.UPSTREAM_UNAVAILABLE.message],
  ['a decline', answer(400, 'provider_declined'), 'PAYMENT_DECLINED', ERRORS.PAYMENT_DECLINED.message],
  ['a method not allowed', answer(400, 'payment_method_not_allowed'), 'PAYMENT_NOT_AVAILABLE', ERRORS.PAYMENT_NOT_AVAILABLE.message],
  ['any other answer', answer(400, 'validation_error'), 'UPSTREAM_REJECTED', ERRORS.UPSTREAM_REJECTED.message],
  ['an answer without a body', answer(404), 'UPSTREAM_REJECTED', ERRORS.UPSTREAM_REJECTED.message],
  ['no answer', new AirwallexUnreachableError('retrieve', new Error('socket hang up')), 'UPSTREAM_UNAVAILABLE', ERRORS.UPSTREAM_UNAVAILABLE.message],
  ['refused credentials', new AirwallexCredentialsError(401, 'tr_2'), 'UPSTREAM_REJECTED', 'Airwallex rejected the API credentials.'],
  ['an unreadable answer', new AirwallexFormatError('fee "x" is not a CNY amount'), 'UPSTREAM_REJECTED', 'fee "x" is not a CNY amount'],
  ['a bad signature', new AirwallexWebhookError('webhook_signature', 'The webhook signature does not match.'), 'WEBHOOK_SIGNATURE_INVALID', ERRORS.WEBHOOK_SIGNATURE_INVALID.message],
  ['a stale timestamp', new AirwallexWebhookError('webhook_timestamp', 'The x-timestamp is 900 s old'), 'WEBHOOK_TIMESTAMP_STALE', 'The x-timestamp is 900 s old'],
  ['a body that is no event', new AirwallexWebhookError('webhook_payload', 'The webhook body is not JSON.'), 'WEBHOOK_PAYLOAD_INVALID', 'The webhook body is not JSON.'],
])('%s answers %s', (_what, error, code, message) => {
  const mapped = appErrorOf(error);
  expect(mapped).toBeInstanceOf(AppError);
  expect(mapped).toMatchObject({ code, message, status: ERRORS[code as keyof typeof ERRORS].status, cause: error });
  // Airwallex's own words never reach the answer.
  expect((mapped as AppError).message).not.toContain('Airwallex says no');
});

test('the adapter never speaks the app catalogue: its errors are no AppError, and other errors pass through unchanged', () => {
  expect(answer(503)).not.toBeInstanceOf(AppError);
  const own = new AppError('ORDER_NOT_FOUND');
  const plain = new Error('boom');
  expect(appErrorOf(own)).toBe(own);
  expect(appErrorOf(plain)).toBe(plain);
});
