// `npm run bench`: concurrent virtual shoppers against the server (live mode) and the simulator in its own process; long poll vs interval polling vs no webhooks, in one table.
//
// Usage: npm run bench -- [--shoppers 50] [--duration S | --payments N] [--latency-ms 0] [--quick] [--check] [--json] [--cpu-prof DIR] [--no-postgres | --postgres-only]
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import fs from 'node:fs';
import path from 'node:path';
import { SIMULATOR_CREDENTIALS } from '../server/simulator/settings';
import { closeHttp, request } from './lib/http';
import {
  freePort,
  HOST,
  installCleanup,
  cpuSecondsOf,
  makeTempDir,
  memoryMiB,
  startServer,
  startSimulator,
  stopProcess,
  waitReady,
  type NodeProcess,
} from './lib/proc';
import { providePostgres } from './lib/postgres';
import { runPhase, type Context, type PhaseResult } from './lib/bench-phase';
import { benchPayment, directLogin, directUpstream, type Strategy } from './lib/bench-shopper';
import { describeRun, render } from './lib/bench-table';
import type { Endpoints } from './lib/shopper';
import { fmt, Options, round, Samples } from './lib/stats';
import { checkOutcome, judge, renderVerdicts } from './lib/verdicts';
import { mainProfileIn, renderProfile, summarizeProfile } from './lib/cpu-profile';

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
                    (the PostgreSQL instances in DIR/postgres-a and DIR/postgres-b),
                    and print where the server's busy time went (self time by file, package, native call)
  --no-postgres     skip the PostgreSQL phases (one instance, then two: long poll on B, webhooks on A). They
                    use the server at DATABASE_URL (a fresh database on it) or a throwaway cluster (initdb + pg_ctl)
  --postgres-only   only phase 1 (the one-instance figure on SQLite), then the PostgreSQL phases`;

async function setFaults(api: Endpoints, patch: Record<string, unknown> | null): Promise<void> {
  const answer = patch
    ? await request('POST', `${api.simulator}/simulator/faults`, { body: patch })
    : await request('DELETE', `${api.simulator}/simulator/faults`);
  if (answer.status !== 200) throw new Error(`simulator faults answered ${answer.status}: ${JSON.stringify(answer.body)}`);
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
      const a = startServer({ port: serverPort, simPort, secret, databasePath: path.join(dir, 'unused.sqlite'), logLevel: 'warn', env, stdoutFile: logOf('a'), nodeArgs: profileArgs('postgres-a') });
      const b = startServer({ port: portB, simPort, secret, databasePath: path.join(dir, 'unused.sqlite'), logLevel: 'warn', env, stdoutFile: logOf('b'), nodeArgs: profileArgs('postgres-b') });
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
    // The whole life of the server (start-up and warm-ups too): where its busy time went, by area.
    const profile = cpuProf && mainProfileIn(path.join(cpuProf, 'server'));
    if (profile) process.stdout.write(`\nserver CPU profile, ${renderProfile(summarizeProfile(profile))}\n`);
  }
  if (check) {
    process.stderr.write(`${outcome.message}\n`);
    process.exitCode = outcome.exitCode;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
