// The simulated money side: a financial transaction per capture and refund, daily batches per currency that settle, and the list/get API over them.
import { randomUUID } from 'node:crypto';
import { toMinorUnits } from '../money';
import { ApiError, validationError } from './api-error';
import { DEFAULT_FINANCE, financePatchProblems, mergeFinance, type FinanceSettings } from './finance-settings';
import { FinanceStore, type BatchRecord, type FtRecord } from './finance-store';
import {
  currencyParam,
  DAY_MS,
  dayOf,
  isDate,
  dayStartMs,
  oneOf,
  page,
  paging,
  renderSettlement,
  renderTransaction,
  text,
  timeBound,
} from './finance-wire';
import { OUTFLOW_TRANSACTION_TYPES } from './inferred-finance';
import type { SimulatorStore } from './store';
import type { PaymentIntent, Refund } from './types';

type Wire = Record<string, unknown>;

export interface FinanceOptions {
  store: SimulatorStore;
  /** The simulator clock: booking times, batch days, and when batches are due. */
  now: () => number;
  settings?: Partial<FinanceSettings>;
}

/** What the booking of one transaction needs. */
export interface Booking {
  sourceId: string | null;
  sourceType: string | null;
  transactionType: string;
  intentId: string | null;
  currency: string;
  amountMinor: number;
  feeMinor: number;
  status?: 'PENDING' | 'CANCELLED';
  createdMs: number;
  description?: string | null;
}

const STATUSES = ['PENDING', 'SETTLED'] as const;

export class Finance {
  readonly db: FinanceStore;
  private readonly initial: FinanceSettings;
  private current: FinanceSettings;

  constructor(private readonly opts: FinanceOptions) {
    this.db = new FinanceStore(opts.store);
    this.initial = mergeFinance(DEFAULT_FINANCE, opts.settings ?? {});
    this.current = this.initial;
  }

  settings(): FinanceSettings {
    return this.current;
  }

  /** Merges an untrusted patch (the control route's body); throws validation_error naming every problem. */
  setSettings(patch: unknown): FinanceSettings {
    const problems = financePatchProblems(patch);
    if (problems.length > 0) throw validationError(undefined, problems.join('; '));
    this.current = mergeFinance(this.current, patch as Record<string, unknown>);
    return this.current;
  }

  resetSettings(): FinanceSettings {
    this.current = this.initial;
    return this.current;
  }

  /** The PAYMENT transaction of a capture, whose source is the succeeded attempt; runs inside the capture's database transaction. */
  bookPayment(intent: PaymentIntent, ms: number): void {
    const attempt = intent.latest_payment_attempt;
    if (!attempt) return;
    const amountMinor = toMinorUnits(intent.captured_amount, intent.currency);
    this.book({
      sourceId: attempt.id, sourceType: 'PAYMENT_ATTEMPT', transactionType: 'PAYMENT', intentId: intent.id,
      currency: intent.currency, amountMinor, feeMinor: feeFor(amountMinor, this.current.feeRate), createdMs: ms,
    });
  }

  /** The REFUND transaction of a refund that went through; runs inside the refund's database transaction. */
  bookRefund(refund: Refund, ms: number): void {
    this.book({
      sourceId: refund.id, sourceType: 'REFUND', transactionType: 'REFUND', intentId: refund.payment_intent_id,
      currency: refund.currency, amountMinor: toMinorUnits(refund.amount, refund.currency), feeMinor: 0, createdMs: ms,
    });
  }

  /** Books a transaction into the open batch of today (the simulator's clock) for its currency. */
  book(booking: Booking): FtRecord {
    const batch = this.openBatch(booking.currency);
    const ft: FtRecord = {
      id: randomUUID(),
      sourceId: booking.sourceId,
      sourceType: booking.sourceType,
      transactionType: booking.transactionType,
      intentId: booking.intentId,
      currency: booking.currency,
      amountMinor: booking.amountMinor,
      feeMinor: booking.feeMinor,
      direction: OUTFLOW_TRANSACTION_TYPES.has(booking.transactionType) ? -1 : 1,
      status: booking.status ?? 'PENDING',
      batchId: batch.id,
      description: booking.description ?? null,
      createdMs: booking.createdMs,
      estimatedSettledMs: batch.estimatedSettledMs,
      settledMs: null,
    };
    this.db.insertTransaction(ft);
    return ft;
  }

  /** The PENDING batch of today for `currency`, opened when there is none (bat_YYYYMMDD_CCY_n). */
  private openBatch(currency: string): BatchRecord {
    const nowMs = this.opts.now();
    const day = dayOf(nowMs);
    const latest = this.db.latestBatch(day, currency);
    if (latest?.status === 'PENDING') return latest;
    const n = (latest?.n ?? 0) + 1;
    const batch: BatchRecord = {
      id: `bat_${day}_${currency}_${n}`, day, currency, n, status: 'PENDING', createdMs: nowMs,
      estimatedSettledMs: dayStartMs(day) + this.current.settlementDays * DAY_MS, settledMs: null, amountMinor: null, feeMinor: null,
    };
    this.db.insertBatch(batch);
    return batch;
  }

