// Runs the fuzz cases against a fresh server: C concurrent fast-check runners, every table checked after every case, and the figures.
import fc from 'fast-check';
import { fuzzCase } from './cases';
import { ENDPOINTS, type Endpoint, type FuzzCase } from './model';
import { describeExchange, violations } from './checks';
import type { RawRequest, RawResponse } from './http';
import { buildRequest } from './request';
import { allows, describeChanges, diffSnapshots, rowsWithNul, takeSnapshot, type Snapshot, type TableChange, type WriteRule } from './tables';
import { createWorld, diffSnapshots as diffLines, httpSnapshot, type World } from './world';

export interface FuzzOptions {
  /** Generated cases in all (split over the runners). */
  cases: number;
  seed: number;
  concurrency: number;
  /** Compare GET /api/orders of both shoppers with the start every this many cases. */
  httpCheckEvery?: number;
  /** Called about every second while running. */
  onProgress?: (done: number, total: number) => void;
  /** The cases to run instead of the whole mix (tests run planted ones). */
  arbitrary?: fc.Arbitrary<FuzzCase>;
  /** An empty PostgreSQL database for the server (default: SQLite files in a temp dir). */
  databaseUrl?: string;
}

export interface FuzzFailure {
  kind: 'property' | 'state' | 'health';
  message: string;
  /** For property failures: the shrunk counterexample and how to replay its runner. */
  counterexample?: string;
  runner?: { seed: number; path: string | null; numShrinks: number };
}

export interface FuzzReport {
  pass: boolean;
  seed: number;
  /** The server's database: SQLite files, or PostgreSQL (--postgres). */
  store: 'sqlite' | 'postgres';
  concurrency: number;
  casesRequested: number;
  /** Cases fast-check generated (fewer than requested when a runner stopped at a failure). */
  casesGenerated: number;
  /** Requests sent, including fast-check's shrinking runs. */
  requests: number;
  durationMs: number;
  /** Requests (cases, plus shrinking runs if any) per second of the whole run. */
  casesPerSecond: number;
  perEndpoint: Record<string, Record<string, number>>;
  perStatus: Record<string, number>;
  /**
   * afterCases: checks after a case (data_version of both databases); snapshots: of those, the ones that found a
   * commit and compared every table; tables: how many tables a snapshot covers; http: GET /api/orders compared.
   */
  stateChecks: { afterCases: number; snapshots: number; tables: number; http: number };
  /** Changes the snapshots saw that a case in flight was allowed to make, per table (`server.sessions`: 12, ...). */
  writesSeen: Record<string, number>;
  /** Slowest answer (the long polls with waitSeconds=1 are the slowest by design). */
  maxLatencyMs: number;
  healthz: number;
  failures: FuzzFailure[];
}

interface Exchange {
  c: FuzzCase;
  request: RawRequest;
  response?: RawResponse;
  start: number;
  end: number;
}

/**
 * What any request may write, the fuzzer's own included: the abuse limits' counters (on PostgreSQL every request
 * counts there, shared by the instances; on SQLite only a shopper's budget of retrieves does).
 */
const EVERY_REQUEST: WriteRule[] = ['server.rate_limits +~'];

/** What a case may have written: its own writes, and those of an accepted answer once answered so (or while still in flight). */
function mayWrite(e: Exchange): WriteRule[] {
  const accepted = !e.response || (e.response.status >= 200 && e.response.status < 400);
  return [...EVERY_REQUEST, ...(accepted ? [...(e.c.writes ?? []), ...(e.c.writesIfAccepted ?? [])] : (e.c.writes ?? []))];
}

