// The bench's targets, in one place: each figure's rule, judged as ratios and bounds that hold on a noisy machine shared by the server, the simulator and the load.
//
// A run on 2 shared cores moves absolute latencies and throughput by 2× from one run to the next (other
// jobs, CPU frequency, the three processes queueing behind each other), so a target here is one of:
// - a ratio of two figures of the same run (the long poll against the 2 s poller, measured minutes apart
//   on the same machine), which the noise moves together;
// - a bound set by the design rather than by CPU speed (the long poll's retrieve fallback runs once a
//   second, so without webhooks a shopper knows within 2 s, however slow the machine);
// - a count (Airwallex calls per paid order, failed cycles), which noise does not move at all;
// - the server's own time per request (Server-Timing `app`) where nothing queues (one shopper), or its
//   median under load.
// Absolute throughput is reported beside its reference figure and never judged.
//
// What no rule can absorb is other work on the same cores (another job, a test suite): the bench measures
// how much of the machine's CPU other processes took during each phase, and a timing target read from a
// phase where they took more than FOREIGN_CPU_LIMIT is "inconclusive" (shown, not judged); counts are
// judged whatever the load.
//
// To add a target (e.g. for a new phase), add one entry to TARGETS: `phases` names the phases it needs
// (absent from a run → "not run", never a miss), `measure` reads their figures.

/** What a target reads of one phase (the bench's PhaseResult has these fields, and more). */
export interface PhaseFigures {
  name: string;
  payments: number;
  /** Failed cycles by reason. */
  failures: Record<string, number>;
  paymentsPerSecond: number;
  /** From the pay sheet's answer to the shopper seeing `paid`. */
  timeToFinalMs: { p50: number; p99: number };
  /** Airwallex calls per paid order, by endpoint, and `total`. */
  callsPerPaidOrder: Record<string, number>;
  /** Per step (session, order, payment, orderApp, paymentApp, ...). */
  latencyMs: Record<string, { p50: number; p95: number; p99: number; n: number }>;
  /** Share of the machine's CPU that processes other than the bench's own took during the phase (absent: unknown, taken as 0). */
  foreignCpuShare?: number;
  /** The server's CPU time over the phase, per payment (absent: not measured). */
  serverCpuMsPerPayment?: number;
  /** The simulator's CPU time over the phase (absent: not measured). */
  simulatorCpuSeconds?: number;
}

/** One figure measured against its rule. */
export interface Measure {
  /** The figure as a number (NaN when it could not be measured: never met). */
  value: number;
  /** The figure as printed beside the rule (it may name what it was compared with). */
  shown: string;
  met: boolean;
}

export interface Target {
  /** Stable name, used by --json, docs/proofs.md and the tests. */
  id: string;
  /** What is measured, in a few words. */
  figure: string;
  /** The rule, printed beside the figure. */
  rule: string;
  /** The phases it needs, by name; any missing from the run makes it "not run". Empty: every phase the run has. */
  phases: string[];
  /** false: reported beside its figure, never a miss. */
  judged: boolean;
  /** A time (or a ratio of times), which other processes on the cores can stretch: inconclusive when they took more than FOREIGN_CPU_LIMIT. */
  timing: boolean;
  measure(run: RunFigures): Measure;
}

/** The phases of one run, by name. */
export interface RunFigures {
  phase(name: string): PhaseFigures;
  all: PhaseFigures[];
}

const f = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
/** `value ≤ bound`, false for NaN (no samples). */
const atMost = (value: number, bound: number) => Number.isFinite(value) && value <= bound;
const failedCycles = (phase: PhaseFigures) => Object.values(phase.failures).reduce((a, b) => a + b, 0);

/** A phase in which other processes took more than this share of the machine's CPU cannot judge a timing target. */
export const FOREIGN_CPU_LIMIT = 0.25;

/** The long poll's retrieve fallback comes once a second (server/services/orders.ts RETRIEVE_INTERVAL_MS); 2 s is the bound docs/proofs.md promises. */
export const FALLBACK_BOUND_MS = 2_000;

