// The store contract for the outbox of order events, run against both dialects by test/server/store/contract.ts.
import type { NewOutboxEvent, OrderUpdate, Store } from '../../../../server/store/types';
import { type ContractSubject, anomaly, event, T0 } from '../fixtures';

let counter = 0;
/** An event of `orderId`, pending from T0 + `at` (delivered from then on), with a body naming it. */
function outboxEvent(orderId: string, overrides: Partial<NewOutboxEvent> = {}): NewOutboxEvent {
  const id = `evt_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  return { id, orderId, type: 'order.paid', createdAt: T0, body: JSON.stringify({ id, type: overrides.type ?? 'order.paid' }), state: 'pending', giveUpAt: T0 + 72 * 3600_000, ...overrides };
}

export function describeOutboxContract(subject: ContractSubject): void {
  describe('outbox', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });
    /** An order whose update wrote `events` with a change of its status. */
    const withEvents = async (...events: Array<(orderId: string) => NewOutboxEvent>) => {
      const orderId = await subject.put();
      const written = events.map((make) => make(orderId));
      await store.updateOrder(orderId, () => ({ patch: { status: 'paid', paidAt: T0 }, outbox: written }));
      return { orderId, events: written };
    };
    const ids = (events: Array<{ id: string }>) => events.map((e) => e.id);

    test('writes an event with its order\'s change, pending from its creation, and reads it back whole', async () => {
      const { orderId, events } = await withEvents((o) => outboxEvent(o, { createdAt: T0 + 5 }));
      expect(await store.outboxOfOrder(orderId)).toEqual([
        {
          seq: expect.any(Number),
          id: events[0].id,
          orderId,
          type: 'order.paid',
          createdAt: T0 + 5,
          body: events[0].body,
          state: 'pending',
          attempts: 0,
          retries: 0,
          nextAttemptAt: T0 + 5,
          giveUpAt: T0 + 72 * 3600_000,
          lastAttemptAt: null,
          lastError: null,
          deliveredAt: null,
        },
      ]);
      expect((await store.getOrder(orderId))?.status).toBe('paid');
    });

    test('writes nothing when the change rolls back: an event is never recorded for a change that did not happen', async () => {
      const orderId = await subject.put();
      // The anomaly is written after the outbox row in the same transaction, and fails (kind is NOT NULL).
      const update: OrderUpdate = { patch: { status: 'paid' }, outbox: [outboxEvent(orderId)], anomalies: [anomaly({ orderId, kind: null as never })] };
      await expect(store.updateOrder(orderId, () => update)).rejects.toThrow();
      expect(await store.outboxOfOrder(orderId)).toEqual([]);
      expect(await store.outboxFeed(0, 10)).toEqual([]);
      expect((await store.getOrder(orderId))?.status).toBe('awaiting_payment');
    });

    test('writes a webhook\'s events with its record, once: a duplicate delivery writes none', async () => {
      const orderId = await subject.put();
      const evt = event({ orderId });
      const first = outboxEvent(orderId);
      expect(await store.recordWebhookEvent(evt, { orderId, decide: () => ({ patch: { status: 'paid' }, outbox: [first] }) }, 1)).toMatchObject({ inserted: true });
      expect(await store.recordWebhookEvent(evt, { orderId, decide: () => ({ patch: { status: 'paid' }, outbox: [outboxEvent(orderId)] }) }, 2)).toEqual({ inserted: false });
      expect(ids(await store.outboxOfOrder(orderId))).toEqual([first.id]);
    });

    test('claims only due pending events, the oldest of each order first, one order\'s events one at a time, counting the try', async () => {
      const a = await withEvents((o) => outboxEvent(o, { type: 'order.paid' }), (o) => outboxEvent(o, { type: 'refund.succeeded' }));
      const b = await withEvents((o) => outboxEvent(o, { createdAt: T0 + 1000 }));
      const unsent = await withEvents((o) => outboxEvent(o, { state: 'unsent', giveUpAt: null }));
      // At T0, b's event is not due yet; of a's two, only the first.
      const first = await store.claimOutbox(T0, 10, T0 + 30_000, 'claim-1');
      expect(first.map((e) => [e.id, e.claim, e.attempts, e.lastAttemptAt, e.nextAttemptAt])).toEqual([[a.events[0].id, 'claim-1', 1, T0, T0 + 30_000]]);
      // Claimed: nobody else takes it (nor the order's next event) until the claim lapses.
      expect(ids(await store.claimOutbox(T0 + 2000, 10, T0 + 30_000, 'claim-2'))).toEqual([b.events[0].id]);
      expect(await store.claimOutbox(T0 + 2000, 10, T0 + 30_000, 'claim-3')).toEqual([]);
      // Delivered: the order's next event is free to go.
      expect(await store.recordOutboxAttempt(a.events[0].id, 'claim-1', { kind: 'delivered', at: T0 + 2100 })).toBe(true);
      expect(ids(await store.claimOutbox(T0 + 2200, 10, T0 + 30_000, 'claim-4'))).toEqual([a.events[1].id]);
      const [paid] = await store.outboxOfOrder(a.orderId);
      expect(paid).toMatchObject({ state: 'delivered', deliveredAt: T0 + 2100, nextAttemptAt: null, attempts: 1 });
      // Unsent events (no EVENTS_URL when written) are never claimed.
      expect((await store.outboxOfOrder(unsent.orderId))[0]).toMatchObject({ state: 'unsent', nextAttemptAt: null });
    });

    test('a lapsed claim is taken over, and the first claimer\'s outcome is then ignored', async () => {
      const { events } = await withEvents((o) => outboxEvent(o));
      await store.claimOutbox(T0, 10, T0 + 100, 'dead');
      expect(ids(await store.claimOutbox(T0 + 101, 10, T0 + 5000, 'alive'))).toEqual([events[0].id]);
      expect(await store.recordOutboxAttempt(events[0].id, 'dead', { kind: 'delivered', at: T0 + 200 })).toBe(false);
      expect(await store.recordOutboxAttempt(events[0].id, 'alive', { kind: 'delivered', at: T0 + 300 })).toBe(true);
      expect((await store.outboxOfOrder(events[0].orderId))[0]).toMatchObject({ state: 'delivered', attempts: 2, deliveredAt: T0 + 300 });
    });

    test('a failed try waits for its next attempt and holds the order\'s later events back; given up, it frees them', async () => {
      const { orderId, events } = await withEvents((o) => outboxEvent(o), (o) => outboxEvent(o, { type: 'refund.succeeded' }));
      await store.claimOutbox(T0, 10, T0 + 100, 'c1');
      expect(await store.recordOutboxAttempt(events[0].id, 'c1', { kind: 'retry', at: T0 + 10, error: 'HTTP 500', nextAttemptAt: T0 + 5000, failedTry: true })).toBe(true);
      expect(await store.claimOutbox(T0 + 4999, 10, T0 + 9000, 'c2')).toEqual([]);
      const [again] = await store.claimOutbox(T0 + 5000, 10, T0 + 9000, 'c3');
      expect(again).toMatchObject({ id: events[0].id, attempts: 2, retries: 1, lastError: 'HTTP 500' });
      // A try the server never made (it stopped first) does not count as a failure.
      await store.recordOutboxAttempt(events[0].id, 'c3', { kind: 'retry', at: T0 + 5001, error: 'stopped', nextAttemptAt: T0 + 5001, failedTry: false });
      await store.claimOutbox(T0 + 5001, 10, T0 + 9000, 'c4');
      await store.recordOutboxAttempt(events[0].id, 'c4', { kind: 'failed', at: T0 + 6000, error: 'HTTP 503 after 72 h' });
      const [failed] = await store.outboxOfOrder(orderId);
      expect(failed).toMatchObject({ state: 'failed', retries: 1, attempts: 3, lastError: 'HTTP 503 after 72 h', nextAttemptAt: null });
      expect(ids(await store.claimOutbox(T0 + 6001, 10, T0 + 9000, 'c5'))).toEqual([events[1].id]);
      expect(await store.countOutboxByState()).toEqual({ failed: 1, pending: 1 });
    });

    test('resends a failed, delivered or unsent event from the first step, leaves a pending one alone, and resends every failed one at once', async () => {
      const { orderId, events } = await withEvents((o) => outboxEvent(o), (o) => outboxEvent(o, { type: 'refund.succeeded' }));
      await store.claimOutbox(T0, 10, T0 + 100, 'c1');
      await store.recordOutboxAttempt(events[0].id, 'c1', { kind: 'failed', at: T0 + 10, error: 'HTTP 500' });
      expect(await store.resendOutbox(events[1].id, T0 + 20, T0 + 99_000)).toMatchObject({ resent: false, event: { state: 'pending' } });
      const resent = await store.resendOutbox(events[0].id, T0 + 20, T0 + 99_000);
      expect(resent).toMatchObject({ resent: true, event: { id: events[0].id, state: 'pending', retries: 0, nextAttemptAt: T0 + 20, giveUpAt: T0 + 99_000, lastError: 'HTTP 500', attempts: 1 } });
      expect(await store.resendOutbox('evt_none', T0, T0)).toBeUndefined();
      // Resent, it goes first again: the later event waits behind it.
      expect(ids(await store.claimOutbox(T0 + 20, 10, T0 + 100, 'c2'))).toEqual([events[0].id]);
      await store.recordOutboxAttempt(events[0].id, 'c2', { kind: 'failed', at: T0 + 30, error: 'HTTP 500' });
      const other = await withEvents((o) => outboxEvent(o));
      await store.claimOutbox(T0 + 30, 10, T0 + 100, 'c3');
      await store.recordOutboxAttempt(other.events[0].id, 'c3', { kind: 'failed', at: T0 + 31, error: 'timeout' });
      expect(await store.resendFailedOutbox(T0 + 40, T0 + 99_000)).toBe(2);
      expect((await store.outboxOfOrder(orderId)).map((e) => e.state)).toEqual(['pending', 'pending']);
      expect(await store.countOutboxByState()).toEqual({ pending: 3 });
    });

    test('the feed lists every event once, in a stable order, from any position, whatever its delivery', async () => {
      const a = await withEvents((o) => outboxEvent(o), (o) => outboxEvent(o, { type: 'refund.succeeded' }));
      const b = await withEvents((o) => outboxEvent(o, { state: 'unsent', giveUpAt: null }));
      const c = await withEvents((o) => outboxEvent(o));
      const all = await store.outboxFeed(0, 100);
      expect(all.map((e) => JSON.parse(e.body).id)).toEqual([...ids(a.events), ...ids(b.events), ...ids(c.events)]);
      const positions = all.map((e) => e.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      expect(new Set(positions).size).toBe(4);
      // Page by page from a cursor: the same events, and the same positions again.
      const first = await store.outboxFeed(0, 2);
      const rest = await store.outboxFeed(first[1].position, 100);
      expect([...first, ...rest]).toEqual(all);
      expect(await store.outboxFeed(all[3].position, 100)).toEqual([]);
      // Deliveries change nothing of the feed.
      await store.claimOutbox(T0, 10, T0 + 100, 'c');
      await store.recordOutboxAttempt(a.events[0].id, 'c', { kind: 'delivered', at: T0 + 1 });
      expect(await store.outboxFeed(0, 100)).toEqual(all);
    });

    test('lists events for the console, newest first, by state, with the number that match', async () => {
      const a = await withEvents((o) => outboxEvent(o));
      const b = await withEvents((o) => outboxEvent(o, { state: 'unsent', giveUpAt: null }));
      expect(await store.searchOutbox({ limit: 10, offset: 0 })).toMatchObject({ total: 2, events: [{ id: b.events[0].id }, { id: a.events[0].id }] });
      expect(await store.searchOutbox({ state: 'unsent', limit: 10, offset: 0 })).toMatchObject({ total: 1, events: [{ id: b.events[0].id }] });
      expect(await store.searchOutbox({ state: 'failed', limit: 10, offset: 0 })).toEqual({ total: 0, events: [] });
      expect(await store.searchOutbox({ limit: 1, offset: 1 })).toMatchObject({ total: 2, events: [{ id: a.events[0].id }] });
      expect(await store.searchOutbox({ limit: 1, offset: 5 })).toEqual({ total: 2, events: [] });
    });

    test('two processes claiming at once never take the same event', async () => {
      const other = await subject.peer();
      const orders = await Promise.all(Array.from({ length: 12 }, () => withEvents((o) => outboxEvent(o))));
      const claims = await Promise.all([0, 1, 2, 3].map((i) => (i % 2 ? other : store).claimOutbox(T0, 5, T0 + 1000, `claim-${i}`)));
      const taken = claims.flatMap((claimed) => ids(claimed));
      expect(new Set(taken).size).toBe(taken.length);
      expect(taken.sort()).toEqual(orders.flatMap((o) => ids(o.events)).sort());
    });
  });
}
