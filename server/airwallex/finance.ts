// Airwallex's money side over the client's auth, retries and errors: financial transactions and settlements, amounts as integer minor units.
import type { Logger } from '../logger';
import { toMinorUnits } from '../money';
import type { AirwallexClient } from './client';
import { AirwallexApiError, AirwallexFormatError } from './errors';
import { directionOf, FINANCIAL_TRANSACTION_PATHS, fieldOf, isMissingPath, settlementIdOf, timestampMs } from './inferred-finance';

/** A financial transaction, read from either casing and either sign convention (docs/reference/airwallex-reconciliation.md §2, §7). */
export interface FinancialTransaction {
  id: string;
  /** The originating object: a payment's succeeded attempt `att_…`, a refund's `rfd_…` (inferred-finance.ts `sourceOf`). */
  sourceId: string | null;
  sourceType: string | null;
  transactionType: string | null;
  batchId: string | null;
  /** PENDING, SETTLED, CANCELLED (not an enum: kept as sent). */
  status: string;
  currency: string;
  /** Gross in minor units, signed by direction: money in positive, money out (a refund, a fee) negative. */
  amountMinor: number;
  /** The fee in minor units, always >= 0: a cost whatever sign Airwallex gave it. */
  feeMinor: number;
  /** Net in minor units, signed by direction like amountMinor. */
  netMinor: number;
  description: string | null;
  createdAtMs: number | null;
  estimatedSettledAtMs: number | null;
  settledAtMs: number | null;
  /** The item as Airwallex sent it (for the record, and for fields read nowhere else). */
  raw: Record<string, unknown>;
}

/** A settlement batch (§4). */
export interface Settlement {
  /** The batch id, bat_YYYYMMDD_CCY_n: what FTs carry as batch_id. */
  id: string;
  currency: string;
  /** PENDING or SETTLED (kept as sent). */
  status: string;
  /** What Airwallex pays out for the batch (its Σnet, reserve-adjusted), in minor units, signed as sent. */
  amountMinor: number;
  /** The batch's fees in minor units, always >= 0. */
  feeMinor: number;
  createdAtMs: number | null;
  estimatedSettledAtMs: number | null;
  settledAtMs: number | null;
  raw: Record<string, unknown>;
}

/** A day (YYYY-MM-DD, a UTC day for Airwallex) or an instant; both bounds are inclusive. */
export type TimeBound = string | Date;

export interface FinancialTransactionQuery {
  sourceId?: string;
  batchId?: string;
  status?: 'PENDING' | 'SETTLED';
  currency?: string;
  /** Inclusive bounds on created_at. */
  from?: TimeBound;
  to?: TimeBound;
}

export interface SettlementQuery {
  currency: string;
  status: 'PENDING' | 'SETTLED';
  /** Inclusive bounds on settled_at, required by Airwallex. */
  from: TimeBound;
  to: TimeBound;
}

export interface PageRequest {
  /** From 0 (at most 2000). */
  pageNum?: number;
  /** 1..1000; Airwallex's default is 100. */
  pageSize?: number;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

export interface AllPages<T> {
  /** Every item once, in the order first seen. */
  items: T[];
  /** Ids seen more than once across the pages (offset paging over a list that moved, or a real duplicate). */
  repeatedIds: string[];
  pages: number;
}

const MAX_PAGE_NUM = 2000;
const MAX_PAGE_SIZE = 1000;

export class AirwallexFinance {
  /** The financial transactions path that answered last (§2: the sources disagree). */
  private ftPath: string | undefined;

  constructor(private readonly options: { client: AirwallexClient; logger: Logger }) {}

  /** GET …/financial_transactions: one page, filters combined with AND. */
  async listFinancialTransactions(query: FinancialTransactionQuery = {}, page: PageRequest = {}): Promise<Page<FinancialTransaction>> {
    const params = new URLSearchParams();
    if (query.sourceId !== undefined) params.set('source_id', query.sourceId);
    if (query.batchId !== undefined) params.set('batch_id', query.batchId);
    if (query.status !== undefined) params.set('status', query.status);
    if (query.currency !== undefined) params.set('currency', query.currency);
    if (query.from !== undefined) params.set('from_created_at', timeParam(query.from, 'from'));
    if (query.to !== undefined) params.set('to_created_at', timeParam(query.to, 'to'));
    setPage(params, page);
    const answer = await this.onFtPath<Record<string, unknown>>(`?${params}`, 'ft_list');
    return { items: itemsOf(answer).map(readTransaction), hasMore: fieldOf(answer, 'has_more') === true };
  }

