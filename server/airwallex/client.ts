// Airwallex Payment Intents over undici's request API (a keep-alive pool): token cache, request_id idempotency, bounded retries.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import type { Logger } from '../logger';
import { toMajorUnits } from '../money';
import { timed } from '../timing';
import { AirwallexApiError, AirwallexCredentialsError, AirwallexError, AirwallexUnreachableError, isAirwallexCode } from './errors';
import type { AirwallexErrorBody, AirwallexPaymentIntent, AirwallexRefund } from './types';
import { deadline } from '../deadline';

export interface AirwallexClientOptions {
  /** https://api-demo.airwallex.com, or a getter (the embedded simulator's port is known only after listen). */
  baseUrl: string | (() => string);
  clientId: string;
  apiKey: string;
  apiVersion?: string;
  logger: Logger;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Attempts per operation, the first included. */
  maxAttempts?: number;
  /** No retry starts after this much time has passed since the first attempt. */
  retryBudgetMs?: number;
  /** First backoff; doubles per retry, with full jitter. */
  backoffBaseMs?: number;
  now?: () => number;
  /** Told about every HTTP attempt (metrics). */
  onAttempt?: (operation: string, status: string, seconds: number) => void;
}

export interface CreateIntentInput {
  requestId: string;
  amountMinor: number;
  currency: string;
  merchantOrderId: string;
  descriptor?: string;
  metadata?: Record<string, string>;
}

export interface CreateRefundInput {
  requestId: string;
  paymentIntentId: string;
  amountMinor: number;
  currency: string;
  reason?: string;
  metadata?: Record<string, string>;
}

interface CallOptions {
  method: 'GET' | 'POST';
  path: string;
  body?: Record<string, unknown>;
  /** Names the operation in logs and counters. */
  operation: string;
}

/** Refresh the token this long before Airwallex says it expires. */
const TOKEN_MARGIN_MS = 60_000;

/**
 * Airwallex's answer to one attempt. undici's request API rather than fetch: fetch builds a Request,
 * Headers, a web ReadableStream and more per call, which was about 15% of the server's CPU per payment
 * (docs/proofs.md, "Where the server's CPU goes"); this reads the same bytes through a Node stream.
 */
interface Answer {
  status: number;
  ok: boolean;
  /** The body as JSON (rejects on a body cut short or not JSON). */
  json(): Promise<unknown>;
  /** Reads and drops the body, so the connection goes back to the pool. */
  discard(): Promise<void>;
}

/**
 * Connections to Airwallex kept open between calls, shared by every client of this process: a TLS
 * handshake per call would cost more than the call. Idle ones close after 30 s (Airwallex's load
 * balancers may close them first; undici then opens a new one).
 */
const POOL = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });

export class AirwallexClient {
  private token: { value: string; expiresAt: number } | undefined;
  private login: Promise<string> | undefined;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryBudgetMs: number;
  private readonly backoffBaseMs: number;
  private readonly now: () => number;

