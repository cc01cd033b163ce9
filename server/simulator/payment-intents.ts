// The simulated Payment Intent state machine: create, confirm, cancel, retrieve, list, and the shopper's pay/cancel/fail.
import { createHmac, randomBytes } from 'node:crypto';
import { ApiError, validationError } from './api-error';
import { airwallexId, base64url, formatTimestamp, randomString } from './format';
import {
  CONFIRMED_ATTEMPT_STATUS,
  CONFIRMED_INTENT_STATUS,
  miniProgramNextAction,
  newPrepayId,
  prepayIdFromPackage,
} from './inferred';
import { applyOnce, checkAmount, checkMetadata, checkRequestId, intParam, type Body } from './requests';
import type { SimulatorStore } from './store';
import type { PaymentAttempt, PaymentIntent } from './types';
import { WEBHOOK_ACCOUNT_ID, type WebhookDispatcher } from './webhooks';

const WECHAT_FLOWS = ['qrcode', 'official_account', 'mini_program', 'mobile_app', 'mobile_web'];
const CONFIRMABLE = ['REQUIRES_PAYMENT_METHOD', 'REQUIRES_CUSTOMER_ACTION'];
const CANCELLABLE = ['REQUIRES_PAYMENT_METHOD', 'REQUIRES_CUSTOMER_ACTION', 'REQUIRES_CAPTURE'];
/** Create fields echoed back on the intent as sent (the simulator gives them no meaning). */
const ECHOED = ['descriptor', 'metadata', 'order', 'return_url', 'customer_id', 'merchant_website_url', 'payment_method_options'] as const;

/** Signs client_secret; it only has to look like Airwallex's JWT, nobody verifies it. */
const CLIENT_SECRET_KEY = randomBytes(32);

export type ShopperOutcome = 'pay' | 'cancel' | 'fail';

export interface PaymentIntentsOptions {
  store: SimulatorStore;
  webhooks: WebhookDispatcher;
  now: () => number;
  wechatAppId: string;
  /** Told of each capture inside its database transaction (books the payment's financial transaction). */
  onCaptured?: (intent: PaymentIntent, ms: number) => void;
}

export class PaymentIntents {
  constructor(private readonly opts: PaymentIntentsOptions) {}

  /** POST /api/v1/pa/payment_intents/create; `body` already matches the spec's schema. */
  create(body: Body): PaymentIntent {
    const requestId = checkRequestId(body.request_id);
    const currency = String(body.currency);
    if (!/^[A-Z]{3}$/.test(currency)) throw validationError('currency', 'currency must be a 3-letter ISO 4217 code in upper case');
    checkAmount(body.amount as number, currency);
    const merchantOrderId = String(body.merchant_order_id);
    if (merchantOrderId.length === 0 || merchantOrderId.length > 64) {
      throw validationError('merchant_order_id', 'merchant_order_id must be 1 to 64 characters');
    }
    if (typeof body.descriptor === 'string' && body.descriptor.length > 32) {
      throw validationError('descriptor', 'descriptor must be at most 32 characters');
    }
    checkMetadata(body.metadata as Record<string, string> | undefined);
    if (body.payment_method !== undefined) {
      // Confirm-at-create is real Airwallex behaviour, but our server never uses it; say so instead of half-simulating it.
      throw new ApiError(400, 'payment_method_not_allowed', 'The simulator does not confirm at create; call confirm with the payment_method', 'payment_method');
    }

    return this.mutate('create', requestId, () => {
      const ms = this.opts.now();
      const id = airwallexId('int');
      const intent: PaymentIntent = {
        id,
        request_id: requestId,
        amount: body.amount as number,
        currency,
        merchant_order_id: merchantOrderId,
        status: 'REQUIRES_PAYMENT_METHOD',
        captured_amount: 0,
        client_secret: clientSecret(id, ms),
        created_at: formatTimestamp(ms),
        updated_at: formatTimestamp(ms),
      };
      for (const key of ECHOED) {
        if (body[key] !== undefined) (intent as unknown as Body)[key] = body[key];
      }
      this.opts.store.putIntent(intent, ms);
      this.opts.webhooks.emit('payment_intent.created', intent);
      return intent;
    });
  }

