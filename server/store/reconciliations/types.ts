// Reconciliation runs: a day's comparison of the shop's books with Airwallex's financial transactions and settlement
// batches, stored whole with its items and totals (a run is complete or absent), leased across instances; and the
// reads of the shop's side of a day.
import type { AnomalyRecord, NewAnomaly } from '../anomalies/types';
import type { OrderRecord } from '../orders/types';
import type { ReconciliationFlag } from './flags';

export { RECONCILIATION_FLAGS, type ReconciliationFlag } from './flags';

/** running: leased by one instance; completed: items and totals written; failed: stopped on an error; abandoned: its lease ran out and another run took the day. */
export type ReconciliationStatus = 'running' | 'completed' | 'failed' | 'abandoned';
/** Who started it: the daily schedule, the admin API, the console's button, `npm run reconcile`. */
export type ReconciliationTrigger = 'schedule' | 'api' | 'console' | 'cli';

/** matched: both sides agree; flagged: a discrepancy (an anomaly); waiting: not there yet but within its grace. */
export type ItemState = 'matched' | 'flagged' | 'waiting';
/** payment: an order's capture; refund: a refund; transaction: an Airwallex transaction the shop has no record for; batch: a settlement batch. */
export type ItemSubject = 'payment' | 'refund' | 'transaction' | 'batch';

/** One line of a run: a payment, refund, unmatched transaction or batch, with both sides' amounts (integer minor units). */
export interface ReconciliationItem {
  /** 1, 2, … within the run. */
  seq: number;
  state: ItemState;
  flag: ReconciliationFlag | null;
  subject: ItemSubject;
  orderId: string | null;
  /** The shop's refund id (`ref_…`). */
  refundId: string | null;
  intentId: string | null;
  /** The transaction's source: the succeeded attempt (`att_…`) or the Airwallex refund (`rfd_…`). */
  sourceId: string | null;
  transactionId: string | null;
  batchId: string | null;
  currency: string | null;
  /** What the shop's books say (the order's total, the refund's amount, the batch's Σnet). */
  expected: number | null;
  /** What Airwallex says (the transaction's amount, the settlement's amount). */
  actual: number | null;
  fee: number | null;
  /** The anomaly this flag opened (one open per key). */
  anomalyKey: string | null;
  detail: Record<string, unknown>;
}

/** A day's money per currency, in minor units: Airwallex's side (from the day's transactions) and the shop's. */
export interface CurrencyTotals {
  currency: string;
  /** PAYMENT transactions of the day and Σ their amounts. */
  payments: number;
  gross: number;
  /** Σ fees (each transaction's fee, and FEE transactions). */
  fees: number;
  /** REFUND transactions of the day and Σ their magnitudes (net of reversals). */
  refunds: number;
  refunded: number;
  /** Everything else (adjustments, reserves, disputes), signed. */
  other: number;
  /** Σ net of the day's transactions: gross − fees − refunded + other. */
  net: number;
  /** The shop's books: orders paid that day (count and Σ totals), refunds made that day that went through. */
  shopPayments: number;
  shopPaid: number;
  shopRefunds: number;
  shopRefunded: number;
}

/** A settlement batch a transaction of the day belongs to: the whole batch's sums, and Airwallex's settlement. */
export interface BatchTotals {
  batchId: string;
  currency: string;
  /** The settlement's status (PENDING, SETTLED), or null when Airwallex has no such settlement. */
  status: string | null;
  transactions: number;
  gross: number;
  fees: number;
  refunded: number;
  /** Σ net of the batch's transactions. */
  net: number;
  /** What the settlement says it pays out, and its fee. */
  settlementAmount: number | null;
  settlementFee: number | null;
  estimatedSettledAt: number | null;
  settledAt: number | null;
}

export interface ReconciliationTotals {
  currencies: CurrencyTotals[];
  batches: BatchTotals[];
}

export interface ReconciliationSummary {
  /** The day's transactions as Airwallex listed them. */
  transactions: number;
  matched: number;
  flagged: number;
  waiting: number;
  /** Flagged items per flag. */
  flags: Partial<Record<ReconciliationFlag, number>>;
}

