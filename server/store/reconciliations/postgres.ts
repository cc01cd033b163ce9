// Reconciliation runs on PostgreSQL: one running run per day across instances (a partial unique index), a claim that takes
// over a run whose lease ran out, a completion that writes the items, totals and anomalies in one transaction.
import { hydrateAnomaly, insertAnomaliesStatement } from '../anomalies/postgres';
import type { AnomalyRow } from '../anomalies/common';
import { hydrate, orderColumns, type OrderRowWithLines } from '../orders/postgres';
import { inBatchTransaction } from '../postgres-client';
import { type PostgresPart, sqlLiteral as L } from '../postgres-context';
import { dueDaysSql, ITEM_COLUMNS, itemFromRow, runFromRow, type ItemRow, type RunRow } from './common';
import type { ReconciliationItem, ReconciliationStore } from './types';

/** Items per INSERT: a day of thousands of transactions goes in a few statements, each of bounded size. */
const ITEMS_PER_STATEMENT = 1000;

function insertItemsStatement(runId: string, items: ReconciliationItem[]): string {
  const records = items.map((item) => ({
    run_id: runId, seq: item.seq, state: item.state, flag: item.flag, subject: item.subject, order_id: item.orderId, refund_id: item.refundId,
    intent_id: item.intentId, source_id: item.sourceId, transaction_id: item.transactionId, batch_id: item.batchId, currency: item.currency,
    expected: item.expected, actual: item.actual, fee: item.fee, anomaly_key: item.anomalyKey, detail: item.detail,
  }));
  return `INSERT INTO reconciliation_items (${ITEM_COLUMNS})
    SELECT ${ITEM_COLUMNS} FROM jsonb_to_recordset(${L(records)}) AS x(run_id text, seq integer, state text, flag text, subject text,
      order_id text, refund_id text, intent_id text, source_id text, transaction_id text, batch_id text, currency text, expected bigint,
      actual bigint, fee bigint, anomaly_key text, detail jsonb)`;
}

