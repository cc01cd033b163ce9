// Every guess about Airwallex behaviour that no official source confirms, kept in one place.
// Each one is marked [I] (inferred) in ../shared/reference/airwallex.md; when the sandbox shows
// otherwise, this is the file to change.
import type { OrderStatus, RequestPaymentParams } from '../contract';
import type { ErrorCode } from '../errors';
import type { AirwallexPaymentIntent } from './types';

/** The cancellation_reason we send when an order's lifetime ends, so a CANCELLED intent maps to `expired`. */
export const EXPIRY_CANCELLATION_REASON = 'order_expired';

/**
 * Airwallex intent status → our order status. The spec says the status list is not exhaustive,
 * so an unknown status maps to null: keep the order as it is and ask again later.
 *
 * | Airwallex status          | order status     | why                                                   |
 * |---------------------------|------------------|-------------------------------------------------------|
 * | REQUIRES_PAYMENT_METHOD   | awaiting_payment | new, or the last attempt failed [V]: payable again    |
 * | REQUIRES_CUSTOMER_ACTION  | awaiting_payment | the WeChat Pay sheet is (or was) open                 |
 * | PENDING, PENDING_REVIEW   | processing       | paid by the shopper, final answer pending             |
 * | REQUIRES_CAPTURE          | processing       | authorized, not captured (not expected for WeChat) [I]|
 * | SUCCEEDED                 | paid             | final [V]                                             |
 * | CANCELLED                 | cancelled/expired| final [V]; expired when we cancelled it for age       |
 * | FAILED                    | cancelled        | only seen in third-party enums; treated as final [I]  |
 */
export function orderStatusFor(intent: Pick<AirwallexPaymentIntent, 'status' | 'cancellation_reason'>): OrderStatus | null {
  switch (intent.status) {
    case 'REQUIRES_PAYMENT_METHOD':
    case 'REQUIRES_CUSTOMER_ACTION':
      return 'awaiting_payment';
    case 'PENDING':
    case 'PENDING_REVIEW':
    case 'REQUIRES_CAPTURE':
      return 'processing';
    case 'SUCCEEDED':
      return 'paid';
    case 'CANCELLED':
      return intent.cancellation_reason === EXPIRY_CANCELLATION_REASON ? 'expired' : 'cancelled';
    case 'FAILED':
      return 'cancelled';
    default:
      return null;
  }
}

/** Attempt statuses that mean the try is over without payment [I, from the status docs]. */
const FAILED_ATTEMPT_STATUSES: Record<string, string> = {
  FAILED: 'PAYMENT_FAILED',
  EXPIRED: 'PAYMENT_EXPIRED',
  CANCELLED: 'PAYMENT_CANCELLED',
};

/**
 * Why the last attempt failed, when the intent went back to REQUIRES_PAYMENT_METHOD after one;
 * null when there is no failed attempt to report.
 */
export function failedAttemptOf(intent: AirwallexPaymentIntent): { code: string; message: string } | null {
  if (intent.status !== 'REQUIRES_PAYMENT_METHOD' && intent.status !== 'FAILED') return null;
  const attempt = intent.latest_payment_attempt;
  if (!attempt) return null;
  const code = FAILED_ATTEMPT_STATUSES[attempt.status];
  if (!code) return null;
  const reason = attempt.failure_details?.message ?? attempt.failure_code ?? attempt.status.toLowerCase();
  return { code, message: `The last payment attempt ended: ${reason}` };
}

/**
 * The `wx.requestPayment` parameters out of a confirm answer. MP-DOC says to pass
 * `next_action.data` to wx.requestPayment [V]; that its type is `call_sdk` and its keys are exactly
 * the wx.requestPayment fields is [I]. We pass the values through as strings, never rebuilding a
 * signature; null when the answer does not carry them.
 */
export function requestPaymentParamsOf(intent: AirwallexPaymentIntent): RequestPaymentParams | null {
  const data = intent.next_action?.data;
  if (!data) return null;
  const field = (key: string) => (typeof data[key] === 'string' || typeof data[key] === 'number' ? String(data[key]) : undefined);
  const timeStamp = field('timeStamp');
  const nonceStr = field('nonceStr');
  const pkg = field('package');
  const paySign = field('paySign');
  const signType = field('signType') ?? 'RSA';
  if (!timeStamp || !nonceStr || !pkg || !paySign) return null;
  if (signType !== 'RSA' && signType !== 'MD5' && signType !== 'HMAC-SHA256') return null;
  return { timeStamp, nonceStr, package: pkg, signType, paySign };
}

/** Airwallex error code → our error code, for errors the caller does not handle itself. */
export function errorCodeFor(airwallexCode: string | undefined, httpStatus: number): ErrorCode {
  if (httpStatus === 429 || httpStatus >= 500) return 'UPSTREAM_UNAVAILABLE';
  switch (airwallexCode) {
    case 'provider_unavailable':
    case 'service_unavailable':
    case 'too_many_requests':
    case 'frequency_above_limit':
      return 'UPSTREAM_UNAVAILABLE';
    case 'provider_declined':
    case 'issuer_declined':
    case 'risk_declined':
    case 'authentication_declined':
    case 'rejected_by_routing_rules':
    case 'operation_above_limit':
    case 'amount_above_limit':
    case 'amount_below_limit':
      return 'PAYMENT_DECLINED';
    case 'payment_method_not_allowed':
    case 'configuration_error':
    case 'suspended_from_online_payments':
    case 'currency_not_supported':
      return 'PAYMENT_NOT_AVAILABLE';
    default:
      return 'UPSTREAM_REJECTED';
  }
}
