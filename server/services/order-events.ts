// Order events for the merchant's systems (docs/events.md), decided from a change of an order: a status that became paid,
// cancelled or expired, a refund that succeeded or failed. Pure: run inside the store's transaction by OrderChanges, which
// writes them to the outbox with the change, so an event is never lost and never told of a change rolled back.
import { randomBytes } from 'node:crypto';
import type { OrderEvent, OrderEventType } from '../contract-admin';
import type { NewOutboxEvent, OrderRecord } from '../store/types';
import { iso, presentAdminOrder, type Language } from './order-presenter';

export const ORDER_EVENT_TYPES: readonly OrderEventType[] = ['order.paid', 'order.cancelled', 'order.expired', 'refund.succeeded', 'refund.failed'];

/** The order's language in an event: GET /admin/api/orders/{id}'s without an Accept-Language header (each line's `names` has both). */
export const EVENT_LANGUAGE: Language = 'zh_CN';

/** How long an event is retried before it is given up (failed). */
export const EVENT_RETRY_WINDOW_MS = 72 * 3600_000;

/** What writing an event needs to know of its delivery: whether EVENTS_URL is set (else it is recorded for the feed only). */
export interface EventWriting {
  delivering: boolean;
}

/** Our id of an event; the same on every delivery try and in the feed. */
export function newEventId(): string {
  return `evt_${randomBytes(12).toString('base64url')}`;
}

/**
 * The events a change tells of, from the order before and after it, with their bodies frozen now: an
 * event says what the order was when it happened, whatever happens to it later. The order's status
 * first, then each refund in the order's order.
 */
export function orderEventsOf(before: OrderRecord, after: OrderRecord, now: number, writing: EventWriting, newId: () => string = newEventId): NewOutboxEvent[] {
  const happened: Array<{ type: OrderEventType; refundId?: string }> = [];
  if (after.status !== before.status && (after.status === 'paid' || after.status === 'cancelled' || after.status === 'expired')) {
    happened.push({ type: `order.${after.status}` });
  }
  for (const refund of after.refunds) {
    const previous = before.refunds.find((r) => r.id === refund.id);
    if ((refund.status === 'succeeded' || refund.status === 'failed') && previous?.status !== refund.status) happened.push({ type: `refund.${refund.status}`, refundId: refund.id });
  }
  if (happened.length === 0) return [];
  const order = presentAdminOrder(after, EVENT_LANGUAGE);
  return happened.map(({ type, refundId }) => {
    const id = newId();
    const refund = refundId === undefined ? undefined : order.refunds.find((r) => r.id === refundId);
    const body: OrderEvent = { id, type, createdAt: iso(now)!, data: refund ? { order, refund } : { order } };
    return {
      id,
      orderId: after.id,
      type,
      createdAt: now,
      body: JSON.stringify(body),
      state: writing.delivering ? 'pending' : 'unsent',
      giveUpAt: writing.delivering ? now + EVENT_RETRY_WINDOW_MS : null,
    };
  });
}
