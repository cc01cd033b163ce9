// Orders and their one Payment Intent: create, pay, cancel, read (with long poll), and apply Airwallex state.
import { createHash, randomBytes } from 'node:crypto';
import type { OrderItemInput, OrderStatus, RequestPaymentParams } from '../contract';
import { AirwallexClient, isAirwallexCode, newRequestId } from '../airwallex/client';
import { EXPIRY_CANCELLATION_REASON, failedAttemptOf, orderStatusFor, requestPaymentParamsOf } from '../airwallex/inferred';
import type { AirwallexPaymentIntent } from '../airwallex/types';
import type { Catalogue } from '../catalogue';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { toMinorUnits } from '../money';
import type { OrderItemRecord, OrderPatch, OrderRecord, Store } from '../store/types';
import { timed, untimed } from '../timing';
import { OrderWatch } from './order-watch';

export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['paid', 'cancelled', 'expired']);
export const isFinal = (status: OrderStatus): boolean => FINAL_STATUSES.has(status);

/** Longest long poll a request may ask for. */
export const MAX_WAIT_SECONDS = 25;
/** While someone waits on an open order, ask Airwallex at most this often. */
export const RETRIEVE_INTERVAL_MS = 1_000;

export interface OrderServiceDeps {
  store: Store;
  airwallex: AirwallexClient;
  catalogue: Catalogue;
  watch: OrderWatch;
  logger: Logger;
  orderLifetimeMs: number;
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
  /** Single-flight maps: one upstream operation per order at a time, shared by concurrent callers. */
  private readonly creating = new Map<string, Promise<OrderRecord>>();
  private readonly paying = new Map<string, Promise<PaymentStart>>();
  private readonly refreshing = new Map<string, Promise<OrderRecord | undefined>>();
  private readonly lastRetrieveAt = new Map<string, number>();