  /** POST /api/v1/pa/payment_intents/{id}/confirm, wechatpay mini_program only. */
  async confirm(id: string, body: Body): Promise<PaymentIntent> {
    const requestId = checkRequestId(body.request_id);
    const method = body.payment_method as Body | undefined;
    if (method === undefined) throw validationError('payment_method', 'payment_method must be provided');
    if (method.type === undefined) throw validationError('payment_method.type', 'payment_method.type must be provided');
    if (method.type !== 'wechatpay') {
      throw new ApiError(400, 'payment_method_not_allowed', `The simulator only supports payment_method.type "wechatpay", not "${String(method.type)}"`, 'payment_method.type');
    }
    const wechatpay = method.wechatpay as Body | undefined;
    if (wechatpay === undefined) throw validationError('payment_method.wechatpay', 'payment_method.wechatpay must be provided');
    const flow = String(wechatpay.flow);
    if (!WECHAT_FLOWS.includes(flow)) {
      throw validationError('payment_method.wechatpay.flow', `payment_method.wechatpay.flow must be one of ${WECHAT_FLOWS.join(', ')}`);
    }
    if (flow !== 'mini_program') {
      throw new ApiError(400, 'payment_method_not_allowed', `The simulator only supports the wechatpay "mini_program" flow, not "${flow}"`, 'payment_method.wechatpay.flow');
    }
    if (typeof wechatpay.open_id !== 'string' || wechatpay.open_id.trim() === '') {
      throw validationError('payment_method.wechatpay.open_id', 'payment_method.wechatpay.open_id must be provided when flow is mini_program');
    }

    // WeChat's prepay order and its paySign come first, as Airwallex gets them from WeChat before it answers (so the
    // paySign's timeStamp is at most the intent's updated_at); a confirm refused below has signed for nothing.
    const prepayId = newPrepayId(this.opts.now());
    const nextAction = await miniProgramNextAction(this.opts.wechatAppId, prepayId, this.opts.now());
    return this.mutate('confirm', requestId, () => {
      const { intent, updatedMs } = this.load(id);
      if (!CONFIRMABLE.includes(intent.status)) throw invalidStatus('confirm', intent.status);
      const ms = nextMs(this.opts.now(), updatedMs);
      // A re-confirm replaces the attempt; the old prepay id stays in the table but no longer matches.
      const attempt: PaymentAttempt = {
        id: airwallexId('att'),
        amount: intent.amount,
        currency: intent.currency,
        payment_intent_id: intent.id,
        merchant_order_id: intent.merchant_order_id,
        payment_method: { type: 'wechatpay', wechatpay: { flow } },
        status: CONFIRMED_ATTEMPT_STATUS,
        captured_amount: 0,
        refunded_amount: 0,
        settle_via: 'airwallex',
        created_at: formatTimestamp(ms),
        updated_at: formatTimestamp(ms),
      };
      this.opts.store.putPrepay({ prepayId, intentId: intent.id, attemptId: attempt.id, openId: wechatpay.open_id as string });
      const next: PaymentIntent = {
        ...intent,
        request_id: requestId,
        status: CONFIRMED_INTENT_STATUS,
        next_action: nextAction,
        latest_payment_attempt: attempt,
        updated_at: formatTimestamp(ms),
      };
      this.opts.store.putIntent(next, ms);
      this.opts.webhooks.emit('payment_attempt.authentication_redirected', attempt);
      this.opts.webhooks.emit('payment_intent.requires_customer_action', next);
      return next;
    });
  }

  /** POST /api/v1/pa/payment_intents/{id}/cancel */
  cancel(id: string, body: Body): PaymentIntent {
    const requestId = checkRequestId(body.request_id);
    return this.mutate('cancel', requestId, () => {
      const { intent, updatedMs } = this.load(id);
      if (!CANCELLABLE.includes(intent.status)) throw invalidStatus('cancel', intent.status);
      const ms = nextMs(this.opts.now(), updatedMs);
      const next: PaymentIntent = { ...intent, request_id: requestId, status: 'CANCELLED', updated_at: formatTimestamp(ms) };
      delete next.next_action;
      const attempt = next.latest_payment_attempt;
      if (attempt && attempt.status === CONFIRMED_ATTEMPT_STATUS) {
        next.latest_payment_attempt = { ...attempt, status: 'CANCELLED', updated_at: formatTimestamp(ms) };
      }
      next.cancelled_at = formatTimestamp(ms);
      if (typeof body.cancellation_reason === 'string') next.cancellation_reason = body.cancellation_reason;
      this.opts.store.putIntent(next, ms);
      this.opts.webhooks.emit('payment_intent.cancelled', next);
      return next;
    });
  }

  retrieve(id: string): PaymentIntent {
    return this.load(id).intent;
  }

  /** GET /api/v1/pa/payment_intents: newest first, page_num from 0. */
  list(query: Record<string, unknown>): { has_more: boolean; items: PaymentIntent[] } {
    const pageNum = intParam(query, 'page_num', 0, 0, 1_000_000);
    const pageSize = intParam(query, 'page_size', 10, 1, 1000);
    const text = (key: string): string | undefined => (typeof query[key] === 'string' && query[key] !== '' ? (query[key] as string) : undefined);
    const all = this.opts.store.findIntents({ merchantOrderId: text('merchant_order_id'), status: text('status') });
    const start = pageNum * pageSize;
    return { has_more: all.length > start + pageSize, items: all.slice(start, start + pageSize) };
  }

  /**
   * What the shopper does in the WeChat Pay sheet opened with `package`. Answers the errMsg that
   * wx.requestPayment would report; never throws for an unknown or stale package (WeChat would
   * not either: it reports a fail errMsg).
   */
  /** The shopper a requestPayment package was made for (WeChat's prepay order is for one payer), if the package is known. */
  payerOf(pkg: string): string | undefined {
    const prepayId = prepayIdFromPackage(pkg);
    return prepayId ? this.opts.store.getPrepay(prepayId)?.openId : undefined;
  }

