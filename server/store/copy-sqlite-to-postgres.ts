// One-off move from SQLite to PostgreSQL: copies orders (with their lines), sessions and webhook events; safe to run again.
import Database from 'better-sqlite3';
import type { Pool } from 'pg';
import { inTransaction } from './postgres-client';
import { migratePostgres } from './postgres-migrate';

/** The SQLite schema version this copy knows (server/store/sqlite.ts's MIGRATIONS). */
const SQLITE_SCHEMA_VERSION = 1;
const BATCH = 500;

export interface TableCopy {
  /** Rows in the SQLite database. */
  source: number;
  /** Rows inserted now. */
  copied: number;
  /** Rows already in PostgreSQL (a previous run), left as they are. */
  present: number;
}

export type CopyReport = Record<'orders' | 'orderItems' | 'sessions' | 'webhookEvents', TableCopy>;

interface TableSpec {
  name: string;
  /** SELECT of every row, in a stable order. */
  select: string;
  /** Column definitions for jsonb_to_recordset, in insert order. */
  columns: Array<[string, string]>;
  /** The primary key: a row already there is skipped; any other clash (unique intent id...) fails the copy. */
  key: string;
  /** Turns a SQLite row into the record PostgreSQL receives (JSON text becomes JSON). */
  map?: (row: Record<string, unknown>) => Record<string, unknown>;
}

const parseJson = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

const TABLES: Record<keyof CopyReport, TableSpec> = {
  orders: {
    name: 'orders',
    key: 'id',
    select: 'SELECT * FROM orders ORDER BY created_at, id',
    columns: [
      ['id', 'text'], ['open_id', 'text'], ['status', 'text'], ['currency', 'text'], ['total_amount', 'bigint'],
      ['payment_intent_id', 'text'], ['intent_status', 'text'], ['intent_updated_at', 'bigint'], ['create_request_id', 'text'],
      ['idempotency_key', 'text'], ['request_hash', 'text'], ['last_error', 'jsonb'], ['created_at', 'bigint'], ['updated_at', 'bigint'],
      ['expires_at', 'bigint'], ['paid_at', 'bigint'], ['checked_at', 'bigint'],
    ],
    map: (row) => ({ ...row, last_error: parseJson(row.last_error) }),
  },
  orderItems: {
    name: 'order_items',
    key: 'order_id, line',
    select: 'SELECT * FROM order_items ORDER BY order_id, line',
    columns: [['order_id', 'text'], ['line', 'integer'], ['sku', 'text'], ['names', 'jsonb'], ['quantity', 'integer'], ['unit_amount', 'bigint']],
    map: (row) => ({ ...row, names: parseJson(row.names) }),
  },
  sessions: {
    name: 'sessions',
    key: 'token_hash',
    select: 'SELECT * FROM sessions ORDER BY created_at, token_hash',
    columns: [['token_hash', 'text'], ['open_id', 'text'], ['created_at', 'bigint'], ['expires_at', 'bigint']],
  },
  webhookEvents: {
    name: 'webhook_events',
    key: 'id',
    select: 'SELECT * FROM webhook_events ORDER BY received_at, id',
    columns: [['id', 'text'], ['name', 'text'], ['order_id', 'text'], ['payload', 'text'], ['received_at', 'bigint'], ['applied_at', 'bigint'], ['outcome', 'text']],
  },
};

/**
 * Copies every row of the SQLite database at `sqlitePath` into PostgreSQL (migrating its schema
 * first), in one transaction: all or nothing. A row whose key is already there is left alone, so
 * running it again copies only what is missing. Stop the servers writing to SQLite before the last
 * run: a row changed in SQLite after it was copied is not copied again.
 */
export async function copySqliteToPostgres(sqlitePath: string, pool: Pool): Promise<CopyReport> {
  const sqlite = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    const version = (sqlite.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null }).version ?? 0;
    if (version !== SQLITE_SCHEMA_VERSION) {
      throw new Error(`the SQLite database has schema version ${version}; this copy knows version ${SQLITE_SCHEMA_VERSION} (use the release that matches it)`);
    }
    await migratePostgres(pool);
    return await inTransaction(pool, async (client) => {
      const report = {} as CopyReport;
      // Orders before their lines (foreign key).
      for (const key of ['orders', 'orderItems', 'sessions', 'webhookEvents'] as const) {
        const spec = TABLES[key];
        const rows = sqlite.prepare(spec.select).all() as Array<Record<string, unknown>>;
        let copied = 0;
        for (let start = 0; start < rows.length; start += BATCH) {
          const batch = rows.slice(start, start + BATCH).map((row) => (spec.map ? spec.map(row) : row));
          const names = spec.columns.map(([name]) => name).join(', ');
          const types = spec.columns.map(([name, type]) => `${name} ${type}`).join(', ');
          const result = await client.query(
            `INSERT INTO ${spec.name} (${names}) SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS x(${types}) ON CONFLICT (${spec.key}) DO NOTHING`,
            [JSON.stringify(batch)],
          );
          copied += result.rowCount ?? 0;
        }
        report[key] = { source: rows.length, copied, present: rows.length - copied };
      }
      return report;
    });
  } finally {
    sqlite.close();
  }
}