  constructor(private readonly deps: OrderServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.retrieveIntervalMs = deps.retrieveIntervalMs ?? RETRIEVE_INTERVAL_MS;
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
    const result = await this.deps.store.insertOrder({
      id: newOrderId(),
      openId,
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
    });
    if (result.kind === 'conflict') {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key was first used for order ${result.order.id} with a different body.`);
    }
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
    if (!order.paymentIntentId) {
      return this.setStatus(order.id, 'cancelled');
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
   * `unlessStatus` or is final (or a payment attempt fails). While it waits, Airwallex is asked about once per interval, so the
   * answer comes even when no webhook arrives.
   */
  async getOrder(
    openId: string,
    orderId: string,
    options: { waitMs?: number; unlessStatus?: OrderStatus; refresh?: boolean } = {},
  ): Promise<OrderRecord> {
    let order = await this.getOwnedOrder(openId, orderId);
    if (options.refresh && !isFinal(order.status)) {
      // The shopper asked to re-check now (a Refresh button): one retrieve, shared with concurrent ones.
      order = (await this.refreshOrder(order.id, { force: true })) ?? order;
    }
    const wait = options.waitMs ? { waitMs: options.waitMs, unlessStatus: options.unlessStatus } : undefined;
    if (!wait || wait.waitMs <= 0 || !order.paymentIntentId) return order;
    const unless = wait.unlessStatus ?? order.status;
    const deadline = this.now() + wait.waitMs;
    const release = untimed(() =>
      this.deps.watch.hold(order.id, this.retrieveIntervalMs, () => {
        // Wake the waiters with what was read: another instance may have stored the change (its
        // webhook), which this instance hears of here when its change feed is down.
        this.refreshOrder(order.id).then((latest) => latest && this.deps.watch.notify(latest), () => undefined);
      }),
    );
    // A failed attempt leaves the status as it is; it still ends the wait, so the page can say so.
    const errorAt = order.lastPaymentError?.at;
    try {
      while (order.status === unless && !isFinal(order.status) && order.lastPaymentError?.at === errorAt) {
        const remaining = deadline - this.now();
        if (remaining <= 0) break;
        const changed = await timed('wait', () => this.deps.watch.next(order.id, remaining));
        if (!changed) break;
        order = changed;
      }
    } finally {
      release();
    }
    return (await this.deps.store.getOrder(order.id)) ?? order;
  }

  /** Reads the intent from Airwallex and applies it; single-flight and rate-limited per order. */
  async refreshOrder(orderId: string, options: { force?: boolean } = {}): Promise<OrderRecord | undefined> {
    const last = this.lastRetrieveAt.get(orderId) ?? 0;
    if (!options.force && this.now() - last < this.retrieveIntervalMs * 0.9) return this.deps.store.getOrder(orderId);
    return singleFlight(this.refreshing, orderId, async () => {
      const order = await this.deps.store.getOrder(orderId);
      if (!order?.paymentIntentId || isFinal(order.status)) return order;
      this.lastRetrieveAt.set(orderId, this.now());
      try {
        const intent = await this.deps.airwallex.retrievePaymentIntent(order.paymentIntentId);
        return await this.applyIntent(orderId, intent, 'retrieve');
      } finally {
        // Keep the map small: only orders being watched need the rate limit.
        if (this.deps.watch.waiting(orderId) === 0) this.lastRetrieveAt.delete(orderId);
      }
    });
  }

  /**
   * Applies an Airwallex intent snapshot (from an API answer, a retrieve or a webhook) to its order,
   * atomically: a final status never changes, an older snapshot never overwrites a newer one, and
   * an intent whose amount or currency differs from the order is refused.
   */
  async applyIntent(orderId: string, intent: AirwallexPaymentIntent, source: string): Promise<OrderRecord | undefined> {
    const update = this.intentUpdate(intent, source);
    return update.settle(await this.deps.store.updateOrder(orderId, update.decide));
  }

  /**
   * The two halves of applyIntent, for a caller that runs `decide` inside its own transaction (the
   * webhook path records the event in the same one): `decide` computes the patch from the stored
   * order; `settle` then logs the change and wakes the order's long polls.
   */
  intentUpdate(intent: AirwallexPaymentIntent, source: string) {
    let before: OrderRecord | undefined;
    const now = this.now();
    const decide = (current: OrderRecord): OrderPatch | null => {
      before = current;
      const orderId = current.id;
      if (current.paymentIntentId && current.paymentIntentId !== intent.id) {
        this.deps.logger.error({ orderId, intentId: intent.id, source }, 'intent does not belong to this order; ignored');
        return null;
      }
      if (!this.matchesAmount(current, intent)) {
        this.deps.logger.error({ orderId, intentId: intent.id, source, amount: intent.amount, currency: intent.currency }, 'intent amount differs from the order total; ignored');
        return null;
      }
      const patch: OrderPatch = { checkedAt: now };
      if (!current.paymentIntentId) patch.paymentIntentId = intent.id;
      const snapshotAt = Date.parse(intent.updated_at);
      const stale = current.intentUpdatedAt !== null && Number.isFinite(snapshotAt) && snapshotAt < current.intentUpdatedAt;
      if (isFinal(current.status) || stale) return patch;
      patch.intentStatus = intent.status;
      if (Number.isFinite(snapshotAt)) patch.intentUpdatedAt = snapshotAt;
      const status = orderStatusFor(intent) ?? current.status;
      const failure = failedAttemptOf(intent);
      let lastPaymentError = current.lastPaymentError;
      if (failure && (failure.code !== lastPaymentError?.code || failure.message !== lastPaymentError?.message)) {
        lastPaymentError = { ...failure, at: now };
      } else if (intent.status === 'REQUIRES_CUSTOMER_ACTION' || status === 'paid' || status === 'processing') {
        lastPaymentError = null; // a new attempt is under way, or the money is in
      }
      if (status !== current.status || lastPaymentError !== current.lastPaymentError) {
        patch.status = status;
        patch.lastPaymentError = lastPaymentError;
        patch.updatedAt = now;
        if (status === 'paid' && current.paidAt === null) patch.paidAt = now;
      }
      return patch;
    };
    const settle = (result: { order: OrderRecord } | undefined): OrderRecord | undefined => {
      if (!result) return undefined;
      const after = result.order;
      if (before && (after.status !== before.status || after.lastPaymentError?.at !== before.lastPaymentError?.at || after.paymentIntentId !== before.paymentIntentId)) {
        this.deps.logger.info({ orderId: after.id, intentId: intent.id, intentStatus: intent.status, from: before.status, to: after.status, source }, 'order updated');
        this.deps.watch.notify(after);
      }
      return after;
    };
    return { decide, settle };
  }

  /** Creates the order's intent (single-flight); the stored request_id makes a re-run after a crash safe. */
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
      const updated = await this.applyIntent(order.id, intent, 'create');
      if (!updated?.paymentIntentId) throw new AppError('UPSTREAM_REJECTED', 'Airwallex returned an intent that does not match the order.');
      return updated;
    });
  }

  /** Cancels the intent upstream (for the shopper or for expiry) and applies the answer. */
  async cancelUpstream(order: OrderRecord, reason: string): Promise<OrderRecord> {
    const intentId = order.paymentIntentId!;
    let intent: AirwallexPaymentIntent;
    try {
      intent = await this.deps.airwallex.cancelPaymentIntent(intentId, { requestId: newRequestId(), reason });
    } catch (err) {
      // Already paid, already cancelled, or payment in flight: the intent's real state decides.
      if (!isAirwallexCode(err, 'invalid_status_for_operation')) throw err;
      intent = await this.deps.airwallex.retrievePaymentIntent(intentId);
    }
    return (await this.applyIntent(order.id, intent, 'cancel')) ?? order;
  }

  /** Ends an order whose lifetime is over: cancelled upstream and `expired`, unless it turns out paid. */
  async expireOrder(order: OrderRecord): Promise<OrderRecord> {
    if (!order.paymentIntentId) {
      const found = await this.deps.airwallex.findPaymentIntentByMerchantOrderId(order.id);
      if (found) order = (await this.applyIntent(order.id, found, 'sweep')) ?? order;
      if (!order.paymentIntentId) return this.setStatus(order.id, 'expired');
    }
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
    let intent: AirwallexPaymentIntent;
    try {
      intent = await this.deps.airwallex.confirmWechatMiniProgram(order.paymentIntentId!, { requestId: newRequestId(), openId: order.openId });
    } catch (err) {
      if (!isAirwallexCode(err, 'invalid_status_for_operation')) throw err;
      const current = await this.refreshOrder(order.id, { force: true });
      throw new AppError('ORDER_NOT_PAYABLE', `The order is ${current?.status ?? order.status}.`);
    }
    const updated = (await this.applyIntent(order.id, intent, 'confirm')) ?? order;
    const requestPayment = requestPaymentParamsOf(intent);
    if (!requestPayment) {
      this.deps.logger.error({ orderId: order.id, intentId: intent.id, intentStatus: intent.status, nextActionType: intent.next_action?.type }, 'confirm answer has no WeChat Pay parameters');
      throw new AppError('UPSTREAM_REJECTED', 'Airwallex did not return WeChat Pay parameters for this payment.');
    }
    return { order: updated, requestPayment };
  }

  private async setStatus(orderId: string, status: OrderStatus): Promise<OrderRecord> {
    const now = this.now();
    const result = await this.deps.store.updateOrder(orderId, (current) =>
      isFinal(current.status) ? null : { status, updatedAt: now },
    );
    if (result?.changed) this.deps.watch.notify(result.order);
    return result!.order;
  }

  /** Prices `items` from the catalogue (same skus merged), exactly as an order would be; creates nothing. */
  quote(items: OrderItemInput[]): { lines: OrderItemRecord[]; totalAmount: number; currency: string } {
    const bySku = new Map<string, number>();
    for (const item of items) bySku.set(item.sku, (bySku.get(item.sku) ?? 0) + item.quantity);
    const lines = [...bySku].map(([sku, quantity]) => {
      const product = this.deps.catalogue.find(sku);
      if (!product) throw new AppError('UNKNOWN_PRODUCT', `No product with sku "${sku.slice(0, 64)}".`);
      return { sku, names: product.names, quantity, unitAmount: product.unitAmount };
    });
    const totalAmount = lines.reduce((sum, line) => sum + line.unitAmount * line.quantity, 0);
    if (!Number.isSafeInteger(totalAmount)) throw new AppError('VALIDATION_FAILED', 'The order total is too large.');
    return { lines, totalAmount, currency: this.deps.catalogue.currency };
  }

  private matchesAmount(order: OrderRecord, intent: AirwallexPaymentIntent): boolean {
    if (intent.currency?.toUpperCase() !== order.currency) return false;
    try {
      return toMinorUnits(intent.amount, order.currency) === order.totalAmount;
    } catch {
      return false;
    }
  }
}

/** Runs `task` once per key at a time; concurrent callers share its promise. */
async function singleFlight<T>(map: Map<string, Promise<T>>, key: string, task: () => Promise<T>): Promise<T> {
  const running = map.get(key);
  if (running) return running;
  const promise = task().finally(() => map.delete(key));
  map.set(key, promise);
  return promise;
}

function newOrderId(): string {
  return `ord_${randomBytes(12).toString('base64url')}`;
}