  /** Settles every batch whose estimated_settled_at has passed, as of then (it happened while nobody looked). */
  settleDue(): void {
    if (!this.db.isOpen) return;
    const nowMs = this.opts.now();
    this.db.transaction(() => {
      for (const batch of this.db.pendingBatches({ nowMs })) this.db.settleBatch(batch.id, batch.estimatedSettledMs);
    });
  }

  /** The `_settle` control ({through?}): settles now every PENDING batch booked on `through` (YYYY-MM-DD, default today) or before. */
  settleThrough(body: unknown): Wire[] {
    const fields = body ?? {};
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields) || Object.keys(fields).some((key) => key !== 'through')) {
      throw validationError(undefined, 'The body must be empty or {"through":"YYYY-MM-DD"}');
    }
    const { through } = fields as { through?: unknown };
    if (through !== undefined && !isDate(through)) throw validationError('through', 'through must be a date like 2026-05-12 (a UTC day)');
    this.settleDue();
    const nowMs = this.opts.now();
    const day = typeof through === 'string' ? through.replace(/-/g, '') : dayOf(nowMs);
    return this.db.transaction(() =>
      this.db.pendingBatches({ throughDay: day }).map((batch) => {
        this.db.settleBatch(batch.id, nowMs);
        return this.settlementWire(this.db.batch(batch.id)!);
      }),
    );
  }

  /** GET …/financial_transactions: filters combine with AND, oldest first, offset paging. */
  listTransactions(query: Record<string, unknown>): Wire {
    this.settleDue();
    const { offset, limit } = paging(query);
    const { total, items } = this.db.findTransactions(
      {
        sourceId: text(query, 'source_id'),
        batchId: text(query, 'batch_id'),
        status: oneOf(query, 'status', STATUSES),
        currency: currencyParam(query),
        fromMs: timeBound(query, 'from_created_at', 'from'),
        toMs: timeBound(query, 'to_created_at', 'to'),
      },
      offset,
      limit,
    );
    return page(items.map((ft) => renderTransaction(ft, this.current)), offset + limit < total, this.current.casing);
  }

  getTransaction(id: string): Wire {
    this.settleDue();
    const ft = this.db.getTransaction(id);
    if (!ft) throw new ApiError(404, 'resource_not_found', `The financial transaction ${id} does not exist.`);
    return renderTransaction(ft, this.current);
  }

  /** GET /api/v1/pa/financial/settlements: the required parameters were checked against the spec already. */
  listSettlements(query: Record<string, unknown>): Wire {
    this.settleDue();
    const { offset, limit } = paging(query);
    const { total, items } = this.db.findBatches(
      {
        status: oneOf(query, 'status', STATUSES) as string,
        currency: currencyParam(query) as string,
        fromMs: timeBound(query, 'from_settled_at', 'from') as number,
        toMs: timeBound(query, 'to_settled_at', 'to') as number,
      },
      offset,
      limit,
    );
    return page(items.map((batch) => this.settlementWire(batch)), offset + limit < total);
  }

  getSettlement(id: string): Wire {
    this.settleDue();
    const batch = this.db.batch(id);
    if (!batch) throw new ApiError(404, 'resource_not_found', `The settlement ${id} does not exist.`);
    return this.settlementWire(batch);
  }

  /** Every transaction, oldest first, as the API would answer it now: the ground truth. */
  transactions(): Wire[] {
    this.settleDue();
    return this.db.allTransactions().map((ft) => renderTransaction(ft, this.current));
  }

  /** Every batch, as the API would answer it now. */
  settlements(): Wire[] {
    this.settleDue();
    return this.db.allBatches().map((batch) => this.settlementWire(batch));
  }

  wire(ft: FtRecord): Wire {
    return renderTransaction(ft, this.current);
  }

  private settlementWire(batch: BatchRecord): Wire {
    return renderSettlement(batch, this.db.batchTotals(batch.id), this.current);
  }
}

/**
 * The fee of a payment of `amountMinor` at `rate` (an exact decimal such as "0.006"), rounded half
 * up to the minor unit, in integers only: CNY 12.34 × 0.6% = 0.07404 → 0.07; 12.50 × 0.6% = 0.075 → 0.08.
 */
export function feeFor(amountMinor: number, rate: string): number {
  const [whole, fraction = ''] = rate.split('.');
  const numerator = BigInt(whole + fraction);
  const denominator = 10n ** BigInt(fraction.length);
  return Number((2n * BigInt(amountMinor) * numerator + denominator) / (2n * denominator));
}
