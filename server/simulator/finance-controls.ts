// Controls that plant discrepancies in the simulated money side, for tests and demos: add a financial transaction, drop one.
import { currencyPrecision, toMinorUnits } from '../money';
import { ApiError, validationError } from './api-error';
import { feeFor, type Booking, type Finance } from './finance';
import type { FinanceSettings } from './finance-settings';
import type { SimulatorStore } from './store';

/**
 * What POST /simulator/airwallex/_financial_transactions takes. With `payment_intent_id`, the
 * transaction is that intent's PAYMENT (source: its succeeded attempt; amount and currency default
 * to the captured ones); with `refund_id`, that refund's REFUND; otherwise `source_id` (e.g. an
 * attempt the shop never heard of), `amount` and `currency` are required. Amounts are magnitudes in
 * major units: the sign convention is applied on the wire.
 */
export interface PlantInput {
  payment_intent_id?: string;
  refund_id?: string;
  source_id?: string;
  /** Default PAYMENT_ATTEMPT (REFUND with refund_id). */
  source_type?: string;
  /** Default PAYMENT (REFUND with refund_id). */
  transaction_type?: string;
  amount?: number;
  currency?: string;
  /** Default: the fee rate's fee for a PAYMENT, 0 otherwise. */
  fee?: number;
  /** PENDING (default) or CANCELLED. */
  status?: 'PENDING' | 'CANCELLED';
  /** ISO 8601 with its zone; default now. The batch is still the one of the day it is booked. */
  created_at?: string;
  description?: string;
  /** Drop the transactions of the same source first (a different amount rather than a duplicate). */
  replace?: boolean;
}

const FIELDS = ['payment_intent_id', 'refund_id', 'source_id', 'source_type', 'transaction_type', 'amount', 'currency', 'fee', 'status', 'created_at', 'description', 'replace'];
const ZONED = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/;

/** Adds a transaction as Airwallex would have booked it; answers it as the API shows it. Throws validation_error / resource_not_found. */
export function plantTransaction(finance: Finance, store: SimulatorStore, input: unknown, nowMs: number): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw validationError(undefined, 'The body must be a JSON object like {"payment_intent_id":"int_...","amount":9.99} or {"source_id":"att_...","amount":1,"currency":"CNY"}');
  }
  const unknown = Object.keys(input).filter((key) => !FIELDS.includes(key));
  if (unknown.length > 0) throw validationError(unknown[0], `Unknown field ${unknown[0]} (the control takes ${FIELDS.join(', ')})`);
  const body = input as PlantInput;
  for (const key of ['payment_intent_id', 'refund_id', 'source_id', 'source_type', 'transaction_type', 'currency', 'created_at', 'description'] as const) {
    if (body[key] !== undefined && (typeof body[key] !== 'string' || body[key] === '')) throw validationError(key, `${key} must be a non-empty string`);
  }
  if (body.payment_intent_id !== undefined && body.refund_id !== undefined) throw validationError('refund_id', 'Give payment_intent_id or refund_id, not both');

  const base = baseOf(store, body);
  const currency = body.currency ?? base.currency;
  if (currency === undefined) throw validationError('currency', 'currency must be provided with source_id');
  if (!/^[A-Z]{3}$/.test(currency)) throw validationError('currency', 'currency must be a 3-letter ISO 4217 code in upper case');
  const amountMinor = body.amount !== undefined ? minor(body.amount, currency, 'amount', false) : base.amountMinor;
  if (amountMinor === undefined) throw validationError('amount', 'amount must be provided with source_id');
  const transactionType = body.transaction_type ?? base.transactionType;
  const feeMinor = body.fee !== undefined ? minor(body.fee, currency, 'fee', true) : transactionType === 'PAYMENT' ? feeFor(amountMinor, finance.settings().feeRate) : 0;
  if (body.status !== undefined && body.status !== 'PENDING' && body.status !== 'CANCELLED') throw validationError('status', 'status must be PENDING or CANCELLED');
  if (body.replace !== undefined && typeof body.replace !== 'boolean') throw validationError('replace', 'replace must be true or false');
  let createdMs = nowMs;
  if (body.created_at !== undefined) {
    createdMs = Date.parse(body.created_at.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
    if (!ZONED.test(body.created_at) || Number.isNaN(createdMs)) throw validationError('created_at', 'created_at must be an ISO 8601 date-time with its zone');
  }

  const booking: Booking = {
    sourceId: base.sourceId,
    sourceType: body.source_type ?? base.sourceType,
    transactionType,
    intentId: base.intentId,
    currency,
    amountMinor,
    feeMinor,
    status: body.status,
    createdMs,
    description: body.description,
  };
  return store.transaction(() => {
    if (body.replace) finance.db.deleteTransactions({ sourceId: base.sourceId });
    return finance.wire(finance.book(booking));
  });
}

/**
 * Drops the transactions of an intent (its PAYMENT and REFUND ones), of a refund, of a source, or
 * one by id: as if Airwallex never booked them. Answers how many went; 404 when none matched.
 */
