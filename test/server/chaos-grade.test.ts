// `npm run chaos`'s verdict (scripts/lib/chaos-grade.ts) on planted databases: a clean run passes, and each planted
// fault (a wrong status, a webhook applied twice, a refund made twice or above what was paid, ...) is counted by its check.
import { orderStatusFor } from '../../server/airwallex/inferred';
import { EXPECTED_ORDER_STATUS, EXPECTED_REFUND_STATUS, EXPIRY_REASON, expectedOrderStatus, gradeChaos, type ChaosFailures, type GroundTruth, type ServerTables, type ToldLedger } from '../../scripts/lib/chaos-grade';
import { refundStatusFor } from '../../server/airwallex/inferred';

interface World {
  tables: ServerTables;
  truth: GroundTruth;
  told: ToldLedger;
}

let eventId = 0;
const event = (order_id: string, kind: string, source: string, data: Record<string, unknown>) => ({ id: ++eventId, order_id, kind, source, data: JSON.stringify(data) });

/** A small run that chaos must pass: paid (refunded in part), cancelled, expired, expired before any intent. */
function cleanRun(): World {
  eventId = 0;
  const order = (id: string, status: string, intent: string | null) => ({ id, status, payment_intent_id: intent, total_amount: 2699, currency: 'CNY' });
  const intent = (id: string, orderId: string, status: string, extra: Record<string, unknown> = {}) => ({ id, merchant_order_id: orderId, status, amount: 26.99, currency: 'CNY', captured_amount: status === 'SUCCEEDED' ? 26.99 : 0, ...extra });
  return {
    tables: {
      orders: [order('ord_paid', 'paid', 'int_1'), order('ord_cancelled', 'cancelled', 'int_2'), order('ord_expired', 'expired', 'int_3'), order('ord_no_intent', 'expired', null)],
      orderEvents: [
        event('ord_paid', 'created', 'shopper', { total: 2699 }),
        event('ord_paid', 'intent', 'create', { intentStatus: 'REQUIRES_PAYMENT_METHOD', from: 'awaiting_payment', to: 'awaiting_payment' }),
        event('ord_paid', 'intent', 'webhook payment_intent.succeeded', { eventId: 'evt_1', intentStatus: 'SUCCEEDED', from: 'awaiting_payment', to: 'paid' }),
        event('ord_paid', 'webhook', 'webhook payment_intent.succeeded', { eventId: 'evt_2', intentStatus: 'SUCCEEDED', outcome: 'final' }),
        event('ord_paid', 'refund', 'admin', { refundId: 'ref_1', amount: 500, status: 'pending' }),
        event('ord_cancelled', 'created', 'shopper', { total: 2699 }),
        event('ord_cancelled', 'intent', 'cancel', { intentStatus: 'CANCELLED', from: 'awaiting_payment', to: 'cancelled' }),
        event('ord_expired', 'created', 'shopper', { total: 2699 }),
        event('ord_expired', 'intent', 'cancel', { intentStatus: 'CANCELLED', from: 'awaiting_payment', to: 'expired' }),
        event('ord_no_intent', 'created', 'shopper', { total: 2699 }),
        event('ord_no_intent', 'status', 'sweep', { from: 'awaiting_payment', to: 'expired' }),
      ],
      webhookEvents: [
        { id: 'evt_1', name: 'payment_intent.succeeded', order_id: 'ord_paid', applied_at: 1, outcome: 'applied' },
        { id: 'evt_2', name: 'payment_intent.succeeded', order_id: 'ord_paid', applied_at: 2, outcome: 'applied' },
        { id: 'evt_3', name: 'payment_attempt.settled', order_id: null, applied_at: 3, outcome: 'ignored' },
      ],
      refunds: [
        { id: 'ref_1', order_id: 'ord_paid', airwallex_refund_id: 'rfd_1', request_id: 'req_1', amount: 500, status: 'succeeded', airwallex_status: 'SETTLED', origin: 'admin', idempotency_key: 'key_1' },
        { id: 'ref_2', order_id: 'ord_paid', airwallex_refund_id: 'rfd_2', request_id: 'req_2', amount: 2199, status: 'failed', airwallex_status: 'FAILED', origin: 'admin', idempotency_key: 'key_2' },
        { id: 'ref_3', order_id: 'ord_paid', airwallex_refund_id: null, request_id: 'req_3', amount: 100, status: 'failed', airwallex_status: null, origin: 'admin', idempotency_key: 'key_3' },
      ],
    },
    truth: {
      intents: [intent('int_1', 'ord_paid', 'SUCCEEDED'), intent('int_2', 'ord_cancelled', 'CANCELLED', { cancellation_reason: 'requested_by_customer' }), intent('int_3', 'ord_expired', 'CANCELLED', { cancellation_reason: EXPIRY_REASON })],
      refunds: [
        { id: 'rfd_1', request_id: 'req_1', payment_intent_id: 'int_1', amount: 5, currency: 'CNY', status: 'SETTLED', metadata: { order_id: 'ord_paid', refund_id: 'ref_1' } },
        { id: 'rfd_2', request_id: 'req_2', payment_intent_id: 'int_1', amount: 21.99, currency: 'CNY', status: 'FAILED', metadata: { order_id: 'ord_paid', refund_id: 'ref_2' } },
      ],
    },
    told: {
      created: new Set(['ord_paid', 'ord_cancelled', 'ord_expired', 'ord_no_intent']),
      paidByShopper: new Set(['ord_paid']),
      toldFinal: [
        { orderId: 'ord_paid', status: 'paid', by: 'read' },
        { orderId: 'ord_cancelled', status: 'cancelled', by: 'cancel' },
      ],
      refundRequests: [
        { orderId: 'ord_paid', key: 'key_1', amount: 500, status: 201, refundId: 'ref_1' },
        { orderId: 'ord_paid', key: 'key_1', amount: 500, status: 201, refundId: 'ref_1' },
        { orderId: 'ord_paid', key: 'key_2', amount: null, status: 201, refundId: 'ref_2' },
        { orderId: 'ord_paid', key: 'key_3', amount: 100, status: 409, code: 'REFUND_REJECTED' },
      ],
      externalRefunds: new Set(),
    },
  };
}

