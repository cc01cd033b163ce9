// Every guess about Airwallex's money side (financial transactions, settlements) that no official source
// confirms, kept in one place beside inferred.ts. Each is marked [I] or [X] in
// docs/reference/airwallex-reconciliation.md, whose reasoning is summed up at each one; when the
// sandbox shows otherwise, this is the file to change.
import { AirwallexApiError } from './errors';

/**
 * [X] The Financial Transactions API has two paths (§2): the current doc's `/api/v1/financial_transactions`
 * and `/api/v1/pa/financial/transactions` of the older Swagger spec (S) and a third-party Go client.
 * We try them in this order and keep the first that answers.
 */
export const FINANCIAL_TRANSACTION_PATHS = ['/api/v1/financial_transactions', '/api/v1/pa/financial/transactions'] as const;

/**
 * A 404 that means "no such endpoint", not "no such object": Airwallex answers an unknown URL 404
 * `not_found` and an unknown id 404 `resource_not_found` (docs/reference/airwallex.md §7). Anything
 * but `resource_not_found` (an empty body from a proxy included) is read as a missing path [I].
 */
export function isMissingPath(err: unknown): boolean {
  return err instanceof AirwallexApiError && err.httpStatus === 404 && err.airwallexCode !== 'resource_not_found';
}

/**
 * [X] Casing (§2): the current doc answers snake_case (`batch_id`, `has_more`), S and the 2022-09-09
 * docs camelCase (`batchId`, `hasMore`); probably by `x-api-version`. We read the snake_case name,
 * then the camelCase one.
 */
export function fieldOf(item: Record<string, unknown>, snakeName: string): unknown {
  if (item[snakeName] !== undefined && item[snakeName] !== null) return item[snakeName];
  const camel = snakeName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return item[camel] ?? undefined;
}

/**
 * [X] A settlement's batch id (§4): S calls it `id`, the latest retrieve page `settlement_id`. When
 * both are there, `settlement_id` is the one that can only mean the batch.
 */
export function settlementIdOf(item: Record<string, unknown>): unknown {
  return fieldOf(item, 'settlement_id') ?? item.id;
}

/**
 * [I] Sign (§7): whether a refund, a fee or a reserve hold is sent negative is not documented
 * (settlement records' fees are negative [V]). So we never trust the sign: the direction of the
 * money comes from `transaction_type`, the size from the absolute value. 1: money in; -1: money
 * out; null: a type that can go either way (ADJUSTMENT, TRANSFER, CONVERSION_REVERSAL, or one we do
 * not know), whose sign is then kept as sent.
 */
export function directionOf(transactionType: string | null): 1 | -1 | null {
  if (transactionType === null) return null;
  if (MONEY_IN.has(transactionType)) return 1;
  if (MONEY_OUT.has(transactionType)) return -1;
  return null;
}

const MONEY_IN = new Set([
  'PAYMENT', 'REFUND_REVERSAL', 'REFUND_FAILURE', 'DISPUTE_REVERSAL', 'PAYMENT_RESERVE_RELEASE', 'DEPOSIT', 'PAYOUT_FAILURE',
  'PAYOUT_REVERSAL', 'CONVERSION_BUY', 'DD_CREDIT', 'DC_CREDIT', 'ISSUING_AUTHORISATION_RELEASE', 'ISSUING_REFUND', 'PREPAYMENT_RELEASE',
]);
const MONEY_OUT = new Set([
  'REFUND', 'DISPUTE', 'DISPUTE_LOST', 'PAYMENT_RESERVE_HOLD', 'FEE', 'PAYOUT', 'CONVERSION_SELL', 'DD_DEBIT', 'DC_DEBIT',
  'ISSUING_AUTHORISATION_HOLD', 'ISSUING_CAPTURE', 'PURCHASE', 'PREPAYMENT',
]);

/*
 * [I] A settlement's `amount` is "the amount Airwallex pays to the merchant" (S), read as the batch's
 * Σnet, fees already taken, reserve-adjusted; its `fee` as Σfee (§4, §9). finance.ts reads both as
 * sent (the fee as a magnitude); comparing them with a batch's transactions is the reconciliation's.
 */

/**
 * [I, strong] What an FT's `source_id` names (§3): for `source_type` PAYMENT_ATTEMPT, the payment's
 * succeeded attempt (`att_…`, not the intent: an FT carries no payment_intent_id); for REFUND, the
 * refund (`rfd_…`). Settlement records document exactly this for their `source_id`. The FT doc's
 * example source_id is a UUID, so the kind comes from `source_type`, never from an id's prefix.
 */
export const SOURCE_TYPE_PAYMENT = 'PAYMENT_ATTEMPT';
export const SOURCE_TYPE_REFUND = 'REFUND';

export type FinancialSource = { kind: 'payment_attempt'; attemptId: string } | { kind: 'refund'; refundId: string } | { kind: 'other'; sourceType: string | null; sourceId: string | null };

export function sourceOf(ft: { sourceType: string | null; sourceId: string | null }): FinancialSource {
  if (ft.sourceId !== null && ft.sourceType === SOURCE_TYPE_PAYMENT) return { kind: 'payment_attempt', attemptId: ft.sourceId };
  if (ft.sourceId !== null && ft.sourceType === SOURCE_TYPE_REFUND) return { kind: 'refund', refundId: ft.sourceId };
  return { kind: 'other', sourceType: ft.sourceType, sourceId: ft.sourceId };
}

/**
 * [I] Timestamps (§7): examples come as `2021-03-22T16:08:02` (no zone), `2019-11-21`, `…+0000`,
 * `…+0800`. A time without a zone, or a bare date, is read as UTC. Null when absent or unreadable.
 */
export function timestampMs(value: unknown): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  let text = value.trim().replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  if (/^\d{4}-\d\d-\d\d$/.test(text)) text += 'T00:00:00Z';
  else if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)) text += 'Z';
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

