// Which changes tell an order event, and what its body holds: pure rules (services/order-events.ts).
import { orderEventsOf } from '../../server/services/order-events';
import { presentAdminOrder } from '../../server/services/order-presenter';
import type { OrderRecord, RefundRecord } from '../../server/store/types';
import { newOrder, newRefund, stored, T0 } from './store/fixtures';

const order = (overrides: Partial<OrderRecord> = {}): OrderRecord => ({ ...stored(newOrder()), ...overrides });
const refund = (orderId: string, overrides: Partial<RefundRecord> = {}) => newRefund(orderId, { id: 'ref_1', ...overrides });
let n = 0;
const ids = () => `evt_${++n}`;
const typesOf = (before: OrderRecord, after: OrderRecord) => orderEventsOf(before, after, T0, { delivering: true }, ids).map((e) => e.type);

describe('order events', () => {
  test('a status becoming paid, cancelled or expired tells its event once; other changes tell none', () => {
    const before = order();
    expect(typesOf(before, { ...before, status: 'paid' })).toEqual(['order.paid']);
    expect(typesOf(before, { ...before, status: 'cancelled' })).toEqual(['order.cancelled']);
    expect(typesOf(before, { ...before, status: 'expired' })).toEqual(['order.expired']);
    expect(typesOf(before, { ...before, status: 'processing' })).toEqual([]);
    expect(typesOf({ ...before, status: 'paid' }, { ...before, status: 'paid', checkedAt: T0 })).toEqual([]);
  });

  test('a refund reaching succeeded or failed tells its event with the refund, found ones too; pending ones tell none', () => {
    const paid = order({ status: 'paid' });
    const pending = refund(paid.id);
    expect(typesOf(paid, { ...paid, refunds: [pending] })).toEqual([]);
    const withPending = { ...paid, refunds: [pending] };
    expect(typesOf(withPending, { ...paid, refunds: [{ ...pending, status: 'succeeded' }] })).toEqual(['refund.succeeded']);
    expect(typesOf(withPending, { ...paid, refunds: [{ ...pending, status: 'failed' }] })).toEqual(['refund.failed']);
    // Made in Airwallex's web app and found already settled.
    expect(typesOf(paid, { ...paid, refunds: [{ ...pending, status: 'succeeded', origin: 'airwallex' }] })).toEqual(['refund.succeeded']);
    const both = orderEventsOf(order(), { ...paid, refunds: [{ ...pending, status: 'succeeded' }] }, T0, { delivering: true }, ids);
    expect(both.map((e) => e.type)).toEqual(['order.paid', 'refund.succeeded']);
    const body = JSON.parse(both[1].body);
    expect(body.data.refund).toEqual(body.data.order.refunds[0]);
    expect(body.data.refund).toMatchObject({ id: 'ref_1', status: 'succeeded' });
  });

  test('the body is the event id, type, time and the order as the admin API presents it; delivered from now, or only recorded', () => {
    const before = order();
    const after = { ...before, status: 'paid' as const, paidAt: T0 };
    const [event] = orderEventsOf(before, after, T0 + 5, { delivering: true }, () => 'evt_x');
    expect(JSON.parse(event.body)).toEqual({ id: 'evt_x', type: 'order.paid', createdAt: new Date(T0 + 5).toISOString(), data: { order: presentAdminOrder(after, 'zh_CN') } });
    expect(event).toMatchObject({ id: 'evt_x', orderId: before.id, createdAt: T0 + 5, state: 'pending', giveUpAt: T0 + 5 + 72 * 3600_000 });
    expect(orderEventsOf(before, after, T0, { delivering: false })[0]).toMatchObject({ state: 'unsent', giveUpAt: null, id: expect.stringMatching(/^evt_/) });
  });
});