  constructor(private readonly options: AirwallexClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryBudgetMs = options.retryBudgetMs ?? 10_000;
    this.backoffBaseMs = options.backoffBaseMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  /** POST /pa/payment_intents/create; after a lost answer, recovers the intent instead of making a second. */
  async createPaymentIntent(input: CreateIntentInput): Promise<AirwallexPaymentIntent> {
    const body: Record<string, unknown> = {
      request_id: input.requestId,
      amount: toMajorUnits(input.amountMinor, input.currency),
      currency: input.currency,
      merchant_order_id: input.merchantOrderId,
    };
    if (input.descriptor) body.descriptor = input.descriptor.slice(0, 32);
    if (input.metadata) body.metadata = input.metadata;
    return this.recoveringDuplicate(
      () => this.call<AirwallexPaymentIntent>({ method: 'POST', path: '/api/v1/pa/payment_intents/create', body, operation: 'create' }),
      async () => {
        const existing = await this.findPaymentIntentByMerchantOrderId(input.merchantOrderId);
        if (existing) this.options.logger.info({ merchantOrderId: input.merchantOrderId, intentId: existing.id }, 'recovered intent after duplicate_request');
        return existing;
      },
    );
  }

  /**
   * Runs `attempt`; when Airwallex answers `duplicate_request` (this request_id was processed before:
   * a timed-out try, or a run before a crash), answers with what `recover` reads back instead, or
   * rethrows when it finds nothing.
   */
  private async recoveringDuplicate<T>(attempt: () => Promise<T>, recover: () => Promise<T | undefined>): Promise<T> {
    try {
      return await attempt();
    } catch (err) {
      if (!isAirwallexCode(err, 'duplicate_request')) throw err;
      const existing = await recover();
      if (existing === undefined) throw err;
      return existing;
    }
  }

  /**
   * POST /pa/payment_intents/{id}/confirm with WeChat Pay's mini program flow. A
   * `duplicate_request` is the caller's to interpret (its request_id is derived from the order, so
   * the duplicate may be another instance's confirm of the same attempt).
   */
  async confirmWechatMiniProgram(intentId: string, input: { requestId: string; openId: string }): Promise<AirwallexPaymentIntent> {
    const body = {
      request_id: input.requestId,
      payment_method: { type: 'wechatpay', wechatpay: { flow: 'mini_program', open_id: input.openId } },
    };
    return this.call<AirwallexPaymentIntent>({ method: 'POST', path: `/api/v1/pa/payment_intents/${enc(intentId)}/confirm`, body, operation: 'confirm' });
  }

  async retrievePaymentIntent(intentId: string): Promise<AirwallexPaymentIntent> {
    return this.call<AirwallexPaymentIntent>({ method: 'GET', path: `/api/v1/pa/payment_intents/${enc(intentId)}`, operation: 'retrieve' });
  }

  async cancelPaymentIntent(intentId: string, input: { requestId: string; reason: string }): Promise<AirwallexPaymentIntent> {
    const body = { request_id: input.requestId, cancellation_reason: input.reason };
    return this.recoveringDuplicate(
      () => this.call<AirwallexPaymentIntent>({ method: 'POST', path: `/api/v1/pa/payment_intents/${enc(intentId)}/cancel`, body, operation: 'cancel' }),
      () => this.retrievePaymentIntent(intentId),
    );
  }

  /** GET /pa/payment_intents?merchant_order_id=…: our order id is unique, so at most one is ours. */
  async findPaymentIntentByMerchantOrderId(merchantOrderId: string): Promise<AirwallexPaymentIntent | undefined> {
    const query = new URLSearchParams({ merchant_order_id: merchantOrderId, page_num: '0', page_size: '10' });
    const page = await this.call<{ items?: AirwallexPaymentIntent[] }>({ method: 'GET', path: `/api/v1/pa/payment_intents?${query}`, operation: 'list' });
    return page.items?.find((intent) => intent.merchant_order_id === merchantOrderId);
  }

  /**
   * POST /pa/refunds/create. The request_id is stored with the refund before this call, so a retry
   * after a lost answer is the same refund: a `duplicate_request` is answered with the refund that
   * request_id made, read back from the intent's refunds.
   */
  async createRefund(input: CreateRefundInput): Promise<AirwallexRefund> {
    const body: Record<string, unknown> = {
      request_id: input.requestId,
      payment_intent_id: input.paymentIntentId,
      amount: toMajorUnits(input.amountMinor, input.currency),
    };
    if (input.reason) body.reason = input.reason.slice(0, 128);
    if (input.metadata) body.metadata = input.metadata;
    return this.recoveringDuplicate(
      () => this.call<AirwallexRefund>({ method: 'POST', path: '/api/v1/pa/refunds/create', body, operation: 'refund_create' }),
      async () => {
        const existing = (await this.listRefunds(input.paymentIntentId)).find((refund) => refund.request_id === input.requestId);
        if (existing) this.options.logger.info({ paymentIntentId: input.paymentIntentId, refundId: existing.id }, 'recovered refund after duplicate_request');
        return existing;
      },
    );
  }

  async retrieveRefund(refundId: string): Promise<AirwallexRefund> {
    return this.call<AirwallexRefund>({ method: 'GET', path: `/api/v1/pa/refunds/${enc(refundId)}`, operation: 'refund_retrieve' });
  }

  /** Every refund of an intent (all pages; WeChat Pay allows at most 50 per payment). */
  async listRefunds(paymentIntentId: string): Promise<AirwallexRefund[]> {
    const refunds: AirwallexRefund[] = [];
    for (let page = 0; page < 20; page++) {
      const query = new URLSearchParams({ payment_intent_id: paymentIntentId, page_num: String(page), page_size: '100' });
      const answer = await this.call<{ has_more?: boolean; items?: AirwallexRefund[] }>({ method: 'GET', path: `/api/v1/pa/refunds?${query}`, operation: 'refund_list' });
      refunds.push(...(answer.items ?? []).filter((refund) => refund.payment_intent_id === undefined || refund.payment_intent_id === paymentIntentId));
      if (!answer.has_more) break;
    }
    return refunds;
  }

  /**
   * A GET through this client's login, retries and error mapping, for the sibling modules that
   * cover other Airwallex APIs (finance.ts); `operation` names it in logs and metrics.
   */
  async get<T>(path: string, operation: string): Promise<T> {
    return this.call<T>({ method: 'GET', path, operation });
  }

  /** One logical operation: one request_id (in the body), reused on every retry of it. */
  private async call<T>(options: CallOptions): Promise<T> {
    let reloggedIn = false;
    return timed('upstream', () => this.retrying(options.operation, async () => {
      for (;;) {
        const token = await this.accessToken();
        const response = await this.send(options, { authorization: `Bearer ${token}` });
        if (response.status === 401 && !reloggedIn) {
          // The token was revoked or expired early: log in again once, without using up an attempt.
          // Only the token this call used is dropped: a concurrent call may have logged in anew already.
          reloggedIn = true;
          if (this.token?.value === token) this.token = undefined;
          await response.discard();
          continue;
        }
        if (!response.ok) throw await this.errorOf(response, options.operation);
        return (await readJson(response, options.operation)) as T;
      }
    }));
  }

  /**
   * Runs `once` until it succeeds, retrying only what is safe and may pass (no answer, 429, 5xx),
   * with exponential backoff and full jitter, bounded in attempts and in time.
   */
  private async retrying<T>(operation: string, once: () => Promise<T>): Promise<T> {
    const started = this.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await once();
      } catch (err) {
        const retryable = err instanceof AirwallexError && err.retryable;
        if (!retryable) throw err;
        const elapsed = this.now() - started;
        if (attempt >= this.maxAttempts || elapsed >= this.retryBudgetMs) {
          this.options.logger.warn({ operation, attempts: attempt, err: describe(err) }, 'Airwallex call failed, giving up');
          throw err;
        }
        const delay = Math.min(Math.random() * this.backoffBaseMs * 2 ** (attempt - 1), this.retryBudgetMs - elapsed);
        this.options.logger.debug({ operation, attempt, delay: Math.round(delay), err: describe(err) }, 'retrying Airwallex call');
        await sleep(delay);
      }
    }
  }

  private async send(options: CallOptions, headers: Record<string, string>): Promise<Answer> {
    const requestHeaders: Record<string, string> = { accept: 'application/json', ...headers };
    if (options.body) requestHeaders['content-type'] = 'application/json';
    if (this.options.apiVersion) requestHeaders['x-api-version'] = this.options.apiVersion;
    const started = performance.now();
    const observe = (status: string) => this.options.onAttempt?.(options.operation, status, (performance.now() - started) / 1000);
    // One time limit for the whole attempt, answer and body alike (a TimeoutError when it fires).
    const limit = deadline(this.timeoutMs);
    try {
      const baseUrl = typeof this.options.baseUrl === 'function' ? this.options.baseUrl() : this.options.baseUrl;
      const { statusCode, body } = await request(baseUrl + options.path, {
        dispatcher: POOL,
        method: options.method,
        headers: requestHeaders,
        body: options.body ? JSON.stringify(options.body) : undefined,
        signal: limit.signal,
      });
      observe(String(statusCode));
      return {
        status: statusCode,
        ok: statusCode >= 200 && statusCode < 300,
        json: () => body.json().finally(limit.clear),
        discard: () => body.dump().catch(() => undefined).finally(limit.clear),
      };
    } catch (err) {
      limit.clear();
      observe('network');
      throw new AirwallexUnreachableError(options.operation, err);
    }
  }

  /** A valid token: cached until shortly before expires_at, one login at a time. */
  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt - TOKEN_MARGIN_MS > this.now()) return this.token.value;
    this.login ??= this.logIn().finally(() => {
      this.login = undefined;
    });
    return this.login;
  }

  private async logIn(): Promise<string> {
    return this.retrying('login', async () => {
      const response = await this.send(
        { method: 'POST', path: '/api/v1/authentication/login', operation: 'login' },
        { 'x-client-id': this.options.clientId, 'x-api-key': this.options.apiKey },
      );
      if (response.status === 401 || response.status === 403) {
        const error = await this.errorOf(response, 'login');
        this.options.logger.error({ status: response.status, traceId: error.traceId }, 'Airwallex rejected the API credentials (AIRWALLEX_CLIENT_ID / AIRWALLEX_API_KEY)');
        throw new AirwallexCredentialsError(response.status, error.traceId);
      }
      if (!response.ok) throw await this.errorOf(response, 'login');
      const body = (await readJson(response, 'login')) as { token: string; expires_at?: string };
      const expiresAt = body.expires_at ? Date.parse(body.expires_at) : NaN;
      // Airwallex documents 30 minutes; fall back to that when expires_at is missing or odd.
      this.token = { value: body.token, expiresAt: Number.isFinite(expiresAt) ? expiresAt : this.now() + 30 * 60_000 };
      return body.token;
    });
  }

  private async errorOf(response: Answer, operation: string): Promise<AirwallexApiError> {
    let body: AirwallexErrorBody = {};
    try {
      body = (await response.json()) as AirwallexErrorBody;
    } catch {
      // A proxy's HTML error page, or an empty body: keep the status.
    }
    const error = new AirwallexApiError(operation, response.status, body.code, body.trace_id, body.message);
    this.options.logger.warn(
      { operation, status: response.status, airwallexCode: body.code, source: body.source, traceId: body.trace_id },
      'Airwallex answered with an error',
    );
    return error;
  }
}

/** A 2xx body that is cut short or not JSON is treated like no answer: retried with the same request_id. */
async function readJson(response: Answer, operation: string): Promise<unknown> {
  try {
    return await response.json();
  } catch (err) {
    throw new AirwallexUnreachableError(operation, err);
  }
}

/** A fresh request_id for a new logical operation (reused on that operation's retries). */
export function newRequestId(): string {
  return randomUUID();
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.name === 'TimeoutError' ? 'timeout' : err.message;
  return String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
