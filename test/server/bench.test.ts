// `npm run bench -- --check`: the verdicts on synthetic figures (every judged target can be missed, and is named),
// then on real short phases of the bench's own runner against a healthy server and one whose fallback comes late.
import fs from 'node:fs';
import path from 'node:path';
import { runPhase, type Context, type PhaseResult } from '../../scripts/lib/bench-phase';
import { BENCH_RESULTS_DOC, renderBenchResults, replaceBenchResults, START_MARKER, type BenchJson } from '../../scripts/lib/bench-report';
import type { NodeProcess } from '../../scripts/lib/proc';
import { benchPayment } from '../../scripts/lib/bench-shopper';
import { Samples } from '../../scripts/lib/stats';
import { TARGETS, type PhaseFigures } from '../../scripts/lib/targets';
import { checkOutcome, judge, misses } from '../../scripts/lib/verdicts';
import { startTestServer, testConfig, type TestServer } from './helpers';

const latency = (p50: number, p99: number) => ({ p50, p95: p99, p99, n: 100 });

function phase(name: string, patch: Partial<PhaseFigures> = {}): PhaseFigures {
  return {
    name,
    payments: 500,
    serverCpuMsPerPayment: 2.2,
    failures: {},
    paymentsPerSecond: 150,
    timeToFinalMs: { p50: 40, p99: 120 },
    callsPerPaidOrder: { login: 0, create: 1, confirm: 1, retrieve: 0, cancel: 0, list: 0, total: 2 },
    latencyMs: { orderApp: latency(1, 3), paymentApp: latency(0.8, 2.5) },
    ...patch,
  };
}

/** Figures of a healthy run on a busy 2-core machine (every phase, the PostgreSQL ones too). */
function healthyRun(): PhaseFigures[] {
  return [
    phase('ours', { timeToFinalMs: { p50: 20, p99: 45 } }),
    phase('poller', { paymentsPerSecond: 40, timeToFinalMs: { p50: 1010, p99: 1980 } }),
    phase('dropped', { paymentsPerSecond: 40, timeToFinalMs: { p50: 1010, p99: 1100 }, callsPerPaidOrder: { login: 0, create: 1, confirm: 1, retrieve: 1, cancel: 0, list: 0, total: 3 } }),
    phase('single', { paymentsPerSecond: 60, timeToFinalMs: { p50: 2, p99: 9 } }),
    phase('direct', { timeToFinalMs: { p50: NaN, p99: NaN }, latencyMs: {}, payments: 1000, simulatorCpuSeconds: 1.5, serverCpuMsPerPayment: NaN }),
    phase('pg1', { paymentsPerSecond: 110, timeToFinalMs: { p50: 50, p99: 150 } }),
    phase('pg2', { timeToFinalMs: { p50: 60, p99: 200 } }),
  ];
}

/** For every judged target, one change to a healthy run that must miss it (and only it). */
const BREAKS: Record<string, (run: PhaseFigures[]) => void> = {
  'no-failed-cycles': (run) => (run[2].failures = { 'status: HTTP 503 UPSTREAM_UNAVAILABLE': 2 }),
  'webhooks-p99-vs-poller': (run) => (run[0].timeToFinalMs = { p50: 20, p99: 60 }),
  'one-shopper-p99-vs-poller': (run) => (run[3].timeToFinalMs = { p50: 20, p99: 150 }),
  'fallback-p99': (run) => (run[2].timeToFinalMs = { p50: 1900, p99: 2600 }),
  'calls-with-webhooks': (run) => (run[0].callsPerPaidOrder = { ...run[0].callsPerPaidOrder, retrieve: 0.5, total: 2.5 }),
  'calls-without-webhooks': (run) => (run[2].callsPerPaidOrder = { ...run[2].callsPerPaidOrder, retrieve: 2, total: 4 }),
  'server-own-one-shopper': (run) => (run[3].latencyMs = { ...run[3].latencyMs, paymentApp: latency(1, 12) }),
  'server-own-loaded': (run) => (run[0].latencyMs = { ...run[0].latencyMs, orderApp: latency(9, 30) }),
  'two-instances-p99': (run) => (run[6].timeToFinalMs = { p50: 100, p99: 400 }),
  // The floor is 1.5 ms of the simulator's CPU per payment: 2.5 ms and 3 ms are the bounds.
  'server-cpu-vs-floor': (run) => (run[0].serverCpuMsPerPayment = 2.6),
  'server-cpu-one-shopper-vs-floor': (run) => (run[3].serverCpuMsPerPayment = 3.1),
  'postgres-throughput': (run) => (run[5].paymentsPerSecond = 100),
};

