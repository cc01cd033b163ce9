// The fuzzer's fixture: a real server in simulator mode on SQLite files in a temp dir (or on a PostgreSQL database),
// shoppers with sessions and orders, a paid order with a refund, an anomaly, a console session, and watches on both databases.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/server';
import { signWebhook } from '../../server/airwallex/webhooks';
import { openIdFor } from '../../server/simulator';
import { HttpClient, type RawResponse } from './http';
import { PostgresWatch } from './postgres-watch';
import { DatabaseWatch, type Watch } from './tables';

export const SHOPPERS = { alice: 'fuzz-alice', bob: 'fuzz-bob' } as const;
export type Shopper = keyof typeof SHOPPERS;

/** The cart alice's open order was created with, under IDEMPOTENCY_KEY. */
export const SETUP_CART = [
  { sku: 'tea-oolong', quantity: 2 },
  { sku: 'postcard', quantity: 1 },
];
export const SETUP_IDEMPOTENCY_KEY = 'fuzz-setup-alice-open';
/** The merchant's first refund of carol's paid order: its Idempotency-Key and body. */
export const SETUP_REFUND = { key: 'fuzz-setup-refund', amount: 100, reason: 'fuzz setup' } as const;
/** Carol's shopper name: she only has the order the merchant refunds (the admin API's and the console's cases use it). */
export const CAROL = 'fuzz-carol';

export interface OrderInfo {
  id: string;
  paymentIntentId: string;
  totalAmount: number;
}

export interface World {
  server: RunningServer;
  http: HttpClient;
  url: string;
  webhookSecret: string;
  webhookToleranceMs: number;
  currency: string;
  tokens: Record<Shopper, string>;
  /** A token whose session ended yesterday (inserted into the store directly). */
  expiredToken: string;
  /** A wx.login code already traded for alice's session. */
  usedCode: string;
  orders: {
    aliceOpen: OrderInfo;
    alicePaid: OrderInfo;
    aliceCancelled: OrderInfo;
    bobOpen: OrderInfo;
    /** Carol's order of 99 bags of coffee, paid, refunded in part by SETUP_REFUND. */
    carolPaid: OrderInfo;
  };
  /** A webhook delivery the server accepted during setup, for exact replays. */
  acceptedDelivery: { timestamp: string; body: string; signature: string };
  /** ADMIN_TOKEN of this run. */
  adminToken: string;
  /** A signed-in console session: the cookie header value and its CSRF token. */
  console: { cookie: string; csrf: string };
  /** The id of SETUP_REFUND. */
  setupRefundId: string;
  /** Anomalies open after setup (an event for an order of ours the server does not have). */
  anomalyIds: number[];
  /** Watches on the server's and the simulator's databases. */
  watches: Watch[];
  /** The temp dir of both databases (removed by close()). */
  dir: string;
  close(): Promise<void>;
}

const json = (response: RawResponse): any => {
  try {
    return JSON.parse(response.text);
  } catch {
    return undefined;
  }
};

async function call(http: HttpClient, method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}): Promise<any> {
  const response = await http.send({
    method,
    path,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
  });
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`fuzz setup: ${method} ${path} answered ${response.status} ${response.text.slice(0, 300)}`);
  }
  return json(response);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the server (simulator mode, 127.0.0.1, random port, SQLite files in a temp dir, or the empty PostgreSQL
 * database at `databaseUrl`; no sweep) and prepares the fixture.
 */
