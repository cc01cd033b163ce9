// `npm run soak`: many payments in a row, each with a long poll waiting before its webhook lands,
// to show that the server's memory stays flat (nothing it keeps grows with the number of orders) and that
// the SQLite write-ahead logs stay bounded.
//
// Usage: npm run soak -- [--payments N] [--warmup N] [--shoppers 50] [--json]
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { closeHttp, request } from './lib/http';
import { KEYS_PER_LIMIT } from '../server/limits';
import { REMEMBERED_SESSIONS } from '../server/services/sessions';
import { LOG_LIMIT_PAGES } from '../server/sqlite-checkpointer';
import { freePort, HOST, installCleanup, makeTempDir, memoryMiB, sleep, startServer, startSimulator, stopProcess, waitReady } from './lib/proc';
import { clientAddress, randomCart } from './lib/shopper';
import { fmt, Options, round } from './lib/stats';

/**
 * What the server keeps that grows with new shoppers and addresses up to a bound, then stays: memory
 * measured before they are full grows for a good reason. Each soak payment is a new shopper from a new
 * address (scripts/lib/shopper.ts clientAddress), so each adds one key per payment to each of them.
 * docs/proofs.md lists these with the rest (time-bounded maps, per-route series).
 */
const BOUNDED_CACHES = [
  { name: 'abuse limit "shopper" (requests per shopper)', keys: KEYS_PER_LIMIT, perPayment: 1 },
  { name: 'abuse limit "login" (logins per client address)', keys: KEYS_PER_LIMIT, perPayment: 1 },
  { name: 'abuse limit "address" (session requests per client address)', keys: KEYS_PER_LIMIT, perPayment: 1 },
  { name: 'sessions remembered (services/sessions.ts)', keys: REMEMBERED_SESSIONS, perPayment: 1 },
];
/**
 * Payments before growth is measured: twice the largest bound. A cache is full of keys at its bound, but
 * its Map's table keeps growing for a while: V8 doubles a hash table when its live and deleted entries
 * fill it, so one holding 10,000 keys under churn grows to 32,768 slots once 16,384 keys have gone
 * through it. Measured on 2026-12-05 (heap after a full collection, V8's large-object space: the tables):
 * 1.1 MiB at 5,000 payments, 1.7 at 15,000, 3.0 at 17,500 and 3.0 until 30,000; the old space flat from
 * 5,000 on (28.8 → 29.8 MiB).
 */
const DEFAULT_WARMUP = 2 * Math.max(...BOUNDED_CACHES.map((cache) => cache.keys / cache.perPayment));
/** Payments over which growth is measured, after the warm-up. */
const DEFAULT_MEASURED = 10_000;

const USAGE = `npm run soak -- [options]
  --payments N   payments in all (default ${DEFAULT_WARMUP + DEFAULT_MEASURED}: ${DEFAULT_WARMUP} to fill the bounded caches, then ${DEFAULT_MEASURED} measured)
  --warmup N     payments before growth is measured (default ${DEFAULT_WARMUP}: twice the largest cache bound)
  --shoppers N   concurrent virtual shoppers (default 50)
  --json         print the figures as JSON`;

/** A leak of this much per order would show as ~2 MiB over 10,000 payments: far above the noise of post-collection readings. */
const MAX_GROWTH_BYTES_PER_PAYMENT = 200;
/**
 * The most either SQLite write-ahead log (the server's, the simulator's) may reach: twice the limit past
 * which a commit checkpoints, at SQLite's 4 KiB pages (server/sqlite-checkpointer.ts; it is truncated to
 * that after a burst). Under steady load a log that never starts over grew by tens of MB a second.
 */
const MAX_LOG_MIB = (2 * LOG_LIMIT_PAGES * 4096) / 2 ** 20;
/** Heap readings (after a full collection) over the measured part, growth judged by their least-squares slope. */
const MEASURED_READINGS = 11;

interface Reading {
  payments: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** The write-ahead logs' sizes on disk. */
  serverLogMiB: number;
  simulatorLogMiB: number;
}

/**
 * The server's heap after a full garbage collection, through the inspector protocol (the server runs
 * with --inspect on a loopback port): the live data alone, not garbage waiting for the next collection.
 */
