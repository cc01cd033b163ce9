// The store contract for orders (create, read, update in one transaction, claims, search), run against both dialects by test/server/store/contract.ts.
import { shopperRefOf } from '../../../../server/store/common';
import type { OrderRecord, Store } from '../../../../server/store/types';
import { anomaly, type ContractSubject, newOrder, newRefund, patch, stored, T0 } from '../fixtures';

export function describeOrdersContract(subject: ContractSubject): void {
  const { peer, put } = subject;
  describe('orders', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });

    describe('insertOrder, getOrder, getOrderByIntent', () => {
      test('stores an order with its lines in order and its first events, and reads back exactly what was inserted', async () => {
        const order = newOrder({ totalAmount: 9_007_199_254_740_991, expiresAt: 4_102_444_800_000, nextCheckAt: null });
        const result = await store.insertOrder(order, { events: [{ kind: 'created', source: 'shopper', data: { total: 1, lines: 2 }, at: T0 }] });
        expect(result).toEqual({ kind: 'created', order: stored(order) });
        expect(await store.getOrder(order.id)).toEqual(stored(order));
        expect(await store.getOrder('ord_missing')).toBeUndefined();
        expect(await store.orderEvents(order.id)).toEqual([{ id: expect.any(Number), orderId: order.id, kind: 'created', source: 'shopper', data: { total: 1, lines: 2 }, at: T0 }]);
      });

      test('finds an order by its Payment Intent id', async () => {
        const orderId = await put({}, patch({ paymentIntentId: 'int_found' }));
        await put();
        expect((await store.getOrderByIntent('int_found'))?.id).toBe(orderId);
        expect(await store.getOrderByIntent('int_other')).toBeUndefined();
      });

      test('answers the first order for a reused idempotency key: existing for the same body, conflict for another', async () => {
        const first = newOrder({ idempotencyKey: 'k1', requestHash: 'hash-a' });
        expect((await store.insertOrder(first)).kind).toBe('created');
        const same = await store.insertOrder(newOrder({ idempotencyKey: 'k1', requestHash: 'hash-a' }), { events: [{ kind: 'created', source: 'shopper', data: {}, at: T0 }] });
        expect(same).toEqual({ kind: 'existing', order: stored(first) });
        const other = await store.insertOrder(newOrder({ idempotencyKey: 'k1', requestHash: 'hash-b', totalAmount: 1 }));
        expect(other).toMatchObject({ kind: 'conflict', order: { id: first.id, totalAmount: 2699 } });
        expect(await store.orderEvents(first.id)).toEqual([]); // the repeat's events were not written anywhere
      });

      test('scopes idempotency keys to the shopper, and never matches orders without a key', async () => {
        const alice = await store.insertOrder(newOrder({ idempotencyKey: 'shared', requestHash: 'h' }));
        const bob = await store.insertOrder(newOrder({ openId: 'o_bob', idempotencyKey: 'shared', requestHash: 'h' }));
        expect([alice.kind, bob.kind]).toEqual(['created', 'created']);
        const a = await store.insertOrder(newOrder());
        const b = await store.insertOrder(newOrder());
        expect([a.kind, b.kind]).toEqual(['created', 'created']);
      });

      test('makes one order when the same key is inserted many times at once, from two processes', async () => {
        const other = await peer();
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) => (i % 2 ? other : store).insertOrder(newOrder({ idempotencyKey: 'race', requestHash: 'same' }))),
        );
        const created = results.filter((r) => r.kind === 'created');
        expect(created).toHaveLength(1);
        expect(results.filter((r) => r.kind === 'existing')).toHaveLength(11);
        const winner = created[0].kind === 'created' ? created[0].order : undefined;
        for (const result of results) expect(result.kind !== 'limited' && result.order.id).toBe(winner?.id);
        expect((await store.getOrder(winner!.id))?.items).toHaveLength(2);
      });

      test("refuses an order past the shopper's open-order limit, counting only that shopper's open orders", async () => {
        await put({}, patch({ status: 'processing' }));
        await put({}, patch({ status: 'paid' }));
        await put({}, patch({ status: 'cancelled' }));
        await put({ openId: 'o_bob' });
        expect((await store.insertOrder(newOrder(), { maxOpenOrders: 2 })).kind).toBe('created');
        const refused = newOrder();
        expect(await store.insertOrder(refused, { maxOpenOrders: 2, events: [{ kind: 'created', source: 'shopper', data: {}, at: T0 }] })).toEqual({ kind: 'limited', open: 2 });
        expect(await store.getOrder(refused.id)).toBeUndefined();
        expect(await store.orderEvents(refused.id)).toEqual([]);
        expect((await store.insertOrder(newOrder({ openId: 'o_bob' }), { maxOpenOrders: 2 })).kind).toBe('created');
      });

      test('answers a repeated idempotency key with its order even when the shopper is at the limit', async () => {
        const first = newOrder({ idempotencyKey: 'k', requestHash: 'h' });
        await store.insertOrder(first, { maxOpenOrders: 1 });
        expect(await store.insertOrder(newOrder({ idempotencyKey: 'k', requestHash: 'h' }), { maxOpenOrders: 1 })).toMatchObject({ kind: 'existing', order: { id: first.id } });
        expect((await store.insertOrder(newOrder(), { maxOpenOrders: 1 })).kind).toBe('limited');
      });

      test('never lets concurrent creates from two processes exceed the open-order limit', async () => {
        const other = await peer();
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).insertOrder(newOrder(), { maxOpenOrders: 3 })));
        expect(results.filter((r) => r.kind === 'created')).toHaveLength(3);
        expect(results.filter((r) => r.kind === 'limited')).toHaveLength(7);
        expect((await store.searchOrders({ status: 'awaiting_payment', limit: 100, offset: 0 })).total).toBe(3);
      });
    });

    describe('updateOrder', () => {
      test('passes the stored order to decide, writes every patchable field, and returns the updated order', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        const error = { code: 'payment_declined', message: 'Card declined', at: T0 + 123 };
        const seen: OrderRecord[] = [];
        const full = {
          status: 'processing' as const,
          paymentIntentId: 'int_1',
          intentStatus: 'PENDING',
          intentUpdatedAt: T0 + 100,
          confirmSeq: 2,
          confirmedAt: T0 + 90,
          lastPaymentError: error,
          paidAt: null,
          checkedAt: T0 + 7,
          retrievedAt: T0 + 6,
          nextCheckAt: T0 + 60_000,
          checkFailures: 3,
          updatedAt: T0 + 8,
        };
        const result = await store.updateOrder(order.id, (current) => {
          seen.push(current);
          return { patch: full };
        });
        expect(seen).toEqual([stored(order)]);
        expect(result).toEqual({ order: { ...stored(order), ...full }, changed: true, newAnomalies: [] });
        expect(await store.getOrder(order.id)).toEqual(result?.order);
        await store.updateOrder(order.id, () => patch({ status: 'paid', lastPaymentError: null, paidAt: 9, nextCheckAt: null }));
        expect(await store.getOrder(order.id)).toMatchObject({ status: 'paid', lastPaymentError: null, paidAt: 9, nextCheckAt: null, paymentIntentId: 'int_1' });
      });

      test('changes nothing when decide returns null or an empty update, and answers undefined for an unknown order', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        expect(await store.updateOrder(order.id, () => null)).toEqual({ order: stored(order), changed: false, newAnomalies: [] });
        expect(await store.updateOrder(order.id, () => ({}))).toMatchObject({ changed: false });
        expect(await store.updateOrder(order.id, () => patch({ status: undefined }))).toMatchObject({ changed: false });
        expect(await store.updateOrder('ord_missing', () => patch({ status: 'paid' }))).toBeUndefined();
        expect(await store.getOrder(order.id)).toEqual(stored(order));
      });

      test('writes nothing when decide throws', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        await expect(
          store.updateOrder(order.id, () => {
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        expect(await store.getOrder(order.id)).toEqual(stored(order));
      });

      test('writes the order, its refunds, its events and its anomalies all or nothing', async () => {
        const [a, b] = [newOrder(), newOrder()];
        await store.insertOrder(a);
        await store.insertOrder(b);
        await store.updateOrder(a.id, () => patch({ paymentIntentId: 'int_taken' }));
        // b's update breaks a constraint (a's intent id): its refund, event and anomaly are undone too.
        await expect(
          store.updateOrder(b.id, () => ({
            patch: { paymentIntentId: 'int_taken', status: 'paid' },
            refunds: [newRefund(b.id)],
            events: [{ kind: 'intent', source: 'test', data: {}, at: T0 }],
            anomalies: [anomaly({ orderId: b.id, key: 'k-undone' })],
          })),
        ).rejects.toThrow();
        expect(await store.getOrder(b.id)).toEqual(stored(b));
        expect(await store.orderEvents(b.id)).toEqual([]);
        expect(await store.listAnomalies({ openOnly: false, limit: 10, offset: 0 })).toEqual([]);
      });

      test('given the order as the caller read it, decides on the order as stored when it changed since: its fields or its refunds', async () => {
        const order = newOrder();
        const { order: read } = (await store.insertOrder(order)) as { order: OrderRecord };
        const seen: OrderRecord[] = [];
        const bump = (current: OrderRecord) => {
          seen.push(current);
          return patch({ checkFailures: current.checkFailures + 1 });
        };
        // Unchanged since it was read: decided on it.
        const first = await store.updateOrder(order.id, bump, read);
        expect(seen).toEqual([read]);
        expect(first?.order).toEqual({ ...stored(order), checkFailures: 1 });
        // `read` is stale now: the change is decided on the stored order (checkFailures 1), not on `read` (0).
        seen.length = 0;
        const second = await store.updateOrder(order.id, bump, read);
        expect(seen.at(-1)).toEqual(first?.order);
        expect(second?.order.checkFailures).toBe(2);
        // A refund written without changing the order's own row: the read without it is stale too.
        const fresh = (await store.getOrder(order.id))!;
        const refund = newRefund(order.id);
        await store.updateOrder(order.id, () => ({ refunds: [refund] }));
        seen.length = 0;
        const third = await store.updateOrder(order.id, bump, fresh);
        expect(seen.at(-1)?.refunds).toEqual([refund]);
        expect(third?.order).toMatchObject({ checkFailures: 3, refunds: [refund] });
        expect(await store.getOrder(order.id)).toEqual(third?.order);
        // The record another order's caller read is not this order's: decided on this one.
        const other = newOrder();
        await store.insertOrder(other);
        seen.length = 0;
        await store.updateOrder(other.id, bump, third?.order);
        expect(seen.at(-1)?.id).toBe(other.id);
      });

      test('given the same read order, concurrent updates from two processes still apply one after the other (no lost update)', async () => {
        const other = await peer();
        const order = newOrder();
        await store.insertOrder(order);
        const [read, readThere] = [await store.getOrder(order.id), await other.getOrder(order.id)];
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            i % 2 ? other.updateOrder(order.id, (current) => patch({ checkFailures: current.checkFailures + 1 }), readThere) : store.updateOrder(order.id, (current) => patch({ checkFailures: current.checkFailures + 1 }), read),
          ),
        );
        expect((await store.getOrder(order.id))?.checkFailures).toBe(20);
      });

      test('runs concurrent updates of one order, from two processes, one after the other (no lost update)', async () => {
        const other = await peer();
        const order = newOrder();
        await store.insertOrder(order);
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).updateOrder(order.id, (current) => patch({ checkFailures: current.checkFailures + 1 }))),
        );
        expect((await store.getOrder(order.id))?.checkFailures).toBe(20);
      });
    });

    describe('listOrders', () => {
      test("lists the shopper's orders that have an intent, newest first, up to the limit, with items and refunds", async () => {
        const old = await put({ createdAt: 1000 }, patch({ paymentIntentId: 'int_a' }));
        const recent = await put({ createdAt: 3000 }, patch({ paymentIntentId: 'int_b' }));
        const middle = await put({ createdAt: 2000 }, patch({ paymentIntentId: 'int_c' }));
        await put({ createdAt: 4000 });
        await put({ createdAt: 5000, openId: 'o_bob' }, patch({ paymentIntentId: 'int_d' }));
        const refund = newRefund(recent);
        await store.updateOrder(recent, () => ({ refunds: [refund] }));
        const listed = await store.listOrders('o_alice', 10);
        expect(listed.map((o) => o.id)).toEqual([recent, middle, old]);
        expect(listed[0].items).toHaveLength(2);
        expect(listed[0].refunds).toEqual([refund]);
        expect((await store.listOrders('o_alice', 2)).map((o) => o.id)).toEqual([recent, middle]);
        expect(await store.listOrders('o_nobody', 10)).toEqual([]);
      });
    });

    describe('claimRetrieve', () => {
      test('lets one caller per interval retrieve an order', async () => {
        const orderId = await put();
        expect(await store.claimRetrieve(orderId, T0, 1000)).toBe(true);
        expect((await store.getOrder(orderId))?.retrievedAt).toBe(T0);
        expect(await store.claimRetrieve(orderId, T0 + 999, 1000)).toBe(false);
        expect(await store.claimRetrieve(orderId, T0 + 1000, 1000)).toBe(true);
        expect(await store.claimRetrieve(orderId, T0 + 1000, 0)).toBe(true);
        expect(await store.claimRetrieve('ord_missing', T0, 1000)).toBe(false);
        // A fractional interval (0.9 × an odd re-check interval) works as its whole milliseconds.
        expect(await store.claimRetrieve(orderId, T0 + 1300, 299.7)).toBe(true);
        expect(await store.claimRetrieve(orderId, T0 + 1500, 299.7)).toBe(false);
      });

      test('gives the claim to exactly one of many concurrent callers in two processes', async () => {
        const other = await peer();
        const orderId = await put();
        const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).claimRetrieve(orderId, T0 + i, 1000)));
        expect(claims.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('claimDueOrders', () => {
      test('claims due orders oldest due first, up to the limit, leasing each until leaseUntil', async () => {
        const second = await put({}, patch({ nextCheckAt: 200 }));
        const first = await put({}, patch({ nextCheckAt: 100 }));
        const third = await put({}, patch({ nextCheckAt: 300 }));
        await put({}, patch({ nextCheckAt: 50_000 })); // not due
        await put({}, patch({ nextCheckAt: null })); // nothing to do
        const claimed = await store.claimDueOrders(1000, 2, 9000);
        expect(claimed.map((o) => o.id)).toEqual([first, second]);
        expect(claimed.map((o) => o.nextCheckAt)).toEqual([9000, 9000]);
        expect(claimed[0].items).toHaveLength(2);
        expect((await store.getOrder(first))?.nextCheckAt).toBe(9000);
        // Leased: not claimed again before the lease ends, even by another process.
        const other = await peer();
        expect((await other.claimDueOrders(1000, 10, 9000)).map((o) => o.id)).toEqual([third]);
        expect(await store.claimDueOrders(8999, 10, 20_000)).toEqual([]);
        expect((await store.claimDueOrders(9000, 10, 20_000)).map((o) => o.id).sort()).toEqual([first, second, third].sort());
      });

      test('comes with the order as stored (refunds too)', async () => {
        const orderId = await put({}, patch({ nextCheckAt: 100, status: 'paid', paymentIntentId: 'int_r' }));
        const refund = newRefund(orderId);
        await store.updateOrder(orderId, () => ({ refunds: [refund] }));
        const [claimed] = await store.claimDueOrders(1000, 1, 5000);
        expect(claimed).toEqual({ ...(await store.getOrder(orderId)), nextCheckAt: 5000 });
        expect(claimed.refunds).toEqual([refund]);
      });

      test('never gives one order to two concurrent claimers in two processes', async () => {
        const other = await peer();
        const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => put({}, patch({ nextCheckAt: 100 + i }))));
        const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).claimDueOrders(1000, 5, 9000)));
        const claimed = claims.flat().map((o) => o.id);
        expect(new Set(claimed).size).toBe(claimed.length);
        // Whatever a claimer skipped while another held it is there for the next pass.
        claimed.push(...(await store.claimDueOrders(1000, 100, 9000)).map((o) => o.id));
        expect(claimed.sort()).toEqual([...ids].sort());
      });
    });

    describe('searchOrders and countOrdersByStatus', () => {
      test('filters by status, by id, intent, shopper fingerprint or openid, and by creation time; pages newest first with the total', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push(await put({ createdAt: 1000 * (i + 1) }, i === 1 ? patch({ status: 'paid', paymentIntentId: 'int_paid' }) : undefined));
        const bob = await put({ openId: 'o_bob', createdAt: 10_000 });
        const all = await store.searchOrders({ limit: 3, offset: 0 });
        expect(all.total).toBe(6);
        expect(all.orders.map((o) => o.id)).toEqual([bob, ids[4], ids[3]]);
        expect(all.orders[0].items).toHaveLength(2);
        expect((await store.searchOrders({ limit: 3, offset: 3 })).orders.map((o) => o.id)).toEqual([ids[2], ids[1], ids[0]]);
        expect(await store.searchOrders({ limit: 3, offset: 30 })).toEqual({ orders: [], total: 6 });
        expect(await store.searchOrders({ status: 'paid', limit: 10, offset: 0 })).toMatchObject({ total: 1, orders: [{ id: ids[1] }] });
        expect((await store.searchOrders({ q: ids[3], limit: 10, offset: 0 })).orders.map((o) => o.id)).toEqual([ids[3]]);
        expect((await store.searchOrders({ q: 'int_paid', limit: 10, offset: 0 })).orders.map((o) => o.id)).toEqual([ids[1]]);
        expect((await store.searchOrders({ q: 'o_bob', limit: 10, offset: 0 })).orders.map((o) => o.id)).toEqual([bob]);
        expect((await store.searchOrders({ q: shopperRefOf('o_bob').toUpperCase(), limit: 10, offset: 0 })).orders.map((o) => o.id)).toEqual([bob]);
        expect((await store.searchOrders({ from: 2000, to: 4000, limit: 10, offset: 0 })).orders.map((o) => o.id)).toEqual([ids[2], ids[1]]);
        expect(await store.searchOrders({ q: 'nothing', status: 'paid', limit: 10, offset: 0 })).toEqual({ orders: [], total: 0 });
        expect(await store.searchOrders({ status: 'expired', limit: 10, offset: 5 })).toEqual({ orders: [], total: 0 });
      });

      test('counts orders per status', async () => {
        expect(await store.countOrdersByStatus()).toEqual({});
        await put();
        await put();
        await put({}, patch({ status: 'paid' }));
        expect(await store.countOrdersByStatus()).toEqual({ awaiting_payment: 2, paid: 1 });
      });
    });
  });
}
