// `npm run bench`: concurrent virtual shoppers against the server (live mode) and the simulator in its own process; long poll vs interval polling vs no webhooks, in one table.
//
// Usage: npm run bench -- [--shoppers 50] [--duration S | --payments N] [--latency-ms 0] [--quick] [--check] [--json] [--cpu-prof DIR] [--no-postgres | --postgres-only]
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SIMULATOR_CREDENTIALS } from '../server/simulator/settings';
import { closeHttp, request } from './lib/http';
import {
  cpuSeconds,
  freePort,
  HOST,
  installCleanup,
  machine,
  machineBusySeconds,
  cpuSecondsOf,
  makeTempDir,
  memoryMiB,
  resetPeakMemory,
  sleep,
  startServer,
  startSimulator,
  stopProcess,
  waitReady,
  type NodeProcess,
} from './lib/proc';
import { providePostgres } from './lib/postgres';
import { benchPayment, directLogin, directUpstream, StepError, type Strategy } from './lib/bench-shopper';
import type { Endpoints } from './lib/shopper';
import { callsBetween, fmt, Options, round, Samples, simulatorStats, table, type CallCounts } from './lib/stats';
import { checkOutcome, judge, renderVerdicts } from './lib/verdicts';

const USAGE = `npm run bench -- [options]
  --shoppers N      concurrent virtual shoppers (default 50)
  --duration S      seconds per phase (default 30; the poller and no-webhook phases 20)
  --payments N      instead of a duration: payments per phase
  --latency-ms MS   latency the simulator adds to every Airwallex/WeChat answer (default 0)
  --think-ms MS     pause of each shopper between two payments (default 0: back to back)
  --quick           short phases: the whole run takes under a minute
  --json            print the figures as one JSON object instead of the table
  --check           exit 1 when a target of scripts/lib/targets.ts is missed (or a cycle failed), naming each miss
  --simulator-memory  keep the simulator's state in memory instead of a temp file (no fsync per webhook)
  --cpu-prof DIR    run the server and the simulator with node --cpu-prof: profiles in DIR/server and DIR/simulator
  --no-postgres     skip the PostgreSQL phases (one instance, then two: long poll on B, webhooks on A). They
                    use the server at DATABASE_URL (a fresh database on it) or a throwaway cluster (initdb + pg_ctl)
  --postgres-only   only phase 1 (the one-instance figure on SQLite), then the PostgreSQL phases`;

type PhaseName = 'direct' | 'ours' | 'poller' | 'dropped' | 'single' | 'pg1' | 'pg2';

export interface PhaseResult {
  name: PhaseName;
  label: string;
  seconds: number;
  payments: number;
  failures: Record<string, number>;
  paymentsPerSecond: number;
  latencyMs: Record<string, { p50: number; p95: number; p99: number; n: number }>;
  timeToFinalMs: { p50: number; p99: number };
  airwallexCalls: CallCounts & { total: number };
  callsPerPaidOrder: Record<string, number>;
  webhooks: { sent: number; delivered: number; dropped: number };
  serverCpuSeconds: number;
  serverCpuMsPerPayment: number;
  serverPeakMemoryMiB: number;
  /** The other two processes on the same cores, for context. */
  simulatorCpuSeconds: number;
  benchCpuSeconds: number;
  /** Share of the machine's CPU (all cores) that processes other than the server, the simulator and the bench used during the phase. */
  foreignCpuShare: number;
}

export interface Context {
  api: Endpoints;
  server: NodeProcess;
  simulator: NodeProcess;
  shoppers: number;
  latencyMs: number;
  thinkMs: number;
  /** CPU seconds so far of the processes this phase depends on besides server and simulator (PostgreSQL, the other instance). */
  partnersCpu?: () => number;
}

