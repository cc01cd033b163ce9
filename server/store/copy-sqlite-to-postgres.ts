// One-off move from SQLite to PostgreSQL: copies orders (with their lines and refunds), their timelines, anomalies, the audit log, sessions,
// webhook events, subscription messages, reconciliation runs and the outbox of order events; safe to run again.
import Database from 'better-sqlite3';
import type { Pool } from 'pg';
import { readMigrations } from './common';
import { inTransaction } from './postgres-client';
import { migratePostgres } from './postgres-migrate';

const BATCH = 500;

export interface TableCopy {
  /** Rows in the SQLite database. */
  source: number;
  /** Rows inserted now. */
  copied: number;
  /** Rows already in PostgreSQL (a previous run), left as they are. */
  present: number;
}

export type CopyReport = Record<
  | 'orders'
  | 'orderItems'
  | 'refunds'
  | 'orderEvents'
  | 'anomalies'
  | 'auditLog'
  | 'sessions'
  | 'webhookEvents'
  | 'subscriptionMessages'
  | 'reconciliationRuns'
  | 'reconciliationItems'
  | 'outbox',
  TableCopy
>;

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
  /**
   * The table's id is an identity column: rows keep SQLite's ids (a timeline event names its
   * anomaly's id), and the sequence is moved past them afterwards.
   */
  identity?: boolean;
  /** The identity column, when not `id`. */
  identityColumn?: string;
}

const parseJson = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

