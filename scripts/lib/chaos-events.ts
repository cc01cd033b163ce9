// Chaos's verdict on the order events (docs/events.md): the outbox after the run against what the merchant's receiver took.
// Every change an order went through has its event (none lost, none for a change that did not stick), every event was
// taken (a 2xx) at least once with the same body, one order's events were taken in the order they happened, and a later
// event of an order was never even tried before the earlier one was taken.
import type { Delivery } from './events-receiver';

/** The outbox's rows, as read from the server's database after the run (extra columns are ignored). */
export interface OutboxRow {
  seq: number;
  id: string;
  order_id: string;
  type: string;
  body: string;
  state: string;
  attempts: number;
}

/** What the database says happened: orders' and refunds' final statuses. */
export interface EventsTruth {
  orders: Array<{ id: string; status: string }>;
  refunds: Array<{ id: string; order_id: string; status: string }>;
}

export interface EventsFailures {
  /** A change with no event, an event for a change the database does not show, or one told twice. */
  eventsNotTold: number;
  /** An event of the outbox the receiver never took (no 2xx), or still pending or failed after settling. */
  eventsLost: number;
  /** One order's events taken in another order than they happened, or a later one tried before an earlier one was taken. */
  eventsOutOfOrder: number;
  /** A delivery that did not verify, or a try whose body differs from the event's. */
  eventsBadDelivery: number;
}

export interface EventsGrade {
  failures: EventsFailures;
  samples: Partial<Record<keyof EventsFailures, string[]>>;
  counts: {
    events: number;
    byState: Record<string, number>;
    byType: Record<string, number>;
    deliveries: number;
    /** Tries answered 500 (or not 2xx) by the receiver. */
    refused: number;
    /** Tries the receiver got but whose answer never went out (the sender gave up, or was killed). */
    unanswered: number;
    /** Events taken more than once (at least once allows it; the receiver deduplicates by id). */
    takenTwice: number;
  };
}

/** The events an order's final state must have told, oldest first: its status, then each refund's. */
function expectedTypes(order: EventsTruth['orders'][number], refunds: EventsTruth['refunds']): string[] {
  const types: string[] = [];
  if (order.status === 'paid' || order.status === 'cancelled' || order.status === 'expired') types.push(`order.${order.status}`);
  for (const refund of refunds) if (refund.status === 'succeeded' || refund.status === 'failed') types.push(`refund.${refund.status}:${refund.id}`);
  return types;
}

