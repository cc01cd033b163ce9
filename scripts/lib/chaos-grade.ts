// Chaos's verdict: the server's database after the run against Airwallex's ground truth (the simulator's intents and refunds)
// and against what the shoppers and the merchant were told. Written from Airwallex's documented statuses and docs/api.md's
// contract, never from the server's own mapping, so a wrong mapping in the server shows up here as disagreements.
import { FINAL_STATUSES, OPEN_STATUSES } from '../../server/contract';

/**
 * Airwallex's documented Payment Intent statuses (https://www.airwallex.com/docs/payments/reference/payment-statuses,
 * summarised in docs/reference/airwallex.md §4) and the order status docs/api.md promises for each ("Order
 * statuses"). CANCELLED is `expired` when the server cancelled the intent because the order's lifetime ended,
 * which it says in the intent's cancellation_reason. A status not listed here is a disagreement.
 */
export const EXPECTED_ORDER_STATUS: Record<string, string> = {
  REQUIRES_PAYMENT_METHOD: 'awaiting_payment',
  REQUIRES_CUSTOMER_ACTION: 'awaiting_payment',
  REQUIRES_CAPTURE: 'processing',
  PENDING: 'processing',
  PENDING_REVIEW: 'processing',
  SUCCEEDED: 'paid',
  CANCELLED: 'cancelled',
};

/** The cancellation_reason the server sends when an order's lifetime ends (docs/api.md: CANCELLED → `expired` then). */
export const EXPIRY_REASON = 'order_expired';

/** Airwallex's refund statuses (described in the API reference, not an enum) and the refund status docs/api.md promises. */
export const EXPECTED_REFUND_STATUS: Record<string, string> = {
  RECEIVED: 'pending',
  ACCEPTED: 'succeeded',
  SETTLED: 'succeeded',
  FAILED: 'failed',
};

/** Minor units per major unit, for the currencies a chaos run uses (Airwallex amounts are major units). */
const MINOR_DIGITS: Record<string, number> = { CNY: 2, USD: 2, HKD: 2, JPY: 0 };

/** The contract's own sets (docs/api.md's final and open statuses), not a mapping of the server's. */
const FINAL = new Set<string>(FINAL_STATUSES);
const OPEN = new Set<string>(OPEN_STATUSES);

/** The order an intent says it should be, by the table above; undefined for a status Airwallex does not document. */
export function expectedOrderStatus(intent: { status: string; cancellation_reason?: string }): string | undefined {
  if (intent.status === 'CANCELLED' && intent.cancellation_reason === EXPIRY_REASON) return 'expired';
  return EXPECTED_ORDER_STATUS[intent.status];
}

// ------------------------------------------------------------------------------------ inputs

/** The server's tables, as read from its database after the run (rows of SELECT *; extra columns are ignored). */
export interface ServerTables {
  orders: Array<{ id: string; status: string; payment_intent_id: string | null; total_amount: number; currency: string }>;
  /** order_events: `data` as stored (JSON text, or an object from a JSON column). */
  orderEvents: Array<{ id: number; order_id: string; kind: string; source: string | null; data: unknown }>;
  webhookEvents: Array<{ id: string; name: string; order_id: string | null; applied_at: number | null; outcome: string | null }>;
  refunds: Array<{
    id: string;
    order_id: string;
    airwallex_refund_id: string | null;
    request_id: string;
    amount: number;
    status: string;
    airwallex_status: string | null;
    origin: string;
    idempotency_key: string | null;
  }>;
}

/** The simulator's ground truth: GET /simulator/airwallex/_intents and /_refunds. */
export interface GroundTruth {
  intents: Array<{ id: string; merchant_order_id: string; status: string; amount: number; currency: string; cancellation_reason?: string; captured_amount?: number }>;
  refunds: Array<{ id: string; request_id: string; payment_intent_id: string; amount: number; currency: string; status: string; metadata?: Record<string, string> }>;
}

/** What the shoppers and the merchant did and were told (scripts/lib/shopper.ts ChaosLedger). */
export interface ToldLedger {
  /** Orders the server answered 201 for. */
  created: Set<string>;
  /** Orders whose shopper saw the pay sheet answer requestPayment:ok. */
  paidByShopper: Set<string>;
  /** Every final status the server told a shopper (a read, a cancel's answer). */
  toldFinal: Array<{ orderId: string; status: string; by: string }>;
  /** Refunds the merchant asked for through the admin API, one per Idempotency-Key. */
  refundRequests: Array<{ orderId: string; key: string; amount: number | null; status: number; code?: string; refundId?: string }>;
  /** Refunds made in Airwallex's web app (the simulator's external refunds), by Airwallex refund id. */
  externalRefunds: Set<string>;
}

