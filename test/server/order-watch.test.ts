// OrderWatch.follow: changes stored by any process wake this process's long polls.
import { OrderWatch } from '../../server/services/order-watch';
import type { OrderChange, OrderRecord, Store } from '../../server/store/types';

function fakeStore() {
  let listener: ((change: OrderChange) => void) | undefined;
  const reads: string[] = [];
  const store: Pick<Store, 'subscribe' | 'getOrder'> = {
    subscribe(callback) {
      listener = callback;
      return () => {
        listener = undefined;
      };
    },
    async getOrder(id) {
      reads.push(id);
      return { id, status: 'paid' } as OrderRecord;
    },
  };
  return { store, reads, emit: (change: OrderChange) => listener?.(change), subscribed: () => listener !== undefined };
}

test('wakes the waiters of a changed order with the order as stored, and reads nothing for orders nobody waits on', async () => {
  const watch = new OrderWatch();
  const { store, reads, emit } = fakeStore();
  watch.follow(store);
  const waiting = watch.next('ord_a', 10_000);
  emit({ kind: 'order', orderId: 'ord_b' });
  emit({ kind: 'order', orderId: 'ord_a' });
  expect(await waiting).toMatchObject({ id: 'ord_a', status: 'paid' });
  expect(reads).toEqual(['ord_a']);
});

test('a change heard just before a long poll starts waiting (after its read) still wakes it', async () => {
  const watch = new OrderWatch();
  const { store, reads, emit } = fakeStore();
  watch.follow(store);
  // The long poll read the order (still unpaid); the change's notification arrives before it waits.
  emit({ kind: 'order', orderId: 'ord_a' });
  expect(reads).toEqual([]);
  const started = Date.now();
  const order = await watch.next('ord_a', 10_000);
  expect(order).toMatchObject({ id: 'ord_a', status: 'paid' });
  expect(Date.now() - started).toBeLessThan(5_000); // woken, not timed out
  expect(reads).toEqual(['ord_a']);
  // Remembered once: the next wait on it waits for a new change.
  await expect(watch.next('ord_a', 50)).resolves.toBeNull();
});

test('after a resync, re-reads every order someone waits on and wakes them', async () => {
  const watch = new OrderWatch();
  const { store, reads, emit } = fakeStore();
  watch.follow(store);
  const waits = [watch.next('ord_a', 10_000), watch.next('ord_b', 10_000), watch.next('ord_b', 10_000)];
  emit({ kind: 'resync' });
  expect((await Promise.all(waits)).map((order) => order?.id)).toEqual(['ord_a', 'ord_b', 'ord_b']);
  expect(reads.sort()).toEqual(['ord_a', 'ord_b']);
});

test('stops following when unsubscribed', () => {
  const watch = new OrderWatch();
  const { store, subscribed } = fakeStore();
  const unfollow = watch.follow(store);
  expect(subscribed()).toBe(true);
  unfollow();
  expect(subscribed()).toBe(false);
});

test('a long poll woken by a change answers the order as the change stored it, without reading it again; one that times out reads it', async () => {
  const { LongPoll } = await import('../../server/services/order-watch');
  const watch = new OrderWatch();
  const { store, reads } = fakeStore();
  const telemetry = { longPollStarted: () => undefined, longPollEnded: () => undefined };
  const poll = new LongPoll({ watch, store, telemetry, now: Date.now, intervalMs: 60_000, check: async () => undefined });
  const open = { id: 'ord_a', status: 'awaiting_payment', refunds: [], lastPaymentError: null } as unknown as OrderRecord;
  const answer = poll.wait(open, { waitMs: 10_000 });
  watch.notify({ ...open, status: 'paid' });
  expect(await answer).toMatchObject({ id: 'ord_a', status: 'paid' });
  expect(reads).toEqual([]);
  // Nothing changed within the wait: the answer is read again (another instance may have stored a change unheard).
  expect(await poll.wait(open, { waitMs: 20 })).toMatchObject({ id: 'ord_a', status: 'paid' });
  expect(reads).toEqual(['ord_a']);
});

test('a change this process announces and then notifies with the order as written is not read again; one it only announces is', async () => {
  const watch = new OrderWatch();
  const { store, reads, emit } = fakeStore();
  watch.follow(store);
  const woken = watch.next('ord_a', 10_000);
  emit({ kind: 'order', orderId: 'ord_a' }); // the store's announcement, at its commit
  watch.notify({ id: 'ord_a', status: 'paid' } as OrderRecord); // OrderChanges' settle, right after
  expect(await woken).toMatchObject({ status: 'paid' });
  await new Promise((resolve) => setImmediate(resolve));
  expect(reads).toEqual([]);
  // A change nobody notified (another instance's, or a write outside OrderChanges): read, and the waiter woken with it.
  const heard = watch.next('ord_a', 10_000);
  emit({ kind: 'order', orderId: 'ord_a' });
  expect(await heard).toMatchObject({ id: 'ord_a', status: 'paid' });
  expect(reads).toEqual(['ord_a']);
});

test('a change heard before the long poll read its order is in that read: not read again; one heard after it started is', async () => {
  const watch = new OrderWatch();
  const { store, reads, emit } = fakeStore();
  watch.follow(store);
  emit({ kind: 'order', orderId: 'ord_a' }); // the payment's own change, heard before the long poll's read
  const readSince = performance.now();
  const quiet = watch.next('ord_a', 30, undefined, readSince);
  expect(await quiet).toBeNull();
  expect(reads).toEqual([]);
  const before = performance.now();
  emit({ kind: 'order', orderId: 'ord_b' }); // heard after the read of ord_b started
  expect(await watch.next('ord_b', 10_000, undefined, before)).toMatchObject({ id: 'ord_b' });
  expect(reads).toEqual(['ord_b']);
});

test('a change announced while this process writes the order (PostgreSQL may announce a commit before the committer hears of it) is read only if the write woke nobody', async () => {
  const watch = new OrderWatch();
  const { store, reads, emit } = fakeStore();
  watch.follow(store);
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  // The write is news: it wakes the long poll with the order as written, so its announcement costs no read.
  const woken = watch.next('ord_a', 10_000);
  await watch.writing('ord_a', async () => {
    emit({ kind: 'order', orderId: 'ord_a' });
    await turn();
    await turn();
    watch.notify({ id: 'ord_a', status: 'paid', written: true } as unknown as OrderRecord);
  });
  expect(await woken).toMatchObject({ written: true });
  await turn();
  expect(reads).toEqual([]);

  // The write was no news (nothing notified): the change heard meanwhile was another's, read once the write is over.
  const waiting = watch.next('ord_b', 10_000);
  await watch.writing('ord_b', async () => {
    emit({ kind: 'order', orderId: 'ord_b' });
    await turn();
    expect(reads).toEqual([]);
  });
  expect(await waiting).toMatchObject({ id: 'ord_b', status: 'paid' });
  expect(reads).toEqual(['ord_b']);
});
