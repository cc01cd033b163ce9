// What the store contract's suites share: the target they run on, the subject of a test, and records to store.
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

/** What each concern's suite is given: the test's store (open before each test, closed after), and helpers. */
export interface ContractSubject {
  /** The store of the running test, on an empty database. */
  readonly store: Store;
  /** Another store on the same database: another process (another instance); closed after the test. */
  peer(): Promise<Store>;
  /** An order inserted, then changed by `update`; its id. */
  put(overrides?: Partial<NewOrder>, update?: OrderUpdate): Promise<string>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;
export const T0 = 1_760_000_000_000;

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
    paymentAttemptId: null,
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

export function anomaly(overrides: Partial<NewAnomaly> = {}): NewAnomaly {
  return { kind: 'paid_after_final', key: id('paid_after_final'), orderId: null, intentId: 'int_1', detail: { source: 'webhook', n: 1 }, at: T0 + 5000, ...overrides };
}

export function event(overrides: Partial<WebhookEventRecord> = {}): WebhookEventRecord {
  return { id: id('evt'), name: 'payment_intent.succeeded', orderId: null, payload: '{"id":"x", "raw" : true}', receivedAt: T0 + 500, ...overrides };
}

export const patch = (p: OrderUpdate['patch']): OrderUpdate => ({ patch: p });

/** Stores `order` and changes its status: a change every subscriber hears of (an insert alone may not be announced). */
export async function visiblyChanged(store: Store, order: NewOrder): Promise<NewOrder> {
  await store.insertOrder(order);
  await store.updateOrder(order.id, () => patch({ status: 'processing' }));
  return order;
}

/** Collects a store's change notifications; `until` waits for a given one (they may arrive asynchronously). */
export function recorder(store: Store) {
  const changes: OrderChange[] = [];
  const unsubscribe = store.subscribe((change) => changes.push(change));
  const of = (orderId: string) => changes.filter((c) => c.kind === 'order' && c.orderId === orderId).length;
  const until = (orderId: string, count = 1) => waitFor(() => of(orderId) >= count);
  return { changes, of, until, unsubscribe };
}

export async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
