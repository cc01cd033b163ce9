// What chaos reads after a run, besides the simulator: the server's tables (PostgreSQL or the SQLite file) and its logs.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { ServerTables } from './chaos-grade';
import type { TestPostgres } from './postgres';

/** Rows of a query on the server's database: PostgreSQL when the run uses it, else the SQLite file. */
export type Query = <T>(sql: string) => Promise<T[]>;

export function databaseQuery(postgres: TestPostgres | undefined, databasePath: string): Query {
  if (postgres) {
    // bigint columns come back as text from pg's raw rows here: the grading compares numbers.
    return async <T>(sql: string) => (await postgres.query(sql)).map((row) => numbersOf(row)) as T[];
  }
  return async <T>(sql: string) => {
    const db = new Database(databasePath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };
}

/** A PostgreSQL row with its bigint (text) columns as numbers, and jsonb as SQLite's JSON text, like a SQLite row. */
function numbersOf(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'string' && /^-?\d+$/.test(value) && /(_at|_amount|amount|seq|failures|^id)$/.test(key)) out[key] = Number(value);
    else if (value !== null && typeof value === 'object' && !(value instanceof Date)) out[key] = JSON.stringify(value);
    else out[key] = value;
  }
  return out;
}

/** The server's tables chaos grades (scripts/lib/chaos-grade.ts ServerTables), read after the run. */
export async function readTables(query: Query): Promise<ServerTables> {
  return {
    orders: await query('SELECT * FROM orders'),
    orderEvents: await query('SELECT * FROM order_events'),
    webhookEvents: await query('SELECT id, name, order_id, applied_at, outcome FROM webhook_events'),
    refunds: await query('SELECT * FROM refunds'),
  };
}

/** What the servers' JSON logs say, for context only: duplicate webhook events ignored, lines at error level or worse. */
export function scanServerLogs(files: string[]): { duplicatesIgnoredLogged: number; internalErrorsLogged: number } {
  let duplicatesIgnoredLogged = 0;
  let internalErrorsLogged = 0;
  for (const line of files.flatMap((file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : []))) {
    if (!line.startsWith('{')) continue;
    let entry: { msg?: string; eventId?: string; level?: number };
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // a line cut by SIGKILL
    }
    if (entry.msg === 'duplicate webhook event ignored') duplicatesIgnoredLogged++;
    if ((entry.level ?? 0) >= 50) internalErrorsLogged++;
  }
  return { duplicatesIgnoredLogged, internalErrorsLogged };
}
