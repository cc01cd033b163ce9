// Anomalies on PostgreSQL: one open per key (a partial unique index), recorded alone or in the transaction that changes their order.
import { type PostgresPart, sqlLiteral as L } from '../postgres-context';
import { anomalyFromRow, type AnomalyRow } from './common';
import type { AnomalyStore, NewAnomaly } from './types';

export const hydrateAnomaly = anomalyFromRow;

/**
 * INSERT of anomalies, each unless one is open under its key; a new one with an order also goes on
 * that order's timeline. Returns the new anomalies' rows.
 */
export function insertAnomaliesStatement(anomalies: NewAnomaly[]): string {
  return `WITH a AS (
      INSERT INTO anomalies (key, kind, order_id, intent_id, detail, created_at)
      SELECT x.e->>'key', x.e->>'kind', x.e->>'orderId', x.e->>'intentId', x.e->'detail', (x.e->>'at')::bigint
      FROM jsonb_array_elements(${L(anomalies)}) WITH ORDINALITY AS x(e, n) ORDER BY x.n
      ON CONFLICT (key) WHERE resolved_at IS NULL DO NOTHING
      RETURNING *
    ), timeline AS (
      INSERT INTO order_events (order_id, at, kind, source, data)
      SELECT order_id, created_at, 'anomaly', kind, jsonb_build_object('anomalyId', id) || detail FROM a WHERE order_id IS NOT NULL ORDER BY id
    )
    SELECT * FROM a ORDER BY id`;
}

export const anomalies: PostgresPart<AnomalyStore> = {
  store({ rows }) {
    return {
      async recordAnomaly(anomaly) {
        const [inserted] = await rows<AnomalyRow>(insertAnomaliesStatement([anomaly]), []);
        if (inserted) return { inserted: true, anomaly: hydrateAnomaly(inserted) };
        // Open under its key already (perhaps committed by another instance after this statement's snapshot).
        const [open] = await rows<AnomalyRow>('SELECT * FROM anomalies WHERE key = $1 AND resolved_at IS NULL', [anomaly.key]);
        if (!open) throw new Error(`anomaly ${anomaly.key}: neither inserted nor open`);
        return { inserted: false, anomaly: hydrateAnomaly(open) };
      },
      async listAnomalies({ openOnly, limit, offset }) {
        const found = await rows<AnomalyRow>(
          `SELECT * FROM anomalies ${openOnly ? 'WHERE resolved_at IS NULL' : ''} ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
          [limit, offset],
        );
        return found.map(hydrateAnomaly);
      },
      async resolveAnomaly(id, at) {
        const [row] = await rows<AnomalyRow>(
          `WITH resolved AS (UPDATE anomalies SET resolved_at = $2 WHERE id = $1 AND resolved_at IS NULL RETURNING *)
           SELECT * FROM resolved UNION ALL SELECT * FROM anomalies WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM resolved)`,
          [id, at],
        );
        return row && hydrateAnomaly(row);
      },
    };
  },
};
