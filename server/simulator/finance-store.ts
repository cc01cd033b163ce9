// The simulator's SQLite tables of financial transactions and settlement batches, in the same database (and transactions) as intents and refunds.
import type Database from 'better-sqlite3';
import type { SimulatorStore } from './store';

/** A financial transaction as stored: magnitudes in minor units and a direction, so the sign convention is applied only on the wire. */
export interface FtRecord {
  id: string;
  sourceId: string | null;
  sourceType: string | null;
  transactionType: string;
  /** The intent a PAYMENT or REFUND transaction belongs to, when known (to drop "the transaction of an intent"). */
  intentId: string | null;
  currency: string;
  /** Gross amount, a magnitude in minor units. */
  amountMinor: number;
  /** Fee, a magnitude in minor units. */
  feeMinor: number;
  /** 1: money in; -1: money out. */
  direction: 1 | -1;
  status: 'PENDING' | 'SETTLED' | 'CANCELLED';
  batchId: string;
  description: string | null;
  createdMs: number;
  estimatedSettledMs: number;
  settledMs: number | null;
}

export interface BatchRecord {
  id: string;
  /** YYYYMMDD, the UTC day its transactions were booked. */
  day: string;
  currency: string;
  n: number;
  status: 'PENDING' | 'SETTLED';
  createdMs: number;
  estimatedSettledMs: number;
  settledMs: number | null;
  /** Σnet and Σfee (minor units), frozen when the batch settles; null while PENDING (then computed from its transactions). */
  amountMinor: number | null;
  feeMinor: number | null;
}

export interface FtFilter {
  sourceId?: string;
  batchId?: string;
  status?: string;
  currency?: string;
  fromMs?: number;
  /** Exclusive upper bound. */
  toMs?: number;
}

