// The Store contract: every method and behaviour the services rely on, run against each implementation (SQLite, PostgreSQL).
import { randomBytes } from 'node:crypto';
import { shopperRefOf } from '../../../server/store/common';
import type {
  NewAnomaly,
  NewOrder,
  OrderChange,
  OrderRecord,
  OrderUpdate,
  RefundRecord,
  Store,
  WebhookEventRecord,
} from '../../../server/store/types';

export interface ContractTarget {
  /** A store on an empty database (a fresh one, or emptied), one per test. */
  open(): Promise<Store>;
  /** Another store on the database of the last `open()`: a second process (another instance). */
  peer(): Promise<Store>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;
const T0 = 1_760_000_000_000;

export function newOrder(overrides: Partial<NewOrder> = {}): NewOrder {
  const openId = overrides.openId ?? 'o_alice';
  return {
    id: id('ord'),
    openId,
    shopperRef: shopperRefOf(openId),
    status: 'awaiting_payment',
    currency: 'CNY',
    totalAmount: 2699,
    items: [
      { sku: 'tea-oolong', names: { zh_CN: '乌龙茶', en: 'Oolong tea' }, quantity: 2, unitAmount: 1250 },
      { sku: 'postcard', names: { zh_CN: '明信片', en: 'Postcard' }, quantity: 1, unitAmount: 199 },
    ],
    createRequestId: id('req'),
    idempotencyKey: null,
    requestHash: null,
    createdAt: T0,
    updatedAt: T0,
    expiresAt: T0 + 1_800_000,
    nextCheckAt: T0 + 60_000,
    ...overrides,
  };
}

/** What insertOrder stores for `order`, as read back. */
export function stored(order: NewOrder): OrderRecord {
  return {
    ...order,
    refunds: [],
    paymentIntentId: null,
    intentStatus: null,
    intentUpdatedAt: null,
    confirmSeq: 0,
    confirmedAt: null,
    lastPaymentError: null,
    paidAt: null,
    checkedAt: null,
    retrievedAt: null,
    checkFailures: 0,
  };
}

export function newRefund(orderId: string, overrides: Partial<RefundRecord> = {}): RefundRecord {
  return {
    id: id('ref'),
    orderId,
    airwallexRefundId: null,
    requestId: id('req'),
    amount: 500,
    currency: 'CNY',
    reason: 'damaged in transit',
    status: 'pending',
    airwallexStatus: null,
    airwallexUpdatedAt: null,
    failure: null,
    origin: 'admin',
    createdBy: 'adm_1234',
    idempotencyKey: id('key'),
    requestHash: 'hash',
    createdAt: T0 + 1000,
    updatedAt: T0 + 1000,
    ...overrides,
  };
}

function anomaly(overrides: Partial<NewAnomaly> = {}): NewAnomaly {
  return { kind: 'paid_after_final', key: id('paid_after_final'), orderId: null, intentId: 'int_1', detail: { source: 'webhook', n: 1 }, at: T0 + 5000, ...overrides };
}

function event(overrides: Partial<WebhookEventRecord> = {}): WebhookEventRecord {
  return { id: id('evt'), name: 'payment_intent.succeeded', orderId: null, payload: '{"id":"x", "raw" : true}', receivedAt: T0 + 500, ...overrides };
}

const patch = (p: OrderUpdate['patch']): OrderUpdate => ({ patch: p });

/** Collects a store's change notifications; `until` waits for a given one (they may arrive asynchronously). */
function recorder(store: Store) {
  const changes: OrderChange[] = [];
  const unsubscribe = store.subscribe((change) => changes.push(change));
  const of = (orderId: string) => changes.filter((c) => c.kind === 'order' && c.orderId === orderId).length;
  const until = (orderId: string, count = 1) => waitFor(() => of(orderId) >= count);
  return { changes, of, until, unsubscribe };
}

export function describeStoreContract(target: ContractTarget): void {
  let store: Store;
  const peers: Store[] = [];
  const peer = async () => {
    const other = await target.peer();
    peers.push(other);
    return other;
  };
  beforeEach(async () => {
    store = await target.open();
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((other) => other.close()));
    await store.close();
  });