  /** Every page of a query (page_size 1000 unless told), each transaction once. */
  async listAllFinancialTransactions(query: FinancialTransactionQuery = {}, options: { pageSize?: number } = {}): Promise<AllPages<FinancialTransaction>> {
    return allPages((pageNum) => this.listFinancialTransactions(query, { pageNum, pageSize: options.pageSize ?? MAX_PAGE_SIZE }));
  }

  /** GET …/financial_transactions/{id}; undefined when Airwallex has no such transaction. */
  async getFinancialTransaction(id: string): Promise<FinancialTransaction | undefined> {
    const answer = await this.onFtPath<Record<string, unknown> | undefined>(`/${encodeURIComponent(id)}`, 'ft_retrieve', true);
    return answer === undefined ? undefined : readTransaction(answer);
  }

  /** GET /api/v1/pa/financial/settlements: one page; every parameter of `query` is required by Airwallex. */
  async listSettlements(query: SettlementQuery, page: PageRequest = {}): Promise<Page<Settlement>> {
    const params = new URLSearchParams({
      currency: query.currency,
      status: query.status,
      from_settled_at: timeParam(query.from, 'from'),
      to_settled_at: timeParam(query.to, 'to'),
    });
    setPage(params, page);
    const answer = await this.options.client.get<Record<string, unknown>>(`/api/v1/pa/financial/settlements?${params}`, 'settlement_list');
    return { items: itemsOf(answer).map(readSettlement), hasMore: fieldOf(answer, 'has_more') === true };
  }

  async listAllSettlements(query: SettlementQuery, options: { pageSize?: number } = {}): Promise<AllPages<Settlement>> {
    return allPages((pageNum) => this.listSettlements(query, { pageNum, pageSize: options.pageSize ?? MAX_PAGE_SIZE }));
  }

  /** GET /api/v1/pa/financial/settlements/{batch id}; undefined when there is no such batch. */
  async getSettlement(batchId: string): Promise<Settlement | undefined> {
    try {
      return readSettlement(await this.options.client.get<Record<string, unknown>>(`/api/v1/pa/financial/settlements/${encodeURIComponent(batchId)}`, 'settlement_retrieve'));
    } catch (err) {
      if (err instanceof AirwallexApiError && err.httpStatus === 404 && !isMissingPath(err)) return undefined;
      throw err;
    }
  }

  /**
   * A GET on the financial transactions path that works: the one that answered last, else each in
   * turn, moving on when a path answers "no such endpoint". With `absentIsUndefined`, a 404
   * `resource_not_found` (the path exists, the object does not) answers undefined.
   */
  private async onFtPath<T>(suffix: string, operation: string, absentIsUndefined = false): Promise<T> {
    const paths = [...FINANCIAL_TRANSACTION_PATHS].sort((a, b) => Number(b === this.ftPath) - Number(a === this.ftPath));
    let missing: unknown;
    for (const path of paths) {
      try {
        const answer = await this.options.client.get<T>(path + suffix, operation);
        this.remember(path);
        return answer;
      } catch (err) {
        if (isMissingPath(err)) {
          missing = err;
          continue;
        }
        if (absentIsUndefined && err instanceof AirwallexApiError && err.httpStatus === 404) {
          this.remember(path);
          return undefined as T;
        }
        throw err;
      }
    }
    throw missing;
  }

