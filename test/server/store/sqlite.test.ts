// The Store contract on SQLite (a fresh database file per test; a second store on the same file plays another process).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../../server/store/sqlite';
import type { Store } from '../../../server/store/types';
import { describeStoreContract } from './contract';
import { event, newOrder, patch } from './fixtures';

describe('SQLite store', () => {
  let dir: string;
  let file = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-contract-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describeStoreContract({
    open: async () => {
      file = path.join(dir, `${Date.now()}-${Math.random().toString(36).slice(2)}.sqlite`);
      return openSqliteStore(file);
    },
    peer: async () => openSqliteStore(file),
  });
});

describe('SQLite store: writes of one turn commit together', () => {
  let dir: string;
  let store: Store;
  let other: Store;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-batch-'));
    store = openSqliteStore(path.join(dir, 'app.sqlite'));
    other = openSqliteStore(path.join(dir, 'app.sqlite'));
  });
  afterEach(async () => {
    await other.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a change is announced, and its write answered, only once another process can read it', async () => {
    const orders = Array.from({ length: 20 }, () => newOrder());
    const readByOtherOnAnnounce: Array<Promise<unknown>> = [];
    store.subscribe((change) => {
      if (change.kind === 'order') readByOtherOnAnnounce.push(other.getOrder(change.orderId));
    });
    await Promise.all(
      orders.map(async (order) => {
        await store.insertOrder(order);
        expect(await other.getOrder(order.id)).toMatchObject({ id: order.id });
        await store.recordWebhookEvent(event({ id: `evt_${order.id}`, orderId: order.id }), { orderId: order.id, decide: () => patch({ status: 'paid' }) }, 1);
        expect(await other.getOrder(order.id)).toMatchObject({ status: 'paid' });
      }),
    );
    const seen = await Promise.all(readByOtherOnAnnounce);
    expect(seen).toHaveLength(40);
    expect(seen.every((order) => order !== undefined)).toBe(true);
  });

  test('a write that fails in a shared commit fails alone', async () => {
    const order = newOrder();
    const [kept, failed, alsoKept] = await Promise.allSettled([
      store.insertOrder(order),
      store.updateOrder(order.id, () => {
        throw new Error('the decider refused');
      }),
      store.createSession({ tokenHash: 'h1', openId: 'o1', createdAt: 1, expiresAt: Date.now() + 60_000 }),
    ]);
    expect(kept.status).toBe('fulfilled');
    expect(failed).toMatchObject({ status: 'rejected', reason: new Error('the decider refused') });
    expect(alsoKept.status).toBe('fulfilled');
    expect(await other.getOrder(order.id)).toMatchObject({ id: order.id });
    expect(await other.findSession('h1', Date.now())).toMatchObject({ openId: 'o1' });
  });
});
