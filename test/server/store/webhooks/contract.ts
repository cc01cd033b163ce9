// The store contract for webhook events (recorded once per id, applied in the same transaction), run against both dialects by test/server/store/contract.ts.
import type { Store } from '../../../../server/store/types';
import { anomaly, type ContractSubject, event, newOrder, newRefund, patch, stored, T0 } from '../fixtures';

export function describeWebhooksContract(subject: ContractSubject): void {
  const { peer } = subject;
  describe('webhook events', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });

    test('records and applies an event in one step, and marks it applied', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const evt = event({ orderId: order.id });
      const result = await store.recordWebhookEvent(evt, { orderId: order.id, decide: () => patch({ status: 'paid', paidAt: 5 }) }, 42);
      expect(result).toEqual({ inserted: true, outcome: 'applied', update: { changed: true, order: { ...stored(order), status: 'paid', paidAt: 5 }, newAnomalies: [] } });
      expect((await store.getOrder(order.id))?.status).toBe('paid');
      expect(await store.webhookEventOutcome(evt.id)).toBe('applied');
      expect(await store.unappliedWebhookEvents(10)).toEqual([]);
    });

    test('writes the event, the order, its refunds, its timeline and anomalies in one transaction', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const refund = newRefund(order.id, { status: 'succeeded', airwallexStatus: 'SETTLED' });
      const evt = event({ orderId: order.id, name: 'refund.settled' });
      const found = anomaly({ orderId: order.id, key: `amount_mismatch:${order.id}` });
      const result = await store.recordWebhookEvent(
        evt,
        { orderId: order.id, decide: () => ({ patch: { checkedAt: 7 }, refunds: [refund], events: [{ kind: 'refund', source: 'webhook refund.settled', data: { id: refund.id }, at: T0 }], anomalies: [found] }) },
        42,
      );
      expect(result).toMatchObject({ inserted: true, outcome: 'applied', update: { changed: true, newAnomalies: [{ key: found.key }] } });
      expect((await store.getOrder(order.id))?.refunds).toEqual([refund]);
      expect((await store.orderEvents(order.id)).map((e) => e.kind)).toEqual(['refund', 'anomaly']);

      // The same, failing at the end (the refund's request_id is taken): nothing of it stays, the event neither.
      const failing = event({ orderId: order.id });
      await expect(
        store.recordWebhookEvent(
          failing,
          { orderId: order.id, decide: () => ({ patch: { status: 'paid' }, events: [{ kind: 'intent', source: 'x', data: {}, at: T0 }], refunds: [newRefund(order.id, { requestId: refund.requestId })] }) },
          43,
        ),
      ).rejects.toThrow();
      expect(await store.webhookEventOutcome(failing.id)).toBeUndefined();
      expect((await store.getOrder(order.id))?.status).toBe('awaiting_payment');
      expect(await store.orderEvents(order.id)).toHaveLength(2);
    });

    test('ignores a second delivery of the same event id, even with another body', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const evt = event({ orderId: order.id });
      await store.recordWebhookEvent(evt, { orderId: order.id, decide: () => patch({ checkedAt: 1 }) }, 42);
      let ran = false;
      const again = await store.recordWebhookEvent({ ...evt, payload: '{}' }, { orderId: order.id, decide: () => ((ran = true), patch({ checkedAt: 2 })) }, 43);
      expect(again).toEqual({ inserted: false });
      expect(ran).toBe(false);
      expect((await store.getOrder(order.id))?.checkedAt).toBe(1);
      expect(await store.insertWebhookEvent(evt)).toBe(false);
      expect(await store.recordWebhookEvent(evt, undefined, 44)).toEqual({ inserted: false });
    });

    test('applies an event once when the same delivery reaches two processes many times at once', async () => {
      const other = await peer();
      const order = newOrder();
      await store.insertOrder(order);
      const evt = event({ orderId: order.id });
      let runs = 0;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? other : store).recordWebhookEvent(evt, { orderId: order.id, decide: (current) => (runs++, patch({ checkFailures: current.checkFailures + 1 })) }, 42),
        ),
      );
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
      expect(runs).toBe(1);
      expect((await store.getOrder(order.id))?.checkFailures).toBe(1);
    });

    test('marks an event for an unknown order unknown_order, and one with nothing to apply ignored', async () => {
      const unknown = event({ orderId: 'ord_missing' });
      expect(await store.recordWebhookEvent(unknown, { orderId: 'ord_missing', decide: () => patch({ status: 'paid' }) }, 1)).toEqual({ inserted: true, outcome: 'unknown_order', update: undefined });
      expect(await store.webhookEventOutcome(unknown.id)).toBe('unknown_order');
      const other = event({ name: 'payment_attempt.authorized' });
      expect(await store.recordWebhookEvent(other, undefined, 1)).toEqual({ inserted: true, outcome: 'ignored', update: undefined });
      expect(await store.webhookEventOutcome(other.id)).toBe('ignored');
      expect(await store.webhookEventOutcome('evt_never')).toBeUndefined();
      expect(await store.unappliedWebhookEvents(10)).toEqual([]);
    });

    test('records nothing when applying throws, so the event can be stored for the sweep instead', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const evt = event({ orderId: order.id });
      await expect(
        store.recordWebhookEvent(evt, { orderId: order.id, decide: () => { throw new Error('boom'); } }, 1),
      ).rejects.toThrow('boom');
      expect(await store.webhookEventOutcome(evt.id)).toBeUndefined();
      expect(await store.insertWebhookEvent(evt)).toBe(true);
      expect(await store.webhookEventOutcome(evt.id)).toBeNull();
      expect(await store.unappliedWebhookEvents(10)).toEqual([evt]);
    });

    test('lists unapplied events oldest first, keeps the payload byte for byte, and forgets them once marked', async () => {
      const later = event({ receivedAt: 2000, payload: '{ "b":1,  "a" : [ 2 ], "q": "it\'s \\"quoted\\" \\\\ 乌龙" }' });
      const earlier = event({ receivedAt: 1000, orderId: 'ord_1' });
      await store.insertWebhookEvent(later);
      await store.insertWebhookEvent(earlier);
      expect(await store.unappliedWebhookEvents(10)).toEqual([earlier, later]);
      expect(await store.unappliedWebhookEvents(1)).toEqual([earlier]);
      await store.markWebhookEventApplied(earlier.id, 'applied', 3000);
      expect(await store.unappliedWebhookEvents(10)).toEqual([later]);
      expect(await store.webhookEventOutcome(earlier.id)).toBe('applied');
    });
  });
}
