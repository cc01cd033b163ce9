// The one mapping from the adapters' own errors (Airwallex's, WeChat's) to the app's: each kind answers the code (and
// message) the API answered before the adapters had their own errors, keeping the adapter's error as the cause; other
// errors pass through.
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
import { WechatError } from '../../server/wechat/errors';

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

const login = (kind: ConstructorParameters<typeof WechatError>[0], message: string, errcode?: number) => new WechatError(kind, 'jscode2session', message, errcode);

test.each<[string, WechatError, string, string]>([
  ['a used login code', login('code', 'The wx.login code is invalid (errcode 40029)', 40029), 'WECHAT_CODE_INVALID', ERRORS.WECHAT_CODE_INVALID.message],
  ["the login's rate limit", login('quota', 'rate limited (errcode 45011)', 45011), 'WECHAT_RATE_LIMITED', ERRORS.WECHAT_RATE_LIMITED.message],
  ["WeChat's risk control", login('login_blocked', 'blocked (errcode 40226)', 40226), 'WECHAT_LOGIN_BLOCKED', ERRORS.WECHAT_LOGIN_BLOCKED.message],
  ['WeChat busy', login('busy', 'WeChat is busy (errcode -1); retry with a new wx.login code.', -1), 'UPSTREAM_UNAVAILABLE', 'WeChat is busy (errcode -1); retry with a new wx.login code.'],
  ['no answer', login('unreachable', 'WeChat login service is unreachable; retry with a new wx.login code.'), 'UPSTREAM_UNAVAILABLE', 'WeChat login service is unreachable; retry with a new wx.login code.'],
  ['our credentials', login('credentials', 'check WECHAT_APPID and WECHAT_APP_SECRET', 40125), 'UPSTREAM_REJECTED', 'check WECHAT_APPID and WECHAT_APP_SECRET'],
  ["a message API's quota", new WechatError('quota', 'send', 'daily quota used up (45009)', 45009), 'UPSTREAM_UNAVAILABLE', 'daily quota used up (45009)'],
])('WeChat: %s answers %s', (_what, error, code, message) => {
  expect(error).not.toBeInstanceOf(AppError);
  expect(appErrorOf(error)).toMatchObject({ code, message, cause: error });
});
