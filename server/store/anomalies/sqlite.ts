// Anomalies on SQLite: one open per key, recorded alone or inside the transaction that changes their order.
import type { SqliteContext, SqlitePart } from '../sqlite-context';
import { insertEvents } from '../timeline/sqlite';
import { anomalyFromRow, type AnomalyRow } from './common';
import type { AnomalyRecord, AnomalyStore, NewAnomaly } from './types';

const hydrateAnomaly = anomalyFromRow;

/**
 * Inserts an anomaly unless one is open under its key; a new one with an order also goes on its
 * timeline. Runs inside the caller's transaction.
 */
export function insertAnomaly(ctx: SqliteContext, anomaly: NewAnomaly): { inserted: boolean; anomaly: AnomalyRecord } {
  const inserted =
    ctx
      .prepare(`INSERT OR IGNORE INTO anomalies (key, kind, order_id, intent_id, detail, created_at)
      VALUES (@key, @kind, @orderId, @intentId, @detail, @at)`)
      .run({ ...anomaly, detail: JSON.stringify(anomaly.detail) }).changes === 1;
  const row = ctx.prepare('SELECT * FROM anomalies WHERE key = ? AND resolved_at IS NULL').get(anomaly.key) as AnomalyRow;
  if (inserted && anomaly.orderId) {
    insertEvents(ctx, anomaly.orderId, [{ kind: 'anomaly', source: anomaly.kind, data: { anomalyId: row.id, ...anomaly.detail }, at: anomaly.at }]);
  }
  return { inserted, anomaly: hydrateAnomaly(row) };
}

export const anomalies: SqlitePart<AnomalyStore> = {
  store(ctx) {
    const stmt = {
      anomalyById: ctx.prepare('SELECT * FROM anomalies WHERE id = ?'),
      listAnomalies: ctx.prepare('SELECT * FROM anomalies ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?'),
      listOpenAnomalies: ctx.prepare('SELECT * FROM anomalies WHERE resolved_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?'),
      resolveAnomaly: ctx.prepare('UPDATE anomalies SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL'),
    };
    const recordAnomalyTx = ctx.transaction((anomaly: NewAnomaly) => insertAnomaly(ctx, anomaly));
    return {
      async recordAnomaly(anomaly) {
        return recordAnomalyTx(anomaly);
      },
      async listAnomalies({ openOnly, limit, offset }) {
        return ((openOnly ? stmt.listOpenAnomalies : stmt.listAnomalies).all(limit, offset) as AnomalyRow[]).map(hydrateAnomaly);
      },
      async resolveAnomaly(id, at) {
        const row = await ctx.write(() => {
          stmt.resolveAnomaly.run(at, id);
          return stmt.anomalyById.get(id) as AnomalyRow | undefined;
        });
        return row && hydrateAnomaly(row);
      },
    };
  },
};
