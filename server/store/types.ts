// The store's interface: what the services need from a database. SQLite (embedded, the default) and
// PostgreSQL (several instances) implement it with the same semantics; test/server/store runs one
// contract suite against both.
import type { LocalizedText, OrderStatus, RefundStatus } from '../contract';

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

/** A refund of an order, as stored; amounts in the order's currency, integer minor units. */
export interface RefundRecord {
  /** Ours (`ref_…`); Airwallex's (`rfd_…`) is `airwallexRefundId`. */
  id: string;
  orderId: string;
  /** Null until Airwallex confirmed the creation. */
  airwallexRefundId: string | null;
  /** The request_id of the create call: stored before the call, so a retry can never refund twice. */
  requestId: string;
  amount: number;
  currency: string;
  reason: string | null;
  status: RefundStatus;
  /** Airwallex's last known refund status, verbatim (RECEIVED, ACCEPTED, SETTLED, FAILED, ...). */
  airwallexStatus: string | null;
  /** Airwallex's `updated_at` of the last snapshot applied. */
  airwallexUpdatedAt: number | null;
  failure: { code: string; message: string } | null;
  /** `admin`: made through our admin API; `airwallex`: found at Airwallex (e.g. made in its web app). */
  origin: 'admin' | 'airwallex';
  /** Who asked for it (an admin token fingerprint); null for refunds found at Airwallex. */
  createdBy: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: number;
  updatedAt: number;
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

/** What happened to an order, for its timeline (the merchant console). */
export type OrderEventKind =
  | 'created'
  | 'intent' // an intent snapshot changed the order (source: create, confirm, retrieve, cancel, webhook …)
  | 'webhook' // a webhook event that changed nothing (stale, same state, ignored)
  | 'status' // a change made by the server alone (cancelled or expired before any intent existed)
  | 'refund' // a refund was requested, or Airwallex reported on one
  | 'anomaly'
  | 'sweep' // the sweep could not check the order
  | 'admin'; // an operator's action

export interface NewOrderEvent {
  kind: OrderEventKind;
  /** Where it came from: `create`, `retrieve`, `webhook payment_intent.succeeded`, `admin`, ... */
  source: string | null;
  /** Small JSON details (statuses, amounts, ids); never secrets. */
  data: Record<string, unknown>;
  at: number;
}

export interface OrderEventRecord extends NewOrderEvent {
  id: number;
  orderId: string;
}

export type AnomalyKind =
  /** Airwallex says paid (or refunded) for an order we consider cancelled or expired. */
  | 'paid_after_final'
  /** A webhook or snapshot names an intent or order we do not have. */
  | 'unknown_order'
  /** The intent's amount or currency differs from the order's total. */
  | 'amount_mismatch'
  /** The order's stored intent id differs from the snapshot's. */
  | 'intent_mismatch'
  /** The sweep failed on this order many times in a row. */
  | 'sweep_failing';

export interface NewAnomaly {
  kind: AnomalyKind;
  /** Deduplicates: one open anomaly per key (e.g. `paid_after_final:ord_…`). */
  key: string;
  orderId: string | null;
  intentId: string | null;
  detail: Record<string, unknown>;
  at: number;
}

export interface AnomalyRecord extends NewAnomaly {
  id: number;
  resolvedAt: number | null;
}

/** One change to an order's aggregate, decided on the current state inside the store's transaction. */
export interface OrderUpdate {
  patch?: OrderPatch;
  /** Refund rows to insert or replace (by id), whole. */
  refunds?: RefundRecord[];
  events?: NewOrderEvent[];
  anomalies?: NewAnomaly[];
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

export interface AuditRecord {
  id: number;
  at: number;
  /** A fingerprint of the admin token used, never the token. */
  actor: string;
  action: string;
  /** What it acted on (an order id ...). */
  target: string | null;
  detail: Record<string, unknown>;
}

export interface AdminSessionRecord {
  tokenHash: string;
  /** The CSRF token's hash; the console sends the token with every state-changing request. */
  csrfHash: string;
  actor: string;
  createdAt: number;
  expiresAt: number;
}

export interface PruneResult {
  sessions: number;
  webhookEvents: number;
  adminSessions: number;
  /** Counters whose window ended. */
  rateLimits: number;
}

/** A counter's window after a hit (or a look): the hits in it, and when it ends (epoch ms; 0 when none is open). */
export interface HitCount {
  hits: number;
  resetAt: number;
}

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
  /** `sqlite` or `postgres`, for logs and readiness. */
  readonly kind: string;
  /** Whether several processes may share this store (PostgreSQL): then the abuse limits count in it too. */
  readonly shared: boolean;

