// A live server loads no simulator code: the server runs as a process against the standalone simulator, and lists every module it loaded.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SIMULATOR_CREDENTIALS } from '../../server/simulator/settings';
import { CART } from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const PRELOAD = path.join(__dirname, 'fixtures', 'report-loaded-modules.js');

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits for `pattern` in the process's output; returns its first group. */
async function waitFor(proc: Running, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(proc.output());
    if (match) return match[1];
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in:\n${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function post<T>(url: string, body: unknown, token?: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Starts the server with `env`, lets `use` talk to it, stops it, and returns the project files it loaded (relative paths). */
async function loadedBy(entry: string[], env: Record<string, string>, use: (url: string) => Promise<void>): Promise<string[]> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'loaded-modules-')), 'modules.json');
  const server = run(['--require', PRELOAD, ...entry], { PORT: '0', DATABASE_PATH: ':memory:', LOADED_MODULES_FILE: file, ...env });
  try {
    const url = await waitFor(server, /Listening on (http:\/\/[\d.:]+)/);
    await use(url);
  } finally {
    server.child.kill('SIGTERM');
  }
  expect(await server.exited).toBe(0);
  const loaded = JSON.parse(fs.readFileSync(file, 'utf8')) as string[];
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return loaded.filter((module) => module.startsWith(ROOT) && !module.includes(`${path.sep}node_modules${path.sep}`)).map((module) => path.relative(ROOT, module));
}

const fromSources = ['--import', 'tsx', 'server/main.ts'];

describe('which code a server loads', () => {
  let simulator: Running;
  let simulatorUrl: string;

  beforeAll(async () => {
    simulator = run(['--import', 'tsx', 'server/simulator/main.ts'], { PORT: '0', LOG_LEVEL: 'warn' });
    simulatorUrl = await waitFor(simulator, /Airwallex API\s+(http:\/\/[\d.:]+)\/simulator\/airwallex/);
  });

  afterAll(async () => {
    simulator.child.kill('SIGTERM');
    await simulator.exited;
  });

  test('a live server talking to the standalone simulator loads nothing from server/simulator/', async () => {
    const loaded = await loadedBy(
      fromSources,
      {
        APP_MODE: 'live',
        AIRWALLEX_CLIENT_ID: SIMULATOR_CREDENTIALS.clientId,
        AIRWALLEX_API_KEY: SIMULATOR_CREDENTIALS.apiKey,
        AIRWALLEX_WEBHOOK_SECRET: SIMULATOR_CREDENTIALS.webhookSecret,
        AIRWALLEX_BASE_URL: `${simulatorUrl}/simulator/airwallex`,
        WECHAT_APPID: SIMULATOR_CREDENTIALS.wechatAppId,
        WECHAT_APP_SECRET: SIMULATOR_CREDENTIALS.wechatAppSecret,
        WECHAT_BASE_URL: `${simulatorUrl}/simulator/wechat`,
      },
      async (url) => {
        // A shopper signs in and pays: WeChat's and Airwallex's clients run, against the other process.
        const { body: login } = await post<{ code: string }>(`${simulatorUrl}/simulator/wechat/login`, { shopper: 'alice' });
        const session = await post<{ token: string }>(`${url}/api/sessions`, { code: login.code });
        expect(session.status).toBe(201);
        const order = await post<{ order: { id: string } }>(`${url}/api/orders`, CART, session.body.token);
        expect(order.status).toBe(201);
        const payment = await post<{ requestPayment: { package: string } }>(`${url}/api/orders/${order.body.order.id}/payment`, {}, session.body.token);
        expect(payment.status).toBe(200);
        expect(payment.body.requestPayment.package).toMatch(/^prepay_id=/);
      },
    );
    // The list is real: the code that served the shopper is in it.
    expect(loaded).toEqual(expect.arrayContaining(['server/main.ts', 'server/airwallex/client.ts', 'server/wechat/client.ts', 'server/services/orders.ts']));
    expect(loaded.filter((module) => module.includes(`simulator${path.sep}`))).toEqual([]);
  }, 40_000);

  test('a server in simulator mode does load the simulator (the same list sees it)', async () => {
    const loaded = await loadedBy(fromSources, {}, async (url) => {
      expect((await fetch(`${url}/simulator/stats`)).status).toBe(200);
    });
    expect(loaded).toEqual(expect.arrayContaining(['server/simulator/index.ts', 'server/simulator/settings.ts']));
  }, 40_000);
});
