// The admin API's contract (/admin/api/*, Authorization: Bearer <ADMIN_TOKEN>, or the console's session): what operators
// and the merchant console read. Types only, built on the shopper's contract (contract.ts); the mini program never sees them.
import type { Money, Order, Refund } from './contract';

/** A refund as operators see it: the shopper's view plus where it came from and Airwallex's side. */
export interface AdminRefund extends Refund {
  /** Airwallex's refund id (`rfd_…`), once Airwallex confirmed the creation. */
  airwallexRefundId: string | null;
  /** Airwallex's status verbatim: RECEIVED, ACCEPTED, SETTLED, FAILED … */
  airwallexStatus: string | null;
  /** `admin`: made through this server; `airwallex`: made elsewhere (Airwallex's web app) and found. */
  origin: 'admin' | 'airwallex';
  /** Fingerprint of the admin token that asked for it. */
  createdBy: string | null;
  failure: { code: string; message: string } | null;
}

export interface AdminOrder extends Omit<Order, 'refunds'> {
  refunds: AdminRefund[];
  /** A short fingerprint of the shopper's openid (the openid itself is never shown). */
  shopper: string;
  /** Airwallex's last known intent status, verbatim. */
  intentStatus: string | null;
  /** What is left to refund: the total minus refunds not failed. */
  refundable: Money;
  /** When the sweep looks at the order next (null: nothing left to do). */
  nextCheckAt: string | null;
  /** Consecutive sweep checks that failed. */
  checkFailures: number;
}

/** GET /admin/api/orders?status=&q=&from=&to=&limit=&offset= */
export interface AdminOrdersResponse {
  orders: AdminOrder[];
  /** How many orders match, for paging. */
  total: number;
  limit: number;
  offset: number;
}

/** One entry of an order's timeline, oldest first. */
export interface TimelineEntry {
  id: number;
  at: string;
  /** created, intent, webhook, status, refund, anomaly, sweep, admin, message (a subscription message: accepted, sent, refused, failed, retry, unknown) */
  kind: string;
  /** create, confirm, retrieve, cancel, `webhook <event name>`, sweep, admin … */
  source: string | null;
  data: Record<string, unknown>;
}

/** GET /admin/api/orders/{id} */
export interface AdminOrderResponse {
  order: AdminOrder;
  timeline: TimelineEntry[];
}

/** POST /admin/api/orders/{id}/refunds with an Idempotency-Key header. */
export interface CreateRefundRequest {
  /** Integer minor units; absent: everything left to refund. */
  amount?: number;
  /** Shown to operators (and sent to Airwallex), at most 128 characters. */
  reason?: string;
}

/** 201 answer of POST /admin/api/orders/{id}/refunds */
export interface CreateRefundResponse {
  refund: AdminRefund;
  order: AdminOrder;
}

export interface Anomaly {
  id: number;
  /** paid_after_final, unknown_order, amount_mismatch, intent_mismatch, sweep_failing */
  kind: string;
  orderId: string | null;
  intentId: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
  resolvedAt: string | null;
}

/** GET /admin/api/anomalies?open=true */
export interface AnomaliesResponse {
  anomalies: Anomaly[];
}

/** A reconciliation run (docs/reconciliation.md): a day of the merchant's calendar compared with Airwallex's books. Amounts in minor units. */
export interface ReconciliationRunView {
  id: string;
  /** YYYY-MM-DD in `timeZone`. */
  day: string;
  timeZone: string;
  /** running, completed, failed, abandoned (its instance died; the day was run again) */
  status: string;
  /** schedule, api, console, cli */
  trigger: string;
  actor: string | null;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  summary: { transactions: number; matched: number; flagged: number; waiting: number; flags: Record<string, number> } | null;
  totals: {
    currencies: Array<{
      currency: string;
      payments: number;
      gross: number;
      fees: number;
      refunds: number;
      refunded: number;
      other: number;
      net: number;
      shopPayments: number;
      shopPaid: number;
      shopRefunds: number;
      shopRefunded: number;
    }>;
    batches: Array<{
      batchId: string;
      currency: string;
      status: string | null;
      transactions: number;
      gross: number;
      fees: number;
      refunded: number;
      net: number;
      settlementAmount: number | null;
      settlementFee: number | null;
      estimatedSettledAt: string | null;
      settledAt: string | null;
    }>;
  } | null;
  /** When the day is run again by itself (items wait within their grace). */
  recheckAt: string | null;
}

/** One item of a run: a payment, a refund, a transaction the shop has no record of, or a batch. */
export interface ReconciliationItemView {
  seq: number;
  /** matched, flagged, waiting */
  state: string;
  /** missing_in_airwallex, missing_in_shop, amount_mismatch, currency_mismatch, duplicate, refund_without_payment, pending_too_long, batch_total_mismatch, status_conflict */
  flag: string | null;
  /** payment, refund, transaction, batch */
  subject: string;
  orderId: string | null;
  refundId: string | null;
  intentId: string | null;
  sourceId: string | null;
  transactionId: string | null;
  batchId: string | null;
  currency: string | null;
  /** The shop's amount (a refund negative), and Airwallex's. */
  expected: number | null;
  actual: number | null;
  fee: number | null;
  /** The anomaly the flag opened (one open per key). */
  anomalyKey: string | null;
  detail: Record<string, unknown>;
}

/** POST /admin/api/reconciliations {date: "YYYY-MM-DD"} (201), GET /admin/api/reconciliations/{id} */
export interface ReconciliationResponse {
  run: ReconciliationRunView;
  items: ReconciliationItemView[];
}

/** GET /admin/api/reconciliations?day=&limit=&offset= */
export interface ReconciliationsResponse {
  runs: ReconciliationRunView[];
}

/** What happened to an order that the merchant's systems hear of (docs/events.md). */
export type OrderEventType = 'order.paid' | 'order.cancelled' | 'order.expired' | 'refund.succeeded' | 'refund.failed';

/**
 * An order event: the body POSTed to EVENTS_URL (signed) and listed by the feed, the same bytes
 * every time. Written with the change it tells of, so `data.order` is the order as it was then.
 */
export interface OrderEvent {
  /** `evt_…`: the same on every delivery try; deduplicate on it. */
  id: string;
  type: OrderEventType;
  /** When the change happened (ISO 8601). */
  createdAt: string;
  data: {
    /** The order right after the change, exactly as GET /admin/api/orders/{id} showed it then (no Accept-Language). */
    order: AdminOrder;
    /** refund.*: the refund the event is about (also among `order.refunds`). */
    refund?: AdminRefund;
  };
}

/** GET /admin/api/events?after=<cursor>&limit=<n> */
export interface EventsFeedResponse {
  /** Oldest first, in a stable order. */
  events: OrderEvent[];
  /** The cursor to ask `after` next time: the position of the last event here (or `after` again when there is none). */
  next: string;
}