export interface ReconciliationRun {
  /** `rec_…` */
  id: string;
  /** The merchant's calendar day, YYYY-MM-DD, in `timeZone`. */
  day: string;
  timeZone: string;
  status: ReconciliationStatus;
  trigger: ReconciliationTrigger;
  /** The operator who asked (an admin token's fingerprint), or null for the schedule. */
  actor: string | null;
  startedAt: number;
  /** While running: the run is this instance's until then; another may take the day over after. */
  leaseUntil: number | null;
  finishedAt: number | null;
  /** Why it failed (never a secret). */
  error: string | null;
  summary: ReconciliationSummary | null;
  totals: ReconciliationTotals | null;
  /** Items are waiting within their grace: the day is run again from then. */
  recheckAt: number | null;
}

export interface ReconciliationClaim {
  id: string;
  day: string;
  timeZone: string;
  trigger: ReconciliationTrigger;
  actor: string | null;
  now: number;
  leaseUntil: number;
}

/** What a finished run writes, all in one transaction. */
export interface ReconciliationOutcome {
  finishedAt: number;
  summary: ReconciliationSummary;
  totals: ReconciliationTotals;
  recheckAt: number | null;
  items: ReconciliationItem[];
  /** One per flagged item; one open per key, as every anomaly (a day run again opens none twice). */
  anomalies: NewAnomaly[];
}

export interface ReconciliationStore {
  /**
   * Starts a run of `day` unless one is running under a live lease (then answers it); a running run
   * whose lease ran out (its instance died) is marked `abandoned` in the same transaction.
   */
  claimReconciliation(claim: ReconciliationClaim): Promise<{ claimed: true; run: ReconciliationRun } | { claimed: false; running: ReconciliationRun }>;
  /** Extends a running run's lease; false when it is no longer this run's (abandoned, or finished). */
  renewReconciliationLease(id: string, leaseUntil: number): Promise<boolean>;
  /**
   * Writes a running run's items, totals and anomalies and marks it completed, in one transaction;
   * the day's older runs stop waiting for a recheck. `completed` false (nothing written) when the
   * run is no longer running: its lease ran out and another run took the day.
   */
  completeReconciliation(id: string, outcome: ReconciliationOutcome): Promise<{ completed: boolean; newAnomalies: AnomalyRecord[] }>;
  /** Marks a running run failed with its reason. */
  failReconciliation(id: string, error: string, at: number): Promise<void>;
  /** Runs, newest first (of one day, or all). */
  listReconciliationRuns(options: { day?: string; limit: number; offset: number }): Promise<ReconciliationRun[]>;
  /** The latest day a run of the schedule completed, however many runs were made since by hand; undefined before the first. */
  lastScheduledDay(): Promise<string | undefined>;
  getReconciliationRun(id: string): Promise<ReconciliationRun | undefined>;
  /** A run's items in order; flagged ones only on request. */
  reconciliationItems(runId: string, options?: { flaggedOnly?: boolean }): Promise<ReconciliationItem[]>;
  /** The items that name an Airwallex transaction, newest run first, with their run. */
  transactionItems(transactionId: string, limit: number): Promise<Array<{ run: ReconciliationRun; item: ReconciliationItem }>>;
  /**
   * Days to run again now: a running run's lease ran out (its instance died), or the day's latest
   * completed run has items waiting whose grace has ended.
   */
  dueReconciliationDays(now: number): Promise<string[]>;
  /** Orders first paid in [from, to), oldest first, with their refunds. */
  ordersPaidBetween(from: number, to: number): Promise<OrderRecord[]>;
  /** Orders holding a refund created in [from, to), with their refunds. */
  ordersRefundedBetween(from: number, to: number): Promise<OrderRecord[]>;
  /** The orders whose succeeded attempt is one of `attemptIds`. */
  ordersByAttempts(attemptIds: string[]): Promise<OrderRecord[]>;
  /** The orders holding a refund whose Airwallex id is one of `airwallexRefundIds`. */
  ordersByAirwallexRefunds(airwallexRefundIds: string[]): Promise<OrderRecord[]>;
}
