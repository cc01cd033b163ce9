// What both dialects share for reconciliation runs: the rows as the drivers return them, and their records.
import { json } from '../common';
import type { ItemState, ItemSubject, ReconciliationFlag, ReconciliationItem, ReconciliationRun, ReconciliationStatus, ReconciliationTrigger } from './types';

export interface RunRow {
  id: string;
  day: string;
  time_zone: string;
  status: ReconciliationStatus;
  trigger: ReconciliationTrigger;
  actor: string | null;
  started_at: number;
  lease_until: number | null;
  finished_at: number | null;
  error: string | null;
  /** JSON. */
  summary: unknown;
  /** JSON. */
  totals: unknown;
  recheck_at: number | null;
}

export interface ItemRow {
  run_id: string;
  seq: number;
  state: ItemState;
  flag: ReconciliationFlag | null;
  subject: ItemSubject;
  order_id: string | null;
  refund_id: string | null;
  intent_id: string | null;
  source_id: string | null;
  transaction_id: string | null;
  batch_id: string | null;
  currency: string | null;
  expected: number | null;
  actual: number | null;
  fee: number | null;
  anomaly_key: string | null;
  /** JSON. */
  detail: unknown;
}

export function runFromRow(row: RunRow): ReconciliationRun {
  return {
    id: row.id,
    day: row.day,
    timeZone: row.time_zone,
    status: row.status,
    trigger: row.trigger,
    actor: row.actor,
    startedAt: row.started_at,
    leaseUntil: row.lease_until,
    finishedAt: row.finished_at,
    error: row.error,
    summary: row.summary === null ? null : json(row.summary),
    totals: row.totals === null ? null : json(row.totals),
    recheckAt: row.recheck_at,
  };
}

export function itemFromRow(row: ItemRow): ReconciliationItem {
  return {
    seq: row.seq,
    state: row.state,
    flag: row.flag,
    subject: row.subject,
    orderId: row.order_id,
    refundId: row.refund_id,
    intentId: row.intent_id,
    sourceId: row.source_id,
    transactionId: row.transaction_id,
    batchId: row.batch_id,
    currency: row.currency,
    expected: row.expected,
    actual: row.actual,
    fee: row.fee,
    anomalyKey: row.anomaly_key,
    detail: json(row.detail),
  };
}

/** An item as the columns of its row, in the migrations' order (after run_id). */
export function itemColumns(item: ReconciliationItem): unknown[] {
  return [
    item.seq, item.state, item.flag, item.subject, item.orderId, item.refundId, item.intentId, item.sourceId, item.transactionId,
    item.batchId, item.currency, item.expected, item.actual, item.fee, item.anomalyKey,
  ];
}

export const ITEM_COLUMNS =
  'run_id, seq, state, flag, subject, order_id, refund_id, intent_id, source_id, transaction_id, batch_id, currency, expected, actual, fee, anomaly_key, detail';

/**
 * Days to run again (dueReconciliationDays): a run still `running` whose lease ran out, or a
 * completed run waiting for a recheck whose time has come. Completing a run clears the recheck of
 * the day's older runs, so only the latest one can be due. `$now`: the dialect's placeholder.
 */
export function dueDaysSql(now: string): string {
  return `SELECT DISTINCT day FROM reconciliation_runs
    WHERE (status = 'running' AND lease_until <= ${now}) OR (status = 'completed' AND recheck_at IS NOT NULL AND recheck_at <= ${now})
    ORDER BY day`;
}
