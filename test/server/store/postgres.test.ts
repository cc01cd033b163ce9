// The Store contract on PostgreSQL (a fresh database for this file, emptied before each test), and what only a shared database has: several instances.
import pg from 'pg';
import pino from 'pino';
import { readMigrations } from '../../../server/store/common';
import { openPostgresStore, type PostgresStore } from '../../../server/store/postgres';
import { MIGRATION_LOCK_KEY } from '../../../server/store/postgres-migrate';
import { createDatabase, dropDatabase, newDatabaseName, postgresAvailable, terminateConnections } from '../postgres-helpers';
import { describeStoreContract } from './contract';
import { newOrder, T0, visiblyChanged, waitFor } from './fixtures';
import { tcpProxy } from './tcp-proxy';
import type { OrderChange, Store } from '../../../server/store/types';

const describePostgres = postgresAvailable ? describe : describe.skip;
const logger = pino({ level: 'silent' });

describePostgres('[postgres] PostgreSQL store', () => {
  const name = newDatabaseName();
  let url: string;
  const open = (options: Partial<Parameters<typeof openPostgresStore>[0]> = {}) =>
    openPostgresStore({ connectionString: url, logger, heartbeatIntervalMs: 200, heartbeatTimeoutMs: 500, reconnectMinMs: 20, reconnectMaxMs: 200, ...options });

  beforeAll(async () => {
    url = await createDatabase(name);
  });
  afterAll(async () => {
    await dropDatabase(name);
  });

  describeStoreContract({
    open: async () => {
      const store = await open();
      // Every table the migrations made, so a new concern's table is emptied too.
      const { rows } = await store.pool.query<{ tables: string }>(
        "SELECT string_agg(format('%I', tablename), ', ') AS tables FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'",
      );
      await store.pool.query(`TRUNCATE ${rows[0].tables} RESTART IDENTITY`);
      return store;
    },
    peer: () => open(),
  });

  describe('several instances on one database', () => {
    let a: PostgresStore;
    let b: PostgresStore;
    beforeEach(async () => {
      [a, b] = await Promise.all([open(), open()]);
    });
    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    test("tells one instance's subscribers about a change a long poll answers on, stored by another, once committed; not about an insert or another column", async () => {
      const seen: OrderChange[] = [];
      const unsubscribe = b.subscribe((change) => seen.push(change));
      const heard = (orderId: string) => seen.filter((c) => c.kind === 'order' && c.orderId === orderId).length;
      const order = newOrder();
      await a.insertOrder(order);
      // Changes no long poll answers on (nobody can wait on an order before it exists; the sweep's
      // bookkeeping, the intent's own status) are not announced: a sentinel's change, heard after them, says so.
      await a.updateOrder(order.id, () => ({ patch: { checkedAt: T0 + 1, confirmSeq: 1, intentStatus: 'REQUIRES_CUSTOMER_ACTION' } }));
      const sentinel = await visiblyChanged(a, newOrder());
      await waitFor(() => heard(sentinel.id) === 1);
      expect(heard(order.id)).toBe(0);
      // Each change of status, of the intent and of the payment error is.
      await a.updateOrder(order.id, () => ({ patch: { paymentIntentId: 'int_notify_1' } }));
      await waitFor(() => heard(order.id) === 1);
      await a.updateOrder(order.id, () => ({ patch: { lastPaymentError: { code: 'payment_failed', message: 'declined', at: T0 + 2 } } }));
      await waitFor(() => heard(order.id) === 2);
      // Nothing is announced before commit: a change still inside its transaction stays unheard.
      const client = await a.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query("UPDATE orders SET status = 'processing' WHERE id = $1", [order.id]);
        const second = await visiblyChanged(a, newOrder());
        await waitFor(() => heard(second.id) === 1);
        expect(heard(order.id)).toBe(2);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      await waitFor(() => heard(order.id) === 3);
      unsubscribe();
    });

    test('counts abuse-limit hits that arrive while a count is under way in the next statement, each once, on any instance', async () => {
      // Every statement of both instances goes through a pooled pg.Client: counted there, and held until
      // every wave has arrived, so the first wave's statement is under way while the others do (a local
      // PostgreSQL can answer within a turn of the event loop, and on a loaded machine sometimes did).
      const statements: string[] = [];
      let release!: () => void;
      const allArrived = new Promise<void>((resolve) => (release = resolve));
      const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
      const spy = jest.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
        const [config] = args as [string | { text: string }];
        const text = typeof config === 'string' ? config : config.text;
        if (!text.includes('INSERT INTO rate_limits')) return query.apply(this, args);
        statements.push(text);
        return allArrived.then(() => query.apply(this, args));
      } as never);
      // Five waves of ten hits on each instance, each wave a turn of the event loop after the one before:
      // the first wave's statement is still under way when the next waves arrive, and they wait for it.
      const counts: Array<Promise<{ hits: number }>> = [];
      for (let wave = 0; wave < 5; wave++) {
        for (let i = 0; i < 10; i++) counts.push(a.countHit('address:192.0.2.9', T0, 60_000), b.countHit('address:192.0.2.9', T0, 60_000));
        await new Promise((resolve) => setImmediate(resolve));
      }
      release();
      const hits = (await Promise.all(counts)).map((count) => count.hits).sort((x, y) => x - y);
      spy.mockRestore();
      expect(hits).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      // One statement per wave and instance would be ten; waiting for the one under way makes two per
      // instance: the first wave's, then the four that waited for it in one.
      expect(statements).toHaveLength(4);
      expect(await a.peekHits('address:192.0.2.9', T0 + 1)).toEqual({ hits: 100, resetAt: T0 + 60_000 });
    });

    test('prepares its hot statements once per connection: a batch that failed while preparing leaves no connection thinking it prepared, and a migration that changes the columns under a prepared read costs no request', async () => {
      // b has one connection. Its first insert fails (the id is a's order's) in the very batch that prepares the
      // insert: that connection is replaced, so the next insert prepares it again instead of meeting "already exists".
      const single = await open({ poolSize: 1 });
      try {
        const taken = newOrder();
        await a.insertOrder(taken);
        await expect(single.insertOrder({ ...newOrder(), id: taken.id })).rejects.toThrow();
        const next = newOrder();
        expect((await single.insertOrder(next)).kind).toBe('created');
        // Its connection has prepared the read of an order; another instance's migration adds a column to orders.
        expect((await single.updateOrder(next.id, () => ({ patch: { status: 'processing' } })))?.order.status).toBe('processing');
        expect((await single.getOrder(next.id))?.status).toBe('processing');
        await a.pool.query('ALTER TABLE orders ADD COLUMN added_by_a_migration text');
        try {
          expect((await single.getOrder(next.id))?.status).toBe('processing');
          const changed = await single.updateOrder(next.id, () => ({ patch: { status: 'awaiting_payment' } }));
          expect(changed?.order.status).toBe('awaiting_payment');
          expect((await single.getOrder(next.id))?.status).toBe('awaiting_payment');
        } finally {
          await a.pool.query('ALTER TABLE orders DROP COLUMN added_by_a_migration');
        }
      } finally {
        await single.close();
      }
    });

    test('makes one order when two instances insert the same idempotency key at once', async () => {
      for (let round = 0; round < 5; round++) {
        const key = `both-${round}`;
        const results = await Promise.all([a, b, a, b].map((store) => store.insertOrder(newOrder({ idempotencyKey: key, requestHash: 'h' }))));
        expect(results.filter((r) => r.kind === 'created')).toHaveLength(1);
        expect(new Set(results.map((r) => r.kind !== 'limited' && r.order.id)).size).toBe(1);
      }
    });

    test('serialises updates of one order made from two instances', async () => {
      const order = newOrder();
      await a.insertOrder(order);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).updateOrder(order.id, (current) => ({ patch: { checkedAt: (current.checkedAt ?? 0) + 1 } }))),
      );
      expect((await b.getOrder(order.id))?.checkedAt).toBe(20);
    });

    test('reconnects the LISTEN connection after it is terminated, asks for a re-check, and hears changes again', async () => {
      const seen: OrderChange[] = [];
      b.subscribe((change) => seen.push(change));
      expect(await terminateConnections(name, 'wechatpay-listen')).toBeGreaterThanOrEqual(2); // a's and b's
      await waitFor(() => seen.some((c) => c.kind === 'resync'));
      expect(b.listenerReconnects()).toBe(1);
      await waitFor(() => a.listenerReconnects() === 1);
      expect(await b.ready()).toEqual({ ok: true });
      const order = await visiblyChanged(a, newOrder());
      await waitFor(() => seen.some((c) => c.kind === 'order' && c.orderId === order.id));
    });

    test('a transaction whose connection is cut answers SERVICE_UNAVAILABLE, and the process lives on', async () => {
      const order = newOrder();
      await a.insertOrder(order);
      // Another session holds the row, so A's updateOrder waits inside its transaction...
      const locker = new pg.Client({ connectionString: url, application_name: 'test-locker' });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('SELECT id FROM orders WHERE id = $1 FOR UPDATE', [order.id]);
        const update = a.updateOrder(order.id, () => ({ patch: { status: 'paid' } }));
        await waitFor(() => false, 300).catch(() => undefined);
        // ...when its connection is cut (node-postgres emits 'error' on the checked-out client).
        expect(await terminateConnections(name, 'wechatpay')).toBeGreaterThanOrEqual(1);
        await expect(update).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
        await locker.query('ROLLBACK');
      } finally {
        await locker.end();
      }
      expect((await a.updateOrder(order.id, () => ({ patch: { status: 'paid' } })))?.order.status).toBe('paid');
    });

    test('keeps working after every connection of the database was terminated, as in a restart', async () => {
      await a.insertOrder(newOrder());
      const seen: OrderChange[] = [];
      b.subscribe((change) => seen.push(change));
      await terminateConnections(name);
      await waitFor(() => seen.some((c) => c.kind === 'resync'));
      // The pools drop their dead connections and open new ones.
      const order = newOrder();
      let inserted = false;
      for (let i = 0; i < 5 && !inserted; i++) {
        inserted = await a.insertOrder(order).then(() => true, () => false);
      }
      expect(inserted).toBe(true);
      await a.updateOrder(order.id, () => ({ patch: { status: 'processing' } }));
      await waitFor(() => seen.some((c) => c.kind === 'order' && c.orderId === order.id));
      expect((await b.getOrder(order.id))?.id).toBe(order.id);
    });
  });

  describe('statement timeout, SKIP LOCKED and round trips', () => {
    let locker: pg.Client;
    beforeEach(async () => {
      locker = new pg.Client({ connectionString: url, application_name: 'test-locker' });
      await locker.connect();
    });
    afterEach(async () => {
      await locker.end();
    });
    const lock = async (orderId: string) => {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
    };

    test('cancels a statement that waits past the statement timeout: SERVICE_UNAVAILABLE, and the pool serves on', async () => {
      const store = await open({ statementTimeoutMs: 300 });
      try {
        const { rows } = await store.pool.query('SHOW statement_timeout');
        expect(rows[0].statement_timeout).toBe('300ms');
        const order = newOrder();
        await store.insertOrder(order);
        await lock(order.id);
        await expect(store.updateOrder(order.id, () => ({ patch: { status: 'paid' } }))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
        await expect(store.pool.query('SELECT pg_sleep(1)')).rejects.toMatchObject({ code: '57014' });
        await locker.query('ROLLBACK');
        expect((await store.updateOrder(order.id, () => ({ patch: { status: 'paid' } })))?.order.status).toBe('paid');
        expect(store.pool.totalCount).toBeLessThanOrEqual(10);
      } finally {
        await locker.query('ROLLBACK');
        await store.close();
      }
    });

    test('the sweep claim skips an order another instance holds instead of waiting for it', async () => {
      const store = await open();
      try {
        const held = newOrder({ nextCheckAt: 100 });
        const free = newOrder({ nextCheckAt: 200 });
        await store.insertOrder(held);
        await store.insertOrder(free);
        await lock(held.id);
        expect((await store.claimDueOrders(1000, 10, 5000)).map((o) => o.id)).toEqual([free.id]);
        await locker.query('ROLLBACK');
        expect((await store.claimDueOrders(1000, 10, 5000)).map((o) => o.id)).toEqual([held.id]);
      } finally {
        await locker.query('ROLLBACK');
        await store.close();
      }
    });

    test('the outbox claim skips an event another instance holds, and the order\'s later events with it', async () => {
      const store = await open();
      try {
        const [held, free] = [newOrder(), newOrder()];
        for (const order of [held, free]) {
          await store.insertOrder(order);
          const events = ['order.paid', 'refund.succeeded'].map((type, i) => ({ id: `evt_${order.id}_${i}`, orderId: order.id, type, createdAt: 100, body: '{}', state: 'pending' as const, giveUpAt: 1e6 }));
          await store.updateOrder(order.id, () => ({ patch: { status: 'paid' }, outbox: events }));
        }
        await locker.query('BEGIN');
        await locker.query('SELECT seq FROM outbox WHERE id = $1 FOR UPDATE', [`evt_${held.id}_0`]);
        expect((await store.claimOutbox(1000, 10, 5000, 'c1')).map((e) => e.id)).toEqual([`evt_${free.id}_0`]);
        await locker.query('ROLLBACK');
        expect((await store.claimOutbox(1000, 10, 5000, 'c2')).map((e) => e.id)).toEqual([`evt_${held.id}_0`]);
      } finally {
        await locker.query('ROLLBACK');
        await store.close();
      }
    });

    test('the feed never lets a cursor pass an event whose transaction commits late with a smaller seq', async () => {
      const store = await open();
      try {
        const [late, early] = [newOrder(), newOrder()];
        await store.insertOrder(late);
        await store.insertOrder(early);
        // The late transaction takes its seq first, then commits after the early one was read through the feed.
        await locker.query('BEGIN');
        await locker.query("INSERT INTO outbox (id, order_id, type, created_at, body, state) VALUES ('evt_late', $1, 'order.paid', 1, '{\"id\":\"evt_late\"}', 'unsent')", [late.id]);
        await store.updateOrder(early.id, () => ({ patch: { status: 'paid' }, outbox: [{ id: 'evt_early', orderId: early.id, type: 'order.paid', createdAt: 2, body: '{"id":"evt_early"}', state: 'unsent', giveUpAt: null }] }));
        const seqs = Object.fromEntries((await store.pool.query<{ id: string; seq: number }>('SELECT id, seq FROM outbox')).rows.map((row) => [row.id, row.seq]));
        expect(seqs.evt_early).toBeGreaterThan(Number((await locker.query<{ seq: string }>("SELECT seq FROM outbox WHERE id = 'evt_late'")).rows[0].seq));
        const first = await store.outboxFeed(0, 10);
        expect(first.map((e) => JSON.parse(e.body).id)).toEqual(['evt_early']);
        await locker.query('COMMIT');
        expect((await store.outboxFeed(first[0].position, 10)).map((e) => JSON.parse(e.body).id)).toEqual(['evt_late']);
        expect((await store.outboxFeed(0, 10)).map((e) => JSON.parse(e.body).id)).toEqual(['evt_early', 'evt_late']);
      } finally {
        await locker.query('ROLLBACK');
        await store.close();
      }
    });

    test('the hot paths cost few round trips: create 1, update 2 (1 given the order as read), webhook 2, read 1', async () => {
      // The LISTEN connection's heartbeat is a query too: a slow run would count one that fell within a measure.
      const store = await open({ heartbeatIntervalMs: 3_600_000 });
      const query = jest.spyOn(pg.Client.prototype, 'query');
      // Another store of this file still open may send its LISTEN heartbeat meanwhile: not this store's work.
      const count = () => query.mock.calls.filter(([config]) => config !== 'SELECT 1').length;
      const trips = async (work: () => Promise<unknown>) => {
        await work(); // warm: connections opened, named statements prepared
        query.mockClear();
        await work();
        return count();
      };
      try {
        // An update that writes an order event too (the outbox): still in the update's second round trip.
        const update = () => ({
          patch: { checkedAt: Date.now() },
          refunds: [],
          events: [{ kind: 'intent' as const, source: 'x', data: {}, at: 1 }],
          outbox: [{ id: `evt_${Math.random()}`, orderId: order.id, type: 'order.paid', createdAt: 1, body: '{}', state: 'pending' as const, giveUpAt: 2 }],
        });
        const order = newOrder();
        await store.insertOrder(order);
        expect(await trips(() => store.insertOrder(newOrder(), { maxOpenOrders: 1000, events: [{ kind: 'created', source: 'shopper', data: {}, at: 1 }] }))).toBe(1);
        expect(await trips(() => store.updateOrder(order.id, update))).toBe(2);
        // Given the order as read (by getOrder, insertOrder or a previous update), unchanged since: one.
        let read = (await store.getOrder(order.id))!;
        const asRead = async () => {
          const result = (await store.updateOrder(order.id, update, read))!;
          read = result.order;
        };
        expect(await trips(asRead)).toBe(1);
        const created = newOrder();
        const inserted = await store.insertOrder(created);
        query.mockClear();
        await store.updateOrder(created.id, update, inserted.kind === 'created' ? inserted.order : undefined);
        expect(count()).toBe(1);
        // Changed since (here by the sweep's lease): the batch fails, is rolled back, and the order is read as usual.
        const stale = (await store.getOrder(created.id))!;
        await store.claimDueOrders(Number.MAX_SAFE_INTEGER, 100, 1);
        query.mockClear();
        expect((await store.updateOrder(created.id, update, stale))?.order.nextCheckAt).toBe(1);
        expect(count()).toBe(4);
        expect(await trips(() => store.recordWebhookEvent({ id: `evt_${Math.random()}`, name: 'x', orderId: order.id, payload: '{}', receivedAt: 1 }, { orderId: order.id, decide: update }, 2))).toBe(2);
        expect(await trips(() => store.getOrder(order.id))).toBe(1);
        expect(await trips(() => store.claimRetrieve(order.id, Date.now(), 0))).toBe(1);
        expect(await trips(() => store.claimDueOrders(0, 10, 1))).toBe(1);
      } finally {
        query.mockRestore();
        await store.close();
      }
    });
  });

  describe('migrations', () => {
    test('let several instances boot at the same moment on an empty database, applying each version once', async () => {
      const fresh = newDatabaseName();
      const freshUrl = await createDatabase(fresh);
      try {
        const stores = await Promise.all(Array.from({ length: 5 }, () => openPostgresStore({ connectionString: freshUrl, logger })));
        const { rows } = await stores[0].pool.query('SELECT version, name FROM schema_migrations ORDER BY version');
        // Every file of migrations/postgres once, in order.
        expect(rows).toEqual(readMigrations('postgres').map(({ version, name }) => ({ version, name })));
        expect(rows).toEqual([
          { version: 1, name: 'initial' },
          { version: 2, name: 'operations' },
          { version: 3, name: 'rate_limits' },
          { version: 4, name: 'outbox' },
          { version: 5, name: 'reconciliation' },
          { version: 6, name: 'subscription_messages' },
          { version: 7, name: 'drop_orders_open' },
          { version: 8, name: 'notify_what_long_polls_see' },
          { version: 9, name: 'lock_order_as_read' },
        ]);
        await Promise.all(stores.map((store) => store.close()));
      } finally {
        await dropDatabase(fresh);
      }
    });

    test('wait for another instance migrating longer than the statement timeout, instead of failing', async () => {
      const fresh = newDatabaseName();
      const freshUrl = await createDatabase(fresh);
      const holder = new pg.Client({ connectionString: freshUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
        const booting = openPostgresStore({ connectionString: freshUrl, logger, statementTimeoutMs: 100 });
        await new Promise((resolve) => setTimeout(resolve, 600));
        await holder.query('COMMIT');
        const store = await booting;
        expect(await store.ready()).toEqual({ ok: true });
        await store.close();
      } finally {
        await holder.end();
        await dropDatabase(fresh);
      }
    });

    test('refuse a database whose schema is newer than this code, saying so', async () => {
      const fresh = newDatabaseName();
      const freshUrl = await createDatabase(fresh);
      try {
        const store = await openPostgresStore({ connectionString: freshUrl, logger });
        await store.pool.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)");
        await store.close();
        await expect(openPostgresStore({ connectionString: freshUrl, logger })).rejects.toThrow(`schema version 99 is newer than this server knows (${readMigrations('postgres').length})`);
      } finally {
        await dropDatabase(fresh);
      }
    });
  });

  test('a silently dropped LISTEN connection is noticed by the heartbeat and replaced', async () => {
    // Through a TCP proxy that can make its open connections go silent: bytes stop flowing both
    // ways but nothing is closed, as on a dead network path, so no error or end event can fire.
    const proxy = await tcpProxy(url);
    const viaProxy = await open({ connectionString: proxy.url });
    const direct = await open();
    try {
      const seen: OrderChange[] = [];
      viaProxy.subscribe((change) => seen.push(change));
      proxy.silenceOpenConnections();
      // Only the heartbeat (200 ms, 500 ms timeout here) can tell: it replaces the connection.
      await waitFor(() => seen.some((c) => c.kind === 'resync'), 10_000);
      expect(viaProxy.listenerReconnects()).toBe(1);
      const order = await visiblyChanged(direct, newOrder());
      await waitFor(() => seen.some((c) => c.kind === 'order' && c.orderId === order.id));
    } finally {
      await Promise.all([viaProxy.close(), direct.close()]);
      proxy.close();
    }
  }, 30_000);

  test('answers SERVICE_UNAVAILABLE (503, retry) while the database cannot be reached, and serves again once it can', async () => {
    const proxy = await tcpProxy(url);
    const store = await open({ connectionString: proxy.url });
    try {
      const order = newOrder();
      await store.insertOrder(order);
      proxy.refuse(true);
      await expect(store.getOrder(order.id)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
      await expect(store.insertOrder(newOrder())).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect((await store.ready()).ok).toBe(false);
      proxy.refuse(false);
      expect((await store.getOrder(order.id))?.id).toBe(order.id);
    } finally {
      proxy.refuse(false);
      await store.close();
      proxy.close();
    }
  });

  test('answers SERVICE_UNAVAILABLE from every method that reads or writes data, a new one too', async () => {
    // Typed against Store: a method added to a concern must be added here.
    const calls: Record<Exclude<keyof Store, 'kind' | 'shared' | 'subscribe' | 'ready' | 'close'>, (store: Store) => Promise<unknown>> = {
      createSession: (s) => s.createSession({ tokenHash: 'h', openId: 'o', createdAt: 0, expiresAt: 1 }),
      findSession: (s) => s.findSession('h', 0),
      insertOrder: (s) => s.insertOrder(newOrder()),
      getOrder: (s) => s.getOrder('ord_x'),
      getOrderByIntent: (s) => s.getOrderByIntent('int_x'),
      listOrders: (s) => s.listOrders('o', 1),
      updateOrder: (s) => s.updateOrder('ord_x', () => null),
      claimRetrieve: (s) => s.claimRetrieve('ord_x', 0, 0),
      claimDueOrders: (s) => s.claimDueOrders(0, 1, 1),
      searchOrders: (s) => s.searchOrders({ limit: 1, offset: 0 }),
      countOrdersByStatus: (s) => s.countOrdersByStatus(),
      countHit: (s) => s.countHit('k', 0, 1),
      peekHits: (s) => s.peekHits('k', 0),
      recordWebhookEvent: (s) => s.recordWebhookEvent({ id: 'evt_x', name: 'x', orderId: null, payload: '{}', receivedAt: 0 }, undefined, 0),
      insertWebhookEvent: (s) => s.insertWebhookEvent({ id: 'evt_x', name: 'x', orderId: null, payload: '{}', receivedAt: 0 }),
      markWebhookEventApplied: (s) => s.markWebhookEventApplied('evt_x', 'applied', 0),
      unappliedWebhookEvents: (s) => s.unappliedWebhookEvents(1),
      webhookEventOutcome: (s) => s.webhookEventOutcome('evt_x'),
      recordAnomaly: (s) => s.recordAnomaly({ kind: 'unknown_order', key: 'k', orderId: null, intentId: null, detail: {}, at: 0 }),
      listAnomalies: (s) => s.listAnomalies({ openOnly: true, limit: 1, offset: 0 }),
      resolveAnomaly: (s) => s.resolveAnomaly(1, 0),
      orderEvents: (s) => s.orderEvents('ord_x'),
      recordAudit: (s) => s.recordAudit({ at: 0, actor: 'a', action: 'x', target: null, detail: {} }),
      listAudit: (s) => s.listAudit({ limit: 1 }),
      createAdminSession: (s) => s.createAdminSession({ tokenHash: 'h', csrfHash: 'c', actor: 'a', createdAt: 0, expiresAt: 1 }),
      findAdminSession: (s) => s.findAdminSession('h', 0),
      deleteAdminSession: (s) => s.deleteAdminSession('h'),
      prune: (s) => s.prune({ now: 0, webhookEventsBefore: 0, batch: 1 }),
      recordAccepts: (s) => s.recordAccepts('ord_x', 'o', [], 0),
      claimDueMessages: (s) => s.claimDueMessages(0, 1),
      finishMessage: (s) => s.finishMessage('ord_x', 't', { state: 'failed', error: 'x' }, { kind: 'message', source: null, data: {}, at: 0 }, 0),
      abandonInterruptedMessages: (s) => s.abandonInterruptedMessages(0, 0, () => ({ kind: 'message', source: null, data: {}, at: 0 })),
      orderMessages: (s) => s.orderMessages('ord_x'),
      countMessagesByState: (s) => s.countMessagesByState(),
      getWechatToken: (s) => s.getWechatToken('wx'),
      leaseWechatTokenRefresh: (s) => s.leaseWechatTokenRefresh('wx', 'h', 0, 1),
      saveWechatToken: (s) => s.saveWechatToken('wx', 'h', { accessToken: 't', expiresAt: 1 }, 0),
      releaseWechatTokenLease: (s) => s.releaseWechatTokenLease('wx', 'h'),
      claimReconciliation: (s) => s.claimReconciliation({ id: 'rec_x', day: '2026-01-01', timeZone: 'UTC', trigger: 'api', actor: null, now: 0, leaseUntil: 1 }),
      renewReconciliationLease: (s) => s.renewReconciliationLease('rec_x', 1),
      completeReconciliation: (s) =>
        s.completeReconciliation('rec_x', { finishedAt: 0, summary: { transactions: 0, matched: 0, flagged: 0, waiting: 0, flags: {} }, totals: { currencies: [], batches: [] }, recheckAt: null, items: [], anomalies: [] }),
      failReconciliation: (s) => s.failReconciliation('rec_x', 'x', 0),
      listReconciliationRuns: (s) => s.listReconciliationRuns({ limit: 1, offset: 0 }),
      lastScheduledDay: (s) => s.lastScheduledDay(),
      getReconciliationRun: (s) => s.getReconciliationRun('rec_x'),
      reconciliationItems: (s) => s.reconciliationItems('rec_x'),
      transactionItems: (s) => s.transactionItems('ftx_x', 1),
      dueReconciliationDays: (s) => s.dueReconciliationDays(0),
      ordersPaidBetween: (s) => s.ordersPaidBetween(0, 1),
      ordersRefundedBetween: (s) => s.ordersRefundedBetween(0, 1),
      ordersByAttempts: (s) => s.ordersByAttempts(['att_x']),
      ordersByAirwallexRefunds: (s) => s.ordersByAirwallexRefunds(['rfd_x']),
      moneyFigures: (s) => s.moneyFigures({ from: 0, to: 1, bucketMs: 1 }),
      outboxFeed: (s) => s.outboxFeed(0, 1),
      outboxOfOrder: (s) => s.outboxOfOrder('ord_x'),
      searchOutbox: (s) => s.searchOutbox({ limit: 1, offset: 0 }),
      countOutboxByState: (s) => s.countOutboxByState(),
      claimOutbox: (s) => s.claimOutbox(0, 1, 1, 'c'),
      recordOutboxAttempt: (s) => s.recordOutboxAttempt('evt_x', 'c', { kind: 'delivered', at: 0 }),
      resendOutbox: (s) => s.resendOutbox('evt_x', 0, 1),
      resendFailedOutbox: (s) => s.resendFailedOutbox(0, 1),
    };
    const proxy = await tcpProxy(url);
    const store = await open({ connectionString: proxy.url });
    try {
      proxy.refuse(true);
      const answers: Record<string, unknown> = {};
      for (const [method, call] of Object.entries(calls)) answers[method] = await call(store).then(() => 'answered', (err: { code?: unknown }) => err.code);
      expect(answers).toEqual(Object.fromEntries(Object.keys(calls).map((method) => [method, 'SERVICE_UNAVAILABLE'])));
    } finally {
      proxy.refuse(false);
      await store.close();
      proxy.close();
    }
  });

  test('reads bigint columns as numbers', async () => {
    const store = await open();
    const { rows } = await store.pool.query('SELECT 1760000000000::bigint AS ms');
    expect(rows[0].ms).toBe(1_760_000_000_000);
    await store.close();
  });
});
