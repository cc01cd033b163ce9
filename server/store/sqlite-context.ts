// What each concern's SQLite part works with: the connection, its statements prepared once, and the change announcements.
import type Database from 'better-sqlite3';
import type { Part, PruneOptions } from './parts';

export interface SqliteContext {
  readonly db: Database.Database;
  /**
   * `sql` prepared on this connection once: the first call prepares it, later calls get the same
   * statement back. A statement runs inside whatever transaction is open on the connection, so a
   * concern's writer called from another concern's transaction (a refund row, a timeline event in
   * updateOrder's) is part of that transaction.
   */
  prepare(sql: string): Database.Statement;
  /**
   * Tells this process's subscribers that an order's aggregate changed. Call it after the commit:
   * one process owns the file, so an in-process emitter sees every change.
   */
  announce(orderId: string): void;
}

/** A concern on SQLite: its slice of the Store, and its pruners. */
export type SqlitePart<S> = Part<SqliteContext, S, SqlitePruner>;

/** Deletes at most `batch` rows no longer needed, inside prune's transaction; returns how many it deleted. */
export type SqlitePruner = (ctx: SqliteContext, options: PruneOptions) => number;

export function sqliteContext(db: Database.Database, announce: (orderId: string) => void): SqliteContext {
  const statements = new Map<string, Database.Statement>();
  return {
    db,
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    announce,
  };
}

/** A JSON column's text (null for no value). */
export function serializeJson(value: unknown): string | null {
  return value ? JSON.stringify(value) : null;
}
