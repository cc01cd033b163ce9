// Chaos's report of a run: its figures (printed as JSON with --json) and the table a reader checks, every disagreement
// row with its target of zero; ok when every check is.
import { OPEN_STATUSES } from '../../server/contract';
import type { SimulatorStats } from '../../server/simulator/types';
import type { EventsGrade } from './chaos-events';
import { failedChecks, type ChaosGrade, type ServerTables } from './chaos-grade';
import type { ChaosReconciliation } from './chaos-reconcile';
import type { ChaosLedger } from './chaos-shopper';
import { machine } from './proc';
import { table } from './stats';

/** What a run did and found, as chaos.ts collects it. */
export interface ChaosRun {
  payments: number;
  shoppers: number;
  kills: number;
  instanceCount: number;
  /** The PostgreSQL server's description; undefined on SQLite. */
  postgres: string | undefined;
  refundShare: number;
  faults: Record<string, string>;
  serverEnv: Record<string, string>;
  json: boolean;
  shoppingSeconds: number;
  settleSecondsUsed: number;
  restarts: Array<{ atPayment: number; instance: number; downMs: number }>;
  databaseRestart: { atPayment: number; how: string } | undefined;
  crashes: Array<{ instance: number; atPayment: number; stderr: string }>;
  ledger: ChaosLedger;
  tables: ServerTables;
  grade: ChaosGrade;
  /** The order events against what the merchant's receiver took (chaos-events.ts). */
  events: EventsGrade;
  /** The share of deliveries the receiver answered 500. */
  eventsFail: number;
  stats: SimulatorStats;
  refundsAtAirwallex: number;
  webAppRechecks: { orders: number; missedByWebhooks: number; stillMissing: number };
  refundsOpen: { ours: number; airwallex: number };
  duplicatesIgnoredLogged: number;
  internalErrorsLogged: number;
  /** The reconciliation of every day of the run, at its end. */
  reconciliation: ChaosReconciliation;
}

