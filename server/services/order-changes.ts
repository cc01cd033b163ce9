// Where every change of an order is applied, in two halves: `decide` by the rules (order-rules.ts, refund-rules.ts),
// inside the store's transaction, with the order events the change tells of (order-events.ts: written to the outbox in
// the same transaction); then `settle` after the commit: new anomalies reported, the change logged and counted, the
// order's long polls woken, the event deliverer woken, subscription messages made due by the change sent. The order,
// refund and webhook services all apply their changes here.
import type { OrderStatus } from '../contract';
import type { AirwallexPaymentIntent, AirwallexRefund } from '../airwallex/types';
import type { Logger } from '../logger';
import { mergeUpdate } from '../store/orders/common';
import type { OrderDecider, OrderRecord, OrderUpdate, OrderUpdateResult, Store } from '../store/types';
import type { Telemetry } from '../telemetry';
import { orderEventsOf, type EventWriting } from './order-events';
import { decideIntent, decideStatus, isNews, type Schedule, type SnapshotSource } from './order-rules';
import type { MessageService } from './messages';
import type { OrderWatch } from './order-watch';
import { decideRefund, decideRefusal, newRefundId, type RefundChange, type RefundSource } from './refund-rules';

/**
 * One change of an order, in its two halves: `decide` computes the update from the stored order
 * (in the store's transaction, so it must stay pure); `settle` reacts to what was stored.
 */
export interface OrderChange {
  decide: OrderDecider;
  settle: (result: OrderUpdateResult | undefined) => OrderRecord | undefined;
}

export interface OrderChangesDeps extends Schedule {
  store: Pick<Store, 'updateOrder'>;
  watch: Pick<OrderWatch, 'notify' | 'writing'>;
  logger: Logger;
  telemetry: Pick<Telemetry, 'orderStatus' | 'refund' | 'anomaly'>;
  /** Subscription messages: woken after a commit that made one due (an order paid, a refund succeeded); they send in the background. */
  messages?: Pick<MessageService, 'kick'>;
  /** Order events: whether they are delivered (EVENTS_URL), and the deliverer to wake once one is written. Absent: recorded, unsent. */
  events?: EventWriting & { wake(): void };
  now?: () => number;
}

export class OrderChanges {
  private readonly now: () => number;