const ZERO: ChaosFailures = {
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

/** The checks that fail, with their counts. */
function failing(world: World): Partial<ChaosFailures> {
  const { failures } = gradeChaos(world.tables, world.truth, world.told);
  return Object.fromEntries(Object.entries(failures).filter(([, n]) => n > 0));
}

describe("chaos's grading", () => {
  test('passes a run where the database, Airwallex and what everyone was told agree', () => {
    const grade = gradeChaos(cleanRun().tables, cleanRun().truth, cleanRun().told);
    expect(grade.failures).toEqual(ZERO);
    expect(grade.counts.timelineEntriesFromWebhooks).toBe(2);
  });

  test('a planted wrong order status disagrees with its own table, whatever the server maps', () => {
    const world = cleanRun();
    world.tables.orders[1].status = 'expired'; // cancelled by the shopper, recorded as expired
    world.told.toldFinal = world.told.toldFinal.filter((t) => t.orderId !== 'ord_cancelled');
    world.tables.orderEvents.find((e) => e.order_id === 'ord_cancelled' && e.kind === 'intent')!.data = JSON.stringify({ from: 'awaiting_payment', to: 'expired' });
    expect(failing(world)).toEqual({ statusDisagrees: 1 });
    expect(gradeChaos(world.tables, world.truth, world.told).samples.statusDisagrees).toEqual(['ord_cancelled: expired, Airwallex CANCELLED (requested_by_customer) → cancelled']);
  });

  test('a server that maps PENDING to paid shows as a disagreement (chaos does not ask the server what PENDING means)', () => {
    const world = cleanRun();
    const wrongMapping = (status: string) => (status === 'PENDING' ? 'paid' : orderStatusFor({ status }));
    world.truth.intents.push({ id: 'int_4', merchant_order_id: 'ord_pending', status: 'PENDING', amount: 26.99, currency: 'CNY' });
    world.tables.orders.push({ id: 'ord_pending', status: wrongMapping('PENDING')!, payment_intent_id: 'int_4', total_amount: 2699, currency: 'CNY' });
    world.tables.orderEvents.push(event('ord_pending', 'intent', 'webhook payment_intent.pending', { from: 'awaiting_payment', to: 'paid' }));
    expect(failing(world)).toEqual({ statusDisagrees: 1 });
  });

  test("agrees with the server's mapping on every status Airwallex documents (when one changes, so must the other, by a decision)", () => {
    for (const [status, expected] of Object.entries(EXPECTED_ORDER_STATUS)) expect([status, orderStatusFor({ status })]).toEqual([status, expected]);
    expect(orderStatusFor({ status: 'CANCELLED', cancellation_reason: EXPIRY_REASON })).toBe(expectedOrderStatus({ status: 'CANCELLED', cancellation_reason: EXPIRY_REASON }));
    for (const [status, expected] of Object.entries(EXPECTED_REFUND_STATUS)) expect([status, refundStatusFor(status)]).toEqual([status, expected]);
  });

  const plants: Array<[keyof ChaosFailures, string, (world: World) => void]> = [
    ['lostOrders', 'an order answered 201 but not stored', (w) => w.told.created.add('ord_forgotten')],
    ['lostOrders', 'an intent whose order is not stored', (w) => w.truth.intents.push({ id: 'int_9', merchant_order_id: 'ord_gone', status: 'SUCCEEDED', amount: 1, currency: 'CNY' })],
    ['moreThanOneIntent', 'two intents for one order', (w) => w.truth.intents.push({ id: 'int_5', merchant_order_id: 'ord_cancelled', status: 'CANCELLED', amount: 26.99, currency: 'CNY' })],
    ['paidByShopperNotPaid', 'a sheet that said ok for an order not paid', (w) => w.told.paidByShopper.add('ord_expired')],
    ['shopperToldOtherwise', 'a cancel answered "cancelled" for an order that is paid', (w) => w.told.toldFinal.push({ orderId: 'ord_paid', status: 'cancelled', by: 'cancel' })],
    ['webhooksAppliedTwice', 'one event on the timeline twice', (w) => w.tables.orderEvents.push(event('ord_paid', 'webhook', 'webhook payment_intent.succeeded', { eventId: 'evt_2', outcome: 'final' }))],
    ['webhooksAppliedTwice', 'a timeline entry for an event never received', (w) => w.tables.orderEvents.push(event('ord_paid', 'webhook', 'webhook payment_intent.succeeded', { eventId: 'evt_ghost', outcome: 'final' }))],
    ['webhooksNotApplied', 'a stored event never applied', (w) => w.tables.webhookEvents.push({ id: 'evt_4', name: 'payment_intent.succeeded', order_id: 'ord_paid', applied_at: null, outcome: null })],
    ['webhooksNotApplied', 'an event applied to an order but missing from its timeline', (w) => w.tables.webhookEvents.push({ id: 'evt_5', name: 'refund.settled', order_id: 'ord_paid', applied_at: 5, outcome: 'applied' })],
    ['timelineBroken', 'a final status left', (w) => w.tables.orderEvents.push(event('ord_paid', 'intent', 'retrieve', { from: 'paid', to: 'paid' }), event('ord_paid', 'status', 'sweep', { from: 'paid', to: 'expired' }))],
    ['timelineBroken', 'a change applied twice', (w) => w.tables.orderEvents.push(event('ord_cancelled', 'intent', 'webhook payment_intent.cancelled', { eventId: 'evt_1', from: 'awaiting_payment', to: 'cancelled' }))],
    ['refundsTwice', 'two refunds at Airwallex for one of ours', (w) => w.truth.refunds.push({ id: 'rfd_9', request_id: 'req_9', payment_intent_id: 'int_1', amount: 1, currency: 'CNY', status: 'FAILED', metadata: { refund_id: 'ref_1' } })],
    ['refundsTwice', 'one Idempotency-Key answered with two refunds', (w) => w.told.refundRequests.push({ orderId: 'ord_paid', key: 'key_1', amount: 500, status: 201, refundId: 'ref_9' })],
    ['refundedAbovePaid', 'more refunded than paid', (w) => {
      w.tables.refunds[1] = { ...w.tables.refunds[1], status: 'succeeded', airwallex_status: 'ACCEPTED' };
      w.truth.refunds[1] = { ...w.truth.refunds[1], status: 'ACCEPTED' };
      w.tables.refunds.push({ id: 'ref_4', order_id: 'ord_paid', airwallex_refund_id: 'rfd_4', request_id: 'req_4', amount: 1, status: 'succeeded', airwallex_status: 'SETTLED', origin: 'admin', idempotency_key: 'key_4' });
      w.truth.refunds.push({ id: 'rfd_4', request_id: 'req_4', payment_intent_id: 'int_1', amount: 0.01, currency: 'CNY', status: 'SETTLED', metadata: { refund_id: 'ref_4' } });
    }],
    ['refundStatusDisagrees', 'a refund settled at Airwallex still pending here', (w) => (w.tables.refunds[0] = { ...w.tables.refunds[0], status: 'pending', airwallex_status: 'RECEIVED' })],
    ['refundStatusDisagrees', 'a refund never made at Airwallex left pending', (w) => (w.tables.refunds[2] = { ...w.tables.refunds[2], status: 'pending' })],
    ['refundsUnknownToServer', 'a refund made in the web app the server never heard of', (w) => w.truth.refunds.push({ id: 'rfd_5', request_id: 'req_web', payment_intent_id: 'int_1', amount: 1, currency: 'CNY', status: 'SETTLED' })],
  ];

  test.each(plants)('counts %s: %s', (check, _what, plant) => {
    const world = cleanRun();
    plant(world);
    const failed = failing(world);
    expect(failed[check]).toBeGreaterThan(0);
    // The planted fault shows in its own check, and nowhere else but where it must also show: an entry
    // applied twice breaks its timeline's chain; a second refund at Airwallex is one the server never recorded.
    const alsoShows: Partial<Record<keyof ChaosFailures, string>> = { timelineBroken: 'webhooksAppliedTwice', refundsTwice: 'refundsUnknownToServer' };
    expect(Object.keys(failed).filter((key) => key !== check && alsoShows[check] !== key)).toEqual([]);
  });

  test('every check has a planted fault that makes it fail', () => {
    expect(new Set(plants.map(([check]) => check))).toEqual(new Set(Object.keys(ZERO).filter((key) => key !== 'statusDisagrees' && key !== 'ordersLeftOpen')));
    const open = cleanRun();
    open.tables.orders[2].status = 'awaiting_payment';
    expect(failing(open)).toMatchObject({ ordersLeftOpen: 1 });
  });
});
