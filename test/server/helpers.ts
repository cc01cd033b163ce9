// Test harness: a real server (simulator mode, port 0, throwaway database) and a small HTTP client for it.
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig, type Config } from '../../server/config';
import { loggerOptions } from '../../server/logger';
import { startServer, type RunningServer, type StartOptions } from '../../server/server';
import { createDatabase, databaseUrl, dropDatabase, newDatabaseName, serversOnPostgres } from './postgres-helpers';

export interface TestServer extends RunningServer {
  /** Every log line the server wrote, as JSON text. */
  logs: string[];
  request: <T = any>(method: string, path: string, options?: RequestOptions) => Promise<TestResponse<T>>;
  /** A fresh wx.login code for a test shopper, minted by the simulator. */
  loginCode: (shopper?: string) => Promise<string>;
  /** A session token for a test shopper. */
  sessionFor: (shopper?: string) => Promise<string>;
  /** What the shopper does in the simulated WeChat Pay sheet. */
  pay: (pkg: string, outcome?: 'pay' | 'cancel' | 'fail') => Promise<string>;
  /** The shopper's order for CART, paid in the simulated pay sheet, once the server says `paid` (the webhook has landed). */
  paidOrder: (token: string) => Promise<{ id: string; paymentIntentId: string }>;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface TestResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A configuration for a test server: SQLite in memory (or the file `DATABASE_PATH` names), or, with
 * TEST_DATABASE=postgres, a fresh PostgreSQL database of its own (created by startTestServer, kept
 * across restarts with the same config, dropped after the test file).
 */
export function testConfig(env: Record<string, string> = {}, overrides: Partial<Config> = {}): Config {
  const database = serversOnPostgres ? { DATABASE_URL: databaseUrl(newDatabaseName()) } : {};
  const config = loadConfig({ PORT: '0', DATABASE_PATH: ':memory:', LOG_LEVEL: 'debug', ...database, ...env });
  return { ...config, ...overrides };
}

const testDatabases = new Set<string>();
if (serversOnPostgres) {
  afterAll(async () => {
    for (const name of testDatabases) await dropDatabase(name);
    testDatabases.clear();
  });
}

/** Creates the test server's PostgreSQL database the first time its config is used. */
async function ensureDatabase(config: Config): Promise<void> {
  if (!config.databaseUrl) return;
  const name = new URL(config.databaseUrl).pathname.slice(1);
  if (!/^wxtest_/.test(name) || testDatabases.has(name)) return;
  await createDatabase(name);
  testDatabases.add(name);
}

/** Starts a server in simulator mode on a free port; close it in afterEach/afterAll. */
export async function startTestServer(config: Config = testConfig(), options: StartOptions = {}): Promise<TestServer> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino(loggerOptions(config.logLevel), sink);
  await ensureDatabase(config);
  const server = await startServer(config, {
    logger,
    sweep: false,
    reconcile: false,
    shutdownGraceMs: 500,
    airwallex: { timeoutMs: 2_000, backoffBaseMs: 5, retryBudgetMs: 3_000, ...options.airwallex },
    ...options,
  });
  const request = async <T>(method: string, path: string, opts: RequestOptions = {}): Promise<TestResponse<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(server.url + path, { method, headers, body });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
  };
  const loginCode = async (shopper = 'alice') => {
    const response = await request<{ code: string }>('POST', '/simulator/wechat/login', { body: { shopper } });
    if (response.status !== 200) throw new Error(`simulator login failed: ${response.status}`);
    return response.body.code;
  };
  const sessionFor = async (shopper = 'alice') => {
    const response = await request<{ token: string }>('POST', '/api/sessions', { body: { code: await loginCode(shopper) } });
    if (response.status !== 201) throw new Error(`session failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.token;
  };
  const pay = async (pkg: string, outcome: 'pay' | 'cancel' | 'fail' = 'pay') => {
    const response = await request<{ errMsg: string }>('POST', '/simulator/wechat/pay', { body: { package: pkg, outcome } });
    return response.body.errMsg;
  };
  const paidOrder = async (token: string) => {
    const order = (await request<any>('POST', '/api/orders', { token, body: CART })).body.order;
    const payment = await request<any>('POST', `/api/orders/${order.id}/payment`, { token });
    expect(await pay(payment.body.requestPayment.package)).toBe('requestPayment:ok');
    const read = await request<any>('GET', `/api/orders/${order.id}?waitSeconds=5&unlessStatus=awaiting_payment`, { token });
    expect(read.body.order.status).toBe('paid');
    return read.body.order;
  };
  return Object.assign(server, { logs, request, loginCode, sessionFor, pay, paidOrder });
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A clock the test moves by hand; the server's services and the simulator read it (timers stay real). */
export interface ManualClock {
  now: () => number;
  advance: (ms: number) => void;
}

export function manualClock(start = Date.now()): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export const CART = { items: [{ sku: 'tea-oolong', quantity: 2 }, { sku: 'postcard', quantity: 1 }] };
/** 2 × ¥12.50 + ¥1.99 */
export const CART_TOTAL = 2699;
