// The one place where the adapters' own errors become the app's (errors.ts): what a shopper, an operator or
// Airwallex's webhook sender is answered when Airwallex or WeChat failed. The adapters never know the app's catalogue.
import { AirwallexApiError, AirwallexError } from '../airwallex/errors';
import type { AirwallexFailure } from '../airwallex/inferred';
import { AppError, type ErrorCode } from '../errors';
import { WechatError } from '../wechat/errors';

const FAILURES: Record<AirwallexFailure, ErrorCode> = {
  unavailable: 'UPSTREAM_UNAVAILABLE',
  declined: 'PAYMENT_DECLINED',
  not_available: 'PAYMENT_NOT_AVAILABLE',
  rejected: 'UPSTREAM_REJECTED',
};

/**
 * The app's error for an adapter's error (its cause kept, for the log); any other error as it is.
 * Airwallex's own text, code and trace id stay in the cause: the answer carries the catalogue's message.
 */
export function appErrorOf(err: unknown): unknown {
  if (err instanceof WechatError) return wechatAppError(err);
  if (!(err instanceof AirwallexError)) return err;
  const cause = { cause: err };
  switch (err.kind) {
    case 'answer':
      return new AppError(FAILURES[(err as AirwallexApiError).failure], undefined, cause);
    case 'unreachable':
      return new AppError('UPSTREAM_UNAVAILABLE', undefined, cause);
    case 'credentials':
      return new AppError('UPSTREAM_REJECTED', 'Airwallex rejected the API credentials.', cause);
    case 'format':
      return new AppError('UPSTREAM_REJECTED', err.message, cause);
    case 'webhook_signature':
      return new AppError('WEBHOOK_SIGNATURE_INVALID', undefined, cause);
    case 'webhook_timestamp':
      return new AppError('WEBHOOK_TIMESTAMP_STALE', err.message, cause);
    case 'webhook_payload':
      return new AppError('WEBHOOK_PAYLOAD_INVALID', err.message, cause);
  }
}

/**
 * A WeChat error: the login's own codes for a shopper's code or WeChat's limits, the rest as WeChat
 * unavailable (it may pass) or refusing (it will not), with the adapter's message: the server's own
 * words saying what to do, never WeChat's errmsg.
 */
function wechatAppError(err: WechatError): AppError {
  const cause = { cause: err };
  switch (err.kind) {
    case 'code':
      return new AppError('WECHAT_CODE_INVALID', undefined, cause);
    case 'login_blocked':
      return new AppError('WECHAT_LOGIN_BLOCKED', undefined, cause);
    case 'quota':
      return err.api === 'jscode2session' ? new AppError('WECHAT_RATE_LIMITED', undefined, cause) : new AppError('UPSTREAM_UNAVAILABLE', err.message, cause);
    case 'busy':
    case 'unreachable':
      return new AppError('UPSTREAM_UNAVAILABLE', err.message, cause);
    default:
      return new AppError('UPSTREAM_REJECTED', err.message, cause);
  }
}
