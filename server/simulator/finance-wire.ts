// The simulated money side on the wire: financial transactions and settlements as Airwallex answers them, and the list queries' parameters.
import { toMajorUnits } from '../money';
import { validationError } from './api-error';
import type { FinanceSettings } from './finance-settings';
import type { BatchRecord, FtRecord } from './finance-store';
import { formatTimestamp } from './format';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_NUM, MAX_PAGE_SIZE } from './inferred-finance';

export const DAY_MS = 24 * 3600_000;

/**
 * A financial transaction in the configured casing and sign convention
 * (docs/reference/airwallex-reconciliation.md §2 and §7). Net is gross minus fee, money out negative.
 */
export function renderTransaction(ft: FtRecord, settings: FinanceSettings): Record<string, unknown> {
  const major = (minor: number): number => toMajorUnits(minor, ft.currency);
  const net = ft.direction * ft.amountMinor - ft.feeMinor;
  const negative = settings.signs === 'negative';
  const snake: Record<string, unknown> = {
    id: ft.id,
    amount: major(negative ? ft.direction * ft.amountMinor : ft.amountMinor),
    fee: major(negative ? -ft.feeMinor : ft.feeMinor),
    net: major(negative ? net : Math.abs(net)),
    currency: ft.currency,
    status: ft.status,
    ...(ft.sourceId !== null ? { source_id: ft.sourceId } : {}),
    ...(ft.sourceType !== null ? { source_type: ft.sourceType } : {}),
    transaction_type: ft.transactionType,
    batch_id: ft.batchId,
    ...(ft.description !== null ? { description: ft.description } : {}),
    created_at: formatTimestamp(ft.createdMs),
    estimated_settled_at: formatTimestamp(ft.estimatedSettledMs),
    ...(ft.settledMs !== null ? { settled_at: formatTimestamp(ft.settledMs) } : {}),
  };
  return settings.casing === 'camel' ? camelKeys(snake) : snake;
}

/** A settlement batch (S `PaymentAcceptanceFinancialSettlementDto`); `totals` are its live Σnet / Σfee while PENDING (frozen in the record once SETTLED). */
export function renderSettlement(batch: BatchRecord, totals: { amountMinor: number; feeMinor: number }, settings: FinanceSettings): Record<string, unknown> {
  const amountMinor = batch.amountMinor ?? totals.amountMinor;
  const feeMinor = batch.feeMinor ?? totals.feeMinor;
  return {
    [settings.settlementIdField]: batch.id,
    amount: toMajorUnits(amountMinor, batch.currency),
    // Positive whatever the transactions' sign convention: S's example is {amount: 99.0, fee: 1.0}.
    fee: toMajorUnits(feeMinor, batch.currency),
    currency: batch.currency,
    status: batch.status,
    created_at: formatTimestamp(batch.createdMs),
    estimated_settled_at: formatTimestamp(batch.estimatedSettledMs),
    ...(batch.settledMs !== null ? { settled_at: formatTimestamp(batch.settledMs) } : {}),
  };
}

/** `{has_more, items}`, or `{hasMore, items}` in camelCase. */
export function page(items: unknown[], hasMore: boolean, casing: FinanceSettings['casing'] = 'snake'): Record<string, unknown> {
  return casing === 'camel' ? { hasMore, items } : { has_more: hasMore, items };
}

function camelKeys(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), value]));
}

type Query = Record<string, unknown>;

export function text(query: Query, key: string): string | undefined {
  const value = query[key];
  if (Array.isArray(value)) throw validationError(key, `${key} must be given once`);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** page_num (0..2000) and page_size (1..1000, default 100) as offset and limit; out of bounds is a validation_error, not a cap. */
export function paging(query: Query): { offset: number; limit: number; pageNum: number } {
  const bounded = (key: string, fallback: number, min: number, max: number): number => {
    const raw = text(query, key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) throw validationError(key, `${key} must be an integer from ${min} to ${max}`);
    return value;
  };
  const pageNum = bounded('page_num', 0, 0, MAX_PAGE_NUM);
  const limit = bounded('page_size', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  return { offset: pageNum * limit, limit, pageNum };
}

export function oneOf(query: Query, key: string, values: readonly string[]): string | undefined {
  const value = text(query, key);
  if (value !== undefined && !values.includes(value)) throw validationError(key, `${key} must be one of ${values.join(', ')}`);
  return value;
}

export function currencyParam(query: Query, key = 'currency'): string | undefined {
  const value = text(query, key);
  if (value !== undefined && !/^[A-Z]{3}$/.test(value)) throw validationError(key, `${key} must be a 3-letter ISO 4217 code in upper case`);
  return value;
}

const DATE = /^(\d{4})-(\d\d)-(\d\d)$/;
const DATE_TIME = /^(\d{4}-\d\d-\d\d)T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/;

/**
 * An inclusive ISO 8601 bound as an ms bound on whole seconds: a bare date is its whole UTC day, a
 * date-time its whole second (the wire shows whole seconds). `from` answers the first ms in, `to`
 * the first ms out. A date-time without a zone is refused (docs/reference/airwallex-reconciliation.md §8).
 */
export function timeBound(query: Query, key: string, side: 'from' | 'to'): number | undefined {
  const value = text(query, key);
  if (value === undefined) return undefined;
  const dateOnly = DATE.test(value);
  const day = dateOnly ? value : DATE_TIME.exec(value)?.[1];
  if (!isDate(day)) {
    throw validationError(key, `${key} must be an ISO 8601 date (2021-04-01) or date-time with its zone (2021-04-01T03:52:34+0000)`);
  }
  const dayMs = Date.parse(`${day}T00:00:00Z`);
  if (dateOnly) return side === 'from' ? dayMs : dayMs + DAY_MS;
  const ms = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  if (Number.isNaN(ms)) throw validationError(key, `${key} is not a valid date-time`);
  const second = Math.floor(ms / 1000) * 1000;
  return side === 'from' ? second : second + 1000;
}

/** A real calendar date written YYYY-MM-DD. */
export function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/** YYYYMMDD of the UTC day of `ms`. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/** The first ms of a YYYYMMDD day. */
export function dayStartMs(day: string): number {
  return Date.parse(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T00:00:00Z`);
}
