// The Store contract: every behaviour the services rely on, run against each implementation (SQLite, PostgreSQL).
import { randomBytes } from 'node:crypto';
import type { NewOrder, OrderChange, OrderRecord, Store, WebhookEventRecord } from '../../../server/store/types';

export interface ContractTarget {
  /** A store on an empty database (a fresh one, or emptied), one per test. */
  open(): Promise<Store>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

export function newOrder(overrides: Partial<NewOrder> = {}): NewOrder {
  const now = 1_760_000_000_000;
  return {
    id: id('ord'),
    openId: 'o_alice',
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
    createdAt: now,
    updatedAt: now,
    expiresAt: now + 1_800_000,
    ...overrides,
  };
}

function event(overrides: Partial<WebhookEventRecord> = {}): WebhookEventRecord {
  return { id: id('evt'), name: 'payment_intent.succeeded', orderId: null, payload: '{"id":"x", "raw" : true}', receivedAt: 1_760_000_000_500, ...overrides };
}

/** Collects a store's change notifications; `until` waits for a given one (they may arrive asynchronously). */
function recorder(store: Store) {
  const changes: OrderChange[] = [];
  const waiting: Array<{ match: (c: OrderChange) => boolean; resolve: () => void }> = [];
  const unsubscribe = store.subscribe((change) => {
    changes.push(change);
    for (const w of [...waiting]) {
      if (w.match(change)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const of = (orderId: string) => changes.filter((c) => c.kind === 'order' && c.orderId === orderId).length;
  const until = (orderId: string, timeoutMs = 5_000) =>
    new Promise<void>((resolve, reject) => {
      if (of(orderId) > 0) return resolve();
      const timer = setTimeout(() => reject(new Error(`no change notification for ${orderId} within ${timeoutMs} ms`)), timeoutMs);
      waiting.push({ match: (c) => c.kind === 'order' && c.orderId === orderId, resolve: () => (clearTimeout(timer), resolve()) });
    });
  return { changes, of, until, unsubscribe };
}

export function describeStoreContract(target: ContractTarget): void {
  let store: Store;
  beforeEach(async () => {
    store = await target.open();
  });
  afterEach(async () => {
    await store.close();
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

  describe('insertOrder and getOrder', () => {
    test('stores an order with its lines in order, and reads back exactly what was inserted', async () => {
      const order = newOrder({ totalAmount: 9_007_199_254_740_991, expiresAt: 4_102_444_800_000 });
      const result = await store.insertOrder(order);
      expect(result.kind).toBe('created');
      const expected: OrderRecord = { ...order, paymentIntentId: null, intentStatus: null, intentUpdatedAt: null, lastPaymentError: null, paidAt: null, checkedAt: null };
      expect(result.order).toEqual(expected);
      expect(await store.getOrder(order.id)).toEqual(expected);
      expect(await store.getOrder('ord_missing')).toBeUndefined();
    });

    test('answers the first order for a reused idempotency key: existing for the same body, conflict for another', async () => {
      const first = newOrder({ idempotencyKey: 'k1', requestHash: 'hash-a' });
      expect((await store.insertOrder(first)).kind).toBe('created');
      const same = await store.insertOrder(newOrder({ idempotencyKey: 'k1', requestHash: 'hash-a' }));
      expect(same).toMatchObject({ kind: 'existing', order: { id: first.id } });
      expect(same.order.items).toEqual(first.items);
      const other = await store.insertOrder(newOrder({ idempotencyKey: 'k1', requestHash: 'hash-b', totalAmount: 1 }));
      expect(other).toMatchObject({ kind: 'conflict', order: { id: first.id, totalAmount: 2699 } });
    });

    test('scopes idempotency keys to the shopper, and never matches orders without a key', async () => {
      const alice = await store.insertOrder(newOrder({ idempotencyKey: 'shared', requestHash: 'h' }));
      const bob = await store.insertOrder(newOrder({ openId: 'o_bob', idempotencyKey: 'shared', requestHash: 'h' }));
      expect([alice.kind, bob.kind]).toEqual(['created', 'created']);
      const a = await store.insertOrder(newOrder());
      const b = await store.insertOrder(newOrder());
      expect([a.kind, b.kind]).toEqual(['created', 'created']);
    });

    test('makes one order when the same key is inserted many times at once', async () => {
      const results = await Promise.all(Array.from({ length: 12 }, () => store.insertOrder(newOrder({ idempotencyKey: 'race', requestHash: 'same' }))));
      expect(results.filter((r) => r.kind === 'created')).toHaveLength(1);
      const winner = results.find((r) => r.kind === 'created')!.order;
      for (const result of results) expect(result.order.id).toBe(winner.id);
      expect(results.filter((r) => r.kind === 'existing')).toHaveLength(11);
      expect((await store.getOrder(winner.id))?.items).toHaveLength(2);
    });
  });

  describe('updateOrder', () => {
    test('passes the stored order to decide, writes its patch, and returns the updated order', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const error = { code: 'payment_declined', message: 'Card declined', at: 1_760_000_000_123 };
      const seen: OrderRecord[] = [];
      const result = await store.updateOrder(order.id, (current) => {
        seen.push(current);
        return { status: 'processing', paymentIntentId: 'int_1', intentStatus: 'PENDING', intentUpdatedAt: 1_760_000_000_100, lastPaymentError: error, checkedAt: 7, updatedAt: 8 };
      });
      expect(seen[0].id).toBe(order.id);
      expect(result?.changed).toBe(true);
      const stored = await store.getOrder(order.id);
      expect(stored).toEqual(result?.order);
      expect(stored).toMatchObject({ status: 'processing', paymentIntentId: 'int_1', intentStatus: 'PENDING', lastPaymentError: error, checkedAt: 7, updatedAt: 8 });
      await store.updateOrder(order.id, () => ({ status: 'paid', lastPaymentError: null, paidAt: 9 }));
      expect(await store.getOrder(order.id)).toMatchObject({ status: 'paid', lastPaymentError: null, paidAt: 9, paymentIntentId: 'int_1' });
    });

    test('changes nothing when decide returns null or an empty patch, and answers undefined for an unknown order', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      expect(await store.updateOrder(order.id, () => null)).toMatchObject({ changed: false, order: { id: order.id, status: 'awaiting_payment' } });
      expect(await store.updateOrder(order.id, () => ({ status: undefined }))).toMatchObject({ changed: false });
      expect(await store.updateOrder('ord_missing', () => ({ status: 'paid' }))).toBeUndefined();
    });

    test('writes nothing when decide throws', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      await expect(
        store.updateOrder(order.id, () => {
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      expect((await store.getOrder(order.id))?.status).toBe('awaiting_payment');
    });

    test('runs concurrent updates of one order one after the other (no lost update)', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      await Promise.all(
        Array.from({ length: 20 }, () => store.updateOrder(order.id, (current) => ({ checkedAt: (current.checkedAt ?? 0) + 1 }))),
      );
      expect((await store.getOrder(order.id))?.checkedAt).toBe(20);
    });

    test('refuses a Payment Intent id that another order already has', async () => {
      const [a, b] = [newOrder(), newOrder()];
      await store.insertOrder(a);
      await store.insertOrder(b);
      await store.updateOrder(a.id, () => ({ paymentIntentId: 'int_dup' }));
      await expect(store.updateOrder(b.id, () => ({ paymentIntentId: 'int_dup' }))).rejects.toThrow();
      expect((await store.getOrder(b.id))?.paymentIntentId).toBeNull();
    });
  });

  describe('listOrders', () => {
    test("lists the shopper's orders that have an intent, newest first, up to the limit", async () => {
      const make = async (overrides: Partial<NewOrder>, intent: string | null) => {
        const order = newOrder(overrides);
        await store.insertOrder(order);
        if (intent) await store.updateOrder(order.id, () => ({ paymentIntentId: intent }));
        return order.id;
      };
      const old = await make({ createdAt: 1000 }, 'int_a');
      const recent = await make({ createdAt: 3000 }, 'int_b');
      const middle = await make({ createdAt: 2000 }, 'int_c');
      await make({ createdAt: 4000 }, null);
      await make({ createdAt: 5000, openId: 'o_bob' }, 'int_d');
      expect((await store.listOrders('o_alice', 10)).map((o) => o.id)).toEqual([recent, middle, old]);
      expect((await store.listOrders('o_alice', 2)).map((o) => o.id)).toEqual([recent, middle]);
      expect((await store.listOrders('o_alice', 10))[0].items).toHaveLength(2);
      expect(await store.listOrders('o_nobody', 10)).toEqual([]);
    });
  });

  describe('the sweep queries', () => {
    const put = async (overrides: Partial<NewOrder>, patch: Parameters<Store['updateOrder']>[1] = () => null) => {
      const order = newOrder(overrides);
      await store.insertOrder(order);
      await store.updateOrder(order.id, patch);
      return order.id;
    };

    test('ordersToCheck: open orders with an intent not checked since the cutoff, least recently checked first', async () => {
      const never = await put({}, () => ({ paymentIntentId: 'int_1' }));
      const old = await put({}, () => ({ paymentIntentId: 'int_2', checkedAt: 500 }));
      const processing = await put({}, () => ({ paymentIntentId: 'int_3', status: 'processing', checkedAt: 100 }));
      await put({}, () => ({ paymentIntentId: 'int_4', checkedAt: 5000 })); // checked recently
      await put({}, () => ({ paymentIntentId: 'int_5', status: 'paid' })); // final
      await put({}, () => ({ checkedAt: 0 })); // no intent
      expect((await store.ordersToCheck(1000, 10)).map((o) => o.id)).toEqual([never, processing, old]);
      expect((await store.ordersToCheck(1000, 1)).map((o) => o.id)).toEqual([never]);
    });

    test('ordersPastExpiry: open orders whose lifetime ended, soonest expired first', async () => {
      const late = await put({ expiresAt: 900 });
      const early = await put({ expiresAt: 100 }, () => ({ status: 'processing' }));
      await put({ expiresAt: 100 }, () => ({ status: 'cancelled' }));
      await put({ expiresAt: 1000 });
      expect((await store.ordersPastExpiry(1000, 10)).map((o) => o.id)).toEqual([early, late]);
    });

    test('ordersWithoutIntent: open orders whose intent was never linked, created before the cutoff, oldest first', async () => {
      const second = await put({ createdAt: 200 });
      const first = await put({ createdAt: 100 });
      await put({ createdAt: 50 }, () => ({ paymentIntentId: 'int_x' }));
      await put({ createdAt: 50 }, () => ({ status: 'expired' }));
      await put({ createdAt: 5000 });
      expect((await store.ordersWithoutIntent(1000, 10)).map((o) => o.id)).toEqual([first, second]);
    });
  });

  describe('webhook events', () => {
    test('records and applies an event in one step, and marks it applied', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const evt = event({ orderId: order.id });
      const result = await store.recordWebhookEvent(evt, { orderId: order.id, decide: () => ({ status: 'paid', paidAt: 5 }) }, 42);
      expect(result).toMatchObject({ inserted: true, outcome: 'applied', update: { changed: true, order: { id: order.id, status: 'paid' } } });
      expect((await store.getOrder(order.id))?.status).toBe('paid');
      expect(await store.webhookEventOutcome(evt.id)).toBe('applied');
      expect(await store.unappliedWebhookEvents(10)).toEqual([]);
    });

    test('ignores a second delivery of the same event id, even with another body', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const evt = event({ orderId: order.id });
      await store.recordWebhookEvent(evt, { orderId: order.id, decide: () => ({ checkedAt: 1 }) }, 42);
      let ran = false;
      const again = await store.recordWebhookEvent({ ...evt, payload: '{}' }, { orderId: order.id, decide: () => ((ran = true), { checkedAt: 2 }) }, 43);
      expect(again).toEqual({ inserted: false });
      expect(ran).toBe(false);
      expect((await store.getOrder(order.id))?.checkedAt).toBe(1);
      expect(await store.insertWebhookEvent(evt)).toBe(false);
    });

    test('applies an event once when the same delivery arrives many times at once', async () => {
      const order = newOrder();
      await store.insertOrder(order);
      const evt = event({ orderId: order.id });
      let runs = 0;
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          store.recordWebhookEvent(evt, { orderId: order.id, decide: (current) => (runs++, { checkedAt: (current.checkedAt ?? 0) + 1 }) }, 42),
        ),
      );
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
      expect(runs).toBe(1);
      expect((await store.getOrder(order.id))?.checkedAt).toBe(1);
    });

    test('marks an event for an unknown order unknown_order, and one with nothing to apply ignored', async () => {
      const unknown = event({ orderId: 'ord_missing' });
      expect(await store.recordWebhookEvent(unknown, { orderId: 'ord_missing', decide: () => ({ status: 'paid' }) }, 1)).toMatchObject({ inserted: true, outcome: 'unknown_order' });
      expect(await store.webhookEventOutcome(unknown.id)).toBe('unknown_order');
      const other = event({ name: 'payment_attempt.authorized' });
      expect(await store.recordWebhookEvent(other, undefined, 1)).toEqual({ inserted: true, outcome: 'ignored', update: undefined });
      expect(await store.webhookEventOutcome(other.id)).toBe('ignored');
      expect(await store.webhookEventOutcome('evt_never')).toBeUndefined();
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
      const later = event({ receivedAt: 2000, payload: '{ "b":1,  "a" : [ 2 ] }' });
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

  describe('subscribe', () => {
    test('tells subscribers about every committed change of an order: insert, update, webhook', async () => {
      const changes = recorder(store);
      const order = newOrder();
      await store.insertOrder(order);
      await changes.until(order.id);
      const other = newOrder();
      await store.insertOrder(other);
      await store.updateOrder(other.id, () => ({ status: 'processing' }));
      await changes.until(other.id);
      const third = newOrder();
      await store.insertOrder(third);
      await changes.until(third.id);
      const before = changes.of(third.id);
      await store.recordWebhookEvent(event({ orderId: third.id }), { orderId: third.id, decide: () => ({ status: 'paid' }) }, 1);
      // The webhook's change arrives after the insert's (one channel, in commit order).
      await waitFor(() => changes.of(third.id) > before);
      changes.unsubscribe();
    });

    test('says nothing for an update that changed nothing, and nothing after unsubscribe', async () => {
      const changes = recorder(store);
      const order = newOrder();
      await store.insertOrder(order);
      await changes.until(order.id);
      const base = changes.of(order.id);
      await store.updateOrder(order.id, () => null);
      await store.recordWebhookEvent(event({ orderId: order.id }), { orderId: order.id, decide: () => null }, 1);
      // Notifications arrive in commit order: once this sentinel's is here, any for the no-ops would be too.
      const sentinel = newOrder();
      await store.insertOrder(sentinel);
      await changes.until(sentinel.id);
      expect(changes.of(order.id)).toBe(base);

      changes.unsubscribe();
      const after = recorder(store);
      await store.updateOrder(order.id, () => ({ status: 'cancelled' }));
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