  /** An order inserted, then changed by `update`. */
  const put = async (overrides: Partial<NewOrder> = {}, update?: OrderUpdate) => {
    const order = newOrder(overrides);
    expect((await store.insertOrder(order)).kind).toBe('created');
    if (update) await store.updateOrder(order.id, () => update);
    return order.id;
  };

  test('says which database it is', () => {
    expect(['sqlite', 'postgres']).toContain(store.kind);
  });

  describe('sessions', () => {
    test('finds a session by its token hash until it expires', async () => {
      await store.createSession({ tokenHash: 'h1', openId: 'o_alice', createdAt: 1000, expiresAt: 5000 });
      expect(await store.findSession('h1', 4999)).toEqual({ tokenHash: 'h1', openId: 'o_alice', createdAt: 1000, expiresAt: 5000 });
      expect(await store.findSession('h1', 5000)).toBeUndefined();
      expect(await store.findSession('unknown', 0)).toBeUndefined();
    });

    test('refuses a second session with the same token hash', async () => {
      await store.createSession({ tokenHash: 'h2', openId: 'o_alice', createdAt: 1000, expiresAt: 5000 });
      await expect(store.createSession({ tokenHash: 'h2', openId: 'o_bob', createdAt: 1000, expiresAt: 5000 })).rejects.toThrow();
      expect((await store.findSession('h2', 0))?.openId).toBe('o_alice');
    });
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

    test('runs concurrent updates of one order, from two processes, one after the other (no lost update)', async () => {
      const other = await peer();
      const order = newOrder();
      await store.insertOrder(order);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).updateOrder(order.id, (current) => patch({ checkFailures: current.checkFailures + 1 }))),
      );
      expect((await store.getOrder(order.id))?.checkFailures).toBe(20);
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

    test('stores text exactly, whatever quotes, backslashes or SQL it holds', async () => {
      const nasty = `it's a "test" \\ \\' $$ $1 -- ; DROP TABLE orders; 乌龙 🍵 \n\t E'x'`;
      const order = newOrder({ openId: `o_${nasty}`, idempotencyKey: nasty, requestHash: nasty });
      expect((await store.insertOrder(order, { maxOpenOrders: 5, events: [{ kind: 'created', source: nasty, data: { nasty }, at: T0 }] })).kind).toBe('created');
      const refund = newRefund(order.id, { reason: nasty, failure: { code: nasty, message: nasty } });
      await store.updateOrder(order.id, () => ({
        patch: { lastPaymentError: { code: nasty, message: nasty, at: 1 }, intentStatus: nasty },
        refunds: [refund],
        events: [{ kind: 'intent', source: nasty, data: { [nasty]: [nasty] }, at: T0 + 1 }],
        anomalies: [anomaly({ orderId: order.id, key: nasty, detail: { nasty } })],
      }));
      const read = await store.getOrder(order.id);
      expect(read).toMatchObject({ openId: `o_${nasty}`, idempotencyKey: nasty, intentStatus: nasty, lastPaymentError: { code: nasty, message: nasty }, refunds: [refund] });
      expect((await store.orderEvents(order.id)).map((e) => [e.source, e.data])).toEqual([
        [nasty, { nasty }],
        [nasty, { [nasty]: [nasty] }],
        ['paid_after_final', { anomalyId: expect.any(Number), nasty }],
      ]);
      expect((await store.insertOrder(newOrder({ openId: `o_${nasty}`, idempotencyKey: nasty, requestHash: nasty }))).kind).toBe('existing');
      const evt = event({ id: nasty, orderId: order.id, payload: nasty });
      expect(await store.recordWebhookEvent(evt, { orderId: order.id, decide: () => null }, 1)).toMatchObject({ inserted: true, outcome: 'applied' });
      expect(await store.webhookEventOutcome(nasty)).toBe('applied');
    });

    test('refuses a second refund with the same request_id', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const refund = newRefund(order.id);
      await store.updateOrder(order.id, () => ({ refunds: [refund] }));
      await expect(store.updateOrder(order.id, () => ({ refunds: [newRefund(order.id, { requestId: refund.requestId })] }))).rejects.toThrow();
      expect((await store.getOrder(order.id))?.refunds).toEqual([refund]);
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

  describe('countHit', () => {
    test('counts hits in a window that opens at the first hit, and opens the next one at its end', async () => {
      expect(await store.peekHits('address:198.51.100.7', T0)).toEqual({ hits: 0, resetAt: 0 });
      expect(await store.countHit('address:198.51.100.7', T0, 60_000)).toEqual({ hits: 1, resetAt: T0 + 60_000 });
      expect(await store.countHit('address:198.51.100.7', T0 + 10, 60_000)).toEqual({ hits: 2, resetAt: T0 + 60_000 });
      expect(await store.peekHits('address:198.51.100.7', T0 + 20)).toEqual({ hits: 2, resetAt: T0 + 60_000 });
      expect(await store.countHit('shopper:abc', T0 + 10, 1000)).toEqual({ hits: 1, resetAt: T0 + 1010 });
      expect(await store.countHit('address:198.51.100.7', T0 + 60_000, 60_000)).toEqual({ hits: 1, resetAt: T0 + 120_000 });
      expect(await store.peekHits('shopper:abc', T0 + 1010)).toEqual({ hits: 0, resetAt: 0 });
      // A fractional window (0.9 × an odd re-check interval) works as its whole milliseconds, rounded up.
      expect(await store.countHit('retrieve:x', T0, 299.7)).toEqual({ hits: 1, resetAt: T0 + 300 });
    });

    test('counts every one of many concurrent hits from two processes once', async () => {
      const other = await peer();
      const counts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).countHit('address:203.0.113.1', T0, 60_000)));
      expect(counts.map((count) => count.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await store.peekHits('address:203.0.113.1', T0 + 1)).toEqual({ hits: 20, resetAt: T0 + 60_000 });
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

  describe('webhook events', () => {
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

  describe('anomalies', () => {
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

  describe('audit log', () => {
    test('keeps entries, listed newest first, all or for one target, up to the limit', async () => {
      await store.recordAudit({ at: 1000, actor: 'adm_a', action: 'refund.create', target: 'ord_1', detail: { amount: 500, nested: { ok: true } } });
      await store.recordAudit({ at: 2000, actor: 'adm_a', action: 'order.recheck', target: 'ord_2', detail: {} });
      await store.recordAudit({ at: 3000, actor: 'adm_b', action: 'anomaly.resolve', target: null, detail: { id: 4 } });
      const all = await store.listAudit({ limit: 10 });
      expect(all.map((e) => e.action)).toEqual(['anomaly.resolve', 'order.recheck', 'refund.create']);
      expect(all[2]).toEqual({ id: expect.any(Number), at: 1000, actor: 'adm_a', action: 'refund.create', target: 'ord_1', detail: { amount: 500, nested: { ok: true } } });
      expect((await store.listAudit({ target: 'ord_2', limit: 10 })).map((e) => e.action)).toEqual(['order.recheck']);
      expect(await store.listAudit({ limit: 1 })).toHaveLength(1);
    });
  });

  describe('admin sessions', () => {
    test('finds a console session until it expires or is deleted', async () => {
      const session = { tokenHash: 'ah1', csrfHash: 'c1', actor: 'adm_a', createdAt: 1000, expiresAt: 5000 };
      await store.createAdminSession(session);
      expect(await store.findAdminSession('ah1', 4999)).toEqual(session);
      expect(await store.findAdminSession('ah1', 5000)).toBeUndefined();
      await expect(store.createAdminSession(session)).rejects.toThrow();
      await store.deleteAdminSession('ah1');
      expect(await store.findAdminSession('ah1', 0)).toBeUndefined();
      await store.deleteAdminSession('ah1');
    });
  });

  describe('prune', () => {
    test('deletes expired sessions, ended counter windows and old applied webhook events, at most `batch` of each per call', async () => {
      for (let i = 0; i < 3; i++) await store.createSession({ tokenHash: `old${i}`, openId: 'o', createdAt: 0, expiresAt: 100 + i });
      await store.createSession({ tokenHash: 'live', openId: 'o', createdAt: 0, expiresAt: 10_000 });
      for (let i = 0; i < 3; i++) await store.createAdminSession({ tokenHash: `aold${i}`, csrfHash: 'c', actor: 'a', createdAt: 0, expiresAt: 100 });
      await store.createAdminSession({ tokenHash: 'alive', csrfHash: 'c', actor: 'a', createdAt: 0, expiresAt: 10_000 });
      const applied = [event({ receivedAt: 10 }), event({ receivedAt: 20 }), event({ receivedAt: 30 })];
      for (const evt of applied) await store.recordWebhookEvent(evt, undefined, 40);
      const unapplied = event({ receivedAt: 5 });
      await store.insertWebhookEvent(unapplied);
      const recent = event({ receivedAt: 2000 });
      await store.recordWebhookEvent(recent, undefined, 2000);
      for (let i = 0; i < 3; i++) await store.countHit(`address:ended${i}`, 0, 1000);
      await store.countHit('address:open', 500, 1000);

      expect(await store.prune({ now: 1000, webhookEventsBefore: 1000, batch: 2 })).toEqual({ sessions: 2, webhookEvents: 2, adminSessions: 2, rateLimits: 2 });
      expect(await store.prune({ now: 1000, webhookEventsBefore: 1000, batch: 2 })).toEqual({ sessions: 1, webhookEvents: 1, adminSessions: 1, rateLimits: 1 });
      expect(await store.prune({ now: 1000, webhookEventsBefore: 1000, batch: 2 })).toEqual({ sessions: 0, webhookEvents: 0, adminSessions: 0, rateLimits: 0 });
      expect(await store.peekHits('address:open', 1000)).toEqual({ hits: 1, resetAt: 1500 });
      expect(await store.findSession('live', 1000)).toBeDefined();
      expect(await store.findAdminSession('alive', 1000)).toBeDefined();
      // An event never applied is still owed to its order; a recent one still deduplicates retries.
      expect(await store.unappliedWebhookEvents(10)).toEqual([unapplied]);
      expect(await store.webhookEventOutcome(recent.id)).toBe('ignored');
      for (const evt of applied) expect(await store.webhookEventOutcome(evt.id)).toBeUndefined();
    });
  });

  describe('subscribe', () => {
    test('tells subscribers about every committed change of an order: insert, update, refund, webhook', async () => {
      const changes = recorder(store);
      const order = newOrder();
      await store.insertOrder(order);
      await changes.until(order.id, 1);
      await store.updateOrder(order.id, () => patch({ status: 'processing' }));
      await changes.until(order.id, 2);
      await store.updateOrder(order.id, () => ({ refunds: [newRefund(order.id)] }));
      await changes.until(order.id, 3);
      await store.recordWebhookEvent(event({ orderId: order.id }), { orderId: order.id, decide: () => patch({ status: 'paid' }) }, 1);
      await changes.until(order.id, 4);
      changes.unsubscribe();
    });

    test('tells another process sharing the database when it can (PostgreSQL), never wrongly', async () => {
      const other = await peer();
      const changes = recorder(other);
      const order = newOrder();
      await store.insertOrder(order);
      await store.updateOrder(order.id, () => ({ refunds: [newRefund(order.id)] }));
      if (store.kind === 'postgres') await changes.until(order.id, 2);
      else {
        // SQLite: each process hears its own changes only (long polls fall back to re-reading).
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(changes.changes).toEqual([]);
      }
      changes.unsubscribe();
    });

    test('says nothing for what changes no state: a no-op update, events alone, a retrieve claim, a sweep lease; nothing after unsubscribe', async () => {
      const changes = recorder(store);
      const order = newOrder({ nextCheckAt: 100 });
      await store.insertOrder(order);
      await changes.until(order.id);
      const base = changes.of(order.id);
      await store.updateOrder(order.id, () => null);
      await store.updateOrder(order.id, () => ({ events: [{ kind: 'sweep', source: 'sweep', data: {}, at: T0 }] }));
      await store.recordWebhookEvent(event({ orderId: order.id }), { orderId: order.id, decide: () => null }, 1);
      expect(await store.claimRetrieve(order.id, T0, 1000)).toBe(true);
      expect(await store.claimDueOrders(1000, 10, 5000)).toHaveLength(1);
      // Notifications arrive in commit order: once this sentinel's is here, any for the above would be too.
      const sentinel = newOrder();
      await store.insertOrder(sentinel);
      await changes.until(sentinel.id);
      expect(changes.of(order.id)).toBe(base);

      changes.unsubscribe();
      const after = recorder(store);
      await store.updateOrder(order.id, () => patch({ status: 'cancelled' }));
      await after.until(order.id);
      expect(changes.of(order.id)).toBe(base);
      after.unsubscribe();
    });
  });

  test('is ready while open', async () => {
    expect(await store.ready()).toEqual({ ok: true });
  });
}

export async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
