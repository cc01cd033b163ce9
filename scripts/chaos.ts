// `npm run chaos`: payments and refunds under injected Airwallex/WeChat/webhook faults and server SIGKILLs, then every order and refund checked against the simulator's ground truth,
// and every order event against what the merchant's receiver (answering 500 half of the time) took.
//
// Usage: npm run chaos -- [--payments 1000] [--shoppers 40] [--kills 3] [--instances 1] [--refunds 0.3] [--events-fail 0.5] [--settle-seconds 420] [--json]
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { OPEN_STATUSES } from '../server/contract';
import type { PaymentIntent, Refund, SimulatorStats } from '../server/simulator/types';
import { databaseQuery, readTables, scanServerLogs } from './lib/chaos-database';
import { gradeEvents, type OutboxRow } from './lib/chaos-events';
import { startEventsReceiver } from './lib/events-receiver';
import { gradeChaos } from './lib/chaos-grade';
import { daysSince, reconcileChaos } from './lib/chaos-reconcile';
import { chaosReport } from './lib/chaos-report';
import { closeHttp, request } from './lib/http';
import {
  freePort,
  HOST,
  installCleanup,
  makeTempDir,
  sleep,
  startServer,
  startSimulator,
  stopProcess,
  waitReady,
  type NodeProcess,
} from './lib/proc';
import { merchantRefunds, recheckWebAppRefunds } from './lib/merchant';
import { providePostgres, type TestPostgres } from './lib/postgres';
import { chaosPayment, newLedger, pickBehaviour, type ChaosLedger } from './lib/chaos-shopper';
import type { Endpoints } from './lib/shopper';
import { Options, simulatorStats } from './lib/stats';

const USAGE = `npm run chaos -- [options]
  --payments N        payments to attempt (default 1000)
  --shoppers N        concurrent shoppers (default 40)
  --kills N           SIGKILL + restart of a server instance, spread over the run (default 3, at least 2 recommended)
  --instances N       server instances on one PostgreSQL database (default 1: SQLite). With 2 or more:
                      shoppers' requests go to any instance, webhooks to the first, kills alternate
                      between instances, and PostgreSQL is restarted once mid-run. PostgreSQL is the
                      server at DATABASE_URL (a fresh database on it) or a throwaway cluster
  --postgres          PostgreSQL also with one instance
  --settle-seconds S  after the shoppers, at most how long to wait for the sweep to close every order (default 420:
                      a pay sheet left open keeps its order for 5 minutes)
  --refunds R         share of paid orders the merchant then refunds through the admin API (default 0.3)
  --events-fail R     share of order event deliveries the merchant's receiver answers 500 (default 0.5; one event at
                      most 8 times in a row); a tenth of its answers also come late (0.2–1.5 s), so kills find
                      deliveries in flight
  --error-5xx R --error-429 R --timeout R --drop R --duplicate R --reorder R --wechat-busy R --refund-fail R   fault rates
  --json              print the figures as one JSON object`;