export interface BatchFilter {
  status: string;
  currency: string;
  fromMs: number;
  /** Exclusive upper bound, on settled_ms for a SETTLED batch and estimated_settled_ms for a PENDING one. */
  toMs: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS financial_transactions (
  id TEXT PRIMARY KEY, source_id TEXT, source_type TEXT, transaction_type TEXT NOT NULL, intent_id TEXT,
  currency TEXT NOT NULL, amount_minor INTEGER NOT NULL, fee_minor INTEGER NOT NULL, direction INTEGER NOT NULL,
  status TEXT NOT NULL, batch_id TEXT NOT NULL, description TEXT,
  created_ms INTEGER NOT NULL, estimated_settled_ms INTEGER NOT NULL, settled_ms INTEGER
);
CREATE INDEX IF NOT EXISTS financial_transactions_order ON financial_transactions (created_ms / 1000, id);
CREATE INDEX IF NOT EXISTS financial_transactions_source ON financial_transactions (source_id);
CREATE INDEX IF NOT EXISTS financial_transactions_batch ON financial_transactions (batch_id);
CREATE TABLE IF NOT EXISTS settlement_batches (
  id TEXT PRIMARY KEY, day TEXT NOT NULL, currency TEXT NOT NULL, n INTEGER NOT NULL, status TEXT NOT NULL,
  created_ms INTEGER NOT NULL, estimated_settled_ms INTEGER NOT NULL, settled_ms INTEGER, amount_minor INTEGER, fee_minor INTEGER,
  UNIQUE (day, currency, n)
);
`;

// Whole seconds first, as the wire shows them, then id: a stable order for offset paging (docs/reference/airwallex-reconciliation.md §8).
const FT_ORDER = 'ORDER BY created_ms / 1000, id';
const FT_WHERE = `WHERE (@source_id IS NULL OR source_id = @source_id) AND (@batch_id IS NULL OR batch_id = @batch_id)
  AND (@status IS NULL OR status = @status) AND (@currency IS NULL OR currency = @currency)
  AND (@from_ms IS NULL OR created_ms >= @from_ms) AND (@to_ms IS NULL OR created_ms < @to_ms)`;
const BATCH_WHERE = `WHERE status = @status AND currency = @currency
  AND COALESCE(settled_ms, estimated_settled_ms) >= @from_ms AND COALESCE(settled_ms, estimated_settled_ms) < @to_ms`;

interface FtRow {
  id: string; source_id: string | null; source_type: string | null; transaction_type: string; intent_id: string | null;
  currency: string; amount_minor: number; fee_minor: number; direction: number; status: string; batch_id: string;
  description: string | null; created_ms: number; estimated_settled_ms: number; settled_ms: number | null;
}
interface BatchRow {
  id: string; day: string; currency: string; n: number; status: string; created_ms: number; estimated_settled_ms: number;
  settled_ms: number | null; amount_minor: number | null; fee_minor: number | null;
}

export class FinanceStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly store: SimulatorStore) {
    this.db = store.database;
    this.db.exec(SCHEMA);
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  get isOpen(): boolean {
    return this.store.isOpen;
  }

  transaction<T>(fn: () => T): T {
    return this.store.transaction(fn);
  }

  insertTransaction(ft: FtRecord): void {
    this.sql(
      `INSERT INTO financial_transactions (id, source_id, source_type, transaction_type, intent_id, currency, amount_minor, fee_minor,
         direction, status, batch_id, description, created_ms, estimated_settled_ms, settled_ms)
       VALUES (@id, @source_id, @source_type, @transaction_type, @intent_id,
         @currency, @amount_minor, @fee_minor, @direction, @status, @batch_id, @description, @created_ms, @estimated_settled_ms, @settled_ms)`,
    ).run(toFtRow(ft));
  }

  getTransaction(id: string): FtRecord | undefined {
    const row = this.sql('SELECT * FROM financial_transactions WHERE id = ?').get(id) as FtRow | undefined;
    return row && fromFtRow(row);
  }

  /** One page, in the list order, and how many match in all. */
  findTransactions(filter: FtFilter, offset: number, limit: number): { total: number; items: FtRecord[] } {
    const params = ftParams(filter);
    const total = (this.sql(`SELECT COUNT(*) AS n FROM financial_transactions ${FT_WHERE}`).get(params) as { n: number }).n;
    const rows = this.sql(`SELECT * FROM financial_transactions ${FT_WHERE} ${FT_ORDER} LIMIT @limit OFFSET @offset`).all({ ...params, limit, offset }) as FtRow[];
    return { total, items: rows.map(fromFtRow) };
  }

  /** Every transaction, in the list order: the ground truth. */
  allTransactions(): FtRecord[] {
    return (this.sql(`SELECT * FROM financial_transactions ${FT_ORDER}`).all() as FtRow[]).map(fromFtRow);
  }

  /** Deletes the transactions that match; then the PENDING batches left empty. Answers how many transactions went. */
  deleteTransactions(where: { id?: string; sourceId?: string; intentId?: string }): number {
    const deleted = this.sql(
      `DELETE FROM financial_transactions WHERE (@id IS NULL OR id = @id) AND (@source_id IS NULL OR source_id = @source_id)
         AND (@intent_id IS NULL OR intent_id = @intent_id) AND (@id IS NOT NULL OR @source_id IS NOT NULL OR @intent_id IS NOT NULL)`,
    ).run({ id: where.id ?? null, source_id: where.sourceId ?? null, intent_id: where.intentId ?? null }).changes;
    this.sql(`DELETE FROM settlement_batches WHERE status = 'PENDING' AND id NOT IN (SELECT batch_id FROM financial_transactions)`).run();
    return deleted;
  }

  /** The batch with the highest number for this day and currency. */
  latestBatch(day: string, currency: string): BatchRecord | undefined {
    const row = this.sql('SELECT * FROM settlement_batches WHERE day = ? AND currency = ? ORDER BY n DESC LIMIT 1').get(day, currency) as BatchRow | undefined;
    return row && fromBatchRow(row);
  }

  insertBatch(batch: BatchRecord): void {
    this.sql(
      `INSERT INTO settlement_batches (id, day, currency, n, status, created_ms, estimated_settled_ms, settled_ms, amount_minor, fee_minor)
       VALUES (@id, @day, @currency, @n, @status, @created_ms, @estimated_settled_ms, @settled_ms, @amount_minor, @fee_minor)`,
    ).run({
      id: batch.id, day: batch.day, currency: batch.currency, n: batch.n, status: batch.status, created_ms: batch.createdMs,
      estimated_settled_ms: batch.estimatedSettledMs, settled_ms: batch.settledMs, amount_minor: batch.amountMinor, fee_minor: batch.feeMinor,
    });
  }

  batch(id: string): BatchRecord | undefined {
    const row = this.sql('SELECT * FROM settlement_batches WHERE id = ?').get(id) as BatchRow | undefined;
    return row && fromBatchRow(row);
  }

  findBatches(filter: BatchFilter, offset: number, limit: number): { total: number; items: BatchRecord[] } {
    const params = { status: filter.status, currency: filter.currency, from_ms: filter.fromMs, to_ms: filter.toMs };
    const total = (this.sql(`SELECT COUNT(*) AS n FROM settlement_batches ${BATCH_WHERE}`).get(params) as { n: number }).n;
    const rows = this.sql(`SELECT * FROM settlement_batches ${BATCH_WHERE} ORDER BY COALESCE(settled_ms, estimated_settled_ms), id LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit, offset }) as BatchRow[];
    return { total, items: rows.map(fromBatchRow) };
  }

  allBatches(): BatchRecord[] {
    return (this.sql('SELECT * FROM settlement_batches ORDER BY day, currency, n').all() as BatchRow[]).map(fromBatchRow);
  }

  /** Σnet and Σfee of a batch's transactions that are not CANCELLED, in minor units (money out counts negative in net). */
  batchTotals(id: string): { amountMinor: number; feeMinor: number } {
    const row = this.sql(
      `SELECT COALESCE(SUM(direction * amount_minor - fee_minor), 0) AS net, COALESCE(SUM(fee_minor), 0) AS fee
       FROM financial_transactions WHERE batch_id = ? AND status != 'CANCELLED'`,
    ).get(id) as { net: number; fee: number };
    return { amountMinor: row.net, feeMinor: row.fee };
  }

  /** PENDING batches due by `nowMs`, or (with `throughDay`) booked on that day or before. */
  pendingBatches(due: { nowMs?: number; throughDay?: string }): BatchRecord[] {
    const rows = this.sql(
      `SELECT * FROM settlement_batches WHERE status = 'PENDING'
         AND ((@now_ms IS NOT NULL AND estimated_settled_ms <= @now_ms) OR (@through_day IS NOT NULL AND day <= @through_day))
       ORDER BY day, currency, n`,
    ).all({ now_ms: due.nowMs ?? null, through_day: due.throughDay ?? null }) as BatchRow[];
    return rows.map(fromBatchRow);
  }

  /** Settles a batch and its PENDING transactions at `settledMs`, freezing its totals. */
  settleBatch(id: string, settledMs: number): void {
    const totals = this.batchTotals(id);
    this.sql(`UPDATE settlement_batches SET status = 'SETTLED', settled_ms = ?, amount_minor = ?, fee_minor = ? WHERE id = ?`)
      .run(settledMs, totals.amountMinor, totals.feeMinor, id);
    this.sql(`UPDATE financial_transactions SET status = 'SETTLED', settled_ms = ? WHERE batch_id = ? AND status = 'PENDING'`).run(settledMs, id);
  }
}

