// The flags of a reconciliation item, apart from the runs' records: anomalies name them too (their kinds `recon_<flag>`).

/** What a flagged item says is wrong (docs/reconciliation.md says what each means and what to do). */
export const RECONCILIATION_FLAGS = [
  'missing_in_airwallex',
  'missing_in_shop',
  'amount_mismatch',
  'currency_mismatch',
  'duplicate',
  'refund_without_payment',
  'pending_too_long',
  'batch_total_mismatch',
  'status_conflict',
] as const;
export type ReconciliationFlag = (typeof RECONCILIATION_FLAGS)[number];