describe('bench targets and --check (synthetic figures)', () => {
  test('a healthy run meets every judged target, and --check exits 0', () => {
    const verdicts = judge(healthyRun());
    expect(verdicts.filter((v) => v.state !== 'met' && v.state !== 'reported')).toEqual([]);
    expect(checkOutcome(verdicts)).toEqual({ exitCode: 0, message: `check: all ${TARGETS.filter((t) => t.judged).length} judged targets met` });
  });

  test('every judged target has a test that misses it', () => {
    expect(Object.keys(BREAKS).sort()).toEqual(TARGETS.filter((t) => t.judged).map((t) => t.id).sort());
  });

  test.each(Object.keys(BREAKS))('missing %s fails --check and names that target alone', (id) => {
    const run = healthyRun();
    BREAKS[id](run);
    const verdicts = judge(run);
    expect(misses(verdicts).map((v) => v.id)).toEqual([id]);
    const outcome = checkOutcome(verdicts);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.message).toContain(`missed: ${id} (`);
  });

  test('names every miss, and the phase whose cycles failed', () => {
    const run = healthyRun();
    BREAKS['no-failed-cycles'](run);
    BREAKS['fallback-p99'](run);
    const outcome = checkOutcome(judge(run));
    expect(outcome.message).toMatch(/^check: 2 of \d+ judged targets missed: no-failed-cycles \(dropped 2; rule 0\); fallback-p99 \(2600\.0 ms; rule ≤ 2000 ms\)$/);
  });

  test('a figure without samples is a miss, not a pass', () => {
    const run = healthyRun();
    run[2].timeToFinalMs = { p50: NaN, p99: NaN };
    expect(misses(judge(run)).map((v) => v.id)).toEqual(['fallback-p99']);
  });

  test('other processes busy on the cores make a timing target inconclusive, never a count', () => {
    const run = healthyRun();
    run[2].foreignCpuShare = 0.6;
    BREAKS['fallback-p99'](run);
    BREAKS['calls-without-webhooks'](run);
    const verdicts = judge(run);
    expect(verdicts.find((v) => v.id === 'fallback-p99')).toMatchObject({ state: 'inconclusive', holds: false, note: 'other processes took 60% of the CPUs during dropped' });
    expect(misses(verdicts).map((v) => v.id)).toEqual(['calls-without-webhooks']);
    const outcome = checkOutcome(verdicts);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.message).toContain('; 1 inconclusive, other processes were busy on the same cores (fallback-p99; see the table)');
    run[2].callsPerPaidOrder = healthyRun()[2].callsPerPaidOrder;
    expect(checkOutcome(judge(run)).exitCode).toBe(0);
  });

  test('a target whose phase did not run is "not run", not a miss; throughput is reported and never judged', () => {
    const run = healthyRun().filter((p) => p.name !== 'pg1' && p.name !== 'pg2');
    run[0].paymentsPerSecond = 20;
    const verdicts = judge(run);
    expect(verdicts.find((v) => v.id === 'two-instances-p99')?.state).toBe('not run');
    expect(verdicts.find((v) => v.id === 'throughput')).toMatchObject({ state: 'reported', holds: false });
    expect(checkOutcome(verdicts).exitCode).toBe(0);
    expect(checkOutcome(judge([])).exitCode).toBe(1);
  });
});

