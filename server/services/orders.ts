// Orders and their one Payment Intent: create, pay, cancel, read (the long poll: order-watch.ts), refresh and expire;
// each change applied through order-changes.ts by the rules of order-rules.ts.
import { createHash, randomBytes } from 'node:crypto';
import { isFinal, type OrderItemInput, type OrderStatus, type RequestPaymentParams } from '../contract';
import { type AirwallexClient, newRequestId } from '../airwallex/client';
import { isAirwallexCode } from '../airwallex/errors';
import { EXPIRY_CANCELLATION_REASON, requestPaymentParamsOf } from '../airwallex/inferred';
import type { AirwallexPaymentIntent } from '../airwallex/types';
import type { Catalogue } from '../catalogue';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { shopperRefOf } from '../store/common';
import type { NewOrderEvent, OrderItemRecord, OrderRecord, Store } from '../store/types';
import type { Telemetry } from '../telemetry';
import type { OrderChanges } from './order-changes';
import { CREATION_GRACE_MS, type SnapshotSource } from './order-rules';
import { LongPoll, type OrderWatch } from './order-watch';
import { asksAirwallex, RetrieveBudget } from './retrieve-budget';
import { singleFlight } from './single-flight';

/** While someone waits on an open order, ask Airwallex at most this often. */
export const RETRIEVE_INTERVAL_MS = 1_000;
/** A shopper's "check again" reaches Airwallex at most this often per order; else the stored state answers. */
export const FORCED_REFRESH_INTERVAL_MS = 2_000;

export interface OrderServiceDeps {
  store: Store;
  airwallex: AirwallexClient;
  catalogue: Catalogue;
  watch: OrderWatch;
  /** Where every change of an order is applied (decided by the rules, then settled). */
  changes: OrderChanges;
  logger: Logger;
  telemetry: Telemetry;
  orderLifetimeMs: number;
  /** Unpaid orders a shopper may have at once; the next one is refused before any intent is made. */
  maxOpenOrders: number;
  now?: () => number;
  /** Interval between retrieves for a waited-on order; tests shorten it. */
  retrieveIntervalMs?: number;
}

export interface PaymentStart {
  order: OrderRecord;
  requestPayment: RequestPaymentParams;
}

export class OrderService {
  private readonly now: () => number;
  private readonly retrieveIntervalMs: number;
  /** Single-flight maps: one upstream operation per order at a time in this process, shared by concurrent callers. */
  private readonly creating = new Map<string, Promise<OrderRecord>>();
  private readonly paying = new Map<string, Promise<PaymentStart>>();
  private readonly refreshing = new Map<string, Promise<OrderRecord | undefined>>();
  private readonly shopperRetrieves: RetrieveBudget;
  private readonly longPoll: LongPoll;

  constructor(private readonly deps: OrderServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.retrieveIntervalMs = deps.retrieveIntervalMs ?? RETRIEVE_INTERVAL_MS;
    this.shopperRetrieves = new RetrieveBudget(deps.store, this.retrieveIntervalMs, this.now);
    this.longPoll = new LongPoll({
      watch: deps.watch,
      store: deps.store,
      telemetry: deps.telemetry,
      now: this.now,
      intervalMs: this.retrieveIntervalMs,
      // Airwallex is asked only about an order whose pay sheet opened (or processing), within the shopper's
      // budget; any other is only read again.
      check: (latest) => (asksAirwallex(latest) ? this.refreshOrder(latest.id, this.retrieveIntervalMs * 0.9, { shopper: true }) : deps.store.getOrder(latest.id)),
    });
  }

