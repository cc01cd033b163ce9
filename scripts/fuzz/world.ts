// The fuzzer's fixture: a real server in simulator mode, two shoppers with sessions and orders, and state snapshots.
import { createHash, randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/server';
import { signWebhook } from '../../server/services/webhooks';
import { openIdFor } from '../../server/simulator';
import { HttpClient, type RawResponse } from './http';

export const SHOPPERS = { alice: 'fuzz-alice', bob: 'fuzz-bob' } as const;
export type Shopper = keyof typeof SHOPPERS;

/** The cart alice's open order was created with, under IDEMPOTENCY_KEY. */
export const SETUP_CART = [
  { sku: 'tea-oolong', quantity: 2 },
  { sku: 'postcard', quantity: 1 },
];
export const SETUP_IDEMPOTENCY_KEY = 'fuzz-setup-alice-open';

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
  };
  /** A webhook delivery the server accepted during setup, for exact replays. */
  acceptedDelivery: { timestamp: string; body: string; signature: string };
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

/** Starts the server (simulator mode, 127.0.0.1, random port, in-memory databases, no sweep) and prepares the fixture. */
export async function createWorld(): Promise<World> {
  // The abuse limits are raised: every case comes from one loopback address, and the fuzzer is about
  // what the server does with each request, not how many it takes (test/server/limits.test.ts is).
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_PATH: ':memory:',
    LOG_LEVEL: 'silent',
    APP_MODE: 'simulator',
    RATE_LIMIT_ADDRESS_PER_MINUTE: '1000000',
    RATE_LIMIT_SESSIONS_PER_MINUTE: '1000000',
    RATE_LIMIT_SHOPPER_PER_MINUTE: '1000000',
  });
  const server = await startServer(config, { logger: pino({ level: 'silent' }), sweep: false });
  const http = new HttpClient(server.url);
  try {
    const session = async (shopper: Shopper) => {
      const { code } = await call(http, 'POST', '/simulator/wechat/login', { shopper: SHOPPERS[shopper] });
      const { token } = await call(http, 'POST', '/api/sessions', { code });
      return { token: token as string, code: code as string };
    };
    const alice = await session('alice');
    const bob = await session('bob');
    const tokens = { alice: alice.token, bob: bob.token };

    const expiredToken = randomBytes(32).toString('base64url');
    const now = Date.now();
    await server.store.createSession({
      tokenHash: createHash('sha256').update(expiredToken).digest('hex'),
      openId: openIdFor(SHOPPERS.alice),
      createdAt: now - 2 * 86_400_000,
      expiresAt: now - 86_400_000,
    });

    const create = async (shopper: Shopper, items: unknown, key?: string): Promise<OrderInfo> => {
      const { order } = await call(http, 'POST', '/api/orders', { items }, tokens[shopper], key ? { 'idempotency-key': key } : {});
      return { id: order.id, paymentIntentId: order.paymentIntentId, totalAmount: order.total.amount };
    };
    const aliceOpen = await create('alice', SETUP_CART, SETUP_IDEMPOTENCY_KEY);
    const bobOpen = await create('bob', [{ sku: 'mooncake-lotus', quantity: 3 }]);
    const aliceCancelled = await create('alice', [{ sku: 'postcard', quantity: 5 }]);
    await call(http, 'POST', `/api/orders/${aliceCancelled.id}/cancel`, undefined, tokens.alice);
    const alicePaid = await create('alice', [{ sku: 'coffee-beans', quantity: 1 }]);
    const payment = await call(http, 'POST', `/api/orders/${alicePaid.id}/payment`, undefined, tokens.alice);
    await call(http, 'POST', '/simulator/wechat/pay', { package: payment.requestPayment.package, outcome: 'pay' });
    const paid = await call(http, 'GET', `/api/orders/${alicePaid.id}?waitSeconds=10&unlessStatus=awaiting_payment`, undefined, tokens.alice);
    if (paid.order.status !== 'paid') throw new Error(`fuzz setup: the paid order is ${paid.order.status}`);

    // Let the simulator deliver every webhook the setup caused, so nothing changes behind the fuzzer's back.
    for (let i = 0; i < 200 && server.simulator!.stats().webhooks.pending > 0; i++) await sleep(25);
    if (server.simulator!.stats().webhooks.pending > 0) throw new Error('fuzz setup: simulator webhooks still pending');
    const stored = await server.store.getOrder(aliceOpen.id);
    if (stored?.intentUpdatedAt == null) throw new Error('fuzz setup: the open order has no intent snapshot time');

    const body = JSON.stringify({ id: `evt_fuzz_setup_${randomBytes(6).toString('hex')}`, name: 'fuzz.setup', data: { object: {} } });
    const timestamp = String(Date.now());
    const signature = signWebhook(config.airwallex.webhookSecret, timestamp, body);
    const delivered = await http.send({
      method: 'POST',
      path: '/webhooks/airwallex',
      headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signature },
      body: Buffer.from(body),
    });
    if (delivered.status !== 200) throw new Error(`fuzz setup: webhook answered ${delivered.status} ${delivered.text}`);

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
      orders: { aliceOpen, alicePaid, aliceCancelled, bobOpen },
      acceptedDelivery: { timestamp, body, signature },
      async close() {
        http.close();
        await server.close();
      },
    };
  } catch (err) {
    http.close();
    await server.close();
    throw err;
  }
}

/**
 * Everything a refused request must not change, read in-process: every order of both shoppers and
 * of the simulator's default (DevTools) shopper, and every Payment Intent in the simulator.
 */
export async function storeSnapshot(world: World): Promise<string> {
  const lines: string[] = [];
  for (const name of [SHOPPERS.alice, SHOPPERS.bob, 'default']) {
    const orders = await world.server.store.listOrders(openIdFor(name), 1000);
    lines.push(`${name}: ${orders.length} orders`);
    for (const o of orders) {
      lines.push(`  ${o.id} ${o.status} total=${o.totalAmount} intent=${o.paymentIntentId}/${o.intentStatus}@${o.intentUpdatedAt} updated=${o.updatedAt} paid=${o.paidAt} error=${JSON.stringify(o.lastPaymentError)}`);
    }
  }
  const intents = world.server.simulator!.listIntents();
  lines.push(`simulator: ${intents.length} intents`);
  for (const i of intents) lines.push(`  ${i.id} ${i.status} ${i.amount} ${i.currency} order=${i.merchant_order_id} updated=${i.updated_at}`);
  return lines.join('\n');
}

/** The same over HTTP, as a shopper sees it: GET /api/orders for both shoppers (count, status, updatedAt). */
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
