// What each concern's SQLite part works with: the connection, its statements prepared once, and the change announcements.
import type Database from 'better-sqlite3';
import type { Part, PruneOptions } from './parts';
import { SqliteBatcher } from './sqlite-batch';

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
   * `fn` as one atomic write, run with the other writes of this turn of the event loop and committed
   * with them (see SqliteBatcher): the promise settles after the commit. Statements run inside
   * it are part of it; a write outside one goes through `write`.
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => Promise<R>;
  /** One write (a statement, or a few) as its own atomic unit of the turn's batch: see `transaction`. */
  write<R>(work: () => R): Promise<R>;
  /** Runs and commits the queued writes now (before closing the connection). */
  flush(): void;
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
  const batcher = new SqliteBatcher(db);
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
    transaction: (fn) => (...args) => batcher.run(() => fn(...args)),
    write: (work) => batcher.run(work),
    flush: () => batcher.flush(),
    announce,
  };
}

/** A JSON column's text (null for no value). */
export function serializeJson(value: unknown): string | null {
  return value ? JSON.stringify(value) : null;
}
