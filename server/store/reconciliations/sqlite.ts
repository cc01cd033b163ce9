// Reconciliation runs on SQLite: the claim, the lease and the completion are each one transaction (BEGIN IMMEDIATE, so
// two processes on one file queue instead of failing to upgrade a read lock); the shop's side of a day read with the orders' hydration.
import { insertAnomaly } from '../anomalies/sqlite';
import type { OrderRow } from '../orders/common';
import { hydrate } from '../orders/sqlite';
import type { SqlitePart } from '../sqlite-context';
import { dueDaysSql, ITEM_COLUMNS, itemColumns, itemFromRow, runFromRow, type ItemRow, type RunRow } from './common';
import type { ReconciliationClaim, ReconciliationOutcome, ReconciliationStore } from './types';

export const reconciliations: SqlitePart<ReconciliationStore> = {
  store(ctx) {
    const { db } = ctx;
    const stmt = {
      runById: ctx.prepare('SELECT * FROM reconciliation_runs WHERE id = ?'),
      running: ctx.prepare("SELECT * FROM reconciliation_runs WHERE day = ? AND status = 'running'"),
      abandon: ctx.prepare("UPDATE reconciliation_runs SET status = 'abandoned', finished_at = ?, lease_until = NULL WHERE id = ?"),
      insertRun: ctx.prepare(`INSERT INTO reconciliation_runs (id, day, time_zone, status, trigger, actor, started_at, lease_until)
        VALUES (@id, @day, @timeZone, 'running', @trigger, @actor, @now, @leaseUntil)`),
      renew: ctx.prepare("UPDATE reconciliation_runs SET lease_until = ? WHERE id = ? AND status = 'running'"),
      complete: ctx.prepare(`UPDATE reconciliation_runs SET status = 'completed', finished_at = ?, lease_until = NULL, summary = ?, totals = ?, recheck_at = ?
        WHERE id = ? AND status = 'running'`),
      clearRechecks: ctx.prepare("UPDATE reconciliation_runs SET recheck_at = NULL WHERE day = ? AND id <> ? AND status = 'completed'"),
      insertItem: ctx.prepare(`INSERT INTO reconciliation_items (${ITEM_COLUMNS}) VALUES (${ITEM_COLUMNS.split(',').map(() => '?').join(', ')})`),
      fail: ctx.prepare("UPDATE reconciliation_runs SET status = 'failed', finished_at = ?, lease_until = NULL, error = ? WHERE id = ? AND status = 'running'"),
      runs: ctx.prepare('SELECT * FROM reconciliation_runs ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?'),
      runsOfDay: ctx.prepare('SELECT * FROM reconciliation_runs WHERE day = ? ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?'),
      lastScheduledDay: ctx.prepare("SELECT max(day) AS day FROM reconciliation_runs WHERE trigger = 'schedule' AND status = 'completed'"),
      items: ctx.prepare('SELECT * FROM reconciliation_items WHERE run_id = ? ORDER BY seq'),
      flaggedItems: ctx.prepare('SELECT * FROM reconciliation_items WHERE run_id = ? AND flag IS NOT NULL ORDER BY seq'),
      transactionItems: ctx.prepare(`SELECT i.* FROM reconciliation_items i JOIN reconciliation_runs r ON r.id = i.run_id
        WHERE i.transaction_id = ? ORDER BY r.started_at DESC, r.id DESC, i.seq LIMIT ?`),
      due: ctx.prepare(dueDaysSql('@now')),
      paidBetween: ctx.prepare('SELECT * FROM orders WHERE paid_at >= ? AND paid_at < ? ORDER BY paid_at, id'),
      refundedBetween: ctx.prepare(
        'SELECT * FROM orders WHERE id IN (SELECT order_id FROM refunds WHERE created_at >= ? AND created_at < ?) ORDER BY created_at, id',
      ),
    };

    const claimTx = ctx.transaction((claim: ReconciliationClaim) => {
      const running = stmt.running.get(claim.day) as RunRow | undefined;
      if (running && (running.lease_until ?? 0) > claim.now) return { claimed: false as const, running: runFromRow(running) };
      if (running) stmt.abandon.run(claim.now, running.id);
      stmt.insertRun.run(claim);
      return { claimed: true as const, run: runFromRow(stmt.runById.get(claim.id) as RunRow) };
    });

    const completeTx = ctx.transaction((id: string, outcome: ReconciliationOutcome) => {
      const done = stmt.complete.run(outcome.finishedAt, JSON.stringify(outcome.summary), JSON.stringify(outcome.totals), outcome.recheckAt, id);
      if (done.changes !== 1) return { completed: false, newAnomalies: [] };
      const run = stmt.runById.get(id) as RunRow;
      stmt.clearRechecks.run(run.day, id);
      for (const item of outcome.items) stmt.insertItem.run(id, ...itemColumns(item), JSON.stringify(item.detail));
      const newAnomalies = outcome.anomalies.map((anomaly) => insertAnomaly(ctx, anomaly)).filter((a) => a.inserted).map((a) => a.anomaly);
      return { completed: true, newAnomalies, orderIds: [...new Set(newAnomalies.flatMap((a) => (a.orderId ? [a.orderId] : [])))] };
    });

    const ordersOf = (rows: unknown[]) => (rows as OrderRow[]).map((row) => hydrate(ctx, row));
    const ordersWhere = (column: string, values: string[]) => {
      if (values.length === 0) return [];
      const found: OrderRow[] = [];
      // SQLite's bound-parameter limit: at most 500 at a time.
      for (let start = 0; start < values.length; start += 500) {
        const slice = values.slice(start, start + 500);
        found.push(...(db.prepare(`SELECT * FROM orders WHERE ${column} IN (${slice.map(() => '?').join(', ')})`).all(...slice) as OrderRow[]));
      }
      return ordersOf(found);
    };

    return {
      async claimReconciliation(claim) {
        return claimTx(claim);
      },
      async renewReconciliationLease(id, leaseUntil) {
        return (await ctx.write(() => stmt.renew.run(leaseUntil, id))).changes === 1;
      },
      async completeReconciliation(id, outcome) {
        const result = await completeTx(id, outcome);
        // An anomaly on an order goes on its timeline: tell the order's watchers after the commit.
        for (const orderId of result.orderIds ?? []) ctx.announce(orderId);
        return { completed: result.completed, newAnomalies: result.newAnomalies };
      },
      async failReconciliation(id, error, at) {
        await ctx.write(() => stmt.fail.run(at, error, id));
      },
      async listReconciliationRuns({ day, limit, offset }) {
        const rows = (day === undefined ? stmt.runs.all(limit, offset) : stmt.runsOfDay.all(day, limit, offset)) as RunRow[];
        return rows.map(runFromRow);
      },
      async lastScheduledDay() {
        return (stmt.lastScheduledDay.get() as { day: string | null }).day ?? undefined;
      },
      async getReconciliationRun(id) {
        const row = stmt.runById.get(id) as RunRow | undefined;
        return row && runFromRow(row);
      },
      async reconciliationItems(runId, options = {}) {
        return ((options.flaggedOnly ? stmt.flaggedItems : stmt.items).all(runId) as ItemRow[]).map(itemFromRow);
      },
      async transactionItems(transactionId, limit) {
        const rows = stmt.transactionItems.all(transactionId, limit) as ItemRow[];
        return rows.map((row) => ({ run: runFromRow(stmt.runById.get(row.run_id) as RunRow), item: itemFromRow(row) }));
      },
      async dueReconciliationDays(now) {
        return (stmt.due.all({ now }) as Array<{ day: string }>).map((row) => row.day);
      },
      async ordersPaidBetween(from, to) {
        return ordersOf(stmt.paidBetween.all(from, to));
      },
      async ordersRefundedBetween(from, to) {
        return ordersOf(stmt.refundedBetween.all(from, to));
      },
      async ordersByAttempts(attemptIds) {
        return ordersWhere('payment_attempt_id', [...new Set(attemptIds)]);
      },
      async ordersByAirwallexRefunds(airwallexRefundIds) {
        const ids = [...new Set(airwallexRefundIds)];
        if (ids.length === 0) return [];
        const orderIds: string[] = [];
        for (let start = 0; start < ids.length; start += 500) {
          const slice = ids.slice(start, start + 500);
          const rows = db.prepare(`SELECT DISTINCT order_id FROM refunds WHERE airwallex_refund_id IN (${slice.map(() => '?').join(', ')})`).all(...slice);
          orderIds.push(...(rows as Array<{ order_id: string }>).map((row) => row.order_id));
        }
        return ordersWhere('id', [...new Set(orderIds)]);
      },
    };
  },
};
