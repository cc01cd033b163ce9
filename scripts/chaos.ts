// `npm run chaos`: payments under injected Airwallex/WeChat/webhook faults and server SIGKILLs, then every order checked against the simulator's ground truth.
//
// Usage: npm run chaos -- [--payments 1000] [--shoppers 40] [--kills 3] [--instances 1] [--settle-seconds 120] [--json]
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { orderStatusFor } from '../server/airwallex/inferred';
import { PAY_SHEET_GRACE_MS } from '../server/services/orders';
import type { PaymentIntent, SimulatorStats } from '../server/simulator/types';
import { closeHttp, request } from './lib/http';
import {
  freePort,
  HOST,
  installCleanup,
  machine,
  makeTempDir,
  sleep,
  startServer,
  startSimulator,
  stopProcess,
  waitReady,
  type NodeProcess,
} from './lib/proc';
import { providePostgres, type TestPostgres } from './lib/postgres';
import { chaosPayment, newLedger, pickBehaviour, type ChaosLedger, type Endpoints } from './lib/shopper';
import { Options, simulatorStats, table } from './lib/stats';

const USAGE = `npm run chaos -- [options]
  --payments N        payments to attempt (default 1000)
  --shoppers N        concurrent shoppers (default 40)
  --kills N           SIGKILL + restart of a server instance, spread over the run (default 3, at least 2 recommended)
  --instances N       server instances on one PostgreSQL database (default 1: SQLite). With 2 or more:
                      shoppers' requests go to any instance, webhooks to the first, kills alternate
                      between instances, and PostgreSQL is restarted once mid-run. PostgreSQL is the
                      server at DATABASE_URL (a fresh database on it) or a throwaway cluster
  --postgres          PostgreSQL also with one instance
  --settle-seconds S  after the shoppers, how long to wait for the sweep to close every order (default 120)
  --error-5xx R --error-429 R --timeout R --drop R --duplicate R --reorder R --wechat-busy R   fault rates
  --json              print the figures as one JSON object`;

interface OrderRow {
  id: string;
  status: string;
  payment_intent_id: string | null;
  intent_status: string | null;
  created_at: number;
  confirmed_at: number | null;
}

