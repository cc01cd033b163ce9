// The store contract for an order's timeline, run against both dialects by test/server/store/contract.ts.
import type { Store } from '../../../../server/store/types';
import { type ContractSubject, newOrder, stored, T0 } from '../fixtures';

export function describeTimelineContract(subject: ContractSubject): void {
  describe('timeline', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });

    test('appends timeline events (which alone change nothing of the order), read back oldest first', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const result = await store.updateOrder(order.id, () => ({
        events: [
          { kind: 'intent', source: 'create', data: { intentStatus: 'REQUIRES_PAYMENT_METHOD', nested: { a: [1, 2] } }, at: T0 + 20 },
          { kind: 'webhook', source: null, data: {}, at: T0 + 10 },
        ],
      }));
      expect(result).toEqual({ order: stored(order), changed: false, newAnomalies: [] });
      await store.updateOrder(order.id, () => ({ patch: { status: 'cancelled' }, events: [{ kind: 'status', source: 'shopper', data: { to: 'cancelled' }, at: T0 + 20 }] }));
      const events = await store.orderEvents(order.id);
      expect(events.map(({ kind, source, data, at, orderId }) => ({ kind, source, data, at, orderId }))).toEqual([
        { kind: 'webhook', source: null, data: {}, at: T0 + 10, orderId: order.id },
        { kind: 'intent', source: 'create', data: { intentStatus: 'REQUIRES_PAYMENT_METHOD', nested: { a: [1, 2] } }, at: T0 + 20, orderId: order.id },
        { kind: 'status', source: 'shopper', data: { to: 'cancelled' }, at: T0 + 20, orderId: order.id },
      ]);
      expect(await store.orderEvents('ord_other')).toEqual([]);
    });
  });
}
