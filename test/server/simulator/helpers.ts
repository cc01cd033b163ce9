// Test helpers: a fastify app with the simulator on a real port, a webhook receiver, and small HTTP shortcuts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerSimulator, type Simulator, type SimulatorOptions } from '../../../server/simulator';

export const CREDENTIALS = {
  clientId: 'test-client',
  apiKey: 'test-key',
  webhookSecret: 'whsec_test',
  wechatAppId: 'wxtest0000000000',
  wechatAppSecret: 'test-app-secret',
};

export interface Harness {
  app: FastifyInstance;
  sim: Simulator;
  /** http://127.0.0.1:PORT/simulator */
  base: string;
  /** Base URL of the simulated Airwallex API (paths continue with /api/v1/...). */
  airwallex: string;
  close(): Promise<void>;
}

export async function startSimulator(overrides: Partial<SimulatorOptions> = {}): Promise<Harness> {
  const app = Fastify({ logger: false });
  const sim = await registerSimulator(app, {
    ...CREDENTIALS,
    webhookUrl: () => undefined,
    databasePath: ':memory:',
    ...overrides,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}/simulator`;
  return {
    app,
    sim,
    base,
    airwallex: `${base}/airwallex`,
    close: async () => {
      await sim.close();
      await app.close();
    },
  };
}

export interface JsonAnswer {
  status: number;
  // Tests read arbitrary fields of the answers.
  body: any;
}

export async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export async function login(h: Harness): Promise<string> {
  const answer = await call(`${h.airwallex}/api/v1/authentication/login`, {
    method: 'POST',
    headers: { 'x-client-id': CREDENTIALS.clientId, 'x-api-key': CREDENTIALS.apiKey },
  });
  if (answer.status !== 201) throw new Error(`login failed: ${JSON.stringify(answer.body)}`);
  return answer.body.token as string;
}

/** An authenticated Airwallex call; `path` starts with /api/v1. */
export function airwallex(h: Harness, token: string, method: string, path: string, body?: unknown): Promise<JsonAnswer> {
  return call(`${h.airwallex}${path}`, { method, headers: { authorization: `Bearer ${token}` }, body });
}

let counter = 0;
export function requestId(): string {
  counter += 1;
  return `req-${Date.now()}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export function createIntent(h: Harness, token: string, fields: Record<string, unknown> = {}): Promise<JsonAnswer> {
  return airwallex(h, token, 'POST', '/api/v1/pa/payment_intents/create', {
    request_id: requestId(),
    amount: 12.5,
    currency: 'CNY',
    merchant_order_id: `ORD-${Math.random().toString(36).slice(2, 10)}`,
    ...fields,
  });
}

export function confirmIntent(h: Harness, token: string, id: string, openId = 'oTestShopper'): Promise<JsonAnswer> {
  return airwallex(h, token, 'POST', `/api/v1/pa/payment_intents/${id}/confirm`, {
    request_id: requestId(),
    payment_method: { type: 'wechatpay', wechatpay: { flow: 'mini_program', open_id: openId } },
  });
}

export function shopper(h: Harness, pkg: string, outcome: 'pay' | 'cancel' | 'fail'): Promise<JsonAnswer> {
  return call(`${h.base}/wechat/pay`, { method: 'POST', body: { package: pkg, outcome } });
}

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  event: any;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status to answer for the next deliveries; the function sees the 0-based delivery index. */
  respondWith(status: (index: number) => number): void;
  close(): Promise<void>;
}

/** A plain node:http server standing in for our payment server's webhook endpoint. */
export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  let status: (index: number) => number = () => 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const index = received.length;
      received.push({ headers: req.headers, rawBody, event: JSON.parse(rawBody) });
      res.writeHead(status(index), { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/airwallex`,
    received,
    respondWith: (fn) => {
      status = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `predicate` every 10 ms until it holds, or fails after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An intent the test shopper has paid (SUCCEEDED, captured), as retrieved afterwards. */
export async function paidIntent(h: Harness, token: string, fields: Record<string, unknown> = {}): Promise<any> {
  const created = await createIntent(h, token, fields);
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  const confirmed = await confirmIntent(h, token, created.body.id);
  const paid = await shopper(h, confirmed.body.next_action.data.package, 'pay');
  if (paid.body.errMsg !== 'requestPayment:ok') throw new Error(`pay failed: ${paid.body.errMsg}`);
  return (await airwallex(h, token, 'GET', `/api/v1/pa/payment_intents/${created.body.id}`)).body;
}

/** POST /api/v1/pa/refunds/create with a fresh request_id unless `fields` gives one. */
export function createRefund(h: Harness, token: string, fields: Record<string, unknown>): Promise<JsonAnswer> {
  return airwallex(h, token, 'POST', '/api/v1/pa/refunds/create', { request_id: requestId(), ...fields });
}

/** Polls `read` every 20 ms until `predicate` holds of its answer; fails after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (predicate(value)) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await sleep(20);
  }
}
