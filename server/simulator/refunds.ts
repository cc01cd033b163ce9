// The simulated Refund state machine: create, retrieve, list, and RECEIVED → ACCEPTED → SETTLED (or FAILED) on a persisted timer.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { toMajorUnits, toMinorUnits } from '../money';
import { ApiError, validationError } from './api-error';
import { formatTimestamp, refundId } from './format';
import {
  REFUND_LIMIT_ERROR_CODE,
  REFUND_WEBHOOK_EVENTS,
  refundFailureDetails,
  WECHAT_MAX_REFUNDS_PER_PAYMENT,
  WECHAT_REFUND_WINDOW_MS,
} from './inferred';
import { REFUND_BOOKED_AT } from './inferred-finance';
import { openApi } from './openapi';
import { applyOnce, checkAmount, checkMetadata, checkRequestId, intParam, type Body } from './requests';
import type { SimulatorStore } from './store';
import type { FaultSettings, PaymentIntent, Refund } from './types';
import type { WebhookDispatcher } from './webhooks';

/** "The value greater than the maximum will be capped to the maximum" (listRefunds page_size). */
const MAX_PAGE_SIZE = 1000;
const INT32_MAX = 2 ** 31 - 1;
/** Refunds moved on per timer tick; more due ones are picked up on the next tick, 1 ms later. */
const BATCH = 100;
/** After an unexpected error in the timer, try again this much later rather than spin. */
const ERROR_RETRY_MS = 1000;

export interface RefundsOptions {
  store: SimulatorStore;
  webhooks: WebhookDispatcher;
  /** The simulator clock, for timestamps and the 365-day rule. The status timer uses real time. */
  now: () => number;
  faults: () => FaultSettings;
  random: () => number;
  logger: FastifyBaseLogger;
  /** Told of each refund that goes through, inside its database transaction (books the refund's financial transaction). */
  onAccepted?: (refund: Refund, ms: number) => void;
}

/** What the "refund in Airwallex's web app" control takes: the web app's refund form. */
export interface ExternalRefundInput {
  payment_intent_id: string;
  /** Major units; default: all that is left. */
  amount?: number;
  reason?: string;
}

const EXTERNAL_FIELDS = ['payment_intent_id', 'amount', 'reason'];