  /**
   * Prices the items from the catalogue and creates the order with its Payment Intent. With an
   * idempotency key, the same body returns the same order; another body is IDEMPOTENCY_KEY_REUSED.
   */
  async createOrder(openId: string, items: OrderItemInput[], idempotencyKey?: string): Promise<OrderRecord> {
    const { lines, totalAmount } = this.quote(items);
    const now = this.now();
    const requestHash = createHash('sha256')
      .update(JSON.stringify(lines.map((line) => [line.sku, line.quantity])))
      .digest('hex');
    const created: NewOrderEvent = { kind: 'created', source: 'shopper', data: { total: totalAmount, lines: lines.length }, at: now };
    const result = await this.deps.store.insertOrder(
      {
        id: newOrderId(),
        openId,
        shopperRef: shopperRefOf(openId),
        status: 'awaiting_payment',
        currency: this.deps.catalogue.currency,
        totalAmount,
        items: lines,
        createRequestId: newRequestId(),
        idempotencyKey: idempotencyKey ?? null,
        requestHash: idempotencyKey ? requestHash : null,
        createdAt: now,
        updatedAt: now,
        expiresAt: now + this.deps.orderLifetimeMs,
        // Until its intent exists; the sweep finishes the create if this request cannot.
        nextCheckAt: now + CREATION_GRACE_MS,
      },
      { events: [created], maxOpenOrders: this.deps.maxOpenOrders },
    );
    if (result.kind === 'limited') {
      throw new AppError('TOO_MANY_OPEN_ORDERS', `This shopper already has ${result.open} unpaid orders (at most ${this.deps.maxOpenOrders}): pay or cancel one first.`);
    }
    if (result.kind === 'conflict') {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key was first used for order ${result.order.id} with a different body.`);
    }
    if (result.kind === 'created') this.deps.telemetry.orderCreated();
    if (result.order.paymentIntentId) return result.order;
    return this.ensureIntent(result.order);
  }

  /** Confirms the intent for WeChat Pay in the mini program and returns what wx.requestPayment needs. */
  async startPayment(openId: string, orderId: string): Promise<PaymentStart> {
    const order = await this.getOwnedOrder(openId, orderId);
    return singleFlight(this.paying, order.id, () => this.confirm(order));
  }

  /** Cancels an unpaid order and its intent. Cancelling a cancelled order answers it as it is. */
  async cancelOrder(openId: string, orderId: string): Promise<OrderRecord> {
    let order = await this.getOwnedOrder(openId, orderId);
    if (order.status === 'cancelled') return order;
    if (order.status !== 'awaiting_payment') {
      throw new AppError('ORDER_NOT_CANCELLABLE', `The order is ${order.status} and can no longer be cancelled.`);
    }
    order = await this.cancelUpstream(order, 'requested_by_customer');
    if (order.status !== 'cancelled') {
      throw new AppError('ORDER_NOT_CANCELLABLE', `The order is ${order.status} and can no longer be cancelled.`);
    }
    return order;
  }

  async listOrders(openId: string): Promise<OrderRecord[]> {
    return this.deps.store.listOrders(openId, 100);
  }

  /**
   * The order; with `waitMs`, a long poll that answers as soon as the status differs from
   * `unlessStatus` or is final (or a payment attempt fails). While it waits, Airwallex is asked
   * about once per interval, so the answer comes even when no webhook arrives. With `refundsSince`
   * it waits for a refund created or changed after that time instead (a paid order too). `signal`
   * ends the wait early (the client went away), and with it the retrieves made on its behalf.
   */
  async getOrder(
    openId: string,
    orderId: string,
    options: { waitMs?: number; unlessStatus?: OrderStatus; refundsSince?: number; refresh?: boolean; signal?: AbortSignal } = {},
  ): Promise<OrderRecord> {
    const readSince = performance.now();
    let order = await this.getOwnedOrder(openId, orderId);
    if (options.refresh && asksAirwallex(order)) {
      // The shopper asked to re-check now (a Refresh button): at most one retrieve per interval per order, within the shopper's budget.
      order = (await this.refreshOrder(order.id, FORCED_REFRESH_INTERVAL_MS, { shopper: true })) ?? order;
    }
    return this.longPoll.wait(order, { ...options, readSince });
  }

  /**
   * Reads the intent from Airwallex and applies it: single-flight in this process, and at most one
   * retrieve per `minIntervalMs` per order across every instance (a claim in the database). With
   * `shopper`, a shopper's request asks: only about an order whose pay sheet opened, and within the
   * shopper's budget (retrieve-budget.ts), also claimed in the database.
   */
  async refreshOrder(orderId: string, minIntervalMs: number = this.retrieveIntervalMs, options: { shopper?: boolean } = {}): Promise<OrderRecord | undefined> {
    return singleFlight(this.refreshing, orderId, async () => {
      const order = await this.deps.store.getOrder(orderId);
      if (!order?.paymentIntentId || isFinal(order.status)) return order;
      if (options.shopper && (!asksAirwallex(order) || !(await this.shopperRetrieves.claim(order)))) return order;
      if (!(await this.deps.store.claimRetrieve(orderId, this.now(), minIntervalMs))) return order;
      const intent = await this.deps.airwallex.retrievePaymentIntent(order.paymentIntentId);
      return this.applyIntent(orderId, intent, { source: 'retrieve', authoritative: true });
    });
  }

  /** Creates the order's intent (single-flight); the stored request_id makes a re-run after a crash, or on another instance, safe. */
  async ensureIntent(order: OrderRecord): Promise<OrderRecord> {
    if (order.paymentIntentId) return order;
    return singleFlight(this.creating, order.id, async () => {
      const intent = await this.deps.airwallex.createPaymentIntent({
        requestId: order.createRequestId,
        amountMinor: order.totalAmount,
        currency: order.currency,
        merchantOrderId: order.id,
        descriptor: 'WeChat Mini Program order',
        metadata: { order_id: order.id },
      });
      const updated = await this.applyIntent(order.id, intent, { source: 'create', authoritative: true }, order);
      if (!updated?.paymentIntentId) throw new AppError('UPSTREAM_REJECTED', 'Airwallex returned an intent that does not match the order.');
      return updated;
    });
  }

  /** Cancels the intent upstream (for the shopper or for expiry) and applies the answer. */
  async cancelUpstream(order: OrderRecord, reason: string): Promise<OrderRecord> {
    if (!order.paymentIntentId) return this.setStatus(order.id, reason === EXPIRY_CANCELLATION_REASON ? 'expired' : 'cancelled', reason);
    const intentId = order.paymentIntentId;
    let intent: AirwallexPaymentIntent;
    try {
      intent = await this.deps.airwallex.cancelPaymentIntent(intentId, { requestId: newRequestId(), reason });
    } catch (err) {
      // Already paid, already cancelled, or payment in flight: the intent's real state decides.
      if (!isAirwallexCode(err, 'invalid_status_for_operation')) throw err;
      intent = await this.deps.airwallex.retrievePaymentIntent(intentId);
    }
    return (await this.applyIntent(order.id, intent, { source: 'cancel', authoritative: true })) ?? order;
  }

  /**
   * Ends an order whose lifetime is over: cancelled upstream and `expired`, unless it turns out
   * paid. A processing payment is never cancelled: the sweep keeps asking until it is final.
   */
  async expireOrder(order: OrderRecord): Promise<OrderRecord> {
    if (!order.paymentIntentId) {
      const found = await this.deps.airwallex.findPaymentIntentByMerchantOrderId(order.id);
      if (found) order = (await this.applyIntent(order.id, found, { source: 'sweep', authoritative: true })) ?? order;
      if (!order.paymentIntentId) return this.setStatus(order.id, 'expired', 'sweep');
    }
    if (order.status === 'processing') return (await this.refreshOrder(order.id)) ?? order;
    return this.cancelUpstream(order, EXPIRY_CANCELLATION_REASON);
  }

  /** An order of this shopper; anyone else's is a 404, like one that does not exist. */
  async getOwnedOrder(openId: string, orderId: string): Promise<OrderRecord> {
    const order = await this.deps.store.getOrder(orderId);
    if (!order || order.openId !== openId || !order.paymentIntentId) throw new AppError('ORDER_NOT_FOUND');
    return order;
  }

  private async confirm(order: OrderRecord): Promise<PaymentStart> {
    if (order.status === 'paid') throw new AppError('ORDER_NOT_PAYABLE', 'The order is already paid.');
    if (isFinal(order.status)) throw new AppError('ORDER_NOT_PAYABLE', `The order is ${order.status}.`);
    if (order.status === 'processing') throw new AppError('ORDER_NOT_PAYABLE', 'A payment for this order is being processed.');
    if (order.expiresAt <= this.now()) throw new AppError('ORDER_NOT_PAYABLE', 'The order has expired.');
    let seq = order.confirmSeq + 1;
    let intent = await this.sendConfirm(order, seq);
    let found = requestPaymentParamsOf(intent);
    if (!found.params && intent.status === 'REQUIRES_PAYMENT_METHOD' && intent.request_id !== confirmRequestId(order, seq)) {
      // Our request_id for this try was spent long ago (a crash lost the count): the next one.
      seq += 1;
      intent = await this.sendConfirm(order, seq);
      found = requestPaymentParamsOf(intent);
    }
    const updated =
      (await this.applyIntent(order.id, intent, { source: 'confirm', authoritative: true, note: { confirm: seq }, confirmed: { seq, at: this.now() } }, order)) ??
      order;
    if (!found.params) {
      this.deps.logger.error(
        { orderId: order.id, intentId: intent.id, intentStatus: intent.status, nextActionType: intent.next_action?.type, missing: found.missing, dataKeys: found.keys },
        'confirm answer has no WeChat Pay parameters',
      );
      throw new AppError('UPSTREAM_REJECTED', 'Airwallex did not return WeChat Pay parameters for this payment.');
    }
    return { order: updated, requestPayment: found.params };
  }

  /**
   * One confirm with the request_id of try `seq`. A `duplicate_request` means this try was made
   * already (by a concurrent request on another instance, or before a lost answer): the intent as
   * it is now answers instead.
   */
  private async sendConfirm(order: OrderRecord, seq: number): Promise<AirwallexPaymentIntent> {
    const intentId = order.paymentIntentId!;
    try {
      return await this.deps.airwallex.confirmWechatMiniProgram(intentId, { requestId: confirmRequestId(order, seq), openId: order.openId });
    } catch (err) {
      if (isAirwallexCode(err, 'duplicate_request')) return this.deps.airwallex.retrievePaymentIntent(intentId);
      if (!isAirwallexCode(err, 'invalid_status_for_operation')) throw err;
      const current = await this.refreshOrder(order.id, 0);
      throw new AppError('ORDER_NOT_PAYABLE', `The order is ${current?.status ?? order.status}.`);
    }
  }

  /** A change the server makes alone (no intent to ask): cancelled or expired. */
  private async setStatus(orderId: string, status: OrderStatus, source: string): Promise<OrderRecord> {
    const order = await this.deps.changes.apply(orderId, this.deps.changes.status(status, source));
    if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${orderId}.`);
    return order;
  }