/** Grades the events of one chaos run. Pure: the tests feed it planted rows and deliveries. */
export function gradeEvents(outbox: OutboxRow[], deliveries: Delivery[], truth: EventsTruth): EventsGrade {
  const samples: EventsGrade['samples'] = {};
  const failures: EventsFailures = { eventsNotTold: 0, eventsLost: 0, eventsOutOfOrder: 0, eventsBadDelivery: 0 };
  const fail = (key: keyof EventsFailures, example: string) => {
    failures[key]++;
    const list = (samples[key] ??= []);
    if (list.length < 10) list.push(example);
  };

  // --- every change told, once: the outbox against the orders' and refunds' final statuses ---
  const byOrder = new Map<string, OutboxRow[]>();
  for (const row of [...outbox].sort((a, b) => a.seq - b.seq)) byOrder.set(row.order_id, [...(byOrder.get(row.order_id) ?? []), row]);
  const refundsByOrder = new Map<string, EventsTruth['refunds']>();
  for (const refund of truth.refunds) refundsByOrder.set(refund.order_id, [...(refundsByOrder.get(refund.order_id) ?? []), refund]);
  const knownOrders = new Set(truth.orders.map((order) => order.id));
  for (const order of truth.orders) {
    const told = (byOrder.get(order.id) ?? []).map((row) => {
      if (!row.type.startsWith('refund.')) return row.type;
      const refundId = (parse(row.body)?.data as { refund?: { id?: string } } | undefined)?.refund?.id;
      return `${row.type}:${refundId ?? '?'}`;
    });
    const expected = expectedTypes(order, refundsByOrder.get(order.id) ?? []);
    // The same events, each once (refunds may end in another order than they were made: compared as sets, plus no repeats).
    const missing = expected.filter((type) => !told.includes(type));
    const extra = told.filter((type) => !expected.includes(type));
    const repeated = told.filter((type, i) => told.indexOf(type) !== i);
    if (missing.length || extra.length || repeated.length) {
      fail('eventsNotTold', `${order.id} (${order.status}): ${missing.length ? `missing ${missing.join(', ')}; ` : ''}${extra.length ? `told ${extra.join(', ')} it does not show; ` : ''}${repeated.length ? `told twice ${repeated.join(', ')}` : ''}`);
    }
    // An order's own event comes before its refunds'.
    const first = told.findIndex((type) => type.startsWith('refund.'));
    if (first >= 0 && told.slice(first).some((type) => type.startsWith('order.'))) fail('eventsNotTold', `${order.id}: ${told.join(', ')} (a refund's event before the order's)`);
  }
  for (const [orderId, rows] of byOrder) if (!knownOrders.has(orderId)) fail('eventsNotTold', `${rows.map((r) => r.id).join(', ')}: events of ${orderId}, which is not in the database`);

  // --- deliveries: verified, the event's body, taken at least once, in order per order ---
  const rowById = new Map(outbox.map((row) => [row.id, row]));
  const takenAt = new Map<string, number>();
  let refused = 0;
  let unanswered = 0;
  let takenTwice = 0;
  deliveries.forEach((delivery, index) => {
    if (!delivery.verified) return fail('eventsBadDelivery', `delivery ${index} (${delivery.id || 'no id'}): ${delivery.problem}`);
    const row = rowById.get(delivery.id);
    if (!row) return fail('eventsBadDelivery', `delivery ${index}: ${delivery.id} is not in the outbox`);
    if (delivery.body !== row.body) fail('eventsBadDelivery', `delivery ${index}: ${delivery.id}'s body differs from the outbox's`);
    if (delivery.status === 0) unanswered++;
    else if (delivery.status < 200 || delivery.status >= 300) refused++;
    else if (takenAt.has(delivery.id)) takenTwice++;
    else takenAt.set(delivery.id, index);
  });
  for (const row of outbox) {
    if (!takenAt.has(row.id)) fail('eventsLost', `${row.id} ${row.type} of ${row.order_id}: ${row.state} after ${row.attempts} tries, never taken`);
    else if (row.state !== 'delivered') fail('eventsLost', `${row.id} ${row.type} of ${row.order_id}: taken, but ${row.state} in the outbox`);
  }
  const firstTryAt = new Map<string, number>();
  deliveries.forEach((delivery, index) => {
    if (delivery.verified && !firstTryAt.has(delivery.id)) firstTryAt.set(delivery.id, index);
  });
  for (const [orderId, rows] of byOrder) {
    for (let i = 1; i < rows.length; i++) {
      const earlier = takenAt.get(rows[i - 1].id);
      const later = firstTryAt.get(rows[i].id);
      if (later === undefined) continue;
      if (earlier === undefined || later < earlier) {
        fail('eventsOutOfOrder', `${orderId}: ${rows[i].type} (${rows[i].id}) tried at delivery ${later}, before ${rows[i - 1].type} (${rows[i - 1].id}) was taken${earlier === undefined ? ' (never)' : ` at ${earlier}`}`);
      }
    }
  }

  const tally = (items: OutboxRow[], key: (row: OutboxRow) => string) => items.reduce<Record<string, number>>((acc, row) => ((acc[key(row)] = (acc[key(row)] ?? 0) + 1), acc), {});
  return {
    failures,
    samples,
    counts: { events: outbox.length, byState: tally(outbox, (r) => r.state), byType: tally(outbox, (r) => r.type), deliveries: deliveries.length, refused, unanswered, takenTwice },
  };
}

function parse(body: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
