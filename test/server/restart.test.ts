// Stop and start on the same database: sessions, orders and recorded webhooks survive, and nothing is lost.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { openStore } from '../../server/store/open';
import { openSqliteStore } from '../../server/store/sqlite';
import { CART, startTestServer, testConfig } from './helpers';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'awx-restart-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a restart on the same database', () => {
  test('keeps sessions, orders and their intents', async () => {
    const config = testConfig({ DATABASE_PATH: path.join(dir, 'app.sqlite') });
    const first = await startTestServer(config);
    const token = await first.sessionFor('rita');
    const order = (await first.request('POST', '/api/orders', { token, body: CART, headers: { 'idempotency-key': 'r-1' } })).body.order;
    await first.close();

    const second = await startTestServer(config);
    try {
      const read = await second.request('GET', `/api/orders/${order.id}`, { token });
      expect(read.status).toBe(200);
      expect(read.body.order).toMatchObject({ id: order.id, paymentIntentId: order.paymentIntentId, status: 'awaiting_payment' });
      // The same checkout retried after the restart is still the same order.
      const retried = await second.request('POST', '/api/orders', { token, body: CART, headers: { 'idempotency-key': 'r-1' } });
      expect(retried.body.order.id).toBe(order.id);
      // The simulator kept its state too, so the order can still be paid.
      const payment = await second.request('POST', `/api/orders/${order.id}/payment`, { token });
      expect(payment.status).toBe(200);
      await second.pay(payment.body.requestPayment.package);
      const polled = await second.request('GET', `/api/orders/${order.id}?waitSeconds=5&unlessStatus=awaiting_payment`, { token });
      expect(polled.body.order.status).toBe('paid');
    } finally {
      await second.close();
    }
  });

  test('applies a webhook that was recorded but not applied before the process died', async () => {
    const config = testConfig({ DATABASE_PATH: path.join(dir, 'app.sqlite') });
    const first = await startTestServer(config);
    const token = await first.sessionFor('rita');
    const order = (await first.request('POST', '/api/orders', { token, body: CART })).body.order;
    await first.close();

    // What a crash between "stored" and "applied" leaves behind.
    const store = await openStore(config, pino({ level: 'silent' }));
    const payload = {
      id: 'evt_crash_1',
      name: 'payment_intent.succeeded',
      data: { object: { id: order.paymentIntentId, amount: 26.99, currency: 'CNY', merchant_order_id: order.id, status: 'SUCCEEDED', created_at: '2026-01-01T00:00:00+0000', updated_at: '2099-01-01T00:00:00+0000' } },
    };
    await store.insertWebhookEvent({ id: payload.id, name: payload.name, orderId: order.id, payload: JSON.stringify(payload), receivedAt: Date.now() });
    await store.close();

    const second = await startTestServer(config);
    try {
      await second.sweeper.sweepOnce();
      const read = await second.request('GET', `/api/orders/${order.id}`, { token });
      expect(read.body.order.status).toBe('paid');
      expect(await second.store.webhookEventOutcome('evt_crash_1')).toBe('applied');
    } finally {
      await second.close();
    }
  });

  test('checkpoints the write-ahead log in the background', async () => {
    const file = path.join(dir, 'app.sqlite');
    const store = openSqliteStore(file);
    try {
      const sizeBefore = fs.statSync(file).size;
      for (let i = 0; i < 300; i++) {
        await store.createSession({ tokenHash: `hash-${i}`.padEnd(64, 'x'), openId: `o-${i}`, createdAt: i, expiresAt: Date.now() + 60_000 });
      }
      // The store's checkpointer thread copies the log into the database (what commits pay, and the log's
      // bound: test/server/sqlite-checkpointer.test.ts).
      const deadline = Date.now() + 10_000;
      while (fs.statSync(file).size === sizeBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(fs.statSync(file).size).toBeGreaterThan(sizeBefore);
    } finally {
      await store.close();
    }
  });

  test('refuses to open a database written by a newer schema', async () => {
    const file = path.join(dir, 'app.sqlite');
    const store = openSqliteStore(file);
    await store.close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)').run();
    db.close();
    expect(() => openSqliteStore(file)).toThrow(/newer than this server knows/);
  });
});