  shopperAction(pkg: string, outcome: ShopperOutcome): string {
    const prepayId = prepayIdFromPackage(pkg);
    const prepay = prepayId ? this.opts.store.getPrepay(prepayId) : undefined;
    if (!prepay) return 'requestPayment:fail prepay_id is invalid';
    const stored = this.opts.store.getIntent(prepay.intentId);
    if (!stored) return 'requestPayment:fail prepay_id is invalid';
    const { intent } = stored;
    const attempt = intent.latest_payment_attempt;
    const current = attempt?.id === prepay.attemptId;
    if (intent.status === 'SUCCEEDED') return 'requestPayment:fail the order has already been paid';
    if (intent.status === 'CANCELLED') return 'requestPayment:fail the order is closed';
    if (!current || !attempt || attempt.status !== CONFIRMED_ATTEMPT_STATUS || intent.status !== CONFIRMED_INTENT_STATUS) {
      return 'requestPayment:fail prepay_id has expired';
    }
    // The shopper closed the sheet: nothing reaches Airwallex, the intent keeps waiting.
    if (outcome === 'cancel') return 'requestPayment:fail cancel';

    this.opts.store.transaction(() => {
      const { intent: fresh, updatedMs } = this.load(intent.id);
      const ms = nextMs(this.opts.now(), updatedMs);
      const at = formatTimestamp(ms);
      const base = fresh.latest_payment_attempt as PaymentAttempt;
      const next: PaymentIntent = { ...fresh, updated_at: at };
      delete next.next_action;
      if (outcome === 'pay') {
        const captured: PaymentAttempt = {
          ...base,
          status: 'CAPTURE_REQUESTED',
          captured_amount: base.amount,
          provider_transaction_id: wechatTransactionId(ms),
          updated_at: at,
        };
        this.opts.webhooks.emit('payment_attempt.capture_requested', captured);
        next.status = 'SUCCEEDED';
        next.captured_amount = fresh.amount;
        // Settlement is instant here; the real one follows days later, with nothing our server waits for.
        next.latest_payment_attempt = { ...captured, status: 'SETTLED' };
        this.opts.store.putIntent(next, ms);
        this.opts.onCaptured?.(next, ms);
        this.opts.webhooks.emit('payment_intent.succeeded', next);
      } else {
        const failed: PaymentAttempt = {
          ...base,
          status: 'FAILED',
          failure_code: 'authorization_failed',
          failure_details: { code: 'authorization_failed', message: 'The WeChat Pay payment failed (simulated)' },
          updated_at: at,
        };
        this.opts.webhooks.emit('payment_attempt.failed_to_process', failed);
        // A failed try sends the intent back to REQUIRES_PAYMENT_METHOD, not to a final status (docs/reference/airwallex.md §4).
        next.status = 'REQUIRES_PAYMENT_METHOD';
        next.latest_payment_attempt = failed;
        this.opts.store.putIntent(next, ms);
        this.opts.webhooks.emit('payment_intent.requires_payment_method', next);
      }
    });
    this.opts.webhooks.schedule();
    return outcome === 'pay' ? 'requestPayment:ok' : 'requestPayment:fail the payment was declined (simulated)';
  }

  private mutate<T>(endpoint: string, requestId: string, apply: () => T): T {
    return applyOnce(this.opts, endpoint, requestId, apply);
  }

  private load(id: string): { intent: PaymentIntent; updatedMs: number } {
    const stored = this.opts.store.getIntent(id);
    if (!stored) throw new ApiError(404, 'resource_not_found', `The PaymentIntent ${id} does not exist.`);
    return stored;
  }
}

/**
 * The simulator's own clock for an intent's changes never goes back (it keeps the newest state
 * last in its table); what it reports in updated_at has whole seconds only, like Airwallex.
 */
function nextMs(now: number, previous: number): number {
  return Math.max(now, previous + 1);
}

function invalidStatus(operation: string, status: string): ApiError {
  return new ApiError(400, 'invalid_status_for_operation', `The PaymentIntent with status ${status} cannot be ${operation === 'confirm' ? 'confirmed' : 'cancelled'}.`);
}

/** A JWT-shaped client_secret like the spec example: {iat, exp = iat + 1 h, type, account_id, intent_id}. */
function clientSecret(intentId: string, ms: number): string {
  const iat = Math.floor(ms / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256' }));
  const payload = base64url(JSON.stringify({ iat, exp: iat + 3600, type: 'client-secret', account_id: WEBHOOK_ACCOUNT_ID, intent_id: intentId }));
  const signature = createHmac('sha256', CLIENT_SECRET_KEY).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A WeChat Pay transaction id: 28 digits starting with 42000 and the date. */
function wechatTransactionId(ms: number): string {
  const date = new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
  return `42000${randomString(7, '0123456789')}${date}${randomString(8, '0123456789')}`;
}
