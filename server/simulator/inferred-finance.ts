// THE ONE PLACE for what the simulator assumes about Airwallex's money side (financial transactions,
// settlement batches) where no official source says it. Evidence: docs/reference/airwallex-reconciliation.md
// §2–§4, §7 and §8. The shapes the sources disagree on (path, casing, sign, settlement id field) are
// settings (finance-settings.ts) so the client can be tested against each; their defaults are here.
//
// Guessed, and kept below or described here:
//   - a capture books one PAYMENT FT whose source is the succeeded attempt (§3, strong inference);
//   - a refund books its REFUND FT when it reaches ACCEPTED ("can be considered completed"), with no
//     fee; a refund that fails books nothing (so no REFUND_FAILURE reversal is ever needed);
//   - the fee is the payment amount times the fee rate, rounded half up to the currency's minor unit;
//   - FT ids are UUIDs, as in the FT doc's example (settlement records show `ftx_…`: ids are opaque);
//   - a batch is one per currency and (UTC) day of booking, numbered from 1; a transaction booked
//     for a day whose batch has settled opens the next number;
//   - lists are sorted oldest first by created_at (whole seconds), then id;
//   - a bare date in `to_*` covers the whole UTC day; a date-time must carry its zone;
//   - `from_settled_at` / `to_settled_at` bound `estimated_settled_at` for a batch still PENDING;
//   - a batch's amount is Σnet of its FTs (money out counts negative) and its fee Σfee.
//
// If the sandbox shows otherwise, change it here (or where this list points) and nowhere else.

/** Transaction types that take money out of the balance; every other type the simulator books brings money in. */
export const OUTFLOW_TRANSACTION_TYPES: ReadonlySet<string> = new Set([
  'REFUND', 'DISPUTE', 'DISPUTE_LOST', 'PAYMENT_RESERVE_HOLD', 'FEE', 'PAYOUT', 'CONVERSION_SELL', 'DD_DEBIT', 'DC_DEBIT',
  'ISSUING_AUTHORISATION_HOLD', 'ISSUING_CAPTURE', 'PURCHASE', 'PREPAYMENT',
]);

/** The refund status at which Airwallex books a refund's REFUND transaction. */
export const REFUND_BOOKED_AT = 'ACCEPTED';

/** Default sign convention: money out (refunds, fees) negative, as settlement records show fees [V] (§7). */
export const DEFAULT_SIGNS = 'negative';
/** Default casing: snake_case, as the current FT doc and RS (§2). */
export const DEFAULT_CASING = 'snake';
/** Default name of a settlement's batch id field: `id`, as S (§4). */
export const DEFAULT_SETTLEMENT_ID_FIELD = 'id';
/** Fee rate of a WeChat Pay payment when nothing is set: 0.6%, a typical cross-border WeChat Pay rate. */
export const DEFAULT_FEE_RATE = '0.006';
/** Days from the day a transaction is booked to its batch's settlement (the real one is about 2 business days, §6). */
export const DEFAULT_SETTLEMENT_DAYS = 1;

/** The two paths of the Financial Transactions API (§2): FTdoc's and S's. */
export const FT_PATH_V1 = '/api/v1/financial_transactions';
export const FT_PATH_PA = '/api/v1/pa/financial/transactions';

/** "page_num … max 2000" (FTdoc); "page_size … max is 1000" (S, FTdoc, STdoc). */
export const MAX_PAGE_NUM = 2000;
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;