function ftParams(filter: FtFilter): Record<string, string | number | null> {
  return {
    source_id: filter.sourceId ?? null, batch_id: filter.batchId ?? null, status: filter.status ?? null, currency: filter.currency ?? null,
    from_ms: filter.fromMs ?? null, to_ms: filter.toMs ?? null,
  };
}

function toFtRow(ft: FtRecord): FtRow {
  return {
    id: ft.id, source_id: ft.sourceId, source_type: ft.sourceType, transaction_type: ft.transactionType, intent_id: ft.intentId,
    currency: ft.currency, amount_minor: ft.amountMinor, fee_minor: ft.feeMinor, direction: ft.direction, status: ft.status,
    batch_id: ft.batchId, description: ft.description, created_ms: ft.createdMs, estimated_settled_ms: ft.estimatedSettledMs, settled_ms: ft.settledMs,
  };
}

function fromFtRow(row: FtRow): FtRecord {
  return {
    id: row.id, sourceId: row.source_id, sourceType: row.source_type, transactionType: row.transaction_type, intentId: row.intent_id,
    currency: row.currency, amountMinor: row.amount_minor, feeMinor: row.fee_minor, direction: row.direction < 0 ? -1 : 1,
    status: row.status as FtRecord['status'], batchId: row.batch_id, description: row.description, createdMs: row.created_ms,
    estimatedSettledMs: row.estimated_settled_ms, settledMs: row.settled_ms,
  };
}

function fromBatchRow(row: BatchRow): BatchRecord {
  return {
    id: row.id, day: row.day, currency: row.currency, n: row.n, status: row.status as BatchRecord['status'], createdMs: row.created_ms,
    estimatedSettledMs: row.estimated_settled_ms, settledMs: row.settled_ms, amountMinor: row.amount_minor, feeMinor: row.fee_minor,
  };
}