describe('the bench results in docs/proofs.md', () => {
  const root = path.resolve(__dirname, '..', '..');

  test('are the rendering of docs/bench-results.json, not typed by hand', () => {
    const run = JSON.parse(fs.readFileSync(path.join(root, 'docs', 'bench-results.json'), 'utf8')) as BenchJson;
    const doc = fs.readFileSync(path.join(root, BENCH_RESULTS_DOC), 'utf8');
    expect(doc).toContain(START_MARKER);
    expect(replaceBenchResults(doc, renderBenchResults(run))).toBe(doc);
  });

  test('say how many targets were met, and name the ones missed', () => {
    const run = healthyRun().map((p) => (p.name === 'dropped' ? { ...p, timeToFinalMs: { p50: 2100, p99: 2500 } } : p));
    const phases = run.map((p) => ({ ...p, label: p.name, seconds: 8, serverCpuMsPerPayment: p.serverCpuMsPerPayment ?? NaN, simulatorCpuSeconds: p.simulatorCpuSeconds ?? 1, serverPeakMemoryMiB: 270, webhooks: { sent: 1, delivered: 1, dropped: 0 } }));
    const machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 4, node: 'v24.0.0', os: 'Linux' };
    const text = renderBenchResults({ measuredAt: '2026-12-01T10:00:00Z', quick: true, phaseSeconds: 8, payments: null, shoppers: 50, latencyMs: 0, thinkMs: 0, simulatorState: 'file', machine, phases });
    expect(text).toContain('Measured on 2026-12-01');
    expect(text).toContain('Test CPU, 2 cores');
    expect(text).toMatch(/\*\*11 of 12 met\*\* on this machine; missed: `fallback-p99`\./);
    expect(text).toContain('| ≤ 2000 ms | 2500.0 ms | **missed** |');
  });
});

describe('bench --check on real phases of the bench runner', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A short phase with every webhook dropped, so only the long poll's retrieve fallback can tell the shopper. */
  async function droppedPhase(retrieveIntervalMs: number): Promise<PhaseResult> {
    server = await startTestServer(testConfig({ LOG_LEVEL: 'warn', TRUST_PROXY: '127.0.0.1' }), { retrieveIntervalMs });
    const api = { server: server.url, simulator: server.url };
    // A warm-up payment, as the bench makes: the server's Airwallex login is not the phase's.
    await benchPayment(api, 'check-warm-up', 'longpoll', new Samples());
    expect((await server.request('POST', '/simulator/faults', { body: { webhookDropRate: 1 } })).status).toBe(200);
    // The server and the simulator are this process: its CPU figures are not the server's (none is judged here).
    const self = { name: 'jest worker', pid: process.pid } as NodeProcess;
    const ctx: Context = { api, server: self, simulator: self, shoppers: 3, latencyMs: 0, thinkMs: 0 };
    return runPhase(ctx, 'dropped', 'ours, no webhooks', { seconds: 1 }, (shopper, samples) => benchPayment(api, `check-${shopper}`, 'longpoll', samples));
  }

  // Whether other jobs were busy on the cores is its own verdict (tested above): here only the figures are judged.
  const figuresOnly = { foreignCpuLimit: Infinity };

  test('a server whose fallback retrieve comes after 0.3 s meets the fallback bound; after 2.5 s, it misses it', async () => {
    const healthy = await droppedPhase(300);
    const verdicts = judge([healthy], undefined, figuresOnly);
    expect(healthy.payments).toBeGreaterThanOrEqual(3);
    expect(verdicts.filter((v) => v.state === 'met').map((v) => v.id).sort()).toEqual(['calls-without-webhooks', 'fallback-p99', 'no-failed-cycles']);
    expect(checkOutcome(verdicts).exitCode).toBe(0);
    await server!.close();

    const late = await droppedPhase(2_500);
    const outcome = checkOutcome(judge([late], undefined, figuresOnly));
    expect(late.timeToFinalMs.p99).toBeGreaterThan(2_000);
    expect(outcome.exitCode).toBe(1);
    expect(misses(judge([late], undefined, figuresOnly)).map((v) => v.id)).toEqual(['fallback-p99']);
  }, 30_000);
});
