// State in a database file survives a simulator restart: intents, refunds and their timers, used request_ids, codes, queued webhooks.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatorStore } from '../../../server/simulator/store';
import { airwallex, call, confirmIntent, createIntent, createRefund, CREDENTIALS, eventually, login, paidIntent, startReceiver, startSimulator, waitFor } from './helpers';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulator-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('persistence', () => {
  it('keeps intents, request_ids, tokens, codes and undelivered webhooks across a restart', async () => {
    const databasePath = path.join(dir, 'nested', 'simulator.sqlite');
    const first = await startSimulator({ databasePath, webhookUrl: () => undefined });
    const token = await login(first);
    const created = await createIntent(first, token, { request_id: 'persisted-create', merchant_order_id: 'ORD-persist' });
    const confirmed = await confirmIntent(first, token, created.body.id);
    const code = (await call(`${first.base}/wechat/login`, { method: 'POST', body: { shopper: 'dora' } })).body.code as string;
    const before = first.sim.listIntents();
    expect(first.sim.stats().webhooks.pending).toBe(3);
    await first.close();

    const receiver = await startReceiver();
    const second = await startSimulator({ databasePath, webhookUrl: () => receiver.url });
    try {
      expect(second.sim.listIntents()).toEqual(before);
      // The old token still works, the request_id is still spent, and the prepay id is still payable.
      const again = await createIntent(second, token, { request_id: 'persisted-create', merchant_order_id: 'ORD-persist' });
      expect(again.body.code).toBe('duplicate_request');
      const exchange = await call(
        `${second.base}/wechat/sns/jscode2session?appid=${CREDENTIALS.wechatAppId}&secret=${CREDENTIALS.wechatAppSecret}&js_code=${code}&grant_type=authorization_code`,
      );
      expect(exchange.body.openid).toMatch(/^o/);
      const paid = await call(`${second.base}/wechat/pay`, { method: 'POST', body: { package: confirmed.body.next_action.data.package, outcome: 'pay' } });
      expect(paid.body.errMsg).toBe('requestPayment:ok');

      // The three events queued before the restart arrive, then the two of the payment.
      await waitFor(() => receiver.received.length === 5, 3000, 'the queued webhooks');
      expect(receiver.received.map((r) => r.event.name)).toEqual([
        'payment_intent.created',
        'payment_attempt.authentication_redirected',
        'payment_intent.requires_customer_action',
        'payment_attempt.capture_requested',
        'payment_intent.succeeded',
      ]);
    } finally {
      await second.close();
      await receiver.close();
    }
  });

  it('keeps a delivery that was failing queued across a restart', async () => {
    const databasePath = path.join(dir, 'simulator.sqlite');
    const failing = await startReceiver();
    failing.respondWith(() => 503);
    const first = await startSimulator({ databasePath, webhookUrl: () => failing.url });
    await createIntent(first, await login(first));
    await waitFor(() => failing.received.length >= 1, 2000, 'a failed attempt');
    await first.close();
    await failing.close();

    const receiver = await startReceiver();
    const second = await startSimulator({ databasePath, webhookUrl: () => receiver.url });
    try {
      await waitFor(() => receiver.received.length === 1, 3000, 'the redelivery');
      expect(receiver.received[0].event.id).toBe(failing.received[0].event.id);
      await waitFor(() => second.sim.stats().webhooks.pending === 0, 1000, 'an empty queue');
    } finally {
      await second.close();
      await receiver.close();
    }
  });

  it('keeps refunds across a restart, and a refund due to move on while stopped does so after it', async () => {
    const databasePath = path.join(dir, 'simulator.sqlite');
    // 1 to 3 s before ACCEPTED: far longer than creating the refund and stopping takes.
    const first = await startSimulator({ databasePath, webhookUrl: () => undefined, faults: { refundAcceptDelayMs: 2000 } });
    const token = await login(first);
    const intent = await paidIntent(first, token);
    const refund = await createRefund(first, token, { request_id: 'persisted-refund', payment_intent_id: intent.id, amount: 4 });
    expect(first.sim.listRefunds()).toEqual([refund.body]);
    await first.close();

    const receiver = await startReceiver();
    const second = await startSimulator({ databasePath, webhookUrl: () => receiver.url, faults: { refundSettleDelayMs: 20 } });
    try {
      const settled = await eventually(
        () => airwallex(second, token, 'GET', `/api/v1/pa/refunds/${refund.body.id}`),
        (answer) => answer.body.status === 'SETTLED',
        8000,
        'SETTLED after the restart',
      );
      expect(settled.body).toMatchObject({ id: refund.body.id, amount: 4, request_id: 'persisted-refund' });
      expect((await createRefund(second, token, { request_id: 'persisted-refund', payment_intent_id: intent.id, amount: 4 })).body.code).toBe('duplicate_request');
      expect((await createRefund(second, token, { payment_intent_id: intent.id })).body.amount).toBe(8.5);
      // The refund.received queued before the restart, then what the restarted simulator sent.
      const refundEvents = () => receiver.received.filter((r) => r.event.data.object.id === refund.body.id).map((r) => r.event.name);
      await waitFor(() => refundEvents().length >= 3, 3000, 'the refund webhooks');
      expect(refundEvents()).toEqual(['refund.received', 'refund.accepted', 'refund.settled']);
      // Let the second refund finish and its webhooks land, so nothing is in flight when the receiver goes away.
      await waitFor(() => second.sim.listRefunds().every((r) => r.status === 'SETTLED') && second.sim.stats().webhooks.pending === 0, 5000, 'a quiet simulator');
    } finally {
      await second.close();
      await receiver.close();
    }
  });
});

describe('checkpoints', () => {
  it('copies its write-ahead log into the file in the background', async () => {
    const file = path.join(dir, 'simulator.sqlite');
    const store = new SimulatorStore(file);
    try {
      const sizeBefore = fs.statSync(file).size;
      for (let i = 0; i < 300; i++) store.addDelivery(`evt_${i}`, 'x'.repeat(16_000), Date.now() + 60_000); // 4.8 MB: past SQLite's 1,000-page threshold
      // The checkpointer's thread copies the log into the database (what commits pay, and the log's bound:
      // test/server/sqlite-checkpointer.test.ts).
      await eventually(async () => fs.statSync(file).size, (size) => size > sizeBefore, 10_000, 'the checkpoint');
    } finally {
      await store.close();
    }
  });
});

describe('state files from older versions', () => {
  it('a prepay table from before payers were kept gains the column: old prepay ids have no payer, new ones keep theirs', async () => {
    const databasePath = path.join(dir, 'old.sqlite');
    const old = new Database(databasePath);
    old.exec('CREATE TABLE prepay (prepay_id TEXT PRIMARY KEY, intent_id TEXT NOT NULL, attempt_id TEXT NOT NULL)');
    old.prepare('INSERT INTO prepay VALUES (?, ?, ?)').run('wx_old', 'int_old', 'att_old');
    old.close();

    const store = new SimulatorStore(databasePath);
    try {
      expect(store.getPrepay('wx_old')).toEqual({ prepayId: 'wx_old', intentId: 'int_old', attemptId: 'att_old' });
      store.putPrepay({ prepayId: 'wx_new', intentId: 'int_new', attemptId: 'att_new', openId: 'o_payer' });
      expect(store.getPrepay('wx_new')).toEqual({ prepayId: 'wx_new', intentId: 'int_new', attemptId: 'att_new', openId: 'o_payer' });
    } finally {
      await store.close();
    }
  });
});
