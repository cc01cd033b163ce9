// Anomalies: what the server found wrong (paid after final, unknown order, mismatches, reconciliation flags), one open per key, and their methods.
import type { ReconciliationFlag } from '../reconciliations/flags';

export type AnomalyKind =
  /** Airwallex says paid (or refunded) for an order we consider cancelled or expired. */
  | 'paid_after_final'
  /** A webhook or snapshot names an intent or order we do not have. */
  | 'unknown_order'
  /** The intent's amount or currency differs from the order's total. */
  | 'amount_mismatch'
  /** The order's stored intent id differs from the snapshot's. */
  | 'intent_mismatch'
  /** The sweep failed on this order many times in a row. */
  | 'sweep_failing'
  /** A reconciliation run found the shop's books and Airwallex's disagree (docs/reconciliation.md, one kind per flag). */
  | `recon_${ReconciliationFlag}`;

export interface NewAnomaly {
  kind: AnomalyKind;
  /** Deduplicates: one open anomaly per key (e.g. `paid_after_final:ord_…`). */
  key: string;
  orderId: string | null;
  intentId: string | null;
  detail: Record<string, unknown>;
  at: number;
}

export interface AnomalyRecord extends NewAnomaly {
  id: number;
  resolvedAt: number | null;
}

export interface AnomalyStore {
  /** Records an anomaly not tied to a transaction on an order; `inserted` false when one is open under its key. */
  recordAnomaly(anomaly: NewAnomaly): Promise<{ inserted: boolean; anomaly: AnomalyRecord }>;
  /** Newest first. */
  listAnomalies(options: { openOnly: boolean; limit: number; offset: number }): Promise<AnomalyRecord[]>;
  resolveAnomaly(id: number, at: number): Promise<AnomalyRecord | undefined>;
}