// ------------------------------------------------------------------------------------ verdict

/** Every check chaos makes; each must be 0. */
export interface ChaosFailures {
  statusDisagrees: number;
  lostOrders: number;
  moreThanOneIntent: number;
  paidByShopperNotPaid: number;
  shopperToldOtherwise: number;
  ordersLeftOpen: number;
  webhooksAppliedTwice: number;
  webhooksNotApplied: number;
  timelineBroken: number;
  refundsTwice: number;
  refundedAbovePaid: number;
  refundStatusDisagrees: number;
  refundsUnknownToServer: number;
}

export interface ChaosGrade {
  failures: ChaosFailures;
  /** Up to 10 examples per failure, readable. */
  samples: Partial<Record<keyof ChaosFailures, string[]>>;
  counts: {
    orders: Record<string, number>;
    webhookEvents: number;
    webhookOutcomes: Record<string, number>;
    timelineEntriesFromWebhooks: number;
    refunds: Record<string, number>;
    refundedMinor: number;
    externalRefunds: number;
    refundRequests: Record<string, number>;
  };
}

function parseData(data: unknown): Record<string, unknown> {
  if (typeof data === 'string') {
    try {
      return JSON.parse(data) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return (data ?? {}) as Record<string, unknown>;
}

function toMinor(amount: number, currency: string): number {
  const digits = MINOR_DIGITS[currency.toUpperCase()];
  if (digits === undefined) return NaN;
  return Math.round(amount * 10 ** digits);
}

/** Grades one chaos run. Pure: the tests feed it planted tables. */
export function gradeChaos(tables: ServerTables, truth: GroundTruth, told: ToldLedger): ChaosGrade {
  const samples: ChaosGrade['samples'] = {};
  const failures: ChaosFailures = {
    statusDisagrees: 0,
    lostOrders: 0,
    moreThanOneIntent: 0,
    paidByShopperNotPaid: 0,
    shopperToldOtherwise: 0,
    ordersLeftOpen: 0,
    webhooksAppliedTwice: 0,
    webhooksNotApplied: 0,
    timelineBroken: 0,
    refundsTwice: 0,
    refundedAbovePaid: 0,
    refundStatusDisagrees: 0,
    refundsUnknownToServer: 0,
  };
  const fail = (key: keyof ChaosFailures, example: string) => {
    failures[key]++;
    const list = (samples[key] ??= []);
    if (list.length < 10) list.push(example);
  };

  // --- orders against their intents ---
  const orderById = new Map(tables.orders.map((o) => [o.id, o]));
  const intentsByOrder = new Map<string, GroundTruth['intents']>();
  for (const intent of truth.intents) intentsByOrder.set(intent.merchant_order_id, [...(intentsByOrder.get(intent.merchant_order_id) ?? []), intent]);
  for (const order of tables.orders) {
    const theirs = intentsByOrder.get(order.id) ?? [];
    if (theirs.length > 1) fail('moreThanOneIntent', `${order.id}: ${theirs.map((i) => `${i.id}:${i.status}`).join(', ')}`);
    if (OPEN.has(order.status)) fail('ordersLeftOpen', `${order.id} ${order.status}`);
    if (order.payment_intent_id === null) {
      // No intent linked: Airwallex must have none either, and the order must be closed.
      if (theirs.length > 0) fail('statusDisagrees', `${order.id}: ${order.status} without an intent, Airwallex has ${theirs.map((i) => i.status).join(', ')}`);
      else if (!FINAL.has(order.status) || order.status === 'paid') fail('statusDisagrees', `${order.id}: ${order.status} without an intent`);
      continue;
    }
    const intent = theirs.find((i) => i.id === order.payment_intent_id);
    if (!intent) {
      fail('statusDisagrees', `${order.id}: ${order.status}, its intent ${order.payment_intent_id} is not at Airwallex`);
      continue;
    }
    const expected = expectedOrderStatus(intent);
    if (expected !== order.status) fail('statusDisagrees', `${order.id}: ${order.status}, Airwallex ${intent.status}${intent.cancellation_reason ? ` (${intent.cancellation_reason})` : ''} → ${expected ?? 'undocumented status'}`);
  }
  for (const id of told.created) if (!orderById.has(id)) fail('lostOrders', `${id}: answered 201, not in the database`);
  for (const intent of truth.intents) if (!orderById.has(intent.merchant_order_id)) fail('lostOrders', `intent ${intent.id} for ${intent.merchant_order_id}: no such order`);
  for (const id of told.paidByShopper) if (orderById.get(id)?.status !== 'paid') fail('paidByShopperNotPaid', `${id}: the sheet said ok, the order is ${orderById.get(id)?.status ?? 'missing'}`);
  for (const { orderId, status, by } of told.toldFinal) {
    if (orderById.get(orderId)?.status !== status) fail('shopperToldOtherwise', `${orderId}: the shopper was told ${status} (${by}), the order is ${orderById.get(orderId)?.status ?? 'missing'}`);
  }

  // --- webhooks, from the database: each event stored once (its primary key), applied, and on its order's timeline once ---
  const timelineByEvent = new Map<string, number>();
  const eventsByOrder = new Map<string, Array<ServerTables['orderEvents'][number] & { parsed: Record<string, unknown> }>>();
  for (const entry of tables.orderEvents) {
    const parsed = parseData(entry.data);
    eventsByOrder.set(entry.order_id, [...(eventsByOrder.get(entry.order_id) ?? []), { ...entry, parsed }]);
    if (typeof parsed.eventId === 'string') timelineByEvent.set(parsed.eventId, (timelineByEvent.get(parsed.eventId) ?? 0) + 1);
  }
  const storedEvents = new Map(tables.webhookEvents.map((e) => [e.id, e]));
  for (const [eventId, n] of timelineByEvent) {
    if (n > 1) fail('webhooksAppliedTwice', `${eventId}: on its order's timeline ${n} times`);
    if (!storedEvents.has(eventId)) fail('webhooksAppliedTwice', `${eventId}: on a timeline, but not recorded as received`);
  }
  for (const event of tables.webhookEvents) {
    if (event.applied_at === null) fail('webhooksNotApplied', `${event.id} ${event.name}: stored, never applied`);
    else if (event.outcome === 'applied' && event.order_id !== null && !timelineByEvent.has(event.id)) {
      fail('webhooksNotApplied', `${event.id} ${event.name}: applied to ${event.order_id}, not on its timeline`);
    }
  }

  // --- each order's timeline: every status change starts where the last one ended, and ends at the order's status ---
  for (const order of tables.orders) {
    let status = 'awaiting_payment';
    const events = [...(eventsByOrder.get(order.id) ?? [])].sort((a, b) => a.id - b.id);
    for (const event of events) {
      if (event.kind !== 'intent' && event.kind !== 'status') continue;
      const { from, to } = event.parsed as { from?: string; to?: string };
      if (from !== status) {
        fail('timelineBroken', `${order.id}: event ${event.id} (${event.source}) changes ${from} → ${to}, the order was ${status}`);
        break;
      }
      if (FINAL.has(status) && to !== status) {
        fail('timelineBroken', `${order.id}: event ${event.id} (${event.source}) leaves the final ${status} for ${to}`);
        break;
      }
      status = to ?? status;
    }
    if (status !== order.status && !(samples.timelineBroken ?? []).some((s) => s.startsWith(order.id))) {
      fail('timelineBroken', `${order.id}: the timeline ends ${status}, the order is ${order.status}`);
    }
  }

  // --- refunds: none made twice, never more than paid, every status as at Airwallex ---
  const intentById = new Map(truth.intents.map((i) => [i.id, i]));
  const ourIntents = new Set(tables.orders.map((o) => o.payment_intent_id).filter((id): id is string => id !== null));
  const oursByAirwallexId = new Map(tables.refunds.filter((r) => r.airwallex_refund_id).map((r) => [r.airwallex_refund_id!, r]));
  const theirsByRequestId = new Map<string, GroundTruth['refunds']>();
  const theirsByOurId = new Map<string, GroundTruth['refunds']>();
  for (const refund of truth.refunds) {
    theirsByRequestId.set(refund.request_id, [...(theirsByRequestId.get(refund.request_id) ?? []), refund]);
    const ourId = refund.metadata?.refund_id;
    if (ourId) theirsByOurId.set(ourId, [...(theirsByOurId.get(ourId) ?? []), refund]);
  }
  for (const [key, list] of [...theirsByRequestId, ...theirsByOurId]) {
    if (list.length > 1) fail('refundsTwice', `${key}: ${list.length} refunds at Airwallex (${list.map((r) => r.id).join(', ')})`);
  }
  const requestsByKey = new Map<string, Set<string>>();
  for (const request of told.refundRequests) {
    if (!request.refundId) continue;
    const ids = requestsByKey.get(`${request.orderId} ${request.key}`) ?? new Set<string>();
    ids.add(request.refundId);
    requestsByKey.set(`${request.orderId} ${request.key}`, ids);
  }
  for (const [key, ids] of requestsByKey) if (ids.size > 1) fail('refundsTwice', `Idempotency-Key ${key}: answered with ${ids.size} refunds`);
  const ourCountByKey = new Map<string, number>();
  for (const refund of tables.refunds) {
    if (refund.idempotency_key) ourCountByKey.set(`${refund.order_id} ${refund.idempotency_key}`, (ourCountByKey.get(`${refund.order_id} ${refund.idempotency_key}`) ?? 0) + 1);
  }
  for (const [key, n] of ourCountByKey) if (n > 1) fail('refundsTwice', `Idempotency-Key ${key}: ${n} refunds stored`);

  const refundedAtAirwallex = new Map<string, number>();
  for (const refund of truth.refunds) {
    if (!ourIntents.has(refund.payment_intent_id)) continue;
    if (refund.status !== 'FAILED') refundedAtAirwallex.set(refund.payment_intent_id, (refundedAtAirwallex.get(refund.payment_intent_id) ?? 0) + toMinor(refund.amount, refund.currency));
    const ours = oursByAirwallexId.get(refund.id) ?? tables.refunds.find((r) => r.request_id === refund.request_id);
    if (!ours) {
      fail('refundsUnknownToServer', `${refund.id} ${refund.status} of ${refund.payment_intent_id}${told.externalRefunds.has(refund.id) ? ' (made in the web app)' : ''}: not in the database`);
      continue;
    }
    const expected = EXPECTED_REFUND_STATUS[refund.status];
    if (ours.status !== expected || ours.airwallex_refund_id !== refund.id) {
      fail('refundStatusDisagrees', `${ours.id}: ${ours.status} (${ours.airwallex_refund_id ?? 'no Airwallex id'}), Airwallex ${refund.id} ${refund.status} → ${expected ?? 'undocumented status'}`);
    }
    if (ours.amount !== toMinor(refund.amount, refund.currency)) fail('refundStatusDisagrees', `${ours.id}: ${ours.amount} minor units, Airwallex ${refund.amount} ${refund.currency}`);
  }
  for (const ours of tables.refunds) {
    if (ours.airwallex_refund_id !== null || theirsByRequestId.has(ours.request_id)) {
      if (ours.airwallex_refund_id !== null && !truth.refunds.some((r) => r.id === ours.airwallex_refund_id)) fail('refundStatusDisagrees', `${ours.id}: ${ours.airwallex_refund_id} is not at Airwallex`);
      continue;
    }
    // Never made at Airwallex: it must say so (failed), not wait forever or claim money went back.
    if (ours.status !== 'failed') fail('refundStatusDisagrees', `${ours.id}: ${ours.status}, never made at Airwallex`);
  }
  const refundedOurs = new Map<string, number>();
  for (const refund of tables.refunds) if (refund.status !== 'failed') refundedOurs.set(refund.order_id, (refundedOurs.get(refund.order_id) ?? 0) + refund.amount);
  for (const order of tables.orders) {
    const ours = refundedOurs.get(order.id) ?? 0;
    if (ours > order.total_amount) fail('refundedAbovePaid', `${order.id}: ${ours} refunded of ${order.total_amount} (our database)`);
    const intent = order.payment_intent_id ? intentById.get(order.payment_intent_id) : undefined;
    const theirs = order.payment_intent_id ? (refundedAtAirwallex.get(order.payment_intent_id) ?? 0) : 0;
    const captured = intent ? toMinor(intent.captured_amount ?? (intent.status === 'SUCCEEDED' ? intent.amount : 0), intent.currency) : 0;
    if (theirs > captured) fail('refundedAbovePaid', `${order.id}: ${theirs} refunded of ${captured} captured (Airwallex)`);
    if (ours > 0 && order.status !== 'paid') fail('refundedAbovePaid', `${order.id}: ${ours} refunded of an order that is ${order.status}`);
  }

  // --- counts, for the report ---
  const tally = <T>(items: T[], key: (item: T) => string) => items.reduce<Record<string, number>>((acc, item) => ((acc[key(item)] = (acc[key(item)] ?? 0) + 1), acc), {});
  return {
    failures,
    samples,
    counts: {
      orders: tally(tables.orders, (o) => o.status),
      webhookEvents: tables.webhookEvents.length,
      webhookOutcomes: tally(tables.webhookEvents, (e) => e.outcome ?? '(none)'),
      timelineEntriesFromWebhooks: [...timelineByEvent.values()].reduce((a, b) => a + b, 0),
      refunds: tally(tables.refunds, (r) => `${r.origin} ${r.status}`),
      refundedMinor: [...refundedOurs.values()].reduce((a, b) => a + b, 0),
      externalRefunds: told.externalRefunds.size,
      refundRequests: tally(told.refundRequests, (r) => `${r.status}${r.code ? ` ${r.code}` : ''}`),
    },
  };
}

/** The failures that are not 0, as `name=n` for the last line of a run. */
export function failedChecks(grade: ChaosGrade): string[] {
  return Object.entries(grade.failures)
    .filter(([, n]) => n > 0)
    .map(([key, n]) => `${key}=${n}`);
}
