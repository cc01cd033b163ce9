// Orders: an order as stored (with its items and refunds), the changes the store makes to one in a transaction, and its methods on orders.
import type { LocalizedText, OrderStatus } from '../../contract';
import type { AnomalyRecord, NewAnomaly } from '../anomalies/types';
import type { NewOutboxEvent } from '../outbox/types';
import type { RefundRecord } from '../refunds/types';
import type { NewOrderEvent } from '../timeline/types';

export interface OrderItemRecord {
  sku: string;
  names: LocalizedText;
  quantity: number;
  unitAmount: number;
}

export interface PaymentErrorRecord {
  code: string;
  message: string;
  at: number;
}

/** An order as stored, with its items and refunds; times are epoch milliseconds, amounts integer minor units. */
export interface OrderRecord {
  id: string;
  openId: string;
  /** A short, stable fingerprint of the shopper (never the openid itself) for operators. */
  shopperRef: string;
  status: OrderStatus;
  currency: string;
  totalAmount: number;
  items: OrderItemRecord[];
  /** Oldest first. */
  refunds: RefundRecord[];
  /** Null until Airwallex confirmed the intent's creation. */
  paymentIntentId: string | null;
  /** Airwallex's last known intent status, verbatim. */
  intentStatus: string | null;
  /** The intent's succeeded attempt (`att_…`): what Airwallex's financial transactions name as their source. */
  paymentAttemptId: string | null;
  /** Airwallex's `updated_at` of the last snapshot applied; older snapshots are ignored. */
  intentUpdatedAt: number | null;
  /** The request_id of the create call, kept so a retry after a crash is deduplicated upstream. */
  createRequestId: string;
  /**
   * Confirms sent so far. The next confirm's request_id is derived from it, so two instances
   * confirming the same order at once send the same request_id and Airwallex applies one.
   */
  confirmSeq: number;
  /** When the intent was last confirmed (the WeChat Pay sheet opened); null for a cart never confirmed. */
  confirmedAt: number | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  lastPaymentError: PaymentErrorRecord | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  paidAt: number | null;
  /** When a snapshot of the intent was last applied (retrieve or webhook). */
  checkedAt: number | null;
  /** When this order last claimed a retrieve from Airwallex (the per-order rate limit, shared by instances). */
  retrievedAt: number | null;
  /** When the sweep should look at this order next; null when nothing is left to do. */
  nextCheckAt: number | null;
  /** Consecutive sweep checks that failed (reset by a success). */
  checkFailures: number;
}

export type NewOrder = Omit<
  OrderRecord,
  | 'refunds'
  | 'paymentIntentId'
  | 'intentStatus'
  | 'paymentAttemptId'
  | 'intentUpdatedAt'
  | 'confirmSeq'
  | 'confirmedAt'
  | 'lastPaymentError'
  | 'paidAt'
  | 'checkedAt'
  | 'retrievedAt'
  | 'checkFailures'
>;

/** The order fields an update may change. */
export type OrderPatch = Partial<
  Pick<
    OrderRecord,
    | 'status'
    | 'paymentIntentId'
    | 'intentStatus'
    | 'paymentAttemptId'
    | 'intentUpdatedAt'
    | 'confirmSeq'
    | 'confirmedAt'
    | 'lastPaymentError'
    | 'paidAt'
    | 'checkedAt'
    | 'retrievedAt'
    | 'nextCheckAt'
    | 'checkFailures'
    | 'updatedAt'
  >
>;

/** One change to an order's aggregate, decided on the current state inside the store's transaction. */
export interface OrderUpdate {
  patch?: OrderPatch;
  /** Refund rows to insert or replace (by id), whole. */
  refunds?: RefundRecord[];
  events?: NewOrderEvent[];
  anomalies?: NewAnomaly[];
  /** Order events for the merchant's systems (the outbox): written in the same transaction, so never one for a change rolled back. */
  outbox?: NewOutboxEvent[];
}

/**
 * Decides an update from the order as it is now (with items and refunds). Runs inside the store's
 * transaction with the order locked, so it must be synchronous and pure: no I/O. Throwing aborts
 * the transaction and rejects the store call with the same error.
 */
export type OrderDecider = (current: OrderRecord) => OrderUpdate | null;

export interface OrderUpdateResult {
  /** The order after the update (as it was when nothing changed). */
  order: OrderRecord;
  /** Whether the order or its refunds changed. */
  changed: boolean;
  /** The anomalies that were new (not already open under the same key). */
  newAnomalies: AnomalyRecord[];
}

export type InsertOrderResult =
  | { kind: 'created'; order: OrderRecord }
  | { kind: 'existing'; order: OrderRecord }
  | { kind: 'conflict'; order: OrderRecord }
  /** The shopper already has `maxOpenOrders` open orders; nothing was inserted. */
  | { kind: 'limited'; open: number };

export interface AdminOrderQuery {
  status?: OrderStatus;
  /** Order id, Payment Intent id, shopper fingerprint (prefix) or openid: exact matches. */
  q?: string;
  /** createdAt >= from, createdAt < to (epoch ms). */
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

export interface OrderStore {
  /**
   * Inserts the order (and `events`), unless this shopper already used `idempotencyKey`: then
   * returns that order (`existing` when `requestHash` matches, `conflict` when it does not); or
   * unless the shopper has `maxOpenOrders` open orders already (`limited`). The check and the
   * insert are one transaction, serialized per shopper, so concurrent requests cannot exceed it.
   */
  insertOrder(order: NewOrder, options?: { events?: NewOrderEvent[]; maxOpenOrders?: number }): Promise<InsertOrderResult>;
  getOrder(id: string): Promise<OrderRecord | undefined>;
  /** The order whose intent is `intentId`. */
  getOrderByIntent(intentId: string): Promise<OrderRecord | undefined>;
  /** The shopper's orders that have a Payment Intent, newest first. */
  listOrders(openId: string, limit: number): Promise<OrderRecord[]>;
  /**
   * Reads the order with its refunds, asks `decide` for an update, writes it (order fields, refund
   * rows, timeline events, anomalies, outbox events): all in one transaction with the order locked, so concurrent
   * updates (webhooks, retrieves, the sweep, other instances) cannot interleave. A new anomaly
   * (none open under its key) with an order also goes on that order's timeline.
   *
   * `expected`: the order as the caller read it (from this store). When it is still stored exactly so, the
   * store may decide on it without reading the order again (PostgreSQL: one round trip instead of two);
   * otherwise it reads it as usual. `decide` is pure, so it may be asked twice.
   */
  updateOrder(id: string, decide: OrderDecider, expected?: OrderRecord): Promise<OrderUpdateResult | undefined>;
  /**
   * Sets `retrievedAt = now` if the last retrieve claim is at least `minIntervalMs` old (or there
   * was none); true when this caller won the claim and may ask Airwallex.
   */
  claimRetrieve(orderId: string, now: number, minIntervalMs: number): Promise<boolean>;
  /**
   * The sweep's work: up to `limit` orders whose `nextCheckAt` is due, oldest due first, each
   * leased by pushing its `nextCheckAt` to `leaseUntil` in the same statement, so several
   * instances never take the same order at once (PostgreSQL: FOR UPDATE SKIP LOCKED).
   */
  claimDueOrders(now: number, limit: number, leaseUntil: number): Promise<OrderRecord[]>;
  /** Orders for the console, newest first, and how many match in all. */
  searchOrders(query: AdminOrderQuery): Promise<{ orders: OrderRecord[]; total: number }>;
  /** Orders per status, for metrics. */
  countOrdersByStatus(): Promise<Record<string, number>>;
}
