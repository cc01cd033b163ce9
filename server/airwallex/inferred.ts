// Every guess about Airwallex behaviour that no official source confirms, kept in one place.
// Each one is marked [I] (inferred) in docs/reference/airwallex.md; when the sandbox shows
// otherwise, this is the file to change. The money side's guesses (financial transactions,
// settlements) are in its sibling inferred-finance.ts.
import type { OrderStatus, RefundStatus, RequestPaymentParams } from '../contract';
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
 * The `wx.requestPayment` parameters out of a confirm (or retrieve) answer. MP-DOC says to pass
 * `next_action.data` to wx.requestPayment [V]; that its type is `call_sdk` and its keys are the
 * wx.requestPayment fields is [I]. So we accept the spellings a real answer may use (camelCase,
 * lower case, snake_case; `sign` for `paySign`; a bare `prepayId`), pass the values through as
 * strings, never rebuild a signature and never invent a `signType` (WeChat then uses its own
 * default). `missing` names what could not be found, and `keys` the keys `data` had (no values:
 * they carry signatures), so the first live failure can be diagnosed from the log.
 */
export function requestPaymentParamsOf(
  intent: AirwallexPaymentIntent,
): { params: RequestPaymentParams } | { params: null; missing: string[]; keys: string[] } {
  const data = intent.next_action?.data ?? {};
  const keys = Object.keys(data);
  const byKey = new Map(keys.map((key) => [key.toLowerCase().replace(/_/g, ''), data[key]]));
  const field = (...names: string[]): string | undefined => {
    for (const name of names) {
      const value = byKey.get(name);
      if ((typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value))) return String(value);
    }
    return undefined;
  };
  const timeStamp = field('timestamp');
  const nonceStr = field('noncestr', 'nonce');
  const packageValue = field('package', 'packagevalue');
  const prepayId = field('prepayid');
  const pkg = packageValue?.startsWith('prepay_id=') ? packageValue : prepayId ? `prepay_id=${prepayId}` : packageValue;
  const paySign = field('paysign', 'sign');
  const signType = field('signtype');
  const missing = Object.entries({ timeStamp, nonceStr, package: pkg, paySign })
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (signType !== undefined && !SIGN_TYPES.includes(signType as SignType)) missing.push(`signType (unknown value)`);
  if (missing.length > 0) return { params: null, missing, keys };
  const params: RequestPaymentParams = { timeStamp: timeStamp!, nonceStr: nonceStr!, package: pkg!, paySign: paySign! };
  if (signType !== undefined) params.signType = signType as SignType;
  return { params };
}

type SignType = NonNullable<RequestPaymentParams['signType']>;
const SIGN_TYPES: SignType[] = ['RSA', 'MD5', 'HMAC-SHA256'];

/**
 * How far along an intent snapshot is, to order two snapshots with the same `updated_at`: real
 * timestamps have whole seconds, so several changes of one intent share one [V]. A webhook
 * snapshot in the same second as the stored one is applied only when it is at least as far along;
 * a retrieve (a fresh read) is always applied, so the order converges to Airwallex's state even
 * when this ranking guesses wrong. The order of the lifecycle is [I] from the status docs: a new
 * intent waits for a method, a confirm asks the shopper, a failed attempt ends that try, the
 * provider's answer is pending, then the intent is final.
 */
export function snapshotRank(intent: Pick<AirwallexPaymentIntent, 'status' | 'latest_payment_attempt'>): number {
  switch (intent.status) {
    case 'SUCCEEDED':
    case 'CANCELLED':
    case 'FAILED':
      return 4;
    case 'PENDING':
    case 'PENDING_REVIEW':
    case 'REQUIRES_CAPTURE':
      return 3;
    case 'REQUIRES_PAYMENT_METHOD':
      return intent.latest_payment_attempt && FAILED_ATTEMPT_STATUSES[intent.latest_payment_attempt.status] ? 2 : 0;
    case 'REQUIRES_CUSTOMER_ACTION':
      return 1;
    default:
      return 0;
  }
}

