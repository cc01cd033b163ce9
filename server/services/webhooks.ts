// Airwallex webhooks: verify the delivery (airwallex/webhooks.ts), record each event once, then apply it to its order.
import { isRefundEvent, OUR_ORDER_ID } from '../airwallex/inferred';
import { DOCTOR_PING_EVENT, DOCTOR_PING_OUTCOME, isDoctorPing } from '../airwallex/webhook-events';
import type { AirwallexPaymentIntent, AirwallexRefund, AirwallexWebhookEvent } from '../airwallex/types';
import { parseWebhookEvent, verifyWebhook } from '../airwallex/webhooks';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { Store, WebhookEventRecord, WebhookRecordResult } from '../store/types';
import type { Telemetry } from '../telemetry';
import type { OrderChange, OrderChanges } from './order-changes';

export interface WebhookServiceDeps {
  store: Store;
  /** Where every change of an order is applied: the same rules as the order and refund services'. */
  changes: OrderChanges;
  logger: Logger;
  telemetry: Telemetry;
  secret: string;
  /** How old a signed delivery may be (Airwallex retries for about 3 days with the first timestamp, maybe). */
  toleranceMs: number;
  now?: () => number;
}

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored' | 'unknown_order' | 'deferred' | typeof DOCTOR_PING_OUTCOME;

