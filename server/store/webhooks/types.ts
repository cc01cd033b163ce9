// Airwallex's webhook events as recorded (deduplicated by id, applied to their order in the same transaction), and their methods.
import type { OrderDecider, OrderUpdateResult } from '../orders/types';

export interface WebhookEventRecord {
  id: string;
  name: string;
  /** The order the event is about, when it names one. */
  orderId: string | null;
  payload: string;
  receivedAt: number;
}

export type WebhookRecordResult =
  | { inserted: false }
  | { inserted: true; outcome: 'applied' | 'unknown_order' | 'ignored'; update?: OrderUpdateResult };


export interface WebhookStore {
  /**
   * Records a webhook event and applies it in one transaction: with `apply`, `decide` runs on the
   * order as in updateOrder, and the event is marked applied (or `unknown_order` when the order does
   * not exist); without it the event is marked `ignored`. Nothing happens for an id already recorded.
   */
  recordWebhookEvent(
    event: WebhookEventRecord,
    apply: { orderId: string; decide: OrderDecider } | undefined,
    at: number,
  ): Promise<WebhookRecordResult>;
  /** Records a webhook event without applying it (the sweep will); false when its id was already recorded. */
  insertWebhookEvent(event: WebhookEventRecord): Promise<boolean>;
  markWebhookEventApplied(id: string, outcome: string, at: number): Promise<void>;
  /** Recorded events whose application did not finish (e.g. the process died), oldest first. */
  unappliedWebhookEvents(limit: number): Promise<WebhookEventRecord[]>;
  /** The outcome an event id was recorded with; undefined when the id is unknown. */
  webhookEventOutcome(id: string): Promise<string | null | undefined>;
}