/** The same rank for what an order stored of its last snapshot. */
export function storedSnapshotRank(intentStatus: string | null, hasPaymentError: boolean): number {
  if (intentStatus === null) return -1;
  return snapshotRank({ status: intentStatus, latest_payment_attempt: hasPaymentError ? { id: '', status: 'FAILED' } : null });
}

/**
 * Airwallex refund status → our refund status. The statuses are a described string, not an enum
 * [V SPEC]: RECEIVED, ACCEPTED ("can be considered completed"), SETTLED, FAILED; older
 * integrations report SUCCEEDED and a PROCESSING step [V2]. Unknown values map to null: keep the
 * refund as it is and ask again later.
 */
export function refundStatusFor(airwallexStatus: string): RefundStatus | null {
  switch (airwallexStatus) {
    case 'RECEIVED':
    case 'PROCESSING':
    case 'PENDING':
      return 'pending';
    case 'ACCEPTED':
    case 'SETTLED':
    case 'SUCCEEDED':
      return 'succeeded';
    case 'FAILED':
      return 'failed';
    default:
      return null;
  }
}

/** How far along a refund snapshot is, to order snapshots of the same second (as snapshotRank). */
export function refundRank(airwallexStatus: string | null): number {
  switch (airwallexStatus) {
    case null:
      return -1;
    case 'RECEIVED':
      return 0;
    case 'PROCESSING':
    case 'PENDING':
      return 1;
    case 'ACCEPTED':
      return 2;
    default:
      return airwallexStatus && refundStatusFor(airwallexStatus) !== null ? 3 : 0; // SETTLED, SUCCEEDED, FAILED: final
  }
}

/**
 * Refund webhook names: no official page lists them; `refund.received`, `.accepted`,
 * `.processing`, `.settled`, `.failed` come from an Airwallex plugin library, `refund.succeeded`
 * from older integrations [V2]. We take every `refund.*` event whose object is a Refund, whatever
 * its name, and trust the object's `status` rather than the name.
 */
export const REFUND_WEBHOOK_EVENTS = ['refund.received', 'refund.accepted', 'refund.processing', 'refund.settled', 'refund.failed', 'refund.succeeded'];
export const isRefundEvent = (name: string): boolean => name.startsWith('refund.');

/**
 * Our order ids as we send them in `merchant_order_id`. An event for an intent with another shape
 * belongs to another integration on the same Airwallex account (a website, a POS) and is not ours
 * to worry about; one with our shape that we do not know means money moved for an order we lost.
 */
export const OUR_ORDER_ID = /^ord_[A-Za-z0-9_-]{16}$/;

/**
 * What an error answer means for the call, in the adapter's words (services/upstream-errors.ts
 * turns each into the app's error code): Airwallex or its provider is busy or down (`unavailable`),
 * the payment was declined (`declined`), WeChat Pay is not available to this merchant account
 * (`not_available`), or the request was refused for any other reason (`rejected`).
 */
export type AirwallexFailure = 'unavailable' | 'declined' | 'not_available' | 'rejected';

/** An error answer's Airwallex code and HTTP status → what it means, for errors the caller does not handle itself. */
export function failureOf(airwallexCode: string | undefined, httpStatus: number): AirwallexFailure {
  if (httpStatus === 429 || httpStatus >= 500) return 'unavailable';
  switch (airwallexCode) {
    case 'provider_unavailable':
    case 'service_unavailable':
    case 'too_many_requests':
    case 'frequency_above_limit':
      return 'unavailable';
    case 'provider_declined':
    case 'issuer_declined':
    case 'risk_declined':
    case 'authentication_declined':
    case 'rejected_by_routing_rules':
    case 'operation_above_limit':
    case 'amount_above_limit':
    case 'amount_below_limit':
      return 'declined';
    case 'payment_method_not_allowed':
    case 'configuration_error':
    case 'suspended_from_online_payments':
    case 'currency_not_supported':
      return 'not_available';
    default:
      return 'rejected';
  }
}