export function dropTransactions(finance: Finance, query: Record<string, unknown>): { deleted: number } {
  const keys = ['id', 'source_id', 'payment_intent_id', 'refund_id'].filter((key) => typeof query[key] === 'string' && query[key] !== '');
  if (keys.length !== 1) throw validationError(undefined, 'Give exactly one of id, source_id, payment_intent_id, refund_id (as a query parameter)');
  const value = query[keys[0]] as string;
  const where = keys[0] === 'id' ? { id: value } : keys[0] === 'payment_intent_id' ? { intentId: value } : { sourceId: value };
  const deleted = finance.db.transaction(() => finance.db.deleteTransactions(where));
  if (deleted === 0) throw new ApiError(404, 'resource_not_found', `No financial transaction matches ${keys[0]}=${value}`);
  return { deleted };
}

interface Base {
  sourceId: string;
  sourceType: string;
  transactionType: string;
  intentId: string | null;
  currency?: string;
  amountMinor?: number;
}

/** What the named intent or refund implies about the transaction; the caller's fields override it. */
function baseOf(store: SimulatorStore, body: PlantInput): Base {
  if (body.payment_intent_id !== undefined) {
    const stored = store.getIntent(body.payment_intent_id);
    if (!stored) throw new ApiError(400, 'resource_not_found', `The PaymentIntent ${body.payment_intent_id} does not exist.`);
    const { intent } = stored;
    const attempt = intent.latest_payment_attempt;
    if (intent.status !== 'SUCCEEDED' || !attempt) {
      throw new ApiError(400, 'invalid_status_for_operation', `The PaymentIntent ${intent.id} is ${intent.status}: only a captured payment has a PAYMENT transaction`);
    }
    return {
      sourceId: body.source_id ?? attempt.id, sourceType: 'PAYMENT_ATTEMPT', transactionType: 'PAYMENT', intentId: intent.id,
      currency: intent.currency, amountMinor: toMinorUnits(intent.captured_amount, intent.currency),
    };
  }
  if (body.refund_id !== undefined) {
    const stored = store.getRefund(body.refund_id);
    if (!stored) throw new ApiError(400, 'resource_not_found', `The Refund ${body.refund_id} does not exist.`);
    const { refund } = stored;
    return {
      sourceId: body.source_id ?? refund.id, sourceType: 'REFUND', transactionType: 'REFUND', intentId: refund.payment_intent_id,
      currency: refund.currency, amountMinor: toMinorUnits(refund.amount, refund.currency),
    };
  }
  if (body.source_id === undefined) throw validationError('source_id', 'Give payment_intent_id, refund_id or source_id');
  return { sourceId: body.source_id, sourceType: 'PAYMENT_ATTEMPT', transactionType: 'PAYMENT', intentId: null };
}

/** A magnitude in major units at the currency's precision, as minor units. */
function minor(value: unknown, currency: string, key: string, zeroAllowed: boolean): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (zeroAllowed ? value >= 0 : value > 0);
  if (!ok) throw validationError(key, `${key} must be a number ${zeroAllowed ? '>= 0' : '> 0'} in major units (a magnitude: the sign is the setting's)`);
  try {
    return toMinorUnits(value, currency);
  } catch {
    throw validationError(key, `${key} must have at most ${currencyPrecision(currency)} decimal places for ${currency}`);
  }
}

/** The money side of the Simulator object, for tests that run it in process (the same as the HTTP controls). */
export interface SimulatorFinance {
  settings(): FinanceSettings;
  /** Merges `patch` into the current settings; throws an ApiError (validation_error) when it is not valid. */
  setSettings(patch: Partial<FinanceSettings>): FinanceSettings;
  /** Back to the settings the simulator started with. */
  resetSettings(): FinanceSettings;
  /** Every financial transaction, oldest first, as the API shows it now. */
  transactions(): Array<Record<string, unknown>>;
  /** Every settlement batch, as the API shows it now. */
  settlements(): Array<Record<string, unknown>>;
  /** Settles every PENDING batch booked on `through` (YYYY-MM-DD, UTC; default today) or before; answers them. */
  settle(through?: string): Array<Record<string, unknown>>;
  /** As POST /simulator/airwallex/_financial_transactions. */
  plant(input: PlantInput): Record<string, unknown>;
  /** As DELETE /simulator/airwallex/_financial_transactions; answers how many went (throws 404 when none). */
  drop(filter: { id?: string; source_id?: string; payment_intent_id?: string; refund_id?: string }): number;
}

export function financeControls(finance: Finance, store: SimulatorStore, now: () => number): SimulatorFinance {
  return {
    settings: () => finance.settings(),
    setSettings: (patch) => finance.setSettings(patch),
    resetSettings: () => finance.resetSettings(),
    transactions: () => finance.transactions(),
    settlements: () => finance.settlements(),
    settle: (through) => finance.settleThrough(through === undefined ? {} : { through }),
    plant: (input) => plantTransaction(finance, store, input, now()),
    drop: (filter) => dropTransactions(finance, filter).deleted,
  };
}
