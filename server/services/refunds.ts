// Refunds of paid orders: requested by an operator (admin API), made at Airwallex with a stored
// request_id, and kept in step with Airwallex by webhooks and the sweep, whoever made them.
import { createHash } from 'node:crypto';
import { type AirwallexClient, newRequestId } from '../airwallex/client';
import { AirwallexApiError } from '../airwallex/errors';
import type { AirwallexRefund } from '../airwallex/types';
import { isFinal } from '../contract';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { OrderRecord, RefundRecord, Store } from '../store/types';
import type { Telemetry } from '../telemetry';
import type { OrderChanges } from './order-changes';
import { FORCED_REFRESH_INTERVAL_MS, type OrderService } from './orders';
import { decideNewRefund, newRefundId, type RefundSource } from './refund-rules';
import { singleFlight } from './single-flight';

export interface RefundServiceDeps {
  store: Store;
  airwallex: AirwallexClient;
  orders: OrderService;
  /** Where every change of an order is applied (decided by the rules, then settled). */
  changes: OrderChanges;
  logger: Logger;
  telemetry: Telemetry;
  /** As for orders (order-rules.ts Schedule): a pending refund nothing told us about is checked after this long. */
  staleAfterMs: number;
  now?: () => number;
}

export interface RefundRequest {
  /** Integer minor units; absent: everything not yet refunded (pending refunds count as refunded). */
  amount?: number;
  reason?: string;
}

export class RefundService {
  private readonly now: () => number;
  private readonly submitting = new Map<string, Promise<RefundRecord>>();