async function main(): Promise<void> {
  let options: Options;
  try {
    options = new Options(process.argv.slice(2), [
      'payments', 'shoppers', 'kills', 'instances', 'postgres', 'settle-seconds', 'json', 'help',
      'error-5xx', 'error-429', 'timeout', 'drop', 'duplicate', 'reorder', 'wechat-busy', 'refunds', 'refund-fail', 'events-fail',
    ]);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (options.flag('help')) {
    console.log(USAGE);
    return;
  }
  installCleanup();
  const json = options.flag('json');
  const log = (message: string) => {
    if (!json) process.stderr.write(`${message}\n`);
  };
  const payments = options.number('payments', 1000, 1, 100_000);
  const shoppers = options.number('shoppers', 40, 1, 1000);
  const kills = options.number('kills', 3, 0, 20);
  const instanceCount = options.number('instances', 1, 1, 8);
  const onPostgres = instanceCount > 1 || options.flag('postgres');
  const settleSeconds = options.number('settle-seconds', 420, 0, 3600);
  const faults: Record<string, string> = {
    SIMULATOR_ERROR_RATE_5XX: String(options.number('error-5xx', 0.1, 0, 1)),
    SIMULATOR_ERROR_RATE_429: String(options.number('error-429', 0.05, 0, 1)),
    SIMULATOR_TIMEOUT_RATE: String(options.number('timeout', 0.05, 0, 1)),
    SIMULATOR_TIMEOUT_HOLD_MS: '1500',
    SIMULATOR_WEBHOOK_DROP_RATE: String(options.number('drop', 0.2, 0, 1)),
    SIMULATOR_WEBHOOK_DUPLICATE_RATE: String(options.number('duplicate', 0.2, 0, 1)),
    SIMULATOR_WEBHOOK_REORDER_RATE: String(options.number('reorder', 0.1, 0, 1)),
    SIMULATOR_WECHAT_BUSY_RATE: String(options.number('wechat-busy', 0.05, 0, 1)),
    SIMULATOR_REFUND_FAIL_RATE: String(options.number('refund-fail', 0.1, 0, 1)),
  };
  const refundShare = options.number('refunds', 0.3, 0, 1);
  const eventsFail = options.number('events-fail', 0.5, 0, 0.9);
  // A throwaway admin token for this run's merchant (refunds, the operator's re-checks).
  const adminToken = randomBytes(24).toString('hex');
  const serverEnv = {
    AIRWALLEX_TIMEOUT_MS: '1000', SWEEP_INTERVAL_SECONDS: '1', ORDER_LIFETIME_SECONDS: '60', ADMIN_TOKEN: adminToken,
    // The run's reconciliation is chaos's own (at the end, every day): no grace for a missing transaction, no schedule.
    RECONCILE_GRACE_BUSINESS_DAYS: '0', RECONCILE_AT: 'off',
  };

  const dir = makeTempDir('wechatpay-chaos-');
  const secret = 'whsec_chaos_only';
  const databasePath = path.join(dir, 'app.sqlite');
  const postgres: TestPostgres | undefined = onPostgres ? await providePostgres(log) : undefined;
  const query = databaseQuery(postgres, databasePath);
  // The merchant's system: takes order events, refusing (500) a share of them, some answers late. It refuses one event at
  // most MAX_REFUSALS times in a row: the server's backoff doubles for 72 h, so a longer run of bad luck (one event in a
  // few thousand at 50%) would be a retry due after the run, not a lost event.
  const MAX_REFUSALS = 8;
  const refusals = new Map<string, number>();
  const eventsSecret = randomBytes(24).toString('hex');
  const receiver = await startEventsReceiver({
    secret: eventsSecret,
    host: HOST,
    answer: async (delivery) => {
      if (Math.random() < 0.1) await sleep(200 + Math.random() * 1300);
      const refused = refusals.get(delivery.id) ?? 0;
      if (refused >= MAX_REFUSALS || Math.random() >= eventsFail) return 200;
      refusals.set(delivery.id, refused + 1);
      return 500;
    },
  });
  // Retries from 20 ms (doubling): a run of failures in a row still ends within the settling time.
  const eventsEnv = { EVENTS_URL: receiver.url, EVENTS_SECRET: eventsSecret, EVENTS_FIRST_RETRY_MS: '20' };
  const simPort = await freePort();
  const serverPorts: number[] = [];
  for (let i = 0; i < instanceCount; i++) serverPorts.push(await freePort());
  const serverUrls = serverPorts.map((port) => `http://${HOST}:${port}`);
  const serverLogs = serverPorts.map((_, i) => path.join(dir, `server-${i}.log`));
  // A load balancer without stickiness: every request of every shopper goes to any instance.
  const api: Endpoints = {
    get server() {
      return serverUrls[Math.floor(Math.random() * serverUrls.length)];
    },
    simulator: `http://${HOST}:${simPort}`,
  };
  // Airwallex's webhook endpoint is one address: the first instance.
  const simulator = startSimulator({ port: simPort, serverPort: serverPorts[0], secret, databasePath: path.join(dir, 'simulator.sqlite'), faults });
  const env = { ...serverEnv, ...eventsEnv, ...(postgres ? { DATABASE_URL: postgres.url } : {}) };
  const launchServer = (i: number) =>
    startServer({ port: serverPorts[i], simPort, secret, databasePath, logLevel: 'info', env, stdoutFile: serverLogs[i] });
  const servers: NodeProcess[] = serverPorts.map((_, i) => launchServer(i));
  // A server that exits on its own (not killed by us) has crashed: a failure, recorded and restarted.
  const crashes: Array<{ instance: number; atPayment: number; stderr: string }> = [];
  const killing = new Set<number>();
  let stopping = false;
  const watchServer = (i: number) => {
    const proc = servers[i];
    void proc.exited.then(async () => {
      if (killing.has(i) || stopping || servers[i] !== proc) return;
      crashes.push({ instance: i, atPayment: done, stderr: proc.stderrTail().slice(-2000) });
      log(`  server ${i} CRASHED at payment ${done}:\n${proc.stderrTail().slice(-600)}`);
      servers[i] = launchServer(i);
      watchServer(i);
    });
  };
  await Promise.all([waitReady(simulator, `${api.simulator}/simulator/stats`), ...servers.map((server, i) => waitReady(server, `${serverUrls[i]}/readyz`))]);
  servers.forEach((_, i) => watchServer(i));
  log(`simulator on ${api.simulator}, server${instanceCount > 1 ? 's' : ''} on ${serverUrls.join(', ')} (${postgres ? postgres.description : 'SQLite'}); temp ${dir}`);
  log(`faults: ${Object.entries(faults).map(([k, v]) => `${k.replace('SIMULATOR_', '')}=${v}`).join(' ')}; server ${JSON.stringify(serverEnv)}`);

  // --- the run: shoppers, and a killer that SIGKILLs and restarts the server as progress passes marks ---
  const ledger: ChaosLedger = newLedger();
  let claimed = 0;
  let done = 0;
  const started = Date.now();
  const runDeadline = started + 15 * 60_000; // hard bound on the shopping part
  const killMarks = Array.from({ length: kills }, (_, i) => Math.round(((i + 1) * payments) / (kills + 1)));
  const restarts: Array<{ atPayment: number; instance: number; downMs: number }> = [];
  let databaseRestart: { atPayment: number; how: string } | undefined;
  let shoppingOver = false;

  const killer = (async () => {
    for (const [k, mark] of killMarks.entries()) {
      while (done < mark && !shoppingOver) await sleep(50);
      if (shoppingOver) break;
      const instance = k % instanceCount;
      const down = Date.now();
      killing.add(instance);
      const victim = servers[instance];
      if (victim.child.exitCode === null && victim.child.signalCode === null) process.kill(victim.pid, 'SIGKILL');
      await victim.exited;
      await sleep(100 + Math.random() * 400);
      servers[instance] = launchServer(instance);
      killing.delete(instance);
      watchServer(instance);
      await waitReady(servers[instance], `${serverUrls[instance]}/readyz`, 60_000);
      restarts.push({ atPayment: done, instance, downMs: Date.now() - down });
      log(`  server ${instance} SIGKILLed at payment ${mark}, back after ${Date.now() - down} ms`);
    }
  })();
  // With PostgreSQL and several instances: one restart of the database, half-way, between the kills.
  const databaseRestarter = (async () => {
    if (!postgres || instanceCount < 2) return;
    const mark = Math.round(payments / 2) + Math.round(payments / (2 * (kills + 1)));
    while (done < mark && !shoppingOver) await sleep(50);
    if (shoppingOver) return;
    const how = await postgres.restart();
    databaseRestart = { atPayment: done, how };
    log(`  PostgreSQL restarted at payment ${mark}: ${how}`);
  })();

  await Promise.all(
    Array.from({ length: shoppers }, async (_, i) => {
      while (claimed < payments && Date.now() < runDeadline) {
        claimed++;
        const order = await chaosPayment(api, `chaos-${i}`, pickBehaviour(), ledger);
        // The merchant refunds some paid orders at once, under the same faults and kills.
        if (order?.status === 'paid' && Math.random() < refundShare) await merchantRefunds(api, adminToken, order, ledger);
        done++;
        if (done % 100 === 0) log(`  ${done}/${payments} payments (${Math.round((Date.now() - started) / 1000)} s)`);
      }
    }),
  );
  shoppingOver = true;
  await killer;
  await databaseRestarter;
  const shoppingSeconds = (Date.now() - started) / 1000;

  // --- settle: the sweep closes what is left (expiry after ORDER_LIFETIME_SECONDS), webhooks drain ---
  log(`shoppers done in ${shoppingSeconds.toFixed(0)} s; waiting for open orders to close and webhooks to drain (≤ ${settleSeconds} s)...`);
  const settleDeadline = Date.now() + settleSeconds * 1000;
  let open = Infinity;
  let pending = Infinity;
  while (Date.now() < settleDeadline) {
    open = Number((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM orders WHERE status IN (${OPEN_STATUSES.map((status) => `'${status}'`).join(', ')})`))[0].n);
    pending = (await simulatorStats(api.simulator)).webhooks.pending;
    if (open === 0 && pending === 0) break;
    await sleep(1000);
  }
  const settleSecondsUsed = Math.round(settleSeconds - (settleDeadline - Date.now()) / 1000);

  // --- refunds (scripts/lib/merchant.ts): the operator re-checks the orders refunded in Airwallex's web app, then every refund must end ---
  const webAppByOrder = new Map<string, string[]>();
  for (const [refundId, orderId] of ledger.externalRefunds) webAppByOrder.set(orderId, [...(webAppByOrder.get(orderId) ?? []), refundId]);
  const webAppRechecks = { orders: webAppByOrder.size, missedByWebhooks: 0, stillMissing: 0 };
  for (const [orderId, refundIds] of webAppByOrder) {
    const { found, missedBefore } = await recheckWebAppRefunds(api, adminToken, orderId, refundIds);
    if (missedBefore) webAppRechecks.missedByWebhooks++;
    if (!found) webAppRechecks.stillMissing++;
  }
  const refundsDeadline = Math.max(settleDeadline, Date.now() + 60_000);
  let refundsOpen = { ours: Infinity, airwallex: Infinity };
  while (Date.now() < refundsDeadline) {
    refundsOpen.ours = Number((await query<{ n: number }>("SELECT COUNT(*) AS n FROM refunds WHERE status = 'pending'"))[0].n);
    const now = await simulatorStats(api.simulator);
    refundsOpen = { ours: refundsOpen.ours, airwallex: now.refunds.byStatus.RECEIVED ?? 0 };
    if (refundsOpen.ours === 0 && refundsOpen.airwallex === 0 && now.webhooks.pending === 0) break;
    await sleep(1000);
  }

  // --- order events: every one written must reach the receiver (retried through its 500s and the kills) ---
  const eventsDeadline = Math.max(refundsDeadline, Date.now() + 120_000);
  let eventsPending = Infinity;
  while (Date.now() < eventsDeadline) {
    eventsPending = Number((await query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'"))[0].n);
    if (eventsPending === 0) break;
    await sleep(1000);
  }
  if (eventsPending > 0) log(`  ${eventsPending} order events still pending when the wait for them ended`);
  // --- reconciliation (scripts/lib/chaos-reconcile.ts): every day of the run against Airwallex's books, nothing flagged ---
  const reconciliation = await reconcileChaos(api, adminToken, daysSince(started));
  log(`reconciled ${reconciliation.days.map((d) => `${d.day}: ${d.transactions} transactions, ${d.flagged} flagged, ${d.waiting} waiting`).join('; ')}`);

  const stats: SimulatorStats = await simulatorStats(api.simulator);
  const intentsAnswer = await request<{ items: PaymentIntent[] }>('GET', `${api.simulator}/simulator/airwallex/_intents`, { timeoutMs: 30_000 });
  if (intentsAnswer.status !== 200) throw new Error(`_intents answered ${intentsAnswer.status}`);
  const refundsAnswer = await request<{ items: Refund[] }>('GET', `${api.simulator}/simulator/airwallex/_refunds`, { timeoutMs: 30_000 });
  if (refundsAnswer.status !== 200) throw new Error(`_refunds answered ${refundsAnswer.status}`);
  const intents = intentsAnswer.body.items;
  stopping = true;
  await Promise.all(servers.map((server) => stopProcess(server, 'SIGTERM')));
  await stopProcess(simulator, 'SIGTERM');
  await receiver.close();
  closeHttp();

  // --- grading (scripts/lib/chaos-grade.ts): the database against Airwallex's truth and against what shoppers and the merchant were told ---
  const tables = await readTables(query);
  const outbox = await query<OutboxRow>('SELECT seq, id, order_id, type, body, state, attempts FROM outbox');
  await postgres?.stop();
  const events = gradeEvents(outbox, receiver.deliveries, { orders: tables.orders, refunds: tables.refunds });
  const grade = gradeChaos(tables, { intents, refunds: refundsAnswer.body.items }, {
    created: ledger.created,
    paidByShopper: ledger.paidByShopper,
    toldFinal: ledger.toldFinal,
    refundRequests: ledger.refundRequests,
    externalRefunds: new Set(ledger.externalRefunds.keys()),
  });
  // The log is read for context only (errors logged, duplicates ignored); every check above reads the database.
  const { duplicatesIgnoredLogged, internalErrorsLogged } = scanServerLogs(serverLogs);

  const { ok, text } = chaosReport({
    payments, shoppers, kills, instanceCount, postgres: postgres?.description, refundShare, faults, serverEnv, json,
    shoppingSeconds, settleSecondsUsed, restarts, databaseRestart, crashes,
    ledger, tables, grade, events, eventsFail, stats, refundsAtAirwallex: refundsAnswer.body.items.length, webAppRechecks, refundsOpen,
    duplicatesIgnoredLogged, internalErrorsLogged, reconciliation,
  });
  process.stdout.write(text);
  if (process.env.KEEP_TEMP) process.stderr.write(`kept ${dir}\n`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