  private remember(path: string): void {
    if (this.ftPath === path) return;
    if (path !== FINANCIAL_TRANSACTION_PATHS[0]) this.options.logger.info({ path }, 'Airwallex financial transactions answer on the older path');
    this.ftPath = path;
  }
}

/** Walks page_num from 0 while has_more, keeping each id once. */
async function allPages<T extends { id: string }>(fetchPage: (pageNum: number) => Promise<Page<T>>): Promise<AllPages<T>> {
  const seen = new Map<string, T>();
  const repeated = new Set<string>();
  for (let pageNum = 0; ; pageNum++) {
    const page = await fetchPage(pageNum);
    for (const item of page.items) {
      if (seen.has(item.id)) repeated.add(item.id);
      else seen.set(item.id, item);
    }
    if (!page.hasMore || page.items.length === 0) return { items: [...seen.values()], repeatedIds: [...repeated], pages: pageNum + 1 };
    if (pageNum >= MAX_PAGE_NUM) {
      throw new AirwallexFormatError(`More than ${MAX_PAGE_NUM + 1} pages: Airwallex's offset paging cannot reach the rest; narrow the query (a shorter time range)`);
    }
  }
}

function setPage(params: URLSearchParams, page: PageRequest): void {
  const pageNum = page.pageNum ?? 0;
  const pageSize = page.pageSize ?? 100;
  if (!Number.isInteger(pageNum) || pageNum < 0 || pageNum > MAX_PAGE_NUM) throw new RangeError(`pageNum must be an integer from 0 to ${MAX_PAGE_NUM}`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  params.set('page_num', String(pageNum));
  params.set('page_size', String(pageSize));
}

/**
 * A bound as Airwallex takes it: a day stays YYYY-MM-DD; an instant becomes whole seconds in the
 * real format (the `from` side rounded down, the `to` side too: `to` is inclusive of its second).
 */
function timeParam(bound: TimeBound, side: 'from' | 'to'): string {
  if (typeof bound === 'string') {
    if (/^\d{4}-\d\d-\d\d$/.test(bound) || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:?\d\d)$/.test(bound)) return bound;
    throw new RangeError(`the ${side} bound must be a day (2026-05-12), a date-time with its zone, or a Date; got ${JSON.stringify(bound)}`);
  }
  if (Number.isNaN(bound.getTime())) throw new RangeError(`the ${side} bound is an invalid Date`);
  return `${bound.toISOString().slice(0, 19)}+0000`;
}

function itemsOf(answer: Record<string, unknown>): Array<Record<string, unknown>> {
  const items = answer.items;
  if (!Array.isArray(items)) throw new AirwallexFormatError('Airwallex answered a list without an items array');
  return items.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
}

function readTransaction(item: Record<string, unknown>): FinancialTransaction {
  const id = requiredText(item, 'id', 'a financial transaction');
  const currency = requiredText(item, 'currency', `financial transaction ${id}`);
  const transactionType = optionalText(item, 'transaction_type');
  const what = `financial transaction ${id}`;
  const amount = minorOf(fieldOf(item, 'amount'), currency, `${what}: amount`);
  const fee = fieldOf(item, 'fee') === undefined ? 0 : minorOf(fieldOf(item, 'fee'), currency, `${what}: fee`);
  const net = fieldOf(item, 'net') === undefined ? undefined : minorOf(fieldOf(item, 'net'), currency, `${what}: net`);
  // Size from the absolute value, direction from the type (or the sign sent, for a type that goes either way).
  const direction = directionOf(transactionType) ?? (amount < 0 ? -1 : 1);
  const amountMinor = direction * Math.abs(amount);
  const feeMinor = Math.abs(fee);
  return {
    id,
    sourceId: optionalText(item, 'source_id'),
    sourceType: optionalText(item, 'source_type'),
    transactionType,
    batchId: optionalText(item, 'batch_id'),
    status: optionalText(item, 'status') ?? '',
    currency,
    amountMinor,
    feeMinor,
    netMinor: net === undefined ? amountMinor - feeMinor : direction * Math.abs(net),
    description: optionalText(item, 'description'),
    createdAtMs: timestampMs(fieldOf(item, 'created_at')),
    estimatedSettledAtMs: timestampMs(fieldOf(item, 'estimated_settled_at')),
    settledAtMs: timestampMs(fieldOf(item, 'settled_at')),
    raw: item,
  };
}

function readSettlement(item: Record<string, unknown>): Settlement {
  const id = settlementIdOf(item);
  if (typeof id !== 'string' || id === '') throw new AirwallexFormatError('Airwallex answered a settlement without its batch id (id or settlement_id)');
  const currency = requiredText(item, 'currency', `settlement ${id}`);
  const fee = fieldOf(item, 'fee');
  return {
    id,
    currency,
    status: optionalText(item, 'status') ?? '',
    amountMinor: minorOf(fieldOf(item, 'amount'), currency, `settlement ${id}: amount`),
    feeMinor: fee === undefined ? 0 : Math.abs(minorOf(fee, currency, `settlement ${id}: fee`)),
    createdAtMs: timestampMs(fieldOf(item, 'created_at')),
    estimatedSettledAtMs: timestampMs(fieldOf(item, 'estimated_settled_at')),
    settledAtMs: timestampMs(fieldOf(item, 'settled_at')),
    raw: item,
  };
}

/** A major-unit amount (a JSON number or a decimal string) as exact minor units at the currency's precision. */
function minorOf(value: unknown, currency: string, what: string): number {
  if (typeof value !== 'number' && typeof value !== 'string') throw new AirwallexFormatError(`${what} is missing or not a number`);
  try {
    return toMinorUnits(value, currency);
  } catch (err) {
    throw new AirwallexFormatError(`${what} ${JSON.stringify(value)} is not a ${currency} amount: ${(err as Error).message}`);
  }
}

function requiredText(item: Record<string, unknown>, name: string, what: string): string {
  const value = fieldOf(item, name);
  if (typeof value !== 'string' || value === '') throw new AirwallexFormatError(`Airwallex answered ${what} without ${name}`);
  return value;
}

function optionalText(item: Record<string, unknown>, name: string): string | null {
  const value = fieldOf(item, name);
  return typeof value === 'string' && value !== '' ? value : null;
}
