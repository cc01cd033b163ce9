// The bench's table: one column per phase, one row per figure, and what each figure means.
import type { PhaseName, PhaseResult } from './bench-phase';
import { machine } from './proc';
import { fmt, table } from './stats';

export function render(results: PhaseResult[], meta: ReturnType<typeof describeRun>): string {
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
    row('CPU s: simulator / bench client / PostgreSQL', (r) => `${fmt(r.simulatorCpuSeconds, 2)} / ${fmt(r.benchCpuSeconds, 2)}${r.partnersCpuSeconds === undefined ? '' : ` / ${fmt(r.partnersCpuSeconds, 2)}`}`),
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

export function describeRun(shoppers: number, latencyMs: number, thinkMs: number, simulatorState: string, postgres?: string) {
  return { shoppers, latencyMs, thinkMs, simulatorState, postgres, machine: machine() };
}