function count<K>(map: Map<K, number>): number {
  let total = 0;
  for (const value of map.values()) total += value;
  return total;
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = new Options(process.argv.slice(2), [
      'payments', 'shoppers', 'kills', 'instances', 'postgres', 'settle-seconds', 'json', 'help',
      'error-5xx', 'error-429', 'timeout', 'drop', 'duplicate', 'reorder', 'wechat-busy',
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
  const settleSeconds = options.number('settle-seconds', 120, 0, 3600);
  const faults: Record<string, string> = {
    SIMULATOR_ERROR_RATE_5XX: String(options.number('error-5xx', 0.1, 0, 1)),
    SIMULATOR_ERROR_RATE_429: String(options.number('error-429', 0.05, 0, 1)),
    SIMULATOR_TIMEOUT_RATE: String(options.number('timeout', 0.05, 0, 1)),
    SIMULATOR_TIMEOUT_HOLD_MS: '1500',
    SIMULATOR_WEBHOOK_DROP_RATE: String(options.number('drop', 0.2, 0, 1)),
    SIMULATOR_WEBHOOK_DUPLICATE_RATE: String(options.number('duplicate', 0.2, 0, 1)),
    SIMULATOR_WEBHOOK_REORDER_RATE: String(options.number('reorder', 0.1, 0, 1)),
    SIMULATOR_WECHAT_BUSY_RATE: String(options.number('wechat-busy', 0.05, 0, 1)),
  };
  const serverEnv = { AIRWALLEX_TIMEOUT_MS: '1000', SWEEP_INTERVAL_SECONDS: '1', ORDER_LIFETIME_SECONDS: '60' };

  const dir = makeTempDir('wechatpay-chaos-');
  const secret = 'whsec_chaos_only';
  const databasePath = path.join(dir, 'app.sqlite');
  const postgres: TestPostgres | undefined = onPostgres ? await providePostgres(log) : undefined;
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
  const env = postgres ? { ...serverEnv, DATABASE_URL: postgres.url } : serverEnv;
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
  // With PostgreSQL: one restart of the database, half-way, between the kills.
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
        await chaosPayment(api, `chaos-${i}`, pickBehaviour(), ledger);
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
  // An unpaid order whose pay sheet opened stays open PAY_SHEET_GRACE_MS after that on purpose (the
  // shopper may still be paying): the sweep closes it later, so it is not waited for here.
  const countOpen = async () => {
    const sql = `SELECT COUNT(*) AS n FROM orders WHERE status IN ('awaiting_payment', 'processing')
      AND NOT (status = 'awaiting_payment' AND confirmed_at IS NOT NULL AND confirmed_at > ${Date.now() - PAY_SHEET_GRACE_MS})`;
    if (postgres) return Number((await postgres.query<{ n: string }>(sql))[0].n);
    const db = new Database(databasePath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(sql).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  while (Date.now() < settleDeadline) {
    open = await countOpen();
    pending = (await simulatorStats(api.simulator)).webhooks.pending;
    if (open === 0 && pending === 0) break;
    await sleep(1000);
  }
  const settleSecondsUsed = Math.round(settleSeconds - (settleDeadline - Date.now()) / 1000);
  const stats: SimulatorStats = await simulatorStats(api.simulator);
  const intentsAnswer = await request<{ items: PaymentIntent[] }>('GET', `${api.simulator}/simulator/airwallex/_intents`, { timeoutMs: 30_000 });
  if (intentsAnswer.status !== 200) throw new Error(`_intents answered ${intentsAnswer.status}`);
  const intents = intentsAnswer.body.items;
  stopping = true;
  await Promise.all(servers.map((server) => stopProcess(server, 'SIGTERM')));
  await stopProcess(simulator, 'SIGTERM');
  closeHttp();

  // --- compare every order with Airwallex's ground truth ---
  type EventRow = { id: string; name: string; applied_at: number | null; outcome: string | null };
  const ORDERS_SQL = 'SELECT id, status, payment_intent_id, intent_status, created_at, confirmed_at FROM orders';
  const checkedAt = Date.now();
  const EVENTS_SQL = 'SELECT id, name, applied_at, outcome FROM webhook_events';
  let orders: OrderRow[];
  let events: EventRow[];
  if (postgres) {
    orders = await postgres.query<OrderRow>(ORDERS_SQL);
    events = await postgres.query<EventRow>(EVENTS_SQL);
    await postgres.stop();
  } else {
    const db = new Database(databasePath, { readonly: true, fileMustExist: true });
    orders = db.prepare(ORDERS_SQL).all() as OrderRow[];
    events = db.prepare(EVENTS_SQL).all() as EventRow[];
    db.close();
  }

  const orderById = new Map(orders.map((o) => [o.id, o]));
  const intentsByOrder = new Map<string, PaymentIntent[]>();
  for (const intent of intents) {
    const list = intentsByOrder.get(intent.merchant_order_id) ?? [];
    list.push(intent);
    intentsByOrder.set(intent.merchant_order_id, list);
  }
  const byStatus = (status: string) => orders.filter((o) => o.status === status).length;
  const disagreements: Array<{ orderId: string; order: string; airwallex: string }> = [];
  for (const order of orders) {
    const theirs = intentsByOrder.get(order.id) ?? [];
    if (order.payment_intent_id === null) {
      // No intent linked: Airwallex must not have one either, and the order must be closed.
      if (theirs.length > 0) disagreements.push({ orderId: order.id, order: `${order.status} (no intent linked)`, airwallex: theirs.map((i) => i.status).join(',') });
      continue;
    }
    const intent = theirs.find((i) => i.id === order.payment_intent_id);
    if (!intent) {
      disagreements.push({ orderId: order.id, order: order.status, airwallex: `intent ${order.payment_intent_id} not found` });
      continue;
    }
    const expected = orderStatusFor(intent);
    if (expected !== order.status) disagreements.push({ orderId: order.id, order: order.status, airwallex: `${intent.status} → ${expected}` });
  }
  const lostCreated = [...ledger.created].filter((id) => !orderById.has(id));
  const lostIntents = intents.filter((i) => !orderById.has(i.merchant_order_id));
  const multiIntent = [...intentsByOrder].filter(([, list]) => list.length > 1);
  const paidNotPaid = [...ledger.paidByShopper].filter((id) => orderById.get(id)?.status !== 'paid');
  const inGrace = (o: OrderRow) => o.status === 'awaiting_payment' && o.confirmed_at !== null && Number(o.confirmed_at) > checkedAt - PAY_SHEET_GRACE_MS;
  const openInGrace = orders.filter(inGrace);
  const stillOpen = orders.filter((o) => (o.status === 'awaiting_payment' || o.status === 'processing') && !inGrace(o));

  // Webhooks: the table keeps each event id once (primary key); the log shows how often each was applied.
  const processedPerEvent = new Map<string, number>();
  let duplicatesIgnoredLogged = 0;
  let internalErrorsLogged = 0;
  // Every instance's log: an event processed once on each of two instances counts twice.
  for (const line of serverLogs.flatMap((file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : []))) {
    if (!line.startsWith('{')) continue;
    let entry: { msg?: string; eventId?: string; level?: number };
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // a line cut by SIGKILL
    }
    if (entry.msg === 'webhook event processed' && entry.eventId) processedPerEvent.set(entry.eventId, (processedPerEvent.get(entry.eventId) ?? 0) + 1);
    else if (entry.msg === 'duplicate webhook event ignored') duplicatesIgnoredLogged++;
    if ((entry.level ?? 0) >= 50) internalErrorsLogged++;
  }
  const appliedTwice = [...processedPerEvent].filter(([, n]) => n > 1);
  const unapplied = events.filter((e) => e.applied_at === null);
  const outcomes = new Map<string, number>();
  for (const event of events) outcomes.set(event.outcome ?? '(none)', (outcomes.get(event.outcome ?? '(none)') ?? 0) + 1);

  const internal500 = [...ledger.serverErrors].filter(([key]) => / 500 /.test(`${key} `)).reduce((a, [, n]) => a + n, 0);
  const failures = {
    statusDisagrees: disagreements.length,
    lostOrders: lostCreated.length + lostIntents.length,
    moreThanOneIntent: multiIntent.length,
    webhooksAppliedTwice: appliedTwice.length,
    paidByShopperNotPaid: paidNotPaid.length,
    ordersLeftOpen: stillOpen.length,
    internalServerErrors: internal500,
    serverCrashes: crashes.length,
  };
  const result = {
    machine: machine(),
    settings: { payments, shoppers, kills, instances: instanceCount, database: postgres ? postgres.description : 'SQLite', faults, server: serverEnv },
    run: { shoppingSeconds: Math.round(shoppingSeconds), settleSeconds: settleSecondsUsed, restarts, databaseRestart, crashes, behaviours: Object.fromEntries(ledger.behaviours) },
    orders: {
      created: orders.length,
      createdSeenByShoppers: ledger.created.size,
      paid: byStatus('paid'),
      cancelled: byStatus('cancelled'),
      expired: byStatus('expired'),
      open: stillOpen.length,
      openInPaySheetGrace: openInGrace.length,
      withoutIntent: orders.filter((o) => o.payment_intent_id === null).length,
    },
    checks: {
      ...failures,
      lostCreatedByServer: lostCreated.slice(0, 10),
      intentsWithoutOrder: lostIntents.slice(0, 10).map((i) => i.id),
      disagreementsSample: disagreements.slice(0, 10),
      moreThanOneIntentSample: multiIntent.slice(0, 10).map(([id, list]) => ({ orderId: id, intents: list.map((i) => `${i.id}:${i.status}`) })),
      paidNotPaidSample: paidNotPaid.slice(0, 10),
    },
    shopperRequests: {
      server5xx: count(ledger.serverErrors),
      server5xxByStepStatusCode: Object.fromEntries(ledger.serverErrors),
      connectionFailures: count(ledger.connectionErrors),
      connectionFailuresByStep: Object.fromEntries(ledger.connectionErrors),
      gaveUp: Object.fromEntries(ledger.gaveUp),
    },
    webhooks: {
      simulator: stats.webhooks,
      storedEvents: events.length,
      storedUnapplied: unapplied.length,
      outcomes: Object.fromEntries(outcomes),
      processedLogLines: count(processedPerEvent),
      duplicatesIgnoredLogged,
    },
    airwallex: stats.airwallex,
    wechat: stats.wechat,
    serverErrorLogLines: internalErrorsLogged,
  };

  const ok = Object.values(failures).every((n) => n === 0);
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...result, ok }, null, 2)}\n`);
  } else {
    const m = result.machine;
    const rows: string[][] = [
      ['', 'value', 'target'],
      ['payments attempted (shoppers)', `${payments} (${shoppers})`, ''],
      ['server instances / database', `${instanceCount} / ${postgres ? 'PostgreSQL' : 'SQLite'}`, ''],
      ['server SIGKILL + restart', `${restarts.length} (${restarts.map((r) => `${instanceCount > 1 ? `#${r.instance} ` : ''}down ${r.downMs} ms`).join(', ')})`, '≥ 2'],
      ...(instanceCount > 1 ? [['PostgreSQL restart mid-run', databaseRestart ? `at payment ${databaseRestart.atPayment}: ${databaseRestart.how}` : 'none (run ended first)', '1']] : []),
      ['shopping / settle seconds', `${result.run.shoppingSeconds} / ${settleSecondsUsed}`, ''],
      ['orders created (seen by shoppers)', `${orders.length} (${ledger.created.size})`, ''],
      ['  paid / cancelled / expired', `${result.orders.paid} / ${result.orders.cancelled} / ${result.orders.expired}`, ''],
      ['  still open after settling', String(stillOpen.length), '0'],
      ['  open within the pay-sheet grace (closed by the sweep later)', String(openInGrace.length), ''],
      ['  never got an intent (closed as expired)', String(result.orders.withoutIntent), ''],
      ['orders whose status disagrees with Airwallex', String(disagreements.length), '0'],
      ['orders lost (201 not stored / intent without order)', `${lostCreated.length} / ${lostIntents.length}`, '0'],
      ['orders with more than one Payment Intent', String(multiIntent.length), '0'],
      ['shopper paid (sheet ok) but order not paid', String(paidNotPaid.length), '0'],
      ['webhook events applied more than once (log)', String(appliedTwice.length), '0'],
      ['  events stored / unapplied / dup. ignored', `${events.length} / ${unapplied.length} / ${duplicatesIgnoredLogged}`, ''],
      ['shopper requests answered 5xx', String(result.shopperRequests.server5xx), '(upstream trouble: 503)'],
      ['  of which 500 (a server bug)', String(internal500), '0'],
      ['server processes that crashed (not our kills)', String(crashes.length), '0'],
      ['shopper requests with no answer (kills)', String(result.shopperRequests.connectionFailures), ''],
      ['payments given up by the shopper', String(count(ledger.gaveUp)), ''],
      ['Airwallex calls (5xx / 429 / timeouts injected)', `${Object.values(stats.airwallex.calls).reduce((a, b) => a + b, 0)} (${stats.airwallex.faults['5xx']} / ${stats.airwallex.faults['429']} / ${stats.airwallex.faults.timeout})`, ''],
      ['webhooks sent / dropped / duplicated / reordered', `${stats.webhooks.sent} / ${stats.webhooks.dropped} / ${stats.webhooks.duplicated} / ${stats.webhooks.reordered}`, ''],
      ['jscode2session calls (busy -1)', `${stats.wechat.jscode2session} (${stats.wechat.errcodes['-1'] ?? 0})`, ''],
    ];
    const lines = [
      `chaos: machine ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}`,
      '',
      table(rows),
      '',
      `5xx by step: ${JSON.stringify(result.shopperRequests.server5xxByStepStatusCode)}`,
      `no answer by step: ${JSON.stringify(result.shopperRequests.connectionFailuresByStep)}; gave up: ${JSON.stringify(result.shopperRequests.gaveUp)}`,
      `behaviours: ${JSON.stringify(result.run.behaviours)}; webhook outcomes: ${JSON.stringify(result.webhooks.outcomes)}`,
    ];
    for (const crash of crashes) lines.push(`crash of server ${crash.instance} at payment ${crash.atPayment}:\n${crash.stderr}`);
    if (disagreements.length > 0) lines.push(`disagreements: ${JSON.stringify(disagreements.slice(0, 10))}`);
    if (multiIntent.length > 0) lines.push(`more than one intent: ${JSON.stringify(result.checks.moreThanOneIntentSample)}`);
    if (paidNotPaid.length > 0) lines.push(`paid but not paid: ${JSON.stringify(paidNotPaid.slice(0, 10))}`);
    if (lostCreated.length + lostIntents.length > 0) lines.push(`lost: ${JSON.stringify({ created: lostCreated.slice(0, 10), intents: result.checks.intentsWithoutOrder })}`);
    lines.push('', ok ? 'OK: zero in every disagreement row' : `FAILED: ${Object.entries(failures).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`).join(', ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (process.env.KEEP_TEMP) process.stderr.write(`kept ${dir}\n`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
