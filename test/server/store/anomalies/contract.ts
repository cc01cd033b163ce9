// The store contract for anomalies (one open per key, alone or in an order's transaction), run against both dialects by test/server/store/contract.ts.
import type { Store } from '../../../../server/store/types';
import { anomaly, type ContractSubject, newOrder, T0 } from '../fixtures';

export function describeAnomaliesContract(subject: ContractSubject): void {
  const { peer, put } = subject;
  describe('anomalies', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });

    test('records a new anomaly once per open key, on the order timeline too; resolving it reopens the key', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const first = anomaly({ orderId: order.id, key: `paid_after_final:${order.id}` });
      const result = await store.updateOrder(order.id, () => ({ anomalies: [first] }));
      expect(result?.changed).toBe(false);
      expect(result?.newAnomalies).toEqual([{ ...first, id: expect.any(Number), resolvedAt: null }]);
      const again = await store.updateOrder(order.id, () => ({ anomalies: [{ ...first, at: T0 + 9000, detail: { again: true } }] }));
      expect(again?.newAnomalies).toEqual([]);
      const timeline = await store.orderEvents(order.id);
      expect(timeline).toEqual([{ id: expect.any(Number), orderId: order.id, kind: 'anomaly', source: 'paid_after_final', data: { anomalyId: result!.newAnomalies[0].id, source: 'webhook', n: 1 }, at: first.at }]);

      await store.resolveAnomaly(result!.newAnomalies[0].id, T0 + 10_000);
      const reopened = await store.updateOrder(order.id, () => ({ anomalies: [{ ...first, at: T0 + 11_000 }] }));
      expect(reopened?.newAnomalies).toHaveLength(1);
      expect(reopened!.newAnomalies[0].id).not.toBe(result!.newAnomalies[0].id);
      expect(await store.listAnomalies({ openOnly: true, limit: 10, offset: 0 })).toEqual(reopened!.newAnomalies);
      expect(await store.orderEvents(order.id)).toHaveLength(2);
    });

    test('records one open anomaly per key, with its order on the timeline, and answers the open one for a repeat', async () => {
      const orderId = await put();
      const first = anomaly({ orderId, kind: 'unknown_order', key: 'unknown_order:int_9', detail: { webhook: 'evt_1' } });
      const recorded = await store.recordAnomaly(first);
      expect(recorded).toEqual({ inserted: true, anomaly: { ...first, id: expect.any(Number), resolvedAt: null } });
      const repeat = await store.recordAnomaly({ ...first, at: T0 + 99_000, detail: { webhook: 'evt_2' } });
      expect(repeat).toEqual({ inserted: false, anomaly: recorded.anomaly });
      expect((await store.orderEvents(orderId)).map((e) => [e.kind, e.source, e.data])).toEqual([['anomaly', 'unknown_order', { anomalyId: recorded.anomaly.id, webhook: 'evt_1' }]]);
      const orderless = await store.recordAnomaly(anomaly({ orderId: null, key: 'unknown_order:int_x' }));
      expect(orderless.inserted).toBe(true);
    });

    test('records one anomaly when the same key comes from two processes at once', async () => {
      const other = await peer();
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? other : store).recordAnomaly(anomaly({ key: 'same-key' }))));
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
      expect(new Set(results.map((r) => r.anomaly.id)).size).toBe(1);
    });

    test('lists anomalies newest first, open ones only on request, by page; resolves one once', async () => {
      const a = (await store.recordAnomaly(anomaly({ at: 1000 }))).anomaly;
      const b = (await store.recordAnomaly(anomaly({ at: 3000 }))).anomaly;
      const c = (await store.recordAnomaly(anomaly({ at: 2000 }))).anomaly;
      expect((await store.listAnomalies({ openOnly: false, limit: 10, offset: 0 })).map((x) => x.id)).toEqual([b.id, c.id, a.id]);
      expect((await store.listAnomalies({ openOnly: false, limit: 2, offset: 1 })).map((x) => x.id)).toEqual([c.id, a.id]);
      expect(await store.resolveAnomaly(c.id, 5000)).toEqual({ ...c, resolvedAt: 5000 });
      expect(await store.resolveAnomaly(c.id, 6000)).toEqual({ ...c, resolvedAt: 5000 });
      expect(await store.resolveAnomaly(987_654, 6000)).toBeUndefined();
      expect((await store.listAnomalies({ openOnly: true, limit: 10, offset: 0 })).map((x) => x.id)).toEqual([b.id, a.id]);
      expect((await store.listAnomalies({ openOnly: false, limit: 10, offset: 0 })).map((x) => x.resolvedAt)).toEqual([null, 5000, null]);
    });
  });
}
