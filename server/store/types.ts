// The store's contract: what the services need from a database, composed of one interface per concern
// (sessions, orders, refunds, timeline, anomalies, webhooks, audit, admin sessions, rate limits, reconciliation
// runs, money figures, subscription messages, WeChat tokens, outbox: each in <concern>/types.ts). SQLite (embedded, the default) and PostgreSQL (several instances) implement it with
// the same semantics; test/server/store runs one contract suite against both.
import type { AdminSessionStore } from './admin-sessions/types';
import type { AnomalyStore } from './anomalies/types';
import type { AuditStore } from './audit/types';
import type { MessageStore } from './messages/types';
import type { FigureStore } from './figures/types';
import type { OrderStore } from './orders/types';
import type { OutboxStore } from './outbox/types';
import type { RateLimitStore } from './rate-limits/types';
import type { ReconciliationStore } from './reconciliations/types';
import type { SessionStore } from './sessions/types';
import type { TimelineStore } from './timeline/types';
import type { WebhookStore } from './webhooks/types';
import type { WechatTokenStore } from './wechat-tokens/types';

export type * from './admin-sessions/types';
export type * from './anomalies/types';
export type * from './audit/types';
export type * from './messages/types';
export type * from './figures/types';
export type * from './orders/types';
export type * from './outbox/types';
export type * from './rate-limits/types';
export type * from './reconciliations/types';
export type * from './refunds/types';
export type * from './sessions/types';
export type * from './timeline/types';
export type * from './webhooks/types';
export type * from './wechat-tokens/types';

export interface PruneResult {
  sessions: number;
  webhookEvents: number;
  adminSessions: number;
  /** Counters whose window ended. */
  rateLimits: number;
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
export interface Store
  extends SessionStore,
    OrderStore,
    RateLimitStore,
    WebhookStore,
    AnomalyStore,
    TimelineStore,
    AuditStore,
    AdminSessionStore,
    MessageStore,
    WechatTokenStore,
    ReconciliationStore,
    FigureStore,
    OutboxStore {
  /** `sqlite` or `postgres`, for logs and readiness. */
  readonly kind: string;
  /** Whether several processes may share this store (PostgreSQL): then the abuse limits count in it too. */
  readonly shared: boolean;

  /** Deletes expired sessions, ended counter windows and webhook events received before `webhookEventsBefore`, in bounded batches. */
  prune(options: { now: number; webhookEventsBefore: number; batch: number }): Promise<PruneResult>;

  /**
   * Calls `listener` after each committed change of an order that a long poll answers on (its
   * status, intent or last payment error; its refunds), whoever made it: this process, or any other
   * sharing the database (SQLite: this process only). It may be called for other changes too
   * (SQLite tells of every change; PostgreSQL of these only, not of an insert).
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