/** `mine` must be at most `share` of `theirs` (a ratio of two figures of the same run). */
function ratioTarget(id: string, figure: string, rule: string, mine: [string, (p: PhaseFigures) => number], theirs: [string, (p: PhaseFigures) => number], share: number): Target {
  return {
    id,
    figure,
    rule,
    phases: [...new Set([mine[0], theirs[0]])],
    judged: true,
    timing: true,
    measure(run) {
      const a = mine[1](run.phase(mine[0]));
      const b = theirs[1](run.phase(theirs[0]));
      const value = a / b;
      return { value, shown: `${f(a)} ms = ${f(value, 2)} × ${f(b)} ms`, met: atMost(value, share) };
    },
  };
}

/**
 * The floor of a payment's CPU, measured in the same run: the simulator's CPU per payment in the direct
 * phase, where the bench calls its create and confirm itself, one at a time (two HTTP exchanges, SQLite
 * writes, the webhook sent). The server's own work per payment (about seven exchanges, a handful of
 * transactions) is of the same kind, so its CPU is judged as a multiple of this, which holds on any machine.
 */
export const cpuFloorMs = (direct: PhaseFigures) => ((direct.simulatorCpuSeconds ?? NaN) * 1000) / direct.payments;

/** The server's CPU per payment, all shoppers, at most this many floors (issue 21: 2.5 ms against the floor's 1.5 ms). */
export const CPU_FLOORS_LOADED = 5 / 3;
/** The same with one shopper, where nothing is shared between payments (issue 21: 3 ms against 1.5 ms). */
export const CPU_FLOORS_ONE_SHOPPER = 2;
/** PostgreSQL, one instance, at least this share of SQLite's payments per second in the same run. */
export const POSTGRES_SHARE = 0.7;

