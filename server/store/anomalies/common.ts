// What both dialects share for anomalies: the row as the drivers return it, and its record.
import { json } from '../common';
import type { AnomalyRecord } from './types';

export interface AnomalyRow {
  id: number;
  key: string;
  kind: AnomalyRecord['kind'];
  order_id: string | null;
  intent_id: string | null;
  /** JSON object. */
  detail: unknown;
  created_at: number;
  resolved_at: number | null;
}

export function anomalyFromRow(row: AnomalyRow): AnomalyRecord {
  return {
    id: row.id,
    key: row.key,
    kind: row.kind,
    orderId: row.order_id,
    intentId: row.intent_id,
    detail: json<Record<string, unknown>>(row.detail),
    at: row.created_at,
    resolvedAt: row.resolved_at,
  };
}