  /**
   * Applies an Airwallex intent snapshot (an API answer, a retrieve) to its order (order-changes.ts); `read`: the
   * order as this request read it before asking Airwallex, when nothing since may have changed it.
   */
  private applyIntent(orderId: string, intent: AirwallexPaymentIntent, from: SnapshotSource, read?: OrderRecord): Promise<OrderRecord | undefined> {
    return this.deps.changes.apply(orderId, this.deps.changes.intent(intent, from), read);
  }

  /** Prices `items` from the catalogue (same skus merged), exactly as an order would be; creates nothing. */
  quote(items: OrderItemInput[]): { lines: OrderItemRecord[]; totalAmount: number; currency: string } {
    const bySku = new Map<string, number>();
    for (const item of items) bySku.set(item.sku, (bySku.get(item.sku) ?? 0) + item.quantity);
    const lines = [...bySku].map(([sku, quantity]) => {
      const product = this.deps.catalogue.find(sku);
      if (!product) throw new AppError('UNKNOWN_PRODUCT', `No product with sku "${sku.slice(0, 64)}".`);
      // The mini program says the same for both: a product in the cart is no longer sold.
      if (product.available === false) throw new AppError('UNKNOWN_PRODUCT', `The product "${sku}" is not available any more.`);
      return { sku, names: product.names, quantity, unitAmount: product.unitAmount };
    });
    const totalAmount = lines.reduce((sum, line) => sum + line.unitAmount * line.quantity, 0);
    if (!Number.isSafeInteger(totalAmount)) throw new AppError('VALIDATION_FAILED', 'The order total is too large.');
    return { lines, totalAmount, currency: this.deps.catalogue.currency };
  }

}

/**
 * The request_id of an order's `seq`-th confirm: derived from the order, not random, so two
 * instances confirming the same order at once send the same one and Airwallex applies it once.
 */
export function confirmRequestId(order: Pick<OrderRecord, 'createRequestId'>, seq: number): string {
  return `${order.createRequestId}-c${seq}`;
}

function newOrderId(): string {
  return `ord_${randomBytes(12).toString('base64url')}`;
}
