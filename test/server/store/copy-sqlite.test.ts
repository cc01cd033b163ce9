// The one-off SQLite → PostgreSQL copy: everything arrives as the store reads it, and running it again changes nothing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { copySqliteToPostgres } from '../../../server/store/copy-sqlite-to-postgres';
import { openPostgresStore } from '../../../server/store/postgres';
import { openSqliteStore } from '../../../server/store/sqlite';
import type { Store } from '../../../server/store/types';
import { createDatabase, dropDatabase, newDatabaseName, postgresAvailable } from '../postgres-helpers';
import { newOrder, newRefund } from './fixtures';

const describePostgres = postgresAvailable ? describe : describe.skip;
const logger = pino({ level: 'silent' });

describePostgres('[postgres] copying a SQLite database into PostgreSQL', () => {
  const database = newDatabaseName();
  let url: string;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    url = await createDatabase(database);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'awx-copy-'));
    file = path.join(dir, 'app.sqlite');
  });
  afterAll(async () => {
    await dropDatabase(database);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What the services and the console can read: orders with refunds and timelines, sessions, webhook events, anomalies, the audit log. */
  const snapshot = async (store: Store, orderIds: string[], eventIds: string[]) => ({
    orders: await Promise.all(orderIds.map((id) => store.getOrder(id))),
    timelines: await Promise.all(orderIds.map((id) => store.orderEvents(id))),
    lists: [await store.listOrders('o_alice', 100), await store.listOrders('o_bob', 100)],
    search: await store.searchOrders({ limit: 100, offset: 0 }),
    sessions: [await store.findSession('h_alice', 0), await store.findSession('h_bob', 0)],
    outcomes: await Promise.all(eventIds.map((id) => store.webhookEventOutcome(id))),
    unapplied: await store.unappliedWebhookEvents(100),
    anomalies: await store.listAnomalies({ openOnly: false, limit: 100, offset: 0 }),
    audit: await store.listAudit({ limit: 100 }),
    messages: await Promise.all(orderIds.map((id) => store.orderMessages(id))),
    reconciliations: await Promise.all(
      (await store.listReconciliationRuns({ limit: 100, offset: 0 })).map(async (run) => ({ run, items: await store.reconciliationItems(run.id) })),
    ),
    outbox: await Promise.all(orderIds.map((id) => store.outboxOfOrder(id))),
    feed: await store.outboxFeed(0, 100),
  });

  test('copies orders with their lines and refunds, timelines, anomalies, the audit log, sessions, webhook events and reconciliation runs; a second run copies nothing; a third copies only what is new', async () => {
    const sqlite = openSqliteStore(file);
    const orderIds: string[] = [];
    const eventIds = ['evt_applied', 'evt_unapplied'];
    await sqlite.createSession({ tokenHash: 'h_alice', openId: 'o_alice', createdAt: 1, expiresAt: 4_102_444_800_000 });
    await sqlite.createSession({ tokenHash: 'h_bob', openId: 'o_bob', createdAt: 2, expiresAt: 4_102_444_800_000 });
    for (let i = 0; i < 3; i++) {
      const order = newOrder({ openId: i === 2 ? 'o_bob' : 'o_alice', createdAt: 1000 + i, idempotencyKey: `k${i}`, requestHash: 'h' });
      await sqlite.insertOrder(order, { events: [{ kind: 'created', source: 'shopper', data: { lines: 2 }, at: 1000 + i }] });
      orderIds.push(order.id);
    }
    const refund = newRefund(orderIds[0], { status: 'failed', failure: { code: 'rejected', message: '拒绝' } });
    await sqlite.updateOrder(orderIds[0], () => ({
      patch: { paymentIntentId: 'int_0', paymentAttemptId: 'att_0', status: 'paid', paidAt: 5, intentStatus: 'SUCCEEDED', intentUpdatedAt: 4, checkedAt: 6, confirmSeq: 2, confirmedAt: 3, retrievedAt: 6, nextCheckAt: null, checkFailures: 1 },
      refunds: [refund, newRefund(orderIds[0], { createdAt: 9 })],
      events: [{ kind: 'intent', source: 'webhook payment_intent.succeeded', data: { to: 'paid' }, at: 6 }],
      anomalies: [{ kind: 'paid_after_final', key: 'paid_after_final:x', orderId: orderIds[0], intentId: 'int_0', detail: { a: 1 }, at: 7 }],
      outbox: [{ id: 'evt_paid_0', orderId: orderIds[0], type: 'order.paid', createdAt: 6, body: '{"id":"evt_paid_0","data":{"名":"乌龙"}}', state: 'pending', giveUpAt: 99 }],
    }));
    await sqlite.claimOutbox(6, 10, 100, 'claim');
    await sqlite.recordOutboxAttempt('evt_paid_0', 'claim', { kind: 'retry', at: 7, error: 'HTTP 500', nextAttemptAt: 8, failedTry: true });
    await sqlite.updateOrder(orderIds[1], () => ({ patch: { paymentIntentId: 'int_1', lastPaymentError: { code: 'declined', message: '余额不足', at: 7 } } }));
    const resolved = await sqlite.recordAnomaly({ kind: 'unknown_order', key: 'unknown_order:int_9', orderId: null, intentId: 'int_9', detail: {}, at: 8 });
    await sqlite.resolveAnomaly(resolved.anomaly.id, 9);
    await sqlite.recordAudit({ at: 10, actor: 'adm_1', action: 'refund.create', target: orderIds[0], detail: { amount: 500 } });
    await sqlite.createAdminSession({ tokenHash: 'ah', csrfHash: 'c', actor: 'adm_1', createdAt: 1, expiresAt: 4_102_444_800_000 });
    await sqlite.recordWebhookEvent(
      { id: 'evt_applied', name: 'payment_intent.succeeded', orderId: orderIds[0], payload: '{"id":"evt_applied",  "x":1}', receivedAt: 10 },
      { orderId: orderIds[0], decide: () => null },
      11,
    );
    await sqlite.insertWebhookEvent({ id: 'evt_unapplied', name: 'payment_intent.cancelled', orderId: orderIds[1], payload: '{ }', receivedAt: 12 });
    await sqlite.recordAccepts(orderIds[1], 'o_alice', [{ templateId: 'tmpl-pay', template: 'paymentSucceeded', acceptStatus: 'accept', lang: 'zh_CN' }], 13);
    // A completed reconciliation run with its items, and one still running (its lease is taken over after the move).
    await sqlite.claimReconciliation({ id: 'rec_done', day: '2026-05-12', timeZone: 'Asia/Shanghai', trigger: 'schedule', actor: null, now: 13, leaseUntil: 99 });
    await sqlite.completeReconciliation('rec_done', {
      finishedAt: 14,
      summary: { transactions: 1, matched: 1, flagged: 0, waiting: 1, flags: {} },
      totals: { currencies: [{ currency: 'CNY', payments: 1, gross: 2699, fees: 16, refunds: 0, refunded: 0, other: 0, net: 2683, shopPayments: 1, shopPaid: 2699, shopRefunds: 0, shopRefunded: 0 }], batches: [] },
      recheckAt: 50,
      items: [
        { seq: 1, state: 'matched', flag: null, subject: 'payment', orderId: orderIds[0], refundId: null, intentId: 'int_0', sourceId: 'att_0', transactionId: 'ftx_0', batchId: 'bat_20260512_CNY_1', currency: 'CNY', expected: 2699, actual: 2699, fee: 16, anomalyKey: null, detail: { name: '乌龙茶' } },
        { seq: 2, state: 'waiting', flag: null, subject: 'refund', orderId: orderIds[0], refundId: refund.id, intentId: 'int_0', sourceId: null, transactionId: null, batchId: null, currency: 'CNY', expected: 500, actual: null, fee: null, anomalyKey: null, detail: {} },
      ],
      anomalies: [],
    });
    await sqlite.claimReconciliation({ id: 'rec_running', day: '2026-05-13', timeZone: 'Asia/Shanghai', trigger: 'api', actor: 'adm_1', now: 15, leaseUntil: 99 });

    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const first = await copySqliteToPostgres(file, pool);
      expect(first).toEqual({
        orders: { source: 3, copied: 3, present: 0 },
        orderItems: { source: 6, copied: 6, present: 0 },
        refunds: { source: 2, copied: 2, present: 0 },
        orderEvents: { source: 6, copied: 6, present: 0 }, // 3 created, an intent change, an anomaly (the other has no order), an accept
        anomalies: { source: 2, copied: 2, present: 0 },
        auditLog: { source: 1, copied: 1, present: 0 },
        sessions: { source: 2, copied: 2, present: 0 },
        webhookEvents: { source: 2, copied: 2, present: 0 },
        subscriptionMessages: { source: 1, copied: 1, present: 0 },
        reconciliationRuns: { source: 2, copied: 2, present: 0 },
        reconciliationItems: { source: 2, copied: 2, present: 0 },
        outbox: { source: 1, copied: 1, present: 0 },
      });
      const postgres = await openPostgresStore({ connectionString: url, logger });
      try {
        expect(await snapshot(postgres, orderIds, eventIds)).toEqual(await snapshot(sqlite, orderIds, eventIds));
        // Console sessions are not copied: operators sign in again.
        expect(await postgres.findAdminSession('ah', 0)).toBeUndefined();
        // New rows after the copy get ids past the copied ones.
        await postgres.recordAudit({ at: 11, actor: 'adm_1', action: 'order.recheck', target: null, detail: {} });
        const audit = await postgres.listAudit({ limit: 10 });
        expect(audit[0].id).toBeGreaterThan(audit[1].id);
        const sqliteAudit = await sqlite.listAudit({ limit: 10 });
        expect(audit.slice(1)).toEqual(sqliteAudit);

        const second = await copySqliteToPostgres(file, pool);
        expect(Object.values(second).map((t) => t.copied)).toEqual(Object.values(second).map(() => 0));
        expect(await snapshot(postgres, orderIds, eventIds)).toEqual({ ...(await snapshot(sqlite, orderIds, eventIds)), audit });

        const late = newOrder({ createdAt: 2000 });
        await sqlite.insertOrder(late);
        orderIds.push(late.id);
        const third = await copySqliteToPostgres(file, pool);
        expect(third.orders).toEqual({ source: 4, copied: 1, present: 3 });
        expect(third.orderItems).toEqual({ source: 8, copied: 2, present: 6 });
        expect(await postgres.getOrder(late.id)).toEqual(await sqlite.getOrder(late.id));
        // The copied idempotency keys still protect a retried checkout.
        const retried = await postgres.insertOrder(newOrder({ openId: 'o_alice', idempotencyKey: 'k0', requestHash: 'h' }));
        expect(retried).toMatchObject({ kind: 'existing', order: { id: orderIds[0] } });
        // A consumer's feed cursor from SQLite still holds: a new event comes after the copied ones, seq and position.
        const [copied] = await postgres.outboxFeed(0, 10);
        await postgres.updateOrder(orderIds[1], () => ({ outbox: [{ id: 'evt_new', orderId: orderIds[1], type: 'order.cancelled', createdAt: 12, body: '{}', state: 'unsent', giveUpAt: null }] }));
        expect(await postgres.outboxFeed(copied.position, 10)).toEqual([{ position: copied.position + 1, body: '{}' }]);
        expect((await postgres.outboxOfOrder(orderIds[1]))[0].seq).toBeGreaterThan((await postgres.outboxOfOrder(orderIds[0]))[0].seq);
      } finally {
        await postgres.close();
      }
    } finally {
      await pool.end();
      await sqlite.close();
    }
  });

  test('npm run migrate:sqlite-to-postgres copies the file named by --from into DATABASE_URL and prints its report', async () => {
    const target = newDatabaseName();
    const targetUrl = await createDatabase(target);
    try {
      const output = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/migrate-sqlite-to-postgres.ts', '--from', file], {
        cwd: path.resolve(__dirname, '../../..'),
        env: { PATH: process.env.PATH, DATABASE_URL: targetUrl },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(output).toMatch(/^orders\s+4\s+4\s+0$/m);
      expect(output).toMatch(/^webhookEvents\s+2\s+2\s+0$/m);
    } finally {
      await dropDatabase(target);
    }
  });
});