async function connectInspector(stderrTail: () => string): Promise<{ heapAfterGc(): Promise<number>; close(): void }> {
  let url: string | undefined;
  for (let i = 0; i < 200 && !url; i++) {
    url = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(stderrTail())?.[0];
    if (!url) await sleep(50);
  }
  if (!url) throw new Error(`the server's inspector did not start:\n${stderrTail()}`);
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('cannot reach the inspector')), { once: true });
  });
  let nextId = 0;
  const pending = new Map<number, (result: any) => void>();
  socket.addEventListener('message', (message) => {
    const data = JSON.parse(String(message.data)) as { id?: number; result?: unknown };
    if (data.id !== undefined) pending.get(data.id)?.(data.result);
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    async heapAfterGc() {
      await send('HeapProfiler.collectGarbage');
      const answer = await send('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true });
      return Number(answer.result.value);
    },
    close: () => socket.close(),
  };
}

/** One payment whose long poll is already waiting when the webhook arrives. */
async function payment(api: { server: string; simulator: string }, shopper: string): Promise<void> {
  const phone = clientAddress(shopper);
  const code = await request<{ code: string }>('POST', `${api.simulator}/simulator/wechat/login`, { body: { shopper } });
  const session = await request<{ token: string }>('POST', `${api.server}/api/sessions`, { body: { code: code.body.code }, headers: phone });
  if (session.status !== 201) throw new Error(`session ${session.status}`);
  const token = session.body.token;
  const created = await request<{ order: { id: string } }>('POST', `${api.server}/api/orders`, {
    body: { items: randomCart() },
    token,
    headers: { 'idempotency-key': randomUUID(), ...phone },
  });
  if (created.status !== 201) throw new Error(`order ${created.status}`);
  const id = created.body.order.id;
  const paying = await request<{ requestPayment: { package: string } }>('POST', `${api.server}/api/orders/${id}/payment`, { token, headers: phone });
  if (paying.status !== 200) throw new Error(`payment ${paying.status}`);
  const waiting = request<{ order: { status: string } }>('GET', `${api.server}/api/orders/${id}?waitSeconds=25&unlessStatus=awaiting_payment`, {
    token,
    headers: phone,
    timeoutMs: 40_000,
  });
  await sleep(10); // the long poll is in before the shopper pays, so it is waiting when the webhook lands
  const sheet = await request<{ errMsg: string }>('POST', `${api.simulator}/simulator/wechat/pay`, { body: { package: paying.body.requestPayment.package, outcome: 'pay' } });
  if (sheet.body.errMsg !== 'requestPayment:ok') throw new Error(`sheet ${sheet.body.errMsg}`);
  const answer = await waiting;
  if (answer.body.order?.status !== 'paid') throw new Error(`long poll ended ${answer.status} ${answer.body.order?.status}`);
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = new Options(process.argv.slice(2), ['payments', 'warmup', 'shoppers', 'json', 'help']);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (options.flag('help')) return console.log(USAGE);
  installCleanup();
  const warmupAsked = options.has('warmup') ? options.number('warmup', DEFAULT_WARMUP, 0, 10_000_000) : undefined;
  const total = options.number('payments', (warmupAsked ?? DEFAULT_WARMUP) + DEFAULT_MEASURED, 100, 10_000_000);
  // A run shorter than the default warm-up (a quick check) measures its second half.
  const warmup = warmupAsked ?? (total >= DEFAULT_WARMUP + 1000 ? DEFAULT_WARMUP : Math.floor(total / 2));
  if (warmup >= total) {
    console.error(`--warmup ${warmup} leaves nothing to measure out of ${total} payments\n${USAGE}`);
    process.exit(2);
  }
  const shoppers = options.number('shoppers', 50, 1, 1000);
  const json = options.flag('json');
  const log = (message: string) => !json && process.stderr.write(`${message}\n`);

  const dir = makeTempDir('wechatpay-soak-');
  const secret = 'whsec_soak_only';
  const [simPort, serverPort] = [await freePort(), await freePort()];
  const api = { server: `http://${HOST}:${serverPort}`, simulator: `http://${HOST}:${simPort}` };
  const simulator = startSimulator({ port: simPort, serverPort, secret, databasePath: path.join(dir, 'simulator.sqlite') });
  const server = startServer({ port: serverPort, simPort, secret, databasePath: path.join(dir, 'app.sqlite'), nodeArgs: ['--inspect=127.0.0.1:0'] });
  await Promise.all([waitReady(simulator, `${api.simulator}/simulator/stats`), waitReady(server, `${api.server}/healthz`)]);
  const inspector = await connectInspector(() => server.stderrTail());

  let done = 0;
  let failures = 0;
  let next = 0;
  const readings: Reading[] = [];
  const logMiB = (file: string) => round((fs.statSync(path.join(dir, `${file}-wal`), { throwIfNoEntry: false })?.size ?? 0) / 2 ** 20, 1);
  const read = async () => {
    const heap = await inspector.heapAfterGc();
    const logs = { serverLogMiB: logMiB('app.sqlite'), simulatorLogMiB: logMiB('simulator.sqlite') };
    readings.push({ payments: done, rssMiB: round(memoryMiB(server.pid).current, 1), heapUsedMiB: round(heap / 2 ** 20, 2), ...logs });
    log(`after ${done} payments: RSS ${fmt(readings.at(-1)!.rssMiB)} MiB, heap after a full collection ${fmt(readings.at(-1)!.heapUsedMiB)} MiB, logs ${fmt(logs.serverLogMiB)} / ${fmt(logs.simulatorLogMiB)} MiB`);
  };

  const steps = Array.from({ length: MEASURED_READINGS }, (_, i) => warmup + Math.round(((total - warmup) * i) / (MEASURED_READINGS - 1)));
  const early = [Math.floor(warmup / 3), Math.floor((2 * warmup) / 3)].filter((n) => n > 0 && n < warmup);
  const checkpoints = new Set([...early, ...steps]);
  log(`warm-up: ${warmup} payments (bounded caches: ${BOUNDED_CACHES.map((cache) => `${cache.name} ≤ ${cache.keys} keys`).join('; ')}), then growth measured over ${total - warmup}`);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: shoppers }, async (_, lane) => {
      while (next < total) {
        const n = next++;
        try {
          await payment(api, `soak-${lane}-${n}`);
        } catch (err) {
          failures++;
          if (failures <= 5) log(`failed: ${(err as Error).message}`);
        }
        done++;
        if (checkpoints.has(done)) await read();
      }
    }),
  );
  inspector.close();
  const seconds = (performance.now() - started) / 1000;
  await stopProcess(server, 'SIGTERM');
  await stopProcess(simulator, 'SIGTERM');
  closeHttp();

  // Judged after the warm-up only, when every bounded cache is full: the slope of the readings from there on.
  const measured = readings.filter((reading) => reading.payments >= warmup);
  const growthPerPayment = slope(measured.map((reading) => [reading.payments, reading.heapUsedMiB * 2 ** 20]));
  const largestLogMiB = Math.max(...readings.map((reading) => Math.max(reading.serverLogMiB, reading.simulatorLogMiB)));
  const logsBounded = largestLogMiB <= MAX_LOG_MIB;
  const flat = growthPerPayment <= MAX_GROWTH_BYTES_PER_PAYMENT && logsBounded && failures === 0;
  const [start, end] = [measured[0], measured.at(-1)!];
  const result = {
    payments: done,
    failures,
    warmup,
    seconds: round(seconds, 1),
    paymentsPerSecond: round(done / seconds, 1),
    readings,
    heapGrowthBytesPerPayment: round(growthPerPayment, 1),
    largestLogMiB,
    logsBounded,
    flat,
  };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(
      [
        `soak: ${done} payments (${failures} failed) in ${fmt(seconds)} s, ${shoppers} shoppers, each long poll waiting before its webhook`,
        `server memory after N payments (heap after a full collection / RSS, MiB; the write-ahead logs, server / simulator, MiB; * = after the ${warmup}-payment warm-up):`,
        ...readings.map(
          (r) =>
            `  ${r.payments >= warmup ? '*' : ' '} ${String(r.payments).padStart(7)}   ${fmt(r.heapUsedMiB, 2).padStart(7)} / ${fmt(r.rssMiB).padEnd(7)}   logs ${fmt(r.serverLogMiB)} / ${fmt(r.simulatorLogMiB)}`,
        ),
        `heap growth per payment after the warm-up (${start.payments} → ${end.payments}, least-squares slope): ${fmt(growthPerPayment, 1)} bytes (flat means ≤ ${MAX_GROWTH_BYTES_PER_PAYMENT}): ${growthPerPayment <= MAX_GROWTH_BYTES_PER_PAYMENT ? 'flat' : 'GROWING'}`,
        `largest write-ahead log: ${fmt(largestLogMiB)} MiB (bounded means ≤ ${fmt(MAX_LOG_MIB)}): ${logsBounded ? 'bounded' : 'GROWING'}`,
      ].join('\n') + '\n',
    );
  }
  process.exit(flat ? 0 : 1);
}

/** The least-squares slope of y over x (NaN for fewer than two points). */
function slope(points: Array<[number, number]>): number {
  if (points.length < 2) return NaN;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  const sxy = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const sxx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return sxy / sxx;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
