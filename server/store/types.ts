// The store's interface: what the services need from a database, so another one can replace SQLite.
import type { LocalizedText, OrderStatus } from '../contract';

export interface SessionRecord {
  tokenHash: string;
  openId: string;
  createdAt: number;
  expiresAt: number;
}

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

/** An order as stored; times are epoch milliseconds, amounts integer minor units. */
export interface OrderRecord {
  id: string;
  openId: string;
  status: OrderStatus;
  currency: string;
  totalAmount: number;
  items: OrderItemRecord[];
  /** Null until Airwallex confirmed the intent's creation. */
  paymentIntentId: string | null;
  /** Airwallex's last known intent status, verbatim. */
  intentStatus: string | null;
  /** Airwallex's `updated_at` of the last snapshot applied; older snapshots are ignored. */
  intentUpdatedAt: number | null;
  /** The request_id of the create call, kept so a retry after a crash is deduplicated upstream. */
  createRequestId: string;
  idempotencyKey: string | null;
  requestHash: string | null;
  lastPaymentError: PaymentErrorRecord | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  paidAt: number | null;
  /** When the intent was last read from Airwallex (retrieve or webhook). */
  checkedAt: number | null;
}

export type NewOrder = Omit<
  OrderRecord,
  'paymentIntentId' | 'intentStatus' | 'intentUpdatedAt' | 'lastPaymentError' | 'paidAt' | 'checkedAt'
>;

/** The fields an update may change. */
export type OrderPatch = Partial<
  Pick<
    OrderRecord,
    'status' | 'paymentIntentId' | 'intentStatus' | 'intentUpdatedAt' | 'lastPaymentError' | 'paidAt' | 'checkedAt' | 'updatedAt'
  >
>;

export interface WebhookEventRecord {
  id: string;
  name: string;
  /** The order the event is about (from the intent's merchant_order_id), when it names one. */
  orderId: string | null;
  payload: string;
  receivedAt: number;
}

export type WebhookRecordResult =
  | { inserted: false }
  | { inserted: true; outcome: 'applied' | 'unknown_order' | 'ignored'; update?: { order: OrderRecord; changed: boolean } };

export type InsertOrderResult =
  | { kind: 'created'; order: OrderRecord }
  | { kind: 'existing'; order: OrderRecord }
  | { kind: 'conflict'; order: OrderRecord };

/**
 * A change of orders, seen by `Store.subscribe`: `order` after a committed change of that order (by
 * this process or any other sharing the database); `resync` when changes may have been missed (the
 * notification connection was lost and is back), so every order of interest must be read again.
 */
export type OrderChange = { kind: 'order'; orderId: string } | { kind: 'resync' };

/** What a load balancer's readiness check needs to know about the store. */
export interface StoreReadiness {
  ok: boolean;
  /** Why not ready (never holds a secret). */
  detail?: string;
}

/**
 * Every method is atomic on its own. Methods are async so a networked database can implement the
 * same interface; the SQLite implementation answers synchronously inside.
 */
export interface Store {
  createSession(session: SessionRecord): Promise<void>;
  findSession(tokenHash: string, now: number): Promise<SessionRecord | undefined>;

  /**
   * Inserts the order, unless this shopper already used `idempotencyKey`: then returns that order
   * (`existing` when `requestHash` matches, `conflict` when it does not).
   */
  insertOrder(order: NewOrder): Promise<InsertOrderResult>;
  getOrder(id: string): Promise<OrderRecord | undefined>;
  /** The shopper's orders that have a Payment Intent, newest first. */
  listOrders(openId: string, limit: number): Promise<OrderRecord[]>;
  /**
   * Reads the order, asks `decide` for a patch, writes it: all in one transaction, so concurrent
   * updates (webhook, retrieve, sweep) cannot interleave. `decide` returning null changes nothing.
   */
  updateOrder(id: string, decide: (current: OrderRecord) => OrderPatch | null): Promise<{ order: OrderRecord; changed: boolean } | undefined>;
  /** Non-final orders with an intent, not checked since `checkedBefore`, oldest check first. */
  ordersToCheck(checkedBefore: number, limit: number): Promise<OrderRecord[]>;
  /** Non-final orders whose lifetime ended before `now`. */
  ordersPastExpiry(now: number, limit: number): Promise<OrderRecord[]>;
  /** Non-final orders whose intent creation never completed, created before `createdBefore`. */
  ordersWithoutIntent(createdBefore: number, limit: number): Promise<OrderRecord[]>;

  /**
   * Records a webhook event and applies it in one transaction: with `apply`, `decide` runs on the
   * order as in updateOrder, and the event is marked applied (or `unknown_order` when the order does
   * not exist); without it the event is marked `ignored`. Nothing happens for an id already recorded.
   */
  recordWebhookEvent(
    event: WebhookEventRecord,
    apply: { orderId: string; decide: (current: OrderRecord) => OrderPatch | null } | undefined,
    at: number,
  ): Promise<WebhookRecordResult>;
  /** Records a webhook event without applying it (the sweep will); false when its id was already recorded. */
  insertWebhookEvent(event: WebhookEventRecord): Promise<boolean>;
  markWebhookEventApplied(id: string, outcome: string, at: number): Promise<void>;
  /** Recorded events whose application did not finish (e.g. the process died), oldest first. */
  unappliedWebhookEvents(limit: number): Promise<WebhookEventRecord[]>;
  /** How many times an event id was applied; for tests and the chaos tool. */
  webhookEventOutcome(id: string): Promise<string | null | undefined>;

  /**
   * Calls `listener` after each committed change of an order (insert or update), whoever made it.
   * Delivery is at least once and may be spurious: a listener re-reads the order. Returns the
   * unsubscribe function. Listeners must not throw.
   */
  subscribe(listener: (change: OrderChange) => void): () => void;
  /** Database reachable, schema current, change notifications connected. */
  ready(): Promise<StoreReadiness>;

  close(): Promise<void>;
}
