// The Store contract: every method and behaviour the services rely on, run against each implementation (SQLite, PostgreSQL).
// Each concern's suite is in <concern>/contract.ts (as the store's concerns are in server/store/<concern>/); what spans
// the whole store (prune, change notifications, readiness) is here.
import type { NewOrder, OrderUpdate, Store } from '../../../server/store/types';
import { describeAdminSessionsContract } from './admin-sessions/contract';
import { describeAnomaliesContract } from './anomalies/contract';
import { describeAuditContract } from './audit/contract';
import { describeFiguresContract } from './figures/contract';
import { anomaly, type ContractSubject, type ContractTarget, event, newOrder, newRefund, patch, recorder, T0, visiblyChanged } from './fixtures';
import { describeOrdersContract } from './orders/contract';
import { describeOutboxContract } from './outbox/contract';
import { describeRateLimitsContract } from './rate-limits/contract';
import { describeReconciliationsContract } from './reconciliations/contract';
import { describeRefundsContract } from './refunds/contract';
import { describeSessionsContract } from './sessions/contract';
import { describeTimelineContract } from './timeline/contract';
import { describeWebhooksContract } from './webhooks/contract';
import { describeMessagesContract } from './messages/contract';
import { describeWechatTokensContract } from './wechat-tokens/contract';

/** The suites of the concerns: one line per concern. */
const CONCERNS = [
  describeSessionsContract,
  describeOrdersContract,
  describeRefundsContract,
  describeTimelineContract,
  describeAnomaliesContract,
  describeWebhooksContract,
  describeRateLimitsContract,
  describeAuditContract,
  describeAdminSessionsContract,
  describeMessagesContract,
  describeWechatTokensContract,
  describeReconciliationsContract,
  describeFiguresContract,
  describeOutboxContract,
];

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
  const subject: ContractSubject = {
    get store() {
      return store;
    },
    peer,
    put,
  };

  test('says which database it is', () => {
    expect(['sqlite', 'postgres']).toContain(store.kind);
  });

  for (const describeConcern of CONCERNS) describeConcern(subject);

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
    test('tells subscribers about every committed change of an order a long poll answers on: status, intent, payment error, refund, webhook', async () => {
      const changes = recorder(store);
      const order = newOrder();
      // An insert may be announced (SQLite, in one process, tells of every change) or not (PostgreSQL: nobody can wait on an order before it exists).
      await store.insertOrder(order);
      const base = changes.of(order.id);
      await store.updateOrder(order.id, () => patch({ status: 'processing' }));
      await changes.until(order.id, base + 1);
      await store.updateOrder(order.id, () => patch({ paymentIntentId: 'int_contract_1' }));
      await changes.until(order.id, base + 2);
      await store.updateOrder(order.id, () => patch({ lastPaymentError: { code: 'payment_failed', message: 'declined', at: T0 } }));
      await changes.until(order.id, base + 3);
      await store.updateOrder(order.id, () => ({ refunds: [newRefund(order.id)] }));
      await changes.until(order.id, base + 4);
      await store.recordWebhookEvent(event({ orderId: order.id }), { orderId: order.id, decide: () => patch({ status: 'paid' }) }, 1);
      await changes.until(order.id, base + 5);
      changes.unsubscribe();
    });

    test('tells another process sharing the database when it can (PostgreSQL), never wrongly', async () => {
      const other = await peer();
      const changes = recorder(other);
      const order = newOrder();
      await visiblyChanged(store, order);
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
      const order = await visiblyChanged(store, newOrder({ nextCheckAt: 100 }));
      await changes.until(order.id);
      const base = changes.of(order.id);
      await store.updateOrder(order.id, () => null);
      await store.updateOrder(order.id, () => ({ events: [{ kind: 'sweep', source: 'sweep', data: {}, at: T0 }] }));
      await store.recordWebhookEvent(event({ orderId: order.id }), { orderId: order.id, decide: () => null }, 1);
      expect(await store.claimRetrieve(order.id, T0, 1000)).toBe(true);
      expect(await store.claimDueOrders(1000, 10, 5000)).toHaveLength(1);
      // Notifications arrive in commit order: once this sentinel's is here, any for the above would be too.
      const sentinel = await visiblyChanged(store, newOrder());
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