export const reconciliations: PostgresPart<ReconciliationStore> = {
  store({ pool, rows }) {
    const orders = async (text: string, values: unknown[]) => (await rows<OrderRowWithLines>(text, values)).map(hydrate);
    return {
      async claimReconciliation(claim) {
        // Each statement sees what the previous one (and any transaction that committed meanwhile) wrote: a second
        // claimer waits on the first one's row lock or unique index entry, then finds its run.
        const [, inserted, running] = await inBatchTransaction(pool, (tx) =>
          tx.commit([
            `UPDATE reconciliation_runs SET status = 'abandoned', finished_at = ${L(claim.now)}, lease_until = NULL
              WHERE day = ${L(claim.day)} AND status = 'running' AND lease_until <= ${L(claim.now)}`,
            `INSERT INTO reconciliation_runs (id, day, time_zone, status, trigger, actor, started_at, lease_until)
              VALUES (${L(claim.id)}, ${L(claim.day)}, ${L(claim.timeZone)}, 'running', ${L(claim.trigger)}, ${L(claim.actor)}, ${L(claim.now)}, ${L(claim.leaseUntil)})
              ON CONFLICT (day) WHERE status = 'running' DO NOTHING RETURNING *`,
            `SELECT * FROM reconciliation_runs WHERE day = ${L(claim.day)} AND status = 'running'`,
          ]),
        );
        const mine = inserted.rows[0] as RunRow | undefined;
        if (mine) return { claimed: true, run: runFromRow(mine) };
        const other = running.rows[0] as RunRow | undefined;
        if (!other) throw new Error(`reconciliation of ${claim.day}: neither claimed nor running`);
        return { claimed: false, running: runFromRow(other) };
      },
      async renewReconciliationLease(id, leaseUntil) {
        const found = await rows("UPDATE reconciliation_runs SET lease_until = $2 WHERE id = $1 AND status = 'running' RETURNING id", [id, leaseUntil]);
        return found.length === 1;
      },
      async completeReconciliation(id, outcome) {
        return inBatchTransaction(pool, async (tx) => {
          const [done] = await tx.send([
            `UPDATE reconciliation_runs SET status = 'completed', finished_at = ${L(outcome.finishedAt)}, lease_until = NULL,
              summary = ${L(outcome.summary)}, totals = ${L(outcome.totals)}, recheck_at = ${L(outcome.recheckAt)}
              WHERE id = ${L(id)} AND status = 'running' RETURNING day`,
          ]);
          const day = (done.rows[0] as { day: string } | undefined)?.day;
          if (day === undefined) return { completed: false, newAnomalies: [] }; // rolled back: nothing written
          const statements = [`UPDATE reconciliation_runs SET recheck_at = NULL WHERE day = ${L(day)} AND id <> ${L(id)} AND status = 'completed'`];
          for (let start = 0; start < outcome.items.length; start += ITEMS_PER_STATEMENT) {
            statements.push(insertItemsStatement(id, outcome.items.slice(start, start + ITEMS_PER_STATEMENT)));
          }
          if (outcome.anomalies.length > 0) statements.push(insertAnomaliesStatement(outcome.anomalies));
          const results = await tx.commit(statements);
          const newAnomalies = outcome.anomalies.length > 0 ? (results[results.length - 1].rows as AnomalyRow[]).map(hydrateAnomaly) : [];
          return { completed: true, newAnomalies };
        });
      },
      async failReconciliation(id, error, at) {
        await rows("UPDATE reconciliation_runs SET status = 'failed', finished_at = $2, lease_until = NULL, error = $3 WHERE id = $1 AND status = 'running'", [
          id,
          at,
          error,
        ]);
      },
      async listReconciliationRuns({ day, limit, offset }) {
        const found =
          day === undefined
            ? await rows<RunRow>('SELECT * FROM reconciliation_runs ORDER BY started_at DESC, id DESC LIMIT $1 OFFSET $2', [limit, offset])
            : await rows<RunRow>('SELECT * FROM reconciliation_runs WHERE day = $1 ORDER BY started_at DESC, id DESC LIMIT $2 OFFSET $3', [day, limit, offset]);
        return found.map(runFromRow);
      },
      async lastScheduledDay() {
        const [row] = await rows<{ day: string | null }>("SELECT max(day) AS day FROM reconciliation_runs WHERE trigger = 'schedule' AND status = 'completed'", []);
        return row.day ?? undefined;
      },
      async getReconciliationRun(id) {
        const [row] = await rows<RunRow>('SELECT * FROM reconciliation_runs WHERE id = $1', [id]);
        return row && runFromRow(row);
      },
      async reconciliationItems(runId, options = {}) {
        const found = await rows<ItemRow>(
          `SELECT * FROM reconciliation_items WHERE run_id = $1 ${options.flaggedOnly ? 'AND flag IS NOT NULL' : ''} ORDER BY seq`,
          [runId],
        );
        return found.map(itemFromRow);
      },
      async transactionItems(transactionId, limit) {
        const found = await rows<ItemRow & { run: RunRow }>(
          `SELECT i.*, to_jsonb(r) AS run FROM reconciliation_items i JOIN reconciliation_runs r ON r.id = i.run_id
            WHERE i.transaction_id = $1 ORDER BY r.started_at DESC, r.id DESC, i.seq LIMIT $2`,
          [transactionId, limit],
        );
        return found.map((row) => ({ run: runFromRow(row.run), item: itemFromRow(row) }));
      },
      async dueReconciliationDays(now) {
        return (await rows<{ day: string }>(dueDaysSql('$1'), [now])).map((row) => row.day);
      },
      async ordersPaidBetween(from, to) {
        return orders(`SELECT ${orderColumns('o')} FROM orders o WHERE o.paid_at >= $1 AND o.paid_at < $2 ORDER BY o.paid_at, o.id COLLATE "C"`, [from, to]);
      },
      async ordersRefundedBetween(from, to) {
        return orders(
          `SELECT ${orderColumns('o')} FROM orders o WHERE o.id IN (SELECT order_id FROM refunds WHERE created_at >= $1 AND created_at < $2)
            ORDER BY o.created_at, o.id COLLATE "C"`,
          [from, to],
        );
      },
      async ordersByAttempts(attemptIds) {
        if (attemptIds.length === 0) return [];
        return orders(`SELECT ${orderColumns('o')} FROM orders o WHERE o.payment_attempt_id = ANY($1::text[])`, [[...new Set(attemptIds)]]);
      },
      async ordersByAirwallexRefunds(airwallexRefundIds) {
        if (airwallexRefundIds.length === 0) return [];
        return orders(
          `SELECT ${orderColumns('o')} FROM orders o WHERE o.id IN (SELECT order_id FROM refunds WHERE airwallex_refund_id = ANY($1::text[]))`,
          [[...new Set(airwallexRefundIds)]],
        );
      },
    };
  },
};
