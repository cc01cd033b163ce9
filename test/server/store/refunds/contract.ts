// The store contract for refunds (rows of their order's aggregate, written by updateOrder), run against both dialects by test/server/store/contract.ts.
import type { RefundRecord, Store } from '../../../../server/store/types';
import { type ContractSubject, newOrder, newRefund, T0 } from '../fixtures';

export function describeRefundsContract(subject: ContractSubject): void {
  const { peer } = subject;
  describe('refunds', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });

    test('gives each concurrent update, from two processes, the refunds the ones before it wrote', async () => {
      const other = await peer();
      const order = newOrder();
      await store.insertOrder(order);
      const seen: number[] = [];
      // A full refund's rule: only add one while fewer than 3 exist.
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? other : store).updateOrder(order.id, (current) => {
            seen.push(current.refunds.length);
            return current.refunds.length < 3 ? { refunds: [newRefund(order.id, { createdAt: T0 + i })] } : null;
          }),
        ),
      );
      expect((await store.getOrder(order.id))?.refunds).toHaveLength(3);
      expect(seen.filter((n) => n < 3).sort()).toEqual([0, 1, 2]);
    });

    test('inserts refunds, replaces them whole by id, and reads them back oldest first with the order', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const later = newRefund(order.id, { createdAt: T0 + 2000, updatedAt: T0 + 2000, amount: 700 });
      const earlier = newRefund(order.id, { createdAt: T0 + 1000, updatedAt: T0 + 1000, reason: null, idempotencyKey: null, requestHash: null });
      const first = await store.updateOrder(order.id, () => ({ refunds: [later, earlier] }));
      expect(first).toMatchObject({ changed: true });
      expect(first?.order.refunds).toEqual([earlier, later]);
      expect((await store.getOrder(order.id))?.refunds).toEqual([earlier, later]);

      const settled: RefundRecord = { ...later, airwallexRefundId: 'rfd_1', status: 'succeeded', airwallexStatus: 'SETTLED', airwallexUpdatedAt: T0 + 3000, updatedAt: T0 + 3000 };
      const failed: RefundRecord = { ...earlier, status: 'failed', airwallexStatus: 'FAILED', failure: { code: 'insufficient_balance', message: 'No money' }, updatedAt: T0 + 3000 };
      const second = await store.updateOrder(order.id, () => ({ refunds: [settled, failed] }));
      expect(second?.order.refunds).toEqual([failed, settled]);
      expect((await store.getOrder(order.id))?.refunds).toEqual([failed, settled]);
    });

    test('refuses a second refund with the same request_id', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const refund = newRefund(order.id);
      await store.updateOrder(order.id, () => ({ refunds: [refund] }));
      await expect(store.updateOrder(order.id, () => ({ refunds: [newRefund(order.id, { requestId: refund.requestId })] }))).rejects.toThrow();
      expect((await store.getOrder(order.id))?.refunds).toEqual([refund]);
    });
  });
}