  createSession(session: SessionRecord): Promise<void>;
  findSession(tokenHash: string, now: number): Promise<SessionRecord | undefined>;

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
   * rows, timeline events, anomalies): all in one transaction with the order locked, so concurrent
   * updates (webhooks, retrieves, the sweep, other instances) cannot interleave. A new anomaly
   * (none open under its key) with an order also goes on that order's timeline.
   */
  updateOrder(id: string, decide: OrderDecider): Promise<OrderUpdateResult | undefined>;
  /**
   * Sets `retrievedAt = now` if the last retrieve claim is at least `minIntervalMs` old (or there
   * was none); true when this caller won the claim and may ask Airwallex.
   */
  claimRetrieve(orderId: string, now: number, minIntervalMs: number): Promise<boolean>;
  /**
   * Counts one hit on `key`: a window opens at the first hit and lasts `windowMs`; a hit at or after
   * its end opens the next one. Returns the hits of the window, this one included, and its end. One
   * atomic statement, so concurrent hits (from any instance) are each counted once.
   */
  countHit(key: string, now: number, windowMs: number): Promise<HitCount>;
  /** The hits of `key`'s open window, without counting one ({hits: 0, resetAt: 0} when none is open). */
  peekHits(key: string, now: number): Promise<HitCount>;
  /**
   * The sweep's work: up to `limit` orders whose `nextCheckAt` is due, oldest due first, each
   * leased by pushing its `nextCheckAt` to `leaseUntil` in the same statement, so several
   * instances never take the same order at once (PostgreSQL: FOR UPDATE SKIP LOCKED).
   */
  claimDueOrders(now: number, limit: number, leaseUntil: number): Promise<OrderRecord[]>;

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

  /** Records an anomaly not tied to a transaction on an order; `inserted` false when one is open under its key. */
  recordAnomaly(anomaly: NewAnomaly): Promise<{ inserted: boolean; anomaly: AnomalyRecord }>;
  /** Newest first. */
  listAnomalies(options: { openOnly: boolean; limit: number; offset: number }): Promise<AnomalyRecord[]>;
  resolveAnomaly(id: number, at: number): Promise<AnomalyRecord | undefined>;

  /** The timeline of an order, oldest first. */
  orderEvents(orderId: string): Promise<OrderEventRecord[]>;
  /** Orders for the console, newest first, and how many match in all. */
  searchOrders(query: AdminOrderQuery): Promise<{ orders: OrderRecord[]; total: number }>;
  /** Orders per status, for metrics. */
  countOrdersByStatus(): Promise<Record<string, number>>;
  recordAudit(entry: Omit<AuditRecord, 'id'>): Promise<void>;
  listAudit(options: { target?: string; limit: number }): Promise<AuditRecord[]>;

  createAdminSession(session: AdminSessionRecord): Promise<void>;
  findAdminSession(tokenHash: string, now: number): Promise<AdminSessionRecord | undefined>;
  deleteAdminSession(tokenHash: string): Promise<void>;

  /** Deletes expired sessions, ended counter windows and webhook events received before `webhookEventsBefore`, in bounded batches. */
  prune(options: { now: number; webhookEventsBefore: number; batch: number }): Promise<PruneResult>;

  /**
   * Calls `listener` after each committed change of an order's aggregate (the order, its refunds),
   * whoever made it: this process, or any other sharing the database (SQLite: this process only).
   * Delivery is at least once and may be spurious: a listener re-reads the order. `resync` says
   * changes may have been missed (PostgreSQL: the notification connection was lost and is back).
   * Listeners must not throw. Returns the unsubscribe function.
   */
  subscribe(listener: (change: OrderChange) => void): () => void;
  /**
   * Ready to take traffic: the database answers and its schema is this code's (PostgreSQL: and
   * the change notifications are connected).
   */
  ready(): Promise<StoreReadiness>;

  close(): Promise<void>;
}
