// Airwallex webhooks: verify the HMAC over the raw body, record each event once, then apply it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AirwallexPaymentIntent, AirwallexWebhookEvent } from '../airwallex/types';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { Store, WebhookEventRecord, WebhookRecordResult } from '../store/types';
import type { OrderService } from './orders';

export interface WebhookServiceDeps {
  store: Store;
  orders: OrderService;
  logger: Logger;
  secret: string;
  toleranceMs: number;
  now?: () => number;
}

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored' | 'unknown_order' | 'deferred';

export class WebhookService {
  private readonly now: () => number;

  constructor(private readonly deps: WebhookServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Verifies and records the event, then applies it. Resolves once the event is stored (the
   * caller answers 200 then); throws an AppError when the delivery must be refused.
   */
  async receive(rawBody: Buffer, headers: { timestamp?: string; signature?: string }): Promise<WebhookOutcome> {
    this.verify(rawBody, headers);
    const event = parseEvent(rawBody);
    const object = event.data?.object ?? {};
    const orderId = typeof object.merchant_order_id === 'string' ? object.merchant_order_id : null;
    const record: WebhookEventRecord = { id: event.id, name: event.name, orderId, payload: rawBody.toString('utf8'), receivedAt: this.now() };
    const intent = intentOf(record.name, object);
    const update = intent && orderId ? this.deps.orders.intentUpdate(intent, `webhook ${record.name}`) : undefined;
    let result: WebhookRecordResult;
    try {
      // Recorded and applied in one transaction: a crash leaves either nothing (Airwallex retries) or both.
      result = await this.deps.store.recordWebhookEvent(record, update && orderId ? { orderId, decide: update.decide } : undefined, this.now());
    } catch (err) {
      // Applying failed: still record the event, so it is not lost, and let the sweep apply it later.
      this.deps.logger.error({ eventId: record.id, err }, 'webhook event could not be applied; stored for the sweep');
      return (await this.deps.store.insertWebhookEvent(record)) ? 'deferred' : 'duplicate';
    }
    if (!result.inserted) {
      this.deps.logger.info({ eventId: event.id, name: event.name }, 'duplicate webhook event ignored');
      return 'duplicate';
    }
    update?.settle(result.update);
    this.deps.logger.info({ eventId: record.id, name: record.name, orderId, outcome: result.outcome }, 'webhook event processed');
    return result.outcome;
  }

  /** Applies recorded events whose application did not finish (crash, or a store error); run at boot and by the sweep. */
  async replayUnapplied(limit = 100): Promise<number> {
    const events = await this.deps.store.unappliedWebhookEvents(limit);
    for (const event of events) await this.apply(event);
    return events.length;
  }

  private async apply(record: WebhookEventRecord): Promise<WebhookOutcome> {
    let outcome: WebhookOutcome;
    try {
      outcome = await this.applyEvent(record);
    } catch (err) {
      // Stored but not applied: the sweep replays it. The delivery itself succeeded.
      this.deps.logger.error({ eventId: record.id, err }, 'webhook event stored but not applied yet');
      return 'deferred';
    }
    await this.deps.store.markWebhookEventApplied(record.id, outcome, this.now());
    this.deps.logger.info({ eventId: record.id, name: record.name, orderId: record.orderId, outcome }, 'webhook event processed');
    return outcome;
  }

  private async applyEvent(record: WebhookEventRecord): Promise<WebhookOutcome> {
    const event = JSON.parse(record.payload) as AirwallexWebhookEvent;
    const intent = intentOf(record.name, event.data?.object ?? {});
    if (!intent || !record.orderId) return 'ignored';
    const order = await this.deps.orders.applyIntent(record.orderId, intent, `webhook ${record.name}`);
    return order ? 'applied' : 'unknown_order';
  }

  private verify(rawBody: Buffer, headers: { timestamp?: string; signature?: string }): void {
    const { timestamp, signature } = headers;
    if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature)) throw new AppError('WEBHOOK_SIGNATURE_INVALID');
    if (!timestamp || !/^\d{1,16}$/.test(timestamp)) throw new AppError('WEBHOOK_TIMESTAMP_STALE', 'The x-timestamp header is missing or not a number of milliseconds.');
    const expected = Buffer.from(signWebhook(this.deps.secret, timestamp, rawBody), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) throw new AppError('WEBHOOK_SIGNATURE_INVALID');
    if (Math.abs(this.now() - Number(timestamp)) > this.deps.toleranceMs) throw new AppError('WEBHOOK_TIMESTAMP_STALE');
  }
}

/** The Payment Intent a `payment_intent.*` event carries; other events (attempts, refunds) are only recorded. */
function intentOf(name: string, object: Record<string, unknown>): AirwallexPaymentIntent | undefined {
  if (!name.startsWith('payment_intent.')) return undefined;
  if (typeof object.id !== 'string' || typeof object.status !== 'string') return undefined;
  return object as unknown as AirwallexPaymentIntent;
}

/** The signature Airwallex sends: hex HMAC-SHA256(secret, x-timestamp + raw body). */
export function signWebhook(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(timestamp).update(rawBody).digest('hex');
}

function parseEvent(rawBody: Buffer): AirwallexWebhookEvent {
  let event: unknown;
  try {
    event = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new AppError('WEBHOOK_PAYLOAD_INVALID', 'The webhook body is not JSON.');
  }
  const candidate = event as Partial<AirwallexWebhookEvent> | null;
  if (!candidate || typeof candidate !== 'object' || typeof candidate.id !== 'string' || !candidate.id || candidate.id.length > 128 || typeof candidate.name !== 'string' || !candidate.name) {
    throw new AppError('WEBHOOK_PAYLOAD_INVALID', 'The webhook body needs a string `id` and `name`.');
  }
  return candidate as AirwallexWebhookEvent;
}
