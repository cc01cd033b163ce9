// Chaos's verdict on order events (scripts/lib/chaos-events.ts) on planted runs: a clean run passes (retries and a
// duplicate allowed), and each planted fault (an event lost, out of order, a change not told, a forged delivery) is counted.
import { gradeEvents, type EventsFailures, type EventsTruth, type OutboxRow } from '../../scripts/lib/chaos-events';
import type { Delivery } from '../../scripts/lib/events-receiver';

interface World {
  outbox: OutboxRow[];
  deliveries: Delivery[];
  truth: EventsTruth;
}

const row = (seq: number, id: string, orderId: string, type: string, refundId?: string): OutboxRow => ({
  seq,
  id,
  order_id: orderId,
  type,
  body: JSON.stringify({ id, type, data: { order: { id: orderId }, ...(refundId ? { refund: { id: refundId } } : {}) } }),
  state: 'delivered',
  attempts: 1,
});

function delivery(of: OutboxRow, status: number): Delivery {
  return { id: of.id, timestamp: '1', verified: true, event: JSON.parse(of.body), body: of.body, status, receivedAt: 0 };
}

/** Paid then refunded (order.paid refused once, then taken twice), cancelled, expired, and an open order with no event. */
function cleanRun(): World {
  const paid = row(1, 'evt_1', 'ord_paid', 'order.paid');
  const cancelled = row(2, 'evt_2', 'ord_cancelled', 'order.cancelled');
  const refunded = row(3, 'evt_3', 'ord_paid', 'refund.succeeded', 'ref_1');
  const expired = row(4, 'evt_4', 'ord_expired', 'order.expired');
  const refundFailed = row(5, 'evt_5', 'ord_paid', 'refund.failed', 'ref_2');
  return {
    outbox: [paid, cancelled, refunded, expired, refundFailed].map((r) => (r.id === 'evt_1' ? { ...r, attempts: 3 } : r)),
    deliveries: [delivery(paid, 500), delivery(cancelled, 200), delivery(paid, 200), delivery(paid, 200), delivery(refunded, 0), delivery(expired, 200), delivery(refunded, 200), delivery(refundFailed, 200)],
    truth: {
      orders: [
        { id: 'ord_paid', status: 'paid' },
        { id: 'ord_cancelled', status: 'cancelled' },
        { id: 'ord_expired', status: 'expired' },
        { id: 'ord_open', status: 'awaiting_payment' },
      ],
      refunds: [
        { id: 'ref_1', order_id: 'ord_paid', status: 'succeeded' },
        { id: 'ref_2', order_id: 'ord_paid', status: 'failed' },
        { id: 'ref_3', order_id: 'ord_paid', status: 'pending' },
      ],
    },
  };
}

const NONE: EventsFailures = { eventsNotTold: 0, eventsLost: 0, eventsOutOfOrder: 0, eventsBadDelivery: 0 };
const grade = (world: World) => gradeEvents(world.outbox, world.deliveries, world.truth);

test('a clean run passes, with its retries, a try cut off and a duplicate counted but not failed', () => {
  const result = grade(cleanRun());
  expect(result.failures).toEqual(NONE);
  expect(result.counts).toMatchObject({ events: 5, deliveries: 8, refused: 1, unanswered: 1, takenTwice: 1 });
});

test.each<[string, (world: World) => void, Partial<EventsFailures>]>([
  ['an event never taken (only 500s)', (w) => (w.deliveries = w.deliveries.filter((d) => !(d.id === 'evt_2'))), { eventsLost: 1 }],
  ['an event still pending in the outbox', (w) => (w.outbox[3].state = 'pending'), { eventsLost: 1 }],
  ['a refund event tried before its order.paid was taken', (w) => w.deliveries.unshift(delivery(w.outbox[2], 500)), { eventsOutOfOrder: 1 }],
  ['a paid order without order.paid', (w) => ((w.outbox = w.outbox.filter((r) => r.id !== 'evt_1')), (w.deliveries = w.deliveries.filter((d) => d.id !== 'evt_1'))), { eventsNotTold: 1 }],
  // Told twice, and the second after the order's refunds: both said; never taken either.
  ['an order told order.paid twice', (w) => w.outbox.push({ ...row(6, 'evt_6', 'ord_paid', 'order.paid') }), { eventsNotTold: 2, eventsLost: 1 }],
  ['an event for a change the database does not show', (w) => (w.truth.orders[1].status = 'awaiting_payment'), { eventsNotTold: 1 }],
  ['a refund that succeeded without its event', (w) => (w.truth.refunds[2].status = 'succeeded'), { eventsNotTold: 1 }],
  ['a delivery that did not verify', (w) => w.deliveries.push({ ...delivery(w.outbox[1], 401), verified: false, problem: 'x-signature does not match' }), { eventsBadDelivery: 1 }],
  ['a try with another body', (w) => w.deliveries.push({ ...delivery(w.outbox[1], 200), body: '{}' }), { eventsBadDelivery: 1 }],
])('counts %s', (_name, plant, expected) => {
  const world = cleanRun();
  plant(world);
  const result = grade(world);
  expect(result.failures).toEqual({ ...NONE, ...expected });
  for (const key of Object.keys(expected) as Array<keyof EventsFailures>) expect(result.samples[key]?.length).toBeGreaterThan(0);
});