  constructor(private readonly deps: RefundServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Refunds part or all of a paid order. The refund is stored `pending` with its request_id before
   * Airwallex is called, inside the order's transaction that checks what is left, so concurrent
   * requests can never together refund more than was paid. The same idempotency key and body
   * answer the same refund; the same key with another body is IDEMPOTENCY_KEY_REUSED.
   */
  async refund(orderId: string, request: RefundRequest, options: { idempotencyKey: string; actor: string }): Promise<{ refund: RefundRecord; order: OrderRecord; created: boolean }> {
    const now = this.now();
    const requestHash = createHash('sha256').update(JSON.stringify([request.amount ?? null, request.reason ?? null])).digest('hex');
    let existing: RefundRecord | undefined;
    let created: RefundRecord | undefined;
    const result = await this.deps.store.updateOrder(orderId, (order) => {
      const decided = decideNewRefund(order, { ...request, ...options, requestHash, id: newRefundId(), requestId: newRequestId() }, now, this.deps);
      existing = decided.existing;
      created = decided.created;
      return decided.update;
    });
    if (!result) throw new AppError('ORDER_NOT_FOUND', `No order ${orderId}.`);
    const refund = existing ?? created!;
    if (created) this.deps.telemetry.refund('requested');
    // A refund stored but not yet known to Airwallex (this call, or one whose answer was lost) is sent now.
    const sent = refund.airwallexRefundId === null && refund.status === 'pending' ? await this.submit(refund) : refund;
    const order = (await this.deps.store.getOrder(orderId)) ?? result.order;
    return { refund: order.refunds.find((r) => r.id === sent.id) ?? sent, order, created: created !== undefined };
  }

  /**
   * Makes the stored refund at Airwallex with its stored request_id (so a retry is the same refund)
   * and applies the answer. A refusal ends the refund `failed`, giving its amount back; no answer
   * leaves it `pending` for the sweep to send again.
   */
  async submit(refund: RefundRecord): Promise<RefundRecord> {
    return singleFlight(this.submitting, refund.id, async () => {
      const order = await this.deps.store.getOrder(refund.orderId);
      if (!order?.paymentIntentId) throw new AppError('ORDER_NOT_FOUND');
      let answer: AirwallexRefund;
      try {
        answer = await this.deps.airwallex.createRefund({
          requestId: refund.requestId,
          paymentIntentId: order.paymentIntentId,
          amountMinor: refund.amount,
          currency: refund.currency,
          reason: refund.reason ?? undefined,
          metadata: { order_id: order.id, refund_id: refund.id },
        });
      } catch (err) {
        // A refusal is final; no answer, a 429/5xx or a duplicate_request the client could not read
        // back leaves the refund pending, for the sweep to send again or find at Airwallex.
        const refused =
          err instanceof AirwallexApiError && err.httpStatus >= 400 && err.httpStatus < 500 && err.httpStatus !== 429 && err.httpStatus !== 401 && err.airwallexCode !== 'duplicate_request';
        if (!refused) throw err;
        await this.markRefused(refund, err);
        throw new AppError('REFUND_REJECTED', `Airwallex refused the refund (${err.airwallexCode ?? `HTTP ${err.httpStatus}`}): ${err.upstreamMessage ?? 'no reason given'}.`);
      }
      const after = await this.applyRefund(answer, { source: 'create', authoritative: true }, refund.orderId);
      return after?.refunds.find((r) => r.id === refund.id) ?? refund;
    });
  }

  private async markRefused(refund: RefundRecord, err: AirwallexApiError): Promise<void> {
    const failure = { code: err.airwallexCode ?? `http_${err.httpStatus}`, message: err.upstreamMessage ?? 'refused by Airwallex' };
    await this.deps.changes.apply(refund.orderId, this.deps.changes.refusal(refund.id, failure));
    this.deps.telemetry.refund('rejected');
    this.deps.logger.warn({ refundId: refund.id, orderId: refund.orderId, airwallexCode: err.airwallexCode, traceId: err.traceId }, 'Airwallex refused the refund');
  }

  /** Applies a Refund snapshot (an answer, a list) to its order (order-changes.ts); `orderId` when known. */
  async applyRefund(snapshot: AirwallexRefund, from: RefundSource, orderId?: string): Promise<OrderRecord | undefined> {
    const id = orderId ?? (snapshot.payment_intent_id ? (await this.deps.store.getOrderByIntent(snapshot.payment_intent_id))?.id : undefined);
    if (!id) return undefined;
    return this.deps.changes.apply(id, this.deps.changes.refund(snapshot, from));
  }

  /**
   * Brings an order's refunds in step with Airwallex (the sweep, for orders with pending refunds):
   * sends the ones Airwallex never confirmed, then lists the intent's refunds and applies each, so
   * a lost webhook, or a refund made in Airwallex's web app, is caught.
   */
  async reconcile(order: OrderRecord): Promise<OrderRecord> {
    if (!order.paymentIntentId) return order;
    for (const refund of order.refunds.filter((r) => r.status === 'pending' && r.airwallexRefundId === null)) {
      await this.submit(refund).catch((err: unknown) => {
        if (!(err instanceof AppError && err.code === 'REFUND_REJECTED')) throw err;
      });
    }
    let latest: OrderRecord = order;
    for (const snapshot of await this.deps.airwallex.listRefunds(order.paymentIntentId)) {
      latest = (await this.applyRefund(snapshot, { source: 'sweep', authoritative: true }, order.id)) ?? latest;
    }
    return latest;
  }

  /**
   * An operator's "re-check with Airwallex": the intent when the order is still open, the refunds
   * when it is paid. Within the same per-order limit as a shopper's forced refresh.
   */
  async recheck(orderId: string): Promise<OrderRecord> {
    const order = await this.deps.store.getOrder(orderId);
    if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${orderId}.`);
    if (!order.paymentIntentId) return order;
    if (!isFinal(order.status)) return (await this.deps.orders.refreshOrder(order.id, FORCED_REFRESH_INTERVAL_MS)) ?? order;
    if (order.status !== 'paid' || !(await this.deps.store.claimRetrieve(order.id, this.now(), FORCED_REFRESH_INTERVAL_MS))) return order;
    return this.reconcile(order);
  }
}