export async function runPhase(
  ctx: Context,
  name: PhaseName,
  label: string,
  limit: { seconds?: number; payments?: number },
  work: (shopper: number, samples: Samples) => Promise<void>,
  shoppers = ctx.shoppers,
): Promise<PhaseResult> {
  const samples = new Samples();
  const failures: Record<string, number> = {};
  const before = await simulatorStats(ctx.api.simulator);
  const peakReset = resetPeakMemory(ctx.server.pid);
  const cpuBefore = cpuSeconds(ctx.server.pid);
  const simCpuBefore = cpuSeconds(ctx.simulator.pid);
  const ownCpuBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const partnersBefore = ctx.partnersCpu?.() ?? 0;
  const started = performance.now();
  const deadline = limit.seconds ? started + limit.seconds * 1000 : Infinity;
  let budget = limit.payments ?? Infinity;
  let payments = 0;
  // Hard bound on the phase, whatever happens: the duration (or 10 minutes) plus a grace period.
  const hardStop = started + (limit.seconds ?? 600) * 1000 + 60_000;

  await Promise.all(
    Array.from({ length: shoppers }, async (_, shopper) => {
      while (performance.now() < deadline && performance.now() < hardStop && budget > 0) {
        budget--;
        try {
          await work(shopper, samples);
          payments++;
          if (ctx.thinkMs > 0 && name !== 'direct' && name !== 'single') await sleep(ctx.thinkMs * (0.5 + Math.random()));
        } catch (err) {
          const key = err instanceof StepError ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          failures[key] = (failures[key] ?? 0) + 1;
          await sleep(50);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  // Let the phase's own webhooks land before counting its CPU and calls (bounded).
  for (let i = 0; i < 100; i++) {
    const stats = await simulatorStats(ctx.api.simulator);
    if (stats.webhooks.pending === 0) break;
    await sleep(100);
  }
  const cpu = cpuSeconds(ctx.server.pid) - cpuBefore;
  const simCpu = cpuSeconds(ctx.simulator.pid) - simCpuBefore;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  // What other processes took from the same cores meanwhile (a process counted once, whichever roles it has).
  const partnersCpu = (ctx.partnersCpu?.() ?? 0) - partnersBefore;
  const oursCpu =
    (ownCpu.user + ownCpu.system) / 1e6 + (ctx.server.pid !== process.pid ? cpu : 0) + (ctx.simulator.pid !== process.pid && ctx.simulator.pid !== ctx.server.pid ? simCpu : 0) + partnersCpu;
  const foreignCpuShare = (machineBusySeconds() - machineBefore - oursCpu) / (os.cpus().length * ((performance.now() - started) / 1000));
  const after = await simulatorStats(ctx.api.simulator);
  const calls = callsBetween(before, after);
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  const perPaid: Record<string, number> = {};
  for (const [key, value] of Object.entries({ ...calls, total })) perPaid[key] = payments > 0 ? round(value / payments, 2) : NaN;

  const latencyMs: PhaseResult['latencyMs'] = {};
  for (const step of ['session', 'order', 'payment', 'orderApp', 'paymentApp', 'pay', 'wait', 'statusRequest', 'directCreate', 'directConfirm']) {
    if (samples.count(step) === 0) continue;
    latencyMs[step] = {
      p50: round(samples.percentile(step, 50), 2),
      p95: round(samples.percentile(step, 95), 2),
      p99: round(samples.percentile(step, 99), 2),
      n: samples.count(step),
    };
  }
  return {
    name,
    label,
    seconds: round(seconds, 1),
    payments,
    failures,
    paymentsPerSecond: round(payments / seconds, 1),
    latencyMs,
    timeToFinalMs: { p50: round(samples.percentile('final', 50), 1), p99: round(samples.percentile('final', 99), 1) },
    airwallexCalls: { ...calls, total },
    callsPerPaidOrder: perPaid,
    webhooks: {
      sent: after.webhooks.sent - before.webhooks.sent,
      delivered: after.webhooks.delivered - before.webhooks.delivered,
      dropped: after.webhooks.dropped - before.webhooks.dropped,
    },
    serverCpuSeconds: round(cpu, 2),
    serverCpuMsPerPayment: payments > 0 ? round((cpu * 1000) / payments, 2) : NaN,
    simulatorCpuSeconds: round(simCpu, 2),
    benchCpuSeconds: round((ownCpu.user + ownCpu.system) / 1e6, 2),
    foreignCpuShare: round(Math.max(0, foreignCpuShare), 2),
    serverPeakMemoryMiB: peakReset || name === 'ours' ? round(memoryMiB(ctx.server.pid).peak, 1) : NaN,
  };
}

async function setFaults(api: Endpoints, patch: Record<string, unknown> | null): Promise<void> {
  const answer = patch
    ? await request('POST', `${api.simulator}/simulator/faults`, { body: patch })
    : await request('DELETE', `${api.simulator}/simulator/faults`);
  if (answer.status !== 200) throw new Error(`simulator faults answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

function render(results: PhaseResult[], meta: ReturnType<typeof describeRun>): string {
  const byName = new Map(results.map((r) => [r.name, r]));
  const cols: PhaseName[] = ['ours', 'poller', 'dropped', 'single', 'direct', 'pg1', 'pg2'];
  const present = cols.filter((c) => byName.has(c));
  const cell = (name: PhaseName, pick: (r: PhaseResult) => string) => {
    const r = byName.get(name);
    return r ? pick(r) : '';
  };
  const lat = (step: string) => (r: PhaseResult) => {
    const l = r.latencyMs[step];
    return l ? `${fmt(l.p50)} / ${fmt(l.p95)} / ${fmt(l.p99)}` : '';
  };
  const row = (label: string, pick: (r: PhaseResult) => string, target = ''): string[] => [label, ...present.map((n) => cell(n, pick)), target];
  const single = byName.get('single');
  const direct = byName.get('direct');
  const added = (step: string, upstream: string, p: 'p50' | 'p99') =>
    single?.latencyMs[step] && direct?.latencyMs[upstream] ? fmt(single.latencyMs[step][p] - direct.latencyMs[upstream][p], 2) : '—';

  const rows: string[][] = [
    ['', ...present.map((n) => byName.get(n)!.label)],
    row('payments completed (failed)', (r) => `${r.payments} (${Object.values(r.failures).reduce((a, b) => a + b, 0)})`),
    row('phase seconds', (r) => fmt(r.seconds)),
    row('payments per second', (r) => (r.name === 'direct' ? `${fmt(r.paymentsPerSecond)} create+confirm/s` : fmt(r.paymentsPerSecond))),
    row('session ms p50/p95/p99', lat('session')),
    row('order ms p50/p95/p99', (r) => (r.name === 'direct' ? lat('directCreate')(r) : lat('order')(r))),
    row('payment ms p50/p95/p99', (r) => (r.name === 'direct' ? lat('directConfirm')(r) : lat('payment')(r))),
    row('status wait ms p50/p95/p99', lat('wait')),
    row('one status request ms p50/p99', (r) => (r.latencyMs.statusRequest ? `${fmt(r.latencyMs.statusRequest.p50)} / ${fmt(r.latencyMs.statusRequest.p99)}` : '')),
    row('time to final ms p50 / p99', (r) => (r.name === 'direct' ? '' : `${fmt(r.timeToFinalMs.p50)} / ${fmt(r.timeToFinalMs.p99)}`)),
    ...(byName.has('pg2')
      ? [
          row('two instances: p99 vs one instance', (r) =>
            r.name === 'pg2' ? `${fmt(r.timeToFinalMs.p99 / byName.get('ours')!.timeToFinalMs.p99, 2)}× SQLite, ${fmt(r.timeToFinalMs.p99 / (byName.get('pg1')?.timeToFinalMs.p99 ?? NaN), 2)}× PostgreSQL` : '',
          ),
        ]
      : []),
    row('Airwallex calls per paid order', (r) => (r.name === 'direct' ? '' : fmt(r.callsPerPaidOrder.total, 2))),
    row('  login / create / confirm / retrieve', (r) =>
      r.name === 'direct' ? '' : ['login', 'create', 'confirm', 'retrieve'].map((k) => fmt(r.callsPerPaidOrder[k], 2)).join(' / '),
    ),
    row('webhooks delivered (dropped)', (r) => (r.name === 'direct' ? '' : `${r.webhooks.delivered} (${r.webhooks.dropped})`)),
    row('server CPU s (ms per payment)', (r) => (r.name === 'direct' ? fmt(r.serverCpuSeconds, 2) : `${fmt(r.serverCpuSeconds, 2)} (${fmt(r.serverCpuMsPerPayment, 2)})`)),
    row('server peak RSS MiB', (r) => fmt(r.serverPeakMemoryMiB)),
    row('CPU s: simulator / bench client', (r) => `${fmt(r.simulatorCpuSeconds, 2)} / ${fmt(r.benchCpuSeconds, 2)}`),
    row('CPU share taken by other processes', (r) => `${fmt(r.foreignCpuShare * 100, 0)}%`),
    row(
      "server's own ms p50 / p99, order; payment",
      (r) =>
        r.latencyMs.orderApp && r.latencyMs.paymentApp
          ? `${fmt(r.latencyMs.orderApp.p50)} / ${fmt(r.latencyMs.orderApp.p99)}; ${fmt(r.latencyMs.paymentApp.p50)} / ${fmt(r.latencyMs.paymentApp.p99)}`
          : '',
    ),
    [
      'server added ms p50 / p99, order; payment',
      ...present.map((n) => (n === 'single' ? `${added('order', 'directCreate', 'p50')} / ${added('order', 'directCreate', 'p99')}; ${added('payment', 'directConfirm', 'p50')} / ${added('payment', 'directConfirm', 'p99')}` : '')),
    ],
  ];
  const lines = [
    `bench: ${meta.shoppers} shoppers${meta.thinkMs ? ` (think ${meta.thinkMs} ms ± 50% between payments)` : ' back to back'}, simulator latency ${meta.latencyMs} ms, simulator state in ${meta.simulatorState}, live mode against the simulator process`,
    `machine: ${meta.machine.cpu}, ${meta.machine.cores} cores, ${meta.machine.memoryGiB} GiB, node ${meta.machine.node}, ${meta.machine.os}`,
    '',
    table(rows),
    '',
    'latency = wall time seen by the shopper. "1 shopper" = the same flow, one shopper, nothing queued; "direct" = the bench',
    'calling the simulator\'s create then confirm itself, one at a time (the upstream part of an order and a payment, without',
    'the server). "server added" = 1-shopper order/payment latency − direct create/confirm latency, at the same percentile:',
    'the server\'s own time per request (HTTP, auth, SQLite, its hop to the simulator). "server\'s own" = the app part of the',
    'server\'s Server-Timing header: the time from the request reaching the server to its answer, less the time spent waiting',
    'on Airwallex/WeChat (includes waiting for the CPU, which three processes share). With N shoppers back to back the',
    '2 cores are saturated by the three processes, so the N-shopper latencies are mostly queueing.',
    ...(meta.postgres
      ? [
          `"PostgreSQL, 1 instance": the same as "ours" with the server on PostgreSQL (${meta.postgres}). "2 instances": every shopper`,
          'request goes to instance B while Airwallex\'s webhooks go to instance A, so each payment is learnt by A and the long',
          'poll on B is woken through PostgreSQL (NOTIFY → B\'s LISTEN connection); PostgreSQL is a fourth process on the cores.',
        ]
      : []),
  ];
  const failures = results.flatMap((r) => Object.entries(r.failures).map(([k, v]) => `  ${r.name}: ${v} × ${k}`));
  if (failures.length > 0) lines.push('', 'failed cycles:', ...failures.slice(0, 20));
  return lines.join('\n');
}

function describeRun(shoppers: number, latencyMs: number, thinkMs: number, simulatorState: string, postgres?: string) {
  return { shoppers, latencyMs, thinkMs, simulatorState, postgres, machine: machine() };
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = new Options(process.argv.slice(2), ['shoppers', 'duration', 'payments', 'latency-ms', 'quick', 'check', 'json', 'cpu-prof', 'simulator-memory', 'think-ms', 'no-postgres', 'postgres-only', 'help']);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (options.flag('help')) {
    console.log(USAGE);
    return;
  }
  installCleanup();
  const quick = options.flag('quick');
  const json = options.flag('json');
  const shoppers = options.number('shoppers', 50, 1, 2000);
  const latencyMs = options.number('latency-ms', 0, 0, 10_000);
  const payments = options.has('payments') ? options.number('payments', 0, 1) : undefined;
  const duration = options.number('duration', quick ? 8 : 30, 1, 3600);
  const limit = (seconds: number) => (payments ? { payments } : { seconds });
  const log = (message: string) => {
    if (!json) process.stderr.write(`${message}\n`);
  };

  const dir = makeTempDir('wechatpay-bench-');
  const secret = 'whsec_bench_only';
  const [simPort, serverPort] = [await freePort(), await freePort()];
  const api: Endpoints = { server: `http://${HOST}:${serverPort}`, simulator: `http://${HOST}:${simPort}` };
  const cpuProfDir = options.string('cpu-prof');
  const cpuProf = cpuProfDir === undefined ? undefined : path.resolve(cpuProfDir === true ? 'profiles' : cpuProfDir);
  // One folder per process: tsx's loader thread writes a profile of its own beside the main thread's.
  const profileArgs = (name: string) => (cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(cpuProf, name)}`] : []);
  const simulator = startSimulator({
    nodeArgs: profileArgs('simulator'),
    port: simPort,
    serverPort,
    secret,
    databasePath: options.flag('simulator-memory') ? ':memory:' : path.join(dir, 'simulator.sqlite'),
    faults: latencyMs > 0 ? { SIMULATOR_LATENCY_MS: String(latencyMs) } : {},
  });
  let server = startServer({
    port: serverPort,
    simPort,
    secret,
    databasePath: path.join(dir, 'app.sqlite'),
    logLevel: 'warn',
    nodeArgs: profileArgs('server'),
  });
  await Promise.all([waitReady(simulator, `${api.simulator}/simulator/stats`), waitReady(server, `${api.server}/healthz`)]);
  log(`simulator pid ${simulator.pid} on ${api.simulator}, server pid ${server.pid} on ${api.server}; temp ${dir}`);

  const ctx: Context = { api, server, simulator, shoppers, latencyMs, thinkMs: options.number('think-ms', 0, 0, 60_000) };
  const run = (strategy: Strategy) => (shopper: number, samples: Samples) => benchPayment(api, `bench-${shopper}`, strategy, samples);

  log('warm-up (not reported)...');
  await runPhase(ctx, 'ours', 'warm-up', { seconds: quick ? 2 : 5 }, run('longpoll'));

  const results: PhaseResult[] = [];
  log(`phase 1/7: ours (long poll, webhooks) for ${payments ? `${payments} payments` : `${duration} s`}...`);
  results.push(await runPhase(ctx, 'ours', 'ours: long poll', limit(duration), run('longpoll')));

  const pollSeconds = options.has('duration') ? duration : quick ? 8 : 20;
  if (!options.flag('postgres-only')) {
    log(`phase 2/7: interval poller (2 s, refresh=true) for ${payments ? `${payments} payments` : `${pollSeconds} s`}...`);
    results.push(await runPhase(ctx, 'poller', 'poller: 2 s + refresh', limit(pollSeconds), run('poll')));

    log('phase 3/7: ours with every webhook dropped...');
    await setFaults(api, { webhookDropRate: 1 });
    try {
      results.push(await runPhase(ctx, 'dropped', 'ours, no webhooks', limit(pollSeconds), run('longpoll')));
    } finally {
      await setFaults(api, null);
    }

    log('phase 4/7: ours with one shopper (no queueing)...');
    results.push(await runPhase(ctx, 'single', 'ours, 1 shopper', { seconds: quick ? 3 : 10 }, run('longpoll'), 1));

    log('phase 5/7: upstream alone, one at a time (the bench calls the simulator directly)...');
    const token = await directLogin(api, SIMULATOR_CREDENTIALS.clientId, SIMULATOR_CREDENTIALS.apiKey);
    results.push(await runPhase(ctx, 'direct', 'direct to simulator', { seconds: quick ? 3 : 10 }, (_, samples) => directUpstream(api, token, samples), 1));
  }

  let postgresDescription: string | undefined;
  const serverMemory = memoryMiB(server.pid);
  if (!options.flag('no-postgres')) {
    // Two instances on PostgreSQL. Instance A takes the SQLite server's port, where the simulator
    // sends its webhooks; instance B gets the shoppers.
    await stopProcess(server, 'SIGTERM');
    let postgres;
    try {
      postgres = await providePostgres(log);
    } catch (err) {
      log(`PostgreSQL phases skipped: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (postgres) {
      postgresDescription = postgres.description;
      const env = { DATABASE_URL: postgres.url, ...(process.env.DATABASE_POOL_SIZE ? { DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE } : {}) };
      const portB = await freePort();
      // Their logs are kept (warnings and errors only): an instance that dies must leave its reasons.
      const logOf = (name: string) => path.join(dir, `postgres-instance-${name}.log`);
      const a = startServer({ port: serverPort, simPort, secret, databasePath: path.join(dir, 'unused.sqlite'), logLevel: 'warn', env, stdoutFile: logOf('a') });
      const b = startServer({ port: portB, simPort, secret, databasePath: path.join(dir, 'unused.sqlite'), logLevel: 'warn', env, stdoutFile: logOf('b') });
      /** Says (with the exit code or signal, stderr and the log's last lines) which instance died, and when. */
      const reported = new Set<string>();
      const reportDeaths = async (when: string) => {
        for (const [name, proc] of [['A', a], ['B', b]] as const) {
          if ((proc.child.exitCode === null && proc.child.signalCode === null) || reported.has(name)) continue;
          reported.add(name);
          const logTail = fs.existsSync(logOf(name.toLowerCase())) ? fs.readFileSync(logOf(name.toLowerCase()), 'utf8').slice(-3000) : '';
          log(`instance ${name} (pid ${proc.pid}) died ${when}: exit ${await proc.exited}\nstderr:\n${proc.stderrTail()}\nlog:\n${logTail}`);
        }
      };
      await Promise.all([waitReady(a, `${api.server}/readyz`), waitReady(b, `http://${HOST}:${portB}/readyz`)]);
      server = a;
      const apiB: Endpoints = { server: `http://${HOST}:${portB}`, simulator: api.simulator };
      log(`phase 6/7: ours on PostgreSQL, one instance (pid ${a.pid}), for ${payments ? `${payments} payments` : `${duration} s`}...`);
      // PostgreSQL's backends and the other instance are this run's own load, not another job's.
      const partners = (other: NodeProcess) => () => cpuSecondsOf((pid, command) => pid === other.pid || command.startsWith('postgres'));
      await runPhase({ ...ctx, server: a, partnersCpu: partners(b) }, 'pg1', 'warm-up', { seconds: quick ? 2 : 5 }, run('longpoll'));
      results.push(await runPhase({ ...ctx, server: a, partnersCpu: partners(b) }, 'pg1', 'PostgreSQL, 1 instance', limit(duration), run('longpoll')));
      await reportDeaths('during the one-instance phase');
      log(`phase 7/7: two instances, long poll on B (pid ${b.pid}), webhooks on A, for ${payments ? `${payments} payments` : `${duration} s`}...`);
      const runOnB = (shopper: number, samples: Samples) => benchPayment(apiB, `bench-b-${shopper}`, 'longpoll', samples);
      await runPhase({ ...ctx, api: apiB, server: b, partnersCpu: partners(a) }, 'pg2', 'warm-up', { seconds: quick ? 2 : 5 }, runOnB);
      results.push(await runPhase({ ...ctx, api: apiB, server: b, partnersCpu: partners(a) }, 'pg2', 'PostgreSQL, 2 instances', limit(duration), runOnB));
      await reportDeaths('during the two-instance phase');
      await stopProcess(b, 'SIGTERM');
      await stopProcess(a, 'SIGTERM');
      await postgres.stop();
    }
  }
  const meta = describeRun(shoppers, latencyMs, ctx.thinkMs, options.flag('simulator-memory') ? 'memory' : 'file', postgresDescription);
  await stopProcess(server, 'SIGTERM'); // SIGTERM: a clean exit, so --cpu-prof writes its profile
  await stopProcess(simulator, 'SIGTERM');
  closeHttp();

  // --- verdicts: every target of scripts/lib/targets.ts against this run's figures ---
  const verdicts = judge(results);
  const outcome = checkOutcome(verdicts);
  const check = options.flag('check');
  if (json) {
    const run = { measuredAt: new Date().toISOString(), quick, phaseSeconds: payments ? null : duration, payments: payments ?? null };
    const figures = { ...meta, ...run, serverLifetimePeakMemoryMiB: round(serverMemory.peak, 1), phases: results };
    process.stdout.write(`${JSON.stringify({ ...figures, verdicts, check: { met: outcome.exitCode === 0, message: outcome.message } }, null, 2)}\n`);
  } else {
    process.stdout.write(`${render(results, meta)}\n`);
    process.stdout.write(`server lifetime peak RSS ${fmt(serverMemory.peak)} MiB${cpuProf ? `; CPU profile in ${cpuProf}` : ''}\n`);
    process.stdout.write(`\ntargets (scripts/lib/targets.ts):\n${renderVerdicts(verdicts)}\n`);
  }
  if (check) {
    process.stderr.write(`${outcome.message}\n`);
    process.exitCode = outcome.exitCode;
  }
}

// Run as a script; imported (by the tests), it only exports its phase runner.
if (path.resolve(process.argv[1] ?? '') === __filename) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