/** What an event is about, and how to apply it to its order inside the recording transaction. */
interface Target {
  orderId: string | null;
  update?: OrderChange;
  /** An intent or refund id, for the unknown-order anomaly. */
  objectId: string;
  /** The event names one of our orders (by its id's shape), found or not. */
  ours: boolean;
  /** Money moved (or is moving): an unknown order of ours is then an anomaly, not noise. */
  money: boolean;
}

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
    try {
      verifyWebhook(rawBody, headers, { secret: this.deps.secret, toleranceMs: this.deps.toleranceMs, now: this.now() });
    } catch (err) {
      if (isDoctorPing(rawBody)) this.deps.telemetry.webhook(DOCTOR_PING_EVENT, 'probe'); // the doctor's own probe: no alert
      else this.deps.telemetry.webhook('unverified', 'refused');
      throw err;
    }
    const event = parseWebhookEvent(rawBody);
    if (event.name === DOCTOR_PING_EVENT) {
      // `npm run doctor` proving that PUBLIC_URL reaches a server holding this secret: nothing to record (webhook-events.ts).
      this.deps.logger.info({ eventId: event.id }, 'doctor ping verified; nothing recorded');
      this.deps.telemetry.webhook(event.name, DOCTOR_PING_OUTCOME);
      return DOCTOR_PING_OUTCOME;
    }
    const record: WebhookEventRecord = { id: event.id, name: event.name, orderId: null, payload: rawBody.toString('utf8'), receivedAt: this.now() };
    const target = await this.targetOf(record, event);
    record.orderId = target?.orderId ?? null;
    const apply = target?.update && target.orderId ? { orderId: target.orderId, decide: target.update.decide } : undefined;
    const recordAndApply = () => this.recordAndApply(record, target, apply);
    return apply ? this.deps.changes.writing(apply.orderId, recordAndApply) : recordAndApply();
  }

  /** Records the event and applies it to its order in one transaction, then settles the change. */
  private async recordAndApply(record: WebhookEventRecord, target: Target | undefined, apply: Parameters<Store['recordWebhookEvent']>[1]): Promise<WebhookOutcome> {
    let result: WebhookRecordResult;
    try {
      // Recorded and applied in one transaction: a crash leaves either nothing (Airwallex retries) or both.
      result = await this.deps.store.recordWebhookEvent(record, apply, this.now());
    } catch (err) {
      if (err instanceof AppError && err.status < 500) throw err;
      // The transaction was undone. Typically a pooled connection that died in a database restart
      // and fails its first query: the next connection works. Store the event alone, so it is not
      // lost, then apply it now, as the sweep would: the 200 ends Airwallex's retries, and the
      // order's long polls wait for this change. Only if applying fails again is it the sweep's.
      this.deps.logger.warn({ eventId: record.id, err }, 'webhook event could not be recorded and applied at once; storing it, then applying it');
      const outcome = (await this.deps.store.insertWebhookEvent(record)) ? await this.apply(record) : 'duplicate';
      this.deps.telemetry.webhook(record.name, outcome);
      return outcome;
    }
    if (!result.inserted) {
      this.deps.logger.info({ eventId: record.id, name: record.name }, 'duplicate webhook event ignored');
      this.deps.telemetry.webhook(record.name, 'duplicate');
      return 'duplicate';
    }
    target?.update?.settle(result.update);
    if (target && (result.outcome === 'unknown_order' || !target.orderId)) await this.unknownOrder(record, target);
    this.deps.logger.info({ eventId: record.id, name: record.name, orderId: record.orderId, outcome: result.outcome }, 'webhook event processed');
    this.deps.telemetry.webhook(record.name, result.outcome);
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
      const event = JSON.parse(record.payload) as AirwallexWebhookEvent;
      const target = await this.targetOf(record, event);
      if (!target?.update || !target.orderId) {
        outcome = 'ignored';
        if (target) await this.unknownOrder(record, target);
      } else {
        const order = await this.deps.changes.apply(target.orderId, target.update);
        outcome = order ? 'applied' : 'unknown_order';
        if (!order) await this.unknownOrder(record, target);
      }
    } catch (err) {
      // Stored but not applied: the sweep replays it. The delivery itself succeeded.
      this.deps.logger.error({ eventId: record.id, err }, 'webhook event stored but not applied yet');
      return 'deferred';
    }
    await this.deps.store.markWebhookEventApplied(record.id, outcome, this.now());
    this.deps.logger.info({ eventId: record.id, name: record.name, orderId: record.orderId, outcome }, 'webhook event processed');
    return outcome;
  }

  /**
   * The order an event is about: a `payment_intent.*` names it in `merchant_order_id`; a
   * `refund.*` names its intent, whose order we look up. Other events (payment attempts …) are
   * recorded and ignored.
   */
  private async targetOf(record: WebhookEventRecord, event: AirwallexWebhookEvent): Promise<Target | undefined> {
    const object = event.data?.object ?? {};
    const note = { eventId: record.id };
    if (record.name.startsWith('payment_intent.')) {
      if (typeof object.id !== 'string' || typeof object.status !== 'string') return undefined;
      const intent = object as unknown as AirwallexPaymentIntent;
      const orderId = typeof intent.merchant_order_id === 'string' ? intent.merchant_order_id : null;
      const update = this.deps.changes.intent(intent, { source: `webhook ${record.name}`, authoritative: false, note });
      return { orderId, update, objectId: intent.id, ours: orderId !== null && OUR_ORDER_ID.test(orderId), money: intent.status === 'SUCCEEDED' || intent.status === 'PENDING' };
    }
    if (isRefundEvent(record.name)) {
      if (typeof object.id !== 'string' || typeof object.status !== 'string') return undefined;
      const refund = object as unknown as AirwallexRefund;
      const metadataOrder = refund.metadata?.order_id;
      const order = refund.payment_intent_id ? await this.deps.store.getOrderByIntent(refund.payment_intent_id) : undefined;
      const update = this.deps.changes.refund(refund, { source: `webhook ${record.name}`, authoritative: false, note });
      const ours = typeof metadataOrder === 'string' && OUR_ORDER_ID.test(metadataOrder);
      return { orderId: order?.id ?? null, update: order ? update : undefined, objectId: refund.payment_intent_id ?? refund.id, ours: order !== undefined || ours, money: true };
    }
    return undefined;
  }

  /**
   * An event for an order we do not have. For another integration on the same Airwallex account
   * (its merchant_order_id is not ours) that is normal; for one of ours, money moved for an order
   * we lost (a restored backup, a bug): an anomaly an operator must see.
   */
  private async unknownOrder(record: WebhookEventRecord, target: Target): Promise<void> {
    if (!target.ours || !target.money) return;
    const { inserted, anomaly } = await this.deps.store.recordAnomaly({
      kind: 'unknown_order',
      key: `unknown_order:${target.objectId}`,
      orderId: null,
      intentId: target.objectId,
      detail: { eventId: record.id, event: record.name, merchantOrderId: target.orderId },
      at: this.now(),
    });
    if (inserted) this.deps.changes.reportAnomalies({ newAnomalies: [anomaly] });
  }
}
