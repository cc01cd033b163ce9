// An order's timeline: what happened to it (for the merchant console), and the method that reads it.

/** What happened to an order, for its timeline (the merchant console). */
export type OrderEventKind =
  | 'created'
  | 'intent' // an intent snapshot changed the order (source: create, confirm, retrieve, cancel, webhook …)
  | 'webhook' // a webhook event that changed nothing (stale, same state, ignored)
  | 'status' // a change made by the server alone (cancelled or expired before any intent existed)
  | 'refund' // a refund was requested, or Airwallex reported on one
  | 'anomaly'
  | 'sweep' // the sweep could not check the order
  | 'admin' // an operator's action
  | 'message'; // a subscription message: the shopper's accept, then each attempt to send it

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

export interface TimelineStore {
  /** The timeline of an order, oldest first. */
  orderEvents(orderId: string): Promise<OrderEventRecord[]>;
}