  constructor(private readonly deps: OrderChangesDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Applies a change to its order in a transaction of its own; undefined when there is no such order.
   * `expected`: the order as the caller just read it (Store.updateOrder: spares a read when it is unchanged).
   */
  async apply(orderId: string, change: OrderChange, expected?: OrderRecord): Promise<OrderRecord | undefined> {
    return this.writing(orderId, async () => change.settle(await this.deps.store.updateOrder(orderId, change.decide, expected)));
  }

  /** Runs a write of the order that settles its change itself (OrderWatch.writing). */
  writing<T>(orderId: string, write: () => Promise<T>): Promise<T> {
    return this.deps.watch.writing(orderId, write);
  }

  /**
   * An Airwallex intent snapshot (an API answer, a retrieve, a webhook) applied to its order
   * (order-rules.ts decideIntent); a change that is news is logged, counted and wakes the long polls.
   */
  intent(intent: AirwallexPaymentIntent, from: SnapshotSource): OrderChange {
    let before: OrderRecord | undefined;
    const now = this.now();
    const events = this.eventsOf(now);
    const decide: OrderDecider = (current) => {
      before = current;
      return events.decided(current, decideIntent(current, intent, from, now, this.deps));
    };
    const settle = (result: OrderUpdateResult | undefined): OrderRecord | undefined => {
      events.settled(result);
      if (!result) return undefined;
      this.reportAnomalies(result);
      const after = result.order;
      if (before && isNews(before, after)) {
        this.deps.logger.info({ orderId: after.id, intentId: intent.id, intentStatus: intent.status, from: before.status, to: after.status, source: from.source }, 'order updated');
        if (after.status !== before.status) this.deps.telemetry.orderStatus(after.status);
        this.deps.watch.notify(after);
        if (after.status === 'paid' && before.status !== 'paid') this.deps.messages?.kick();
      }
      return after;
    };
    return { decide, settle };
  }

  /** A status the server sets alone (no intent to ask): cancelled or expired, unless the order is final already. */
  status(status: OrderStatus, source: string): OrderChange {
    const now = this.now();
    const events = this.eventsOf(now);
    return {
      decide: (current) => events.decided(current, decideStatus(current, status, source, now)),
      settle: (result) => {
        events.settled(result);
        if (result?.changed) {
          this.deps.telemetry.orderStatus(status);
          this.deps.watch.notify(result.order);
        }
        return result?.order;
      },
    };
  }

  /**
   * An Airwallex refund snapshot (an answer, a list, a webhook) applied to its order's refunds
   * (refund-rules.ts decideRefund); each refund whose status changed is logged and counted.
   */
  refund(snapshot: AirwallexRefund, from: RefundSource): OrderChange {
    const now = this.now();
    const events = this.eventsOf(now);
    let changes: RefundChange[] = [];
    const decide: OrderDecider = (order) => {
      const decided = decideRefund(order, snapshot, from, now, this.deps, newRefundId);
      changes = decided.changes;
      return events.decided(order, decided.update);
    };
    return {
      decide,
      settle: (result) => {
        events.settled(result);
        return this.refundsSettled(result, changes, from.source);
      },
    };
  }

  /** Airwallex refused to make a refund: it ends failed (refund-rules.ts decideRefusal), and its refund.failed event is written. */
  refusal(refundId: string, failure: { code: string; message: string }): OrderChange {
    const now = this.now();
    const events = this.eventsOf(now);
    return {
      decide: (order) => events.decided(order, decideRefusal(order, refundId, failure, now, this.deps)),
      settle: (result) => {
        events.settled(result);
        return result?.order;
      },
    };
  }

  /**
   * The order events of one change (order-events.ts), added to its update inside the transaction from
   * the order before and after it; after the commit, the deliverer is woken when some were written.
   * Every change of an order's status or of a refund's passes here, so no path can skip its event.
   */
  private eventsOf(now: number): { decided: (current: OrderRecord, update: OrderUpdate | null) => OrderUpdate | null; settled: (result: OrderUpdateResult | undefined) => void } {
    let written = 0;
    const writing = this.deps.events ?? { delivering: false };
    return {
      decided: (current, update) => {
        written = 0;
        if (!update) return update;
        const outbox = orderEventsOf(current, mergeUpdate(current, update.patch ?? {}, update.refunds ?? []), now, writing);
        written = outbox.length;
        return outbox.length > 0 ? { ...update, outbox: [...(update.outbox ?? []), ...outbox] } : update;
      },
      settled: (result) => {
        if (result && written > 0) this.deps.events?.wake();
      },
    };
  }

  /** What follows a stored change of an order's refunds: each one whose status changed logged and counted, the long polls woken. */
  private refundsSettled(result: OrderUpdateResult | undefined, changes: RefundChange[], source: string): OrderRecord | undefined {
    if (!result) return undefined;
    this.reportAnomalies(result);
    for (const { before, after } of changes) {
      if (before?.status === after.status) continue;
      this.deps.logger.info({ orderId: after.orderId, refundId: after.id, airwallexRefundId: after.airwallexRefundId, status: after.status, origin: after.origin, source }, 'refund updated');
      if (after.status !== 'pending') this.deps.telemetry.refund(after.status);
      else if (!before) this.deps.telemetry.refund('found');
    }
    if (result.changed) this.deps.watch.notify(result.order);
    if (changes.some(({ before, after }) => after.status === 'succeeded' && before?.status !== 'succeeded')) this.deps.messages?.kick();
    return result.order;
  }

  /** Logs (at error) and counts the anomalies an update found for the first time. */
  reportAnomalies(result: Pick<OrderUpdateResult, 'newAnomalies'>): void {
    for (const anomaly of result.newAnomalies) {
      this.deps.logger.error({ anomaly: anomaly.kind, anomalyId: anomaly.id, orderId: anomaly.orderId, intentId: anomaly.intentId, detail: anomaly.detail }, 'money anomaly: needs an operator');
      this.deps.telemetry.anomaly(anomaly.kind);
    }
  }
}
