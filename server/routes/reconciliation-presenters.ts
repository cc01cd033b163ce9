// Reconciliation runs and their items as the admin API answers them (contract-admin.ts): times as ISO 8601, amounts in minor units.
import type { ReconciliationItemView, ReconciliationRunView } from '../contract-admin';
import type { ReconciliationItem, ReconciliationRun } from '../store/types';

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

export function presentRun(run: ReconciliationRun): ReconciliationRunView {
  return {
    id: run.id,
    day: run.day,
    timeZone: run.timeZone,
    status: run.status,
    trigger: run.trigger,
    actor: run.actor,
    startedAt: iso(run.startedAt)!,
    finishedAt: iso(run.finishedAt),
    error: run.error,
    summary: run.summary ? { ...run.summary, flags: { ...run.summary.flags } } : null,
    totals: run.totals
      ? {
          currencies: run.totals.currencies,
          batches: run.totals.batches.map((batch) => ({ ...batch, estimatedSettledAt: iso(batch.estimatedSettledAt), settledAt: iso(batch.settledAt) })),
        }
      : null,
    recheckAt: iso(run.recheckAt),
  };
}

export function presentItem(item: ReconciliationItem): ReconciliationItemView {
  return { ...item };
}