/** Until the simulator has no webhook left to deliver and no refund left to move (bounded): a refund's writes are over. */
async function simulatorSettled(world: World): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (performance.now() < deadline) {
    const stats = world.server.simulator!.stats();
    if (stats.webhooks.pending === 0 && !stats.refunds.byStatus.RECEIVED && !stats.refunds.byStatus.ACCEPTED) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** A case as fast-check prints it, with long strings cut so a report stays readable. */
export function printCase(c: FuzzCase): string {
  const shorten = (value: unknown): unknown => {
    if (typeof value === 'string') return value.length > 120 ? `${value.slice(0, 120)}…(${value.length} chars)` : value;
    if (Array.isArray(value)) return value.length > 12 ? [...value.slice(0, 12).map(shorten), `…(${value.length} items)`] : value.map(shorten);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]));
    return value;
  };
  return clip(fc.stringify(shorten(c)), 3000);
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const world = await createWorld({ databaseUrl: options.databaseUrl });
  try {
    return await fuzzAgainst(world, options, started);
  } finally {
    await world.close();
  }
}

async function fuzzAgainst(world: World, options: FuzzOptions, started: number): Promise<FuzzReport> {
  const concurrency = Math.max(1, Math.min(options.concurrency, options.cases || 1));
  const httpCheckEvery = options.httpCheckEvery ?? 500;
  const failures: FuzzFailure[] = [];
  const perEndpoint: Record<string, Record<string, number>> = Object.fromEntries(ENDPOINTS.map((e) => [e, {}]));
  const perStatus: Record<string, number> = {};
  const stateChecks = { afterCases: 0, snapshots: 0, tables: 0, http: 0 };
  const writesSeen: Record<string, number> = {};
  let requests = 0;
  let maxLatencyMs = 0;

  let baseline: Snapshot = await takeSnapshot(world.watches);
  stateChecks.tables = baseline.tables.size;
  let httpBaseline = await httpSnapshot(world);
  // Every change committed after this moment is in no snapshot yet: a case in flight since then may have made it.
  let windowStart = performance.now();
  // Recent exchanges, to name the suspects when a table changed (with concurrency, more than one case may be in flight).
  const recent: Exchange[] = [];
  let httpChecking: Promise<void> | undefined;

  const httpCheck = async () => {
    stateChecks.http++;
    const now = await httpSnapshot(world);
    if (now !== httpBaseline) {
      failures.push({ kind: 'state', message: `GET /api/orders changed (no case may change alice's or bob's orders):\n${diffLines(httpBaseline, now)}` });
      httpBaseline = now;
    }
  };

  /**
   * Compares every table with the last snapshot when either database saw a commit (SQLite: PRAGMA data_version;
   * PostgreSQL: a sequence its triggers bump), and names every change that no case in flight since the last look
   * was allowed to make. Returns the suspects and those changes (none when all is explained). One look at a time:
   * looks are asynchronous, and each starts from the snapshot the previous one left.
   */
  let looking: Promise<unknown> = Promise.resolve();
  const checkTables = (): Promise<{ unexplained: TableChange[]; suspects: Exchange[] }> => {
    const look = looking.then(lookOnce, lookOnce);
    looking = look;
    return look;
  };
  const lookOnce = async (): Promise<{ unexplained: TableChange[]; suspects: Exchange[] }> => {
    stateChecks.afterCases++;
    // The databases are read some time between these two moments (cases keep running meanwhile): a change in this
    // snapshot was made by a case in flight between the last look's start and this look's end, and the next window
    // starts where this look started.
    const started = performance.now();
    const dirty = (await Promise.all(world.watches.map((watch) => watch.changed()))).includes(true);
    if (!dirty) {
      windowStart = started;
      return { unexplained: [], suspects: [] };
    }
    stateChecks.snapshots++;
    const now = await takeSnapshot(world.watches, baseline);
    const ended = performance.now();
    const changes = diffSnapshots(baseline, now);
    for (const change of rowsWithNul(now, changes)) failures.push({ kind: 'state', message: `${change.table}: ${change.kind} of ${change.key} stored a NUL, which PostgreSQL refuses` });
    baseline = now;
    const suspects = recent.filter((e) => e.end >= windowStart && e.start <= ended);
    windowStart = started;
    const unexplained: TableChange[] = [];
    for (const change of changes) {
      // The counters may move without any case (the fuzzer's own GET /api/orders counts too).
      if (allows(EVERY_REQUEST, change) || suspects.some((e) => allows(mayWrite(e), change))) writesSeen[change.table] = (writesSeen[change.table] ?? 0) + 1;
      else unexplained.push(change);
    }
    return { unexplained, suspects };
  };

  const reportChanges = (unexplained: TableChange[], suspects: Exchange[], when: string) => {
    // Cases that succeeded are the likeliest culprits, then those still running: list them first.
    const rank = (e: Exchange) => (!e.response ? 1 : e.response.status >= 200 && e.response.status < 300 ? 0 : 2);
    const sorted = [...suspects].sort((a, b) => rank(a) - rank(b));
    failures.push({
      kind: 'state',
      message: [
        `tables changed that no case in flight may write (${when}):\n${describeChanges(unexplained)}`,
        `cases in flight since the last look (${sorted.length}, successes first${sorted.length > 1 ? '; --concurrency 1 pins the culprit down' : ''}):`,
        ...sorted.slice(0, 10).map((e) => `- ${e.c.endpoint} / ${e.c.variant} (may write: ${mayWrite(e).join('; ') || 'nothing'})\n${e.response ? describeExchange(e.request, e.response) : '  (still running)'}`),
      ].join('\n'),
    });
  };

  const runCase = async (c: FuzzCase): Promise<void> => {
    requests++;
    const request = buildRequest(c, world);
    const exchange: Exchange = { c, request, start: performance.now(), end: Infinity };
    recent.push(exchange);
    if (recent.length > 400) recent.splice(0, recent.length - 400);
    const response = await world.http.send(request);
    exchange.response = response;
    // Writes that land after the answer still belong to the case: it stays in flight until they are over.
    if (c.linger === 'refund' && response.status >= 200 && response.status < 400) await simulatorSettled(world);
    exchange.end = performance.now();
    maxLatencyMs = Math.max(maxLatencyMs, response.ms);
    const status = String(response.status || 'no answer');
    perEndpoint[c.endpoint as Endpoint][status] = (perEndpoint[c.endpoint as Endpoint][status] ?? 0) + 1;
    perStatus[status] = (perStatus[status] ?? 0) + 1;

    const problems = violations(c, request, response, world);

    const { unexplained, suspects } = await checkTables();
    if (unexplained.length > 0) {
      reportChanges(unexplained, suspects, `after ${c.endpoint} / ${c.variant}`);
      // Only a case that ran alone is surely the culprit; then fast-check shrinks it like any other failure.
      if (suspects.length === 1 && suspects[0] === exchange) problems.push(`it changed tables it may not write:\n${describeChanges(unexplained)}`);
    }

    if (requests % httpCheckEvery === 0) {
      httpChecking ??= httpCheck().finally(() => (httpChecking = undefined));
      await httpChecking;
    }
    if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${describeExchange(request, response)}`);
  };

  const arbitrary = options.arbitrary ?? fuzzCase();
  let generated = 0;
  const progress = setInterval(() => options.onProgress?.(Math.min(requests, options.cases), options.cases), 1000);
  try {
    const runners = Array.from({ length: concurrency }, async (_, index) => {
      const numRuns = Math.floor(options.cases / concurrency) + (index < options.cases % concurrency ? 1 : 0);
      if (numRuns === 0) return;
      const seed = (options.seed + index) | 0;
      const details = await fc.check(fc.asyncProperty(arbitrary, runCase), { seed, numRuns });
      generated += details.failed ? details.numRuns : numRuns;
      if (details.failed) {
        const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        failures.push({
          kind: 'property',
          message: error,
          counterexample: details.counterexample ? printCase(details.counterexample[0] as FuzzCase) : undefined,
          runner: { seed, path: details.counterexamplePath, numShrinks: details.numShrinks },
        });
      }
    });
    await Promise.all(runners);
  } finally {
    clearInterval(progress);
  }

  // Let anything the cases set off settle (simulator webhooks, retrieves), then look once more.
  await simulatorSettled(world);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await httpCheck();
  const last = await checkTables();
  if (last.unexplained.length > 0) reportChanges(last.unexplained, last.suspects, 'after the run');
  const health = await world.http.send({ method: 'GET', path: '/healthz', headers: {} });
  if (health.status !== 200) failures.push({ kind: 'health', message: `GET /healthz answered ${health.status || health.error} ${health.text}` });

  const durationMs = performance.now() - started;
  return {
    pass: failures.length === 0,
    seed: options.seed,
    store: options.databaseUrl ? 'postgres' : 'sqlite',
    concurrency,
    casesRequested: options.cases,
    casesGenerated: generated,
    requests,
    durationMs: Math.round(durationMs),
    casesPerSecond: Math.round((requests / durationMs) * 1000),
    perEndpoint,
    perStatus,
    stateChecks,
    writesSeen,
    maxLatencyMs: Math.round(maxLatencyMs),
    healthz: health.status,
    failures,
  };
}

/** The report as text: counts per endpoint and status, time, rate, failures, and a PASS/FAIL line. */
export function formatReport(report: FuzzReport): string {
  const statuses = Object.keys(report.perStatus).sort();
  const width = Math.max(...ENDPOINTS.map((e) => e.length));
  const lines: string[] = [];
  lines.push(`${'endpoint'.padEnd(width)}  ${'cases'.padStart(6)}  ${statuses.map((s) => s.padStart(5)).join(' ')}`);
  for (const endpoint of ENDPOINTS) {
    const counts = report.perEndpoint[endpoint] ?? {};
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    lines.push(`${endpoint.padEnd(width)}  ${String(total).padStart(6)}  ${statuses.map((s) => String(counts[s] ?? '·').padStart(5)).join(' ')}`);
  }
  lines.push(`${'all'.padEnd(width)}  ${String(report.requests).padStart(6)}  ${statuses.map((s) => String(report.perStatus[s]).padStart(5)).join(' ')}`);
  lines.push('');
  lines.push(
    `state checks: after every case (${report.stateChecks.afterCases}); ${report.stateChecks.snapshots} found a commit and compared all ${report.stateChecks.tables} tables of both databases; ` +
      `${report.stateChecks.http} over HTTP (GET /api/orders); GET /healthz ${report.healthz}`,
  );
  lines.push(`writes seen, each allowed to a case in flight: ${Object.entries(report.writesSeen).sort().map(([table, n]) => `${table} ${n}`).join(', ') || 'none'}`);
  lines.push(
    `time ${(report.durationMs / 1000).toFixed(1)} s (server start and fixture included), ${report.casesPerSecond} cases/s, slowest answer ${report.maxLatencyMs} ms; ` +
      `${report.casesGenerated} of ${report.casesRequested} cases generated, ${report.requests} requests with shrinking`,
  );
  for (const [index, failure] of report.failures.entries()) {
    lines.push('');
    lines.push(`failure ${index + 1} (${failure.kind}): ${failure.message}`);
    if (failure.counterexample) lines.push(`counterexample (shrunk): ${failure.counterexample}`);
    if (failure.runner) lines.push(`runner seed ${failure.runner.seed}, path ${JSON.stringify(failure.runner.path)}, ${failure.runner.numShrinks} shrinks`);
  }
  lines.push('');
  lines.push(
    report.pass
      ? `PASS: ${report.requests} requests, no 5xx, every refusal an error envelope (the console's: its HTML page), every known-bad request refused, no table written but by a case allowed to (seed ${report.seed}, ${report.store})`
      : `FAIL: ${report.failures.length} failure(s) (seed ${report.seed}, ${report.store}; replay with --seed ${report.seed} --cases ${report.casesRequested} --concurrency ${report.concurrency}${report.store === 'postgres' ? ' --postgres' : ''})`,
  );
  return lines.join('\n');
}