export class Refunds {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: RefundsOptions) {}

  /** Picks up refunds whose status was due to move on while the simulator was stopped. */
  start(): void {
    this.tick();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * POST /api/v1/pa/refunds/create; `body` already matches the spec's schema. Amounts are
   * compared in minor units, inside the transaction that inserts the refund, so concurrent
   * refunds can never together exceed what was captured.
   */
  create(body: Body): Refund {
    const requestId = checkRequestId(body.request_id);
    const intentId = nonEmpty(body.payment_intent_id);
    const attemptId = nonEmpty(body.payment_attempt_id);
    if ((intentId === undefined) === (attemptId === undefined)) {
      throw validationError(
        intentId === undefined ? 'payment_intent_id' : 'payment_attempt_id',
        'Exactly one of payment_intent_id and payment_attempt_id must be provided',
      );
    }
    if (typeof body.reason === 'string' && body.reason.length > 128) throw validationError('reason', 'reason must be at most 128 characters');
    checkMetadata(body.metadata as Record<string, string> | undefined);
    if (body.amount !== undefined && !((body.amount as number) > 0)) throw validationError('amount', 'amount must be greater than 0');

    const refund = applyOnce(this.opts, 'refund_create', requestId, () => {
      const intent = this.refundableIntent(intentId, attemptId);
      const attempt = intent.latest_payment_attempt!;
      const currency = intent.currency;
      const left = toMinorUnits(intent.captured_amount, currency) - this.refundedMinor(intent);
      const amount = body.amount === undefined ? left : checkAmount(body.amount as number, currency);
      if (left <= 0) {
        throw new ApiError(400, 'amount_above_limit', `The PaymentIntent ${intent.id} has been fully refunded; nothing is left to refund.`);
      }
      if (amount > left) {
        throw new ApiError(400, 'amount_above_limit', `The operating amount ${toMajorUnits(amount, currency)} is above the limit ${toMajorUnits(left, currency)}.`);
      }
      const ms = this.opts.now();
      const created: Refund = {
        id: refundId(),
        request_id: requestId,
        payment_intent_id: intent.id,
        payment_attempt_id: attempt.id,
        amount: toMajorUnits(amount, currency),
        currency,
        ...(typeof body.reason === 'string' ? { reason: body.reason } : {}),
        ...(body.metadata !== undefined ? { metadata: body.metadata as Record<string, string> } : {}),
        status: 'RECEIVED',
        created_at: formatTimestamp(ms),
        updated_at: formatTimestamp(ms),
      };
      this.opts.store.putRefund(created, this.dueIn(this.opts.faults().refundAcceptDelayMs));
      this.syncIntent(intent.id, ms);
      this.opts.webhooks.emit(REFUND_WEBHOOK_EVENTS.RECEIVED, created);
      return created;
    });
    this.arm();
    return refund;
  }

  /**
   * A refund made in Airwallex's web app rather than through our API: checked against the same
   * spec and rules, with the same webhooks; the web app makes up its own request_id.
   */
  createExternal(input: unknown): Refund {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw validationError(undefined, 'The body must be a JSON object like {"payment_intent_id":"int_...","amount":1.5,"reason":"..."}');
    }
    const unknown = Object.keys(input).filter((key) => !EXTERNAL_FIELDS.includes(key));
    if (unknown.length > 0) throw validationError(unknown[0], `Unknown field ${unknown[0]} (the control takes ${EXTERNAL_FIELDS.join(', ')})`);
    const fields = input as Partial<ExternalRefundInput>;
    if (typeof fields.payment_intent_id !== 'string' || fields.payment_intent_id === '') {
      throw validationError('payment_intent_id', 'payment_intent_id must be provided');
    }
    const body = { request_id: randomUUID(), ...fields };
    const failure = openApi().validateRequest('post', '/api/v1/pa/refunds/create', { body });
    if (failure) throw validationError(failure.source, failure.message);
    return this.create(body);
  }

  /** GET /api/v1/pa/refunds/{id} */
  retrieve(id: string): Refund {
    const stored = this.opts.store.getRefund(id);
    if (!stored) throw new ApiError(404, 'resource_not_found', `The Refund ${id} does not exist.`);
    return stored.refund;
  }

  /** GET /api/v1/pa/refunds: newest first, page_num from 0; the query already matches the spec's types. */
  list(query: Record<string, unknown>): { has_more: boolean; items: Refund[] } {
    const pageNum = intParam(query, 'page_num', 0, 0, INT32_MAX);
    const pageSize = Math.min(MAX_PAGE_SIZE, intParam(query, 'page_size', 10, 1, INT32_MAX));
    const text = (key: string): string | undefined => (typeof query[key] === 'string' && query[key] !== '' ? (query[key] as string) : undefined);
    const from = timeParam(text('from_created_at'), 'from_created_at');
    const to = timeParam(text('to_created_at'), 'to_created_at');
    const statuses = text('status')?.split(',').map((s) => s.trim()).filter(Boolean);
    const currency = text('currency');
    let all = this.opts.store.findRefunds({ intentId: text('payment_intent_id'), attemptId: text('payment_attempt_id') });
    if (text('connected_account_id') !== undefined) all = [];
    all = all.filter((refund) => {
      const created = Date.parse(refund.created_at);
      return (
        (statuses === undefined || statuses.includes(refund.status)) &&
        (currency === undefined || refund.currency === currency) &&
        (from === undefined || created >= from) &&
        (to === undefined || created <= to)
      );
    });
    const start = pageNum * pageSize;
    return { has_more: all.length > start + pageSize, items: all.slice(start, start + pageSize) };
  }

  /** Every refund, oldest first: the ground truth. */
  all(): Refund[] {
    return this.opts.store.listRefunds();
  }

  /** The intent a refund request names, if it can be refunded at all (amounts aside). */
  private refundableIntent(intentId: string | undefined, attemptId: string | undefined): PaymentIntent {
    const id = intentId ?? this.opts.store.intentIdOfAttempt(attemptId as string);
    const stored = id === undefined ? undefined : this.opts.store.getIntent(id);
    // createRefund documents resource_not_found under 400 ("invalid payment_attempt_id or payment_intent_id").
    if (!stored) {
      throw new ApiError(400, 'resource_not_found', intentId ? `The PaymentIntent ${intentId} does not exist.` : `The PaymentAttempt ${attemptId} does not exist.`);
    }
    const { intent } = stored;
    const attempt = intent.latest_payment_attempt;
    if (intent.status !== 'SUCCEEDED' || !attempt) {
      throw new ApiError(400, 'invalid_status_for_operation', `The PaymentIntent with status ${intent.status} cannot be refunded.`);
    }
    if (attemptId !== undefined && attempt.id !== attemptId) {
      throw new ApiError(400, 'invalid_status_for_operation', `The PaymentAttempt ${attemptId} was not captured and cannot be refunded.`);
    }
    if (this.opts.now() - Date.parse(attempt.updated_at) > WECHAT_REFUND_WINDOW_MS) {
      throw new ApiError(400, REFUND_LIMIT_ERROR_CODE, 'WeChat Pay payments can only be refunded within 365 days of payment.');
    }
    const live = this.opts.store.listRefunds(intent.id).filter((r) => r.status !== 'FAILED');
    if (live.length >= WECHAT_MAX_REFUNDS_PER_PAYMENT) {
      throw new ApiError(400, REFUND_LIMIT_ERROR_CODE, `WeChat Pay allows at most ${WECHAT_MAX_REFUNDS_PER_PAYMENT} refunds per payment.`);
    }
    return intent;
  }

  /** What the intent's refunds hold, in minor units: every refund that is not FAILED. */
  private refundedMinor(intent: PaymentIntent): number {
    return this.opts.store
      .listRefunds(intent.id)
      .filter((r) => r.status !== 'FAILED')
      .reduce((sum, r) => sum + toMinorUnits(r.amount, intent.currency), 0);
  }

  /** Writes latest_payment_attempt.refunded_amount from the refunds table, so the two never disagree. */
  private syncIntent(intentId: string, ms: number): void {
    const { intent, updatedMs } = this.opts.store.getIntent(intentId)!;
    const attempt = intent.latest_payment_attempt!;
    const refunded = toMajorUnits(this.refundedMinor(intent), intent.currency);
    if (attempt.refunded_amount === refunded) return;
    // Never move the intent's updated_at backwards (the clock may have been set back in a test).
    const at = Math.max(ms, updatedMs);
    const next: PaymentIntent = { ...intent, latest_payment_attempt: { ...attempt, refunded_amount: refunded }, updated_at: formatTimestamp(at) };
    this.opts.store.putIntent(next, at);
  }

  /** Real time at which a refund entering a status with this typical wait moves on: 0.5 to 1.5 times it. */
  private dueIn(typicalMs: number): number {
    return Date.now() + Math.round(typicalMs * (0.5 + Math.random()));
  }

  /** Moves one refund on, if it is still due: RECEIVED → ACCEPTED or FAILED, ACCEPTED → SETTLED. */
  private advance(id: string): void {
    this.opts.store.transaction(() => {
      const stored = this.opts.store.getRefund(id);
      if (!stored || stored.nextAtMs === undefined || stored.nextAtMs > Date.now()) return;
      const { refund } = stored;
      const ms = this.opts.now();
      let next: Refund;
      let nextAtMs: number | undefined;
      if (refund.status === 'RECEIVED' && this.opts.random() < this.opts.faults().refundFailRate) {
        next = { ...refund, status: 'FAILED', failure_details: refundFailureDetails(refund.currency), updated_at: formatTimestamp(ms) };
      } else if (refund.status === 'RECEIVED') {
        next = { ...refund, status: 'ACCEPTED', updated_at: formatTimestamp(ms) };
        nextAtMs = this.dueIn(this.opts.faults().refundSettleDelayMs);
      } else if (refund.status === 'ACCEPTED') {
        next = { ...refund, status: 'SETTLED', updated_at: formatTimestamp(ms) };
      } else {
        this.opts.store.putRefund(refund, undefined); // final already: nothing is due
        return;
      }
      this.opts.store.putRefund(next, nextAtMs);
      if (next.status === 'FAILED') this.syncIntent(refund.payment_intent_id, ms);
      if (next.status === REFUND_BOOKED_AT) this.opts.onAccepted?.(next, ms);
      this.opts.webhooks.emit(REFUND_WEBHOOK_EVENTS[next.status], next);
    });
  }

  /** Moves on every refund that is due, then sleeps until the next one is. */
  private tick(): void {
    this.timer = undefined;
    if (this.closed || !this.opts.store.isOpen) return;
    try {
      for (const id of this.opts.store.dueRefunds(Date.now(), BATCH)) this.advance(id);
      this.opts.webhooks.schedule();
      this.arm();
    } catch (err) {
      this.opts.logger.error({ err }, 'simulator: refund status timer failed');
      this.arm(ERROR_RETRY_MS);
    }
  }

  /** (Re)sets the timer for the earliest due refund, or for `delayMs`. */
  private arm(delayMs?: number): void {
    if (this.closed || !this.opts.store.isOpen) return;
    const next = delayMs === undefined ? this.opts.store.nextRefundDue() : Date.now() + delayMs;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (next === undefined) return;
    this.timer = setTimeout(() => this.tick(), Math.max(1, next - Date.now()));
    this.timer.unref();
  }
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An ISO 8601 query bound with an explicit zone ("Z", "+08:00", "+0800"), in ms. */
function timeParam(value: string | undefined, key: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(value) || Number.isNaN(ms)) {
    throw validationError(key, `${key} must be an ISO 8601 time with an explicit timezone, e.g. 2026-01-31T06:57:10+00:00`);
  }
  return ms;
}
