// What a day's reconciliation is decided from (gathered by the reconciliation service: Airwallex's transactions and
// batches, the shop's orders and refunds) and what the rules decide (reconciliation-rules.ts).
import type { FinancialTransaction, Settlement } from '../airwallex/finance';
import type { NewAnomaly, OrderRecord, ReconciliationItem, ReconciliationSummary, ReconciliationTotals } from '../store/types';

/** A settlement batch named by a transaction of the day: Airwallex's settlement (absent when it has none) and every transaction in it. */
export interface BatchFacts {
  batchId: string;
  settlement: Settlement | undefined;
  transactions: FinancialTransaction[];
}

/** Everything a day's verdict is decided from, gathered by the reconciliation service. */
export interface DayFacts {
  runId: string;
  day: string;
  /** [from, to): the day in the merchant's time zone. */
  window: { from: number; to: number };
  now: number;
  /** The transactions Airwallex booked in the window, each once, in its order. */
  transactions: FinancialTransaction[];
  /** Ids Airwallex listed more than once across the pages. */
  repeatedIds: string[];
  /** Every transaction of a source (an attempt, a refund) looked up beyond the day, by source id. */
  bySource: Map<string, FinancialTransaction[]>;
  batches: BatchFacts[];
  /** The orders the day involves: paid in it, refunded in it, or named by its transactions (with their refunds). */
  orders: OrderRecord[];
  /** Orders the shop calls paid whose intent Airwallex does not call SUCCEEDED: its status, by order id. */
  intentStatuses: Map<string, string>;
  /** When a payment or refund of `at` without its transaction becomes missing (the grace Airwallex's booking takes). */
  missingAfter: (at: number) => number;
  /** How long past its estimated settlement a batch may stay PENDING. */
  pendingGraceMs: number;
}

export interface DayVerdict {
  items: ReconciliationItem[];
  anomalies: NewAnomaly[];
  summary: ReconciliationSummary;
  totals: ReconciliationTotals;
  /** The earliest end of a grace an item waits for: the day is run again then (null: nothing waits). */
  recheckAt: number | null;
}