const TABLES: Record<keyof CopyReport, TableSpec> = {
  orders: {
    name: 'orders',
    key: 'id',
    select: 'SELECT * FROM orders ORDER BY created_at, id',
    columns: [
      ['id', 'text'], ['open_id', 'text'], ['shopper_ref', 'text'], ['status', 'text'], ['currency', 'text'], ['total_amount', 'bigint'],
      ['payment_intent_id', 'text'], ['intent_status', 'text'], ['intent_updated_at', 'bigint'], ['create_request_id', 'text'],
      ['confirm_seq', 'integer'], ['confirmed_at', 'bigint'], ['idempotency_key', 'text'], ['request_hash', 'text'], ['last_error', 'jsonb'],
      ['created_at', 'bigint'], ['updated_at', 'bigint'], ['expires_at', 'bigint'], ['paid_at', 'bigint'], ['checked_at', 'bigint'],
      ['retrieved_at', 'bigint'], ['next_check_at', 'bigint'], ['check_failures', 'integer'],
      ['payment_attempt_id', 'text'],
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
  refunds: {
    name: 'refunds',
    key: 'id',
    select: 'SELECT * FROM refunds ORDER BY created_at, id',
    columns: [
      ['id', 'text'], ['order_id', 'text'], ['airwallex_refund_id', 'text'], ['request_id', 'text'], ['amount', 'bigint'], ['currency', 'text'],
      ['reason', 'text'], ['status', 'text'], ['airwallex_status', 'text'], ['airwallex_updated_at', 'bigint'], ['failure', 'jsonb'],
      ['origin', 'text'], ['created_by', 'text'], ['idempotency_key', 'text'], ['request_hash', 'text'], ['created_at', 'bigint'], ['updated_at', 'bigint'],
    ],
    map: (row) => ({ ...row, failure: parseJson(row.failure) }),
  },
  orderEvents: {
    name: 'order_events',
    key: 'id',
    identity: true,
    select: 'SELECT * FROM order_events ORDER BY id',
    columns: [['id', 'bigint'], ['order_id', 'text'], ['at', 'bigint'], ['kind', 'text'], ['source', 'text'], ['data', 'jsonb']],
    map: (row) => ({ ...row, data: parseJson(row.data) }),
  },
  anomalies: {
    name: 'anomalies',
    key: 'id',
    identity: true,
    select: 'SELECT * FROM anomalies ORDER BY id',
    columns: [
      ['id', 'bigint'], ['key', 'text'], ['kind', 'text'], ['order_id', 'text'], ['intent_id', 'text'], ['detail', 'jsonb'],
      ['created_at', 'bigint'], ['resolved_at', 'bigint'],
    ],
    map: (row) => ({ ...row, detail: parseJson(row.detail) }),
  },
  auditLog: {
    name: 'audit_log',
    key: 'id',
    identity: true,
    select: 'SELECT * FROM audit_log ORDER BY id',
    columns: [['id', 'bigint'], ['at', 'bigint'], ['actor', 'text'], ['action', 'text'], ['target', 'text'], ['detail', 'jsonb']],
    map: (row) => ({ ...row, detail: parseJson(row.detail) }),
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
  // After the orders and refunds (their triggers leave copied rows alone: the states come from SQLite as they are). The
  // WeChat access token is not copied: the first message sent on PostgreSQL fetches it.
  subscriptionMessages: {
    name: 'subscription_messages',
    key: 'order_id, template_id',
    select: 'SELECT * FROM subscription_messages ORDER BY accepted_at, order_id, template_id',
    columns: [
      ['order_id', 'text'], ['template_id', 'text'], ['template', 'text'], ['open_id', 'text'], ['accept_status', 'text'], ['lang', 'text'],
      ['state', 'text'], ['accepted_at', 'bigint'], ['event_at', 'bigint'], ['refund_id', 'text'], ['next_attempt_at', 'bigint'],
      ['attempts', 'integer'], ['attempt_at', 'bigint'], ['msgid', 'text'], ['error', 'text'], ['updated_at', 'bigint'],
    ],
  },
  // Runs before their items (foreign key); a run still `running` in SQLite is copied as it is and taken over once its lease ends.
  reconciliationRuns: {
    name: 'reconciliation_runs',
    key: 'id',
    select: 'SELECT * FROM reconciliation_runs ORDER BY started_at, id',
    columns: [
      ['id', 'text'], ['day', 'text'], ['time_zone', 'text'], ['status', 'text'], ['trigger', 'text'], ['actor', 'text'], ['started_at', 'bigint'],
      ['lease_until', 'bigint'], ['finished_at', 'bigint'], ['error', 'text'], ['summary', 'jsonb'], ['totals', 'jsonb'], ['recheck_at', 'bigint'],
    ],
    map: (row) => ({ ...row, summary: parseJson(row.summary), totals: parseJson(row.totals) }),
  },
  reconciliationItems: {
    name: 'reconciliation_items',
    key: 'run_id, seq',
    select: 'SELECT * FROM reconciliation_items ORDER BY run_id, seq',
    columns: [
      ['run_id', 'text'], ['seq', 'integer'], ['state', 'text'], ['flag', 'text'], ['subject', 'text'], ['order_id', 'text'], ['refund_id', 'text'],
      ['intent_id', 'text'], ['source_id', 'text'], ['transaction_id', 'text'], ['batch_id', 'text'], ['currency', 'text'], ['expected', 'bigint'],
      ['actual', 'bigint'], ['fee', 'bigint'], ['anomaly_key', 'text'], ['detail', 'jsonb'],
    ],
    map: (row) => ({ ...row, detail: parseJson(row.detail) }),
  },
  outbox: {
    name: 'outbox',
    key: 'seq',
    identity: true,
    identityColumn: 'seq',
    select: 'SELECT * FROM outbox ORDER BY seq',
    columns: [
      ['seq', 'bigint'], ['id', 'text'], ['order_id', 'text'], ['type', 'text'], ['created_at', 'bigint'], ['body', 'text'], ['position', 'bigint'],
      ['state', 'text'], ['attempts', 'integer'], ['retries', 'integer'], ['next_attempt_at', 'bigint'], ['give_up_at', 'bigint'], ['claim', 'text'],
      ['last_attempt_at', 'bigint'], ['last_error', 'text'], ['delivered_at', 'bigint'],
    ],
    // SQLite's seq is its feed position (rows commit in seq order there): a consumer's cursor stays good after the move.
    map: (row) => ({ ...row, position: row.seq }),
  },
};

/**
 * Copies every row of the SQLite database at `sqlitePath` into PostgreSQL (migrating its schema
 * first), in one transaction: all or nothing. A row whose key is already there is left alone, so
 * running it again copies only what is missing. Stop the servers writing to SQLite before the last
 * run (a row changed in SQLite after it was copied is not copied again), and make that run before
 * any server writes to PostgreSQL: timeline events, anomalies and audit entries keep their SQLite
 * ids. Console sessions are not copied: operators sign in again.
 */
export async function copySqliteToPostgres(sqlitePath: string, pool: Pool): Promise<CopyReport> {
  const sqlite = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    const version = (sqlite.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null }).version ?? 0;
    const known = readMigrations('sqlite').length;
    if (version < known) {
      throw new Error(`the SQLite database has schema version ${version}, older than this release's ${known}: start this release's server on it once (it migrates the file), stop it, then copy`);
    }
    if (version > known) {
      throw new Error(`the SQLite database has schema version ${version}; this copy knows version ${known} (use the release that matches it)`);
    }
    await migratePostgres(pool);
    return await inTransaction(pool, async (client) => {
      const report = {} as CopyReport;
      // A large copy is a long transaction, not a stuck statement.
      await client.query('SET LOCAL statement_timeout = 0');
      // Orders before their lines and refunds (foreign keys).
      for (const key of Object.keys(TABLES) as Array<keyof CopyReport>) {
        const spec = TABLES[key];
        const rows = sqlite.prepare(spec.select).all() as Array<Record<string, unknown>>;
        let copied = 0;
        for (let start = 0; start < rows.length; start += BATCH) {
          const batch = rows.slice(start, start + BATCH).map((row) => (spec.map ? spec.map(row) : row));
          const names = spec.columns.map(([name]) => name).join(', ');
          const types = spec.columns.map(([name, type]) => `${name} ${type}`).join(', ');
          const result = await client.query(
            `INSERT INTO ${spec.name} (${names}) ${spec.identity ? 'OVERRIDING SYSTEM VALUE' : ''}
             SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS x(${types}) ON CONFLICT (${spec.key}) DO NOTHING`,
            [JSON.stringify(batch)],
          );
          copied += result.rowCount ?? 0;
        }
        report[key] = { source: rows.length, copied, present: rows.length - copied };
        if (spec.identity) {
          await client.query(
            `SELECT setval(pg_get_serial_sequence('${spec.name}', '${spec.identityColumn ?? 'id'}'), (SELECT COALESCE(max(${spec.identityColumn ?? 'id'}), 0) + 1 FROM ${spec.name}), false)`,
          );
        }
      }
      return report;
    });
  } finally {
    sqlite.close();
  }
}