export function chaosReport(run: ChaosRun): { ok: boolean; text: string } {
  const { payments, shoppers, kills, instanceCount, postgres, refundShare, faults, serverEnv, json, shoppingSeconds, settleSecondsUsed, restarts, databaseRestart, crashes } = run;
  const { ledger, tables, grade, stats, webAppRechecks, refundsOpen, duplicatesIgnoredLogged, internalErrorsLogged, reconciliation } = run;
  const internal500 = [...ledger.serverErrors].filter(([key]) => / 500 /.test(`${key} `)).reduce((a, [, n]) => a + n, 0);
  const events = run.events;
  const failures = { ...grade.failures, ...events.failures, webAppRefundsNeverFound: webAppRechecks.stillMissing, internalServerErrors: internal500, serverCrashes: crashes.length,
    reconciliationFlagged: reconciliation.flagged, reconciliationWaiting: reconciliation.waiting, reconciliationIncomplete: reconciliation.incomplete };
  const byStatus = (status: string) => grade.counts.orders[status] ?? 0;
  const requests = ledger.refundRequests;
  const result = {
    machine: machine(),
    settings: { payments, shoppers, kills, instances: instanceCount, database: postgres ?? 'SQLite', refundShare, faults, server: { ...serverEnv, ADMIN_TOKEN: '(random)' } },
    run: { shoppingSeconds: Math.round(shoppingSeconds), settleSeconds: settleSecondsUsed, restarts, databaseRestart, crashes, behaviours: Object.fromEntries(ledger.behaviours), races: Object.fromEntries(ledger.races) },
    orders: {
      created: tables.orders.length,
      createdSeenByShoppers: ledger.created.size,
      paid: byStatus('paid'),
      cancelled: byStatus('cancelled'),
      expired: byStatus('expired'),
      open: OPEN_STATUSES.reduce((sum, status) => sum + byStatus(status), 0),
      withoutIntent: tables.orders.filter((o) => o.payment_intent_id === null).length,
    },
    checks: failures,
    samples: grade.samples,
    refunds: {
      requests: requests.length,
      answers: grade.counts.refundRequests,
      stored: grade.counts.refunds,
      atAirwallex: run.refundsAtAirwallex,
      refundedMinorUnits: grade.counts.refundedMinor,
      webApp: { made: ledger.externalRefunds.size, ...webAppRechecks },
      leftOpen: refundsOpen,
    },
    shopperRequests: {
      server5xx: count(ledger.serverErrors),
      server5xxByStepStatusCode: Object.fromEntries(ledger.serverErrors),
      connectionFailures: count(ledger.connectionErrors),
      connectionFailuresByStep: Object.fromEntries(ledger.connectionErrors),
      gaveUp: Object.fromEntries(ledger.gaveUp),
    },
    events: { receiverFailRate: run.eventsFail, ...events.counts },
    webhooks: {
      simulator: stats.webhooks,
      storedEvents: grade.counts.webhookEvents,
      outcomes: grade.counts.webhookOutcomes,
      timelineEntries: grade.counts.timelineEntriesFromWebhooks,
      duplicatesIgnoredLogged,
    },
    airwallex: stats.airwallex,
    wechat: stats.wechat,
    serverErrorLogLines: internalErrorsLogged,
    reconciliation,
  };

  const ok = Object.values(failures).every((n) => n === 0);
  if (json) return { ok, text: `${JSON.stringify({ ...result, ok }, null, 2)}\n` };
  const m = result.machine;
  const f = failures;
  const rows: string[][] = [
    ['', 'value', 'target'],
    ['payments attempted (shoppers)', `${payments} (${shoppers})`, ''],
    ['server instances / database', `${instanceCount} / ${postgres ? 'PostgreSQL' : 'SQLite'}`, ''],
    ['server SIGKILL + restart', `${restarts.length} (${restarts.map((r) => `${instanceCount > 1 ? `#${r.instance} ` : ''}down ${r.downMs} ms`).join(', ')})`, '≥ 2'],
    ...(instanceCount > 1 ? [['PostgreSQL restart mid-run', databaseRestart ? `at payment ${databaseRestart.atPayment}: ${databaseRestart.how}` : 'none (run ended first)', '1']] : []),
    ['shopping / settle seconds', `${result.run.shoppingSeconds} / ${settleSecondsUsed}`, ''],
    ['orders created (seen by shoppers)', `${tables.orders.length} (${ledger.created.size})`, ''],
    ['  paid / cancelled / expired', `${result.orders.paid} / ${result.orders.cancelled} / ${result.orders.expired}`, ''],
    ['  still open after settling', String(f.ordersLeftOpen), '0'],
    ['  never got an intent (closed as expired)', String(result.orders.withoutIntent), ''],
    ["orders whose status disagrees with Airwallex (chaos's own table)", String(f.statusDisagrees), '0'],
    ['orders lost (201 not stored, or an intent without order)', String(f.lostOrders), '0'],
    ['orders with more than one Payment Intent', String(f.moreThanOneIntent), '0'],
    ['shopper paid (sheet ok) but order not paid', String(f.paidByShopperNotPaid), '0'],
    ['shopper told a final status the order does not have', String(f.shopperToldOtherwise), '0'],
    ['webhook events applied twice (timeline, database)', String(f.webhooksAppliedTwice), '0'],
    ['webhook events not applied / not on the timeline', String(f.webhooksNotApplied), '0'],
    ['  events stored / timeline entries / dup. ignored (log)', `${grade.counts.webhookEvents} / ${grade.counts.timelineEntriesFromWebhooks} / ${duplicatesIgnoredLogged}`, ''],
    ['order timelines that do not chain to the status', String(f.timelineBroken), '0'],
    ['refunds asked (201 / 4xx / no answer) and made in the web app', `${requests.length} (${requests.filter((r) => r.status === 201).length} / ${requests.filter((r) => r.status >= 400).length} / ${requests.filter((r) => r.status === 0).length}); ${ledger.externalRefunds.size}`, ''],
    ['  refunds stored, by origin and status', Object.entries(grade.counts.refunds).map(([k, n]) => `${k} ${n}`).join(', '), ''],
    ['refunds made twice', String(f.refundsTwice), '0'],
    ['refunded above paid (ours or Airwallex)', String(f.refundedAbovePaid), '0'],
    ['refunds whose status disagrees with Airwallex', String(f.refundStatusDisagrees), '0'],
    ['refunds at Airwallex unknown to the server', String(f.refundsUnknownToServer), '0'],
    ['  web-app refunds the webhooks missed (found by re-check / never)', `${webAppRechecks.missedByWebhooks} / ${f.webAppRefundsNeverFound}`, '- / 0'],
    ['order events written (by type)', `${events.counts.events} (${Object.entries(events.counts.byType).map(([k, n]) => `${k} ${n}`).join(', ')})`, ''],
    [`  tries / answered 500 (receiver fails ${Math.round(run.eventsFail * 100)}%) / never answered / taken twice`, `${events.counts.deliveries} / ${events.counts.refused} / ${events.counts.unanswered} / ${events.counts.takenTwice}`, ''],
    ['order events lost (never taken, or not delivered)', String(f.eventsLost), '0'],
    ['order events out of order (per order)', String(f.eventsOutOfOrder), '0'],
    ['changes without their event, or told twice', String(f.eventsNotTold), '0'],
    ['deliveries not verified or with another body', String(f.eventsBadDelivery), '0'],
    ['shopper requests answered 5xx', String(result.shopperRequests.server5xx), '(upstream trouble: 503)'],
    ['  of which 500 (a server bug)', String(internal500), '0'],
    ['server processes that crashed (not our kills)', String(crashes.length), '0'],
    ['shopper requests with no answer (kills)', String(result.shopperRequests.connectionFailures), ''],
    ['payments given up by the shopper', String(count(ledger.gaveUp)), ''],
    ['Airwallex calls (5xx / 429 / timeouts injected)', `${Object.values(stats.airwallex.calls).reduce((a, b) => a + b, 0)} (${stats.airwallex.faults['5xx']} / ${stats.airwallex.faults['429']} / ${stats.airwallex.faults.timeout})`, ''],
    ['webhooks sent / dropped / duplicated / reordered', `${stats.webhooks.sent} / ${stats.webhooks.dropped} / ${stats.webhooks.duplicated} / ${stats.webhooks.reordered}`, ''],
    ['reconciliation: days (transactions)', `${reconciliation.days.length} (${reconciliation.days.reduce((a, d) => a + d.transactions, 0)})`, ''],
    ['  items flagged / waiting / days not completed', `${reconciliation.flagged} / ${reconciliation.waiting} / ${reconciliation.incomplete}`, '0 / 0 / 0'],
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
    `races: ${[...ledger.races].map(([k, n]) => `${n} × ${k}`).join('; ')}`,
    `refund answers: ${JSON.stringify(result.refunds.answers)}`,
  ];
  for (const [check, examples] of Object.entries({ ...grade.samples, ...events.samples })) lines.push(`${check}:`, ...examples.map((example) => `  ${example}`));
  if (reconciliation.samples.length) lines.push('reconciliation items not matched:', ...reconciliation.samples.map((sample) => `  ${sample}`));
  for (const crash of crashes) lines.push(`crash of server ${crash.instance} at payment ${crash.atPayment}:\n${crash.stderr}`);
  const failed = [
    ...failedChecks(grade),
    ...Object.entries(events.failures).filter(([, n]) => n > 0).map(([key, n]) => `${key}=${n}`),
    ...(f.webAppRefundsNeverFound ? [`webAppRefundsNeverFound=${f.webAppRefundsNeverFound}`] : []),
    ...(internal500 ? [`internalServerErrors=${internal500}`] : []),
    ...(crashes.length ? [`serverCrashes=${crashes.length}`] : []),
    ...(['reconciliationFlagged', 'reconciliationWaiting', 'reconciliationIncomplete'] as const).filter((key) => f[key] > 0).map((key) => `${key}=${f[key]}`),
  ];
  lines.push('', ok ? 'OK: zero in every disagreement row' : `FAILED: ${failed.join(', ')}`);
  return { ok, text: `${lines.join('\n')}\n` };
}

function count<K>(map: Map<K, number>): number {
  let total = 0;
  for (const value of map.values()) total += value;
  return total;
}
