// One phase of the bench: N virtual shoppers repeating a payment for a duration or a count, then its figures (payments per
// second, latency percentiles, time to final, Airwallex calls per paid order, webhooks, CPU and memory of each process).
import os from 'node:os';
import { StepError } from './bench-shopper';
import { cpuSeconds, machineBusySeconds, memoryMiB, resetPeakMemory, sleep, type NodeProcess } from './proc';
import type { Endpoints } from './shopper';
import { callsBetween, round, Samples, simulatorStats, type CallCounts } from './stats';

export type PhaseName = 'direct' | 'ours' | 'poller' | 'dropped' | 'single' | 'pg1' | 'pg2';

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
  /** The PostgreSQL phases: CPU of PostgreSQL's processes and of the other instance. */
  partnersCpuSeconds?: number;
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
    ...(ctx.partnersCpu ? { partnersCpuSeconds: round(partnersCpu, 2) } : {}),
    foreignCpuShare: round(Math.max(0, foreignCpuShare), 2),
    serverPeakMemoryMiB: peakReset || name === 'ours' ? round(memoryMiB(ctx.server.pid).peak, 1) : NaN,
  };
}