export const TARGETS: Target[] = [
  {
    id: 'no-failed-cycles',
    figure: 'failed cycles, every phase',
    rule: '0',
    phases: [],
    judged: true,
    timing: false,
    measure(run) {
      const failed = run.all.filter((phase) => failedCycles(phase) > 0);
      const value = failed.reduce((sum, phase) => sum + failedCycles(phase), 0);
      return { value, shown: failed.length ? failed.map((phase) => `${phase.name} ${failedCycles(phase)}`).join(', ') : '0', met: value === 0 };
    },
  },
  ratioTarget(
    'webhooks-p99-vs-poller',
    // The poller's p50 is about 1 s whatever the machine (a 2 s interval): 1/20 of it is issue 21's 50 ms at
    // the default 50 shoppers. The p50 is under the p99, so this also holds the p50 (once judged apart, ≤ 1/5).
    'time to final p99 with webhooks, all shoppers, against the 2 s poller p50',
    '≤ 1/20 of the poller',
    ['ours', (p) => p.timeToFinalMs.p99],
    ['poller', (p) => p.timeToFinalMs.p50],
    1 / 20,
  ),
  ratioTarget(
    'one-shopper-p99-vs-poller',
    'time to final p99 with one shopper (nothing queued), against the 2 s poller p50',
    '≤ 1/10 of the poller',
    ['single', (p) => p.timeToFinalMs.p99],
    ['poller', (p) => p.timeToFinalMs.p50],
    1 / 10,
  ),
  {
    id: 'fallback-p99',
    figure: 'time to final p99 with every webhook dropped (the long poll\'s retrieve)',
    rule: `≤ ${FALLBACK_BOUND_MS} ms`,
    phases: ['dropped'],
    judged: true,
    timing: true,
    measure(run) {
      const value = run.phase('dropped').timeToFinalMs.p99;
      return { value, shown: `${f(value)} ms`, met: atMost(value, FALLBACK_BOUND_MS) };
    },
  },
  {
    id: 'calls-with-webhooks',
    figure: 'Airwallex calls per paid order with webhooks (create + confirm; a retrieve only when a webhook is slower than 1 s)',
    rule: '≤ 2.1, logins ≤ 0.01',
    phases: ['ours'],
    judged: true,
    timing: false,
    measure(run) {
      const calls = run.phase('ours').callsPerPaidOrder;
      return { value: calls.total, shown: `${f(calls.total, 2)} (logins ${f(calls.login, 2)})`, met: atMost(calls.total, 2.1) && atMost(calls.login, 0.01) };
    },
  },
  {
    id: 'calls-without-webhooks',
    figure: 'Airwallex calls per paid order with every webhook dropped (create + confirm + one retrieve)',
    rule: '≤ 3',
    phases: ['dropped'],
    judged: true,
    timing: false,
    measure(run) {
      const calls = run.phase('dropped').callsPerPaidOrder;
      return { value: calls.total, shown: f(calls.total, 2), met: atMost(calls.total, 3) };
    },
  },
  {
    id: 'server-own-one-shopper',
    figure: "server's own time per order and per payment, p99, one shopper (Server-Timing app)",
    rule: '≤ 5 ms',
    phases: ['single'],
    judged: true,
    timing: true,
    measure(run) {
      const { orderApp, paymentApp } = run.phase('single').latencyMs;
      const value = Math.max(orderApp?.p99 ?? NaN, paymentApp?.p99 ?? NaN);
      return { value, shown: `${f(orderApp?.p99 ?? NaN, 2)} / ${f(paymentApp?.p99 ?? NaN, 2)} ms`, met: atMost(value, 5) };
    },
  },
  {
    id: 'server-own-loaded',
    figure: "server's own time per order and per payment, p50, all shoppers (Server-Timing app)",
    rule: '≤ 5 ms',
    phases: ['ours'],
    judged: true,
    timing: true,
    measure(run) {
      const { orderApp, paymentApp } = run.phase('ours').latencyMs;
      const value = Math.max(orderApp?.p50 ?? NaN, paymentApp?.p50 ?? NaN);
      return { value, shown: `${f(orderApp?.p50 ?? NaN, 2)} / ${f(paymentApp?.p50 ?? NaN, 2)} ms`, met: atMost(value, 5) };
    },
  },
  ratioTarget(
    'server-cpu-vs-floor',
    "server's CPU per payment, all shoppers, against the floor (the simulator's CPU per payment, called directly)",
    `≤ ${(CPU_FLOORS_LOADED).toFixed(2)} × the floor`,
    ['ours', (p) => p.serverCpuMsPerPayment ?? NaN],
    ['direct', cpuFloorMs],
    CPU_FLOORS_LOADED,
  ),
  ratioTarget(
    'server-cpu-one-shopper-vs-floor',
    "server's CPU per payment with one shopper (its idle costs spread over fewer payments), against the floor",
    `≤ ${CPU_FLOORS_ONE_SHOPPER} × the floor`,
    ['single', (p) => p.serverCpuMsPerPayment ?? NaN],
    ['direct', cpuFloorMs],
    CPU_FLOORS_ONE_SHOPPER,
  ),
  {
    id: 'postgres-throughput',
    figure: 'payments per second on PostgreSQL (one instance), against SQLite (all shoppers)',
    rule: `≥ ${POSTGRES_SHARE * 100}% of SQLite`,
    phases: ['pg1', 'ours'],
    judged: true,
    timing: true,
    measure(run) {
      const pg = run.phase('pg1').paymentsPerSecond;
      const sqlite = run.phase('ours').paymentsPerSecond;
      const value = pg / sqlite;
      return { value, shown: `${f(pg)} = ${f(value * 100, 0)}% of ${f(sqlite)}`, met: Number.isFinite(value) && value >= POSTGRES_SHARE };
    },
  },
  {
    id: 'throughput',
    figure: 'payments per second with webhooks, all shoppers back to back',
    rule: '≥ 200 on the reference machine (not judged: it follows the CPU)',
    phases: ['ours'],
    judged: false,
    timing: true,
    measure(run) {
      const value = run.phase('ours').paymentsPerSecond;
      return { value, shown: f(value), met: Number.isFinite(value) && value >= 200 };
    },
  },
  ratioTarget(
    'two-instances-p99',
    'time to final p99 on two instances (long poll on B, webhooks on A), against one instance',
    '≤ 2 × one instance',
    ['pg2', (p) => p.timeToFinalMs.p99],
    ['pg1', (p) => p.timeToFinalMs.p99],
    2,
  ),
];