export async function createWorld(options: { databaseUrl?: string } = {}): Promise<World> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechatpay-fuzz-'));
  const adminToken = `fuzz-admin-${randomBytes(16).toString('hex')}`;
  // The abuse limits are raised: every case comes from one loopback address, and the fuzzer is about
  // what the server does with each request, not how many it takes (test/server/limits.test.ts is).
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_PATH: path.join(dir, 'app.sqlite'),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    LOG_LEVEL: 'silent',
    APP_MODE: 'simulator',
    ADMIN_TOKEN: adminToken,
    RATE_LIMIT_ADDRESS_PER_MINUTE: '1000000',
    RATE_LIMIT_SESSIONS_PER_MINUTE: '1000000',
    RATE_LIMIT_SHOPPER_PER_MINUTE: '1000000',
    RATE_LIMIT_ADMIN_SIGN_INS_PER_MINUTE: '1000000',
    RATE_LIMIT_CLIENT_ERRORS_PER_MINUTE: '1000000',
    // Refunds leave RECEIVED within milliseconds, so a refund case's own webhooks land while it is still in flight.
    SIMULATOR_REFUND_ACCEPT_DELAY_MS: '5',
    SIMULATOR_REFUND_SETTLE_DELAY_MS: '5',
  });
  let server: RunningServer;
  try {
    // A long poll asks Airwallex only after 5 s, longer than any case waits (waitSeconds 0 or 1): what a case
    // writes it writes before its answer (?refresh=true asks at once), never behind the next case's back.
    server = await startServer(config, { logger: pino({ level: 'silent' }), sweep: false, retrieveIntervalMs: 5_000 });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const http = new HttpClient(server.url);
  const watches: Watch[] = [];
  const cleanUp = async () => {
    for (const watch of watches) await watch.close();
    http.close();
    // The store's close waits for its checkpoint worker on unref'd handles: without a handle of ours the process
    // could end in the middle, with close() never resolving and the report never printed.
    const keepAlive = setInterval(() => undefined, 1_000);
    try {
      await server.close();
    } finally {
      clearInterval(keepAlive);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const session = async (shopper: string) => {
      const { code } = await call(http, 'POST', '/simulator/wechat/login', { shopper });
      const { token } = await call(http, 'POST', '/api/sessions', { code });
      return { token: token as string, code: code as string };
    };
    const alice = await session(SHOPPERS.alice);
    const bob = await session(SHOPPERS.bob);
    const carol = await session(CAROL);
    const tokens = { alice: alice.token, bob: bob.token };

    const expiredToken = randomBytes(32).toString('base64url');
    const now = Date.now();
    await server.store.createSession({
      tokenHash: createHash('sha256').update(expiredToken).digest('hex'),
      openId: openIdFor(SHOPPERS.alice),
      createdAt: now - 2 * 86_400_000,
      expiresAt: now - 86_400_000,
    });

    const create = async (token: string, items: unknown, key?: string): Promise<OrderInfo> => {
      const { order } = await call(http, 'POST', '/api/orders', { items }, token, key ? { 'idempotency-key': key } : {});
      return { id: order.id, paymentIntentId: order.paymentIntentId, totalAmount: order.total.amount };
    };
    const pay = async (token: string, order: OrderInfo) => {
      const payment = await call(http, 'POST', `/api/orders/${order.id}/payment`, undefined, token);
      await call(http, 'POST', '/simulator/wechat/pay', { package: payment.requestPayment.package, outcome: 'pay' });
      const paid = await call(http, 'GET', `/api/orders/${order.id}?waitSeconds=10&unlessStatus=awaiting_payment`, undefined, token);
      if (paid.order.status !== 'paid') throw new Error(`fuzz setup: the paid order is ${paid.order.status}`);
    };
    const aliceOpen = await create(alice.token, SETUP_CART, SETUP_IDEMPOTENCY_KEY);
    const bobOpen = await create(bob.token, [{ sku: 'mooncake-lotus', quantity: 3 }]);
    const aliceCancelled = await create(alice.token, [{ sku: 'postcard', quantity: 5 }]);
    await call(http, 'POST', `/api/orders/${aliceCancelled.id}/cancel`, undefined, alice.token);
    const alicePaid = await create(alice.token, [{ sku: 'coffee-beans', quantity: 1 }]);
    await pay(alice.token, alicePaid);
    const carolPaid = await create(carol.token, [{ sku: 'coffee-beans', quantity: 99 }]);
    await pay(carol.token, carolPaid);

    // The merchant's side: a refund of carol's order, and a signed-in console session.
    const admin = { authorization: `Bearer ${adminToken}` };
    const refunded = await call(http, 'POST', `/admin/api/orders/${carolPaid.id}/refunds`, { amount: SETUP_REFUND.amount, reason: SETUP_REFUND.reason }, undefined, { ...admin, 'idempotency-key': SETUP_REFUND.key });
    const signIn = await http.send({
      method: 'POST',
      path: '/admin/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: Buffer.from(new URLSearchParams({ token: adminToken, next: '/admin/orders' }).toString()),
    });
    const cookie = String(signIn.headers['set-cookie'] ?? '').split(';')[0];
    if (signIn.status !== 303 || !cookie.startsWith('console_session=')) throw new Error(`fuzz setup: console sign-in answered ${signIn.status} ${signIn.text.slice(0, 200)}`);
    const page = await http.send({ method: 'GET', path: '/admin/orders', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (page.status !== 200 || !csrf) throw new Error(`fuzz setup: the console's orders page answered ${page.status} without a CSRF token`);

    // Let the simulator deliver every webhook the setup caused and finish the refund, so nothing changes behind the fuzzer's back.
    const quiet = () => {
      const stats = server.simulator!.stats();
      return stats.webhooks.pending === 0 && !stats.refunds.byStatus.RECEIVED && !stats.refunds.byStatus.ACCEPTED;
    };
    for (let i = 0; i < 400 && !quiet(); i++) await sleep(25);
    if (!quiet()) throw new Error('fuzz setup: simulator webhooks or refunds still pending');
    const stored = await server.store.getOrder(aliceOpen.id);
    if (stored?.intentUpdatedAt == null) throw new Error('fuzz setup: the open order has no intent snapshot time');

    const deliver = async (event: unknown) => {
      const body = JSON.stringify(event);
      const timestamp = String(Date.now());
      const signature = signWebhook(config.airwallex.webhookSecret, timestamp, body);
      const delivered = await http.send({
        method: 'POST',
        path: '/webhooks/airwallex',
        headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signature },
        body: Buffer.from(body),
      });
      if (delivered.status !== 200) throw new Error(`fuzz setup: webhook answered ${delivered.status} ${delivered.text}`);
      return { timestamp, body, signature };
    };
    // Money moved for an order of ours the server does not have: an anomaly for the admin API to list and resolve.
    await deliver({
      id: `evt_fuzz_setup_anomaly_${randomBytes(6).toString('hex')}`,
      name: 'payment_intent.succeeded',
      data: { object: { id: 'int_fuzz_setup_lost', merchant_order_id: 'ord_fuzzSetupLost000', status: 'SUCCEEDED', amount: 1, currency: config.currency, updated_at: new Date().toISOString() } },
    });
    const acceptedDelivery = await deliver({ id: `evt_fuzz_setup_${randomBytes(6).toString('hex')}`, name: 'fuzz.setup', data: { object: {} } });
    const anomalyIds = (await server.store.listAnomalies({ openOnly: true, limit: 100, offset: 0 })).map((anomaly) => anomaly.id);
    if (anomalyIds.length === 0) throw new Error('fuzz setup: no anomaly was recorded');

    watches.push(
      config.databaseUrl ? await PostgresWatch.open('server', config.databaseUrl) : new DatabaseWatch('server', config.databasePath),
      new DatabaseWatch('simulator', config.simulator!.databasePath),
    );
    return {
      server,
      http,
      url: server.url,
      webhookSecret: config.airwallex.webhookSecret,
      webhookToleranceMs: config.airwallex.webhookToleranceSeconds * 1000,
      currency: config.currency,
      tokens,
      expiredToken,
      usedCode: alice.code,
      orders: { aliceOpen, alicePaid, aliceCancelled, bobOpen, carolPaid },
      acceptedDelivery,
      adminToken,
      console: { cookie, csrf },
      setupRefundId: refunded.refund.id,
      anomalyIds,
      watches,
      dir,
      close: cleanUp,
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/** What a shopper sees over HTTP: GET /api/orders for alice and bob (count, status, updatedAt). */
export async function httpSnapshot(world: World): Promise<string> {
  const lines: string[] = [];
  for (const shopper of ['alice', 'bob'] as const) {
    const { orders } = await call(world.http, 'GET', '/api/orders', undefined, world.tokens[shopper]);
    lines.push(`${shopper}: ${orders.length} orders`);
    for (const o of orders) lines.push(`  ${o.id} ${o.status} updated=${o.updatedAt} paid=${o.paidAt} error=${JSON.stringify(o.lastPaymentError)}`);
  }
  return lines.join('\n');
}

/** A short line-by-line difference of two snapshots. */
export function diffSnapshots(before: string, after: string): string {
  const a = new Set(before.split('\n'));
  const b = new Set(after.split('\n'));
  const gone = [...a].filter((line) => !b.has(line)).map((line) => `- ${line.trim()}`);
  const added = [...b].filter((line) => !a.has(line)).map((line) => `+ ${line.trim()}`);
  return [...gone, ...added].join('\n');
}
