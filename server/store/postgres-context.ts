// What each concern's PostgreSQL part works with: the pool, the statements it batches, values as SQL literals.
import pg, { type Pool, type QueryResult, type QueryResultRow } from 'pg';
import type { Part, PruneOptions } from './parts';

export interface PostgresContext {
  readonly pool: Pool;
  /** The rows of one parameterized statement; a `name` makes it a prepared statement on each connection (the hot paths). */
  rows<R extends QueryResultRow>(text: string, values: unknown[], name?: string): Promise<R[]>;
}

/**
 * A concern on PostgreSQL: its slice of the Store. A method is one statement, or one transaction
 * (inBatchTransaction); a concern's statement that must be written in another concern's
 * transaction (a refund row, a timeline event in updateOrder's) is a function returning its SQL,
 * which that transaction sends with its own statements.
 */
export type PostgresPart<S> = Part<PostgresContext, S, PostgresPruner>;

/**
 * A DELETE (without RETURNING) of at most `batch` rows no longer needed, given prune's options as
 * the placeholders of its parameters: prune sends every concern's DELETE in one statement.
 */
export type PostgresPruner = (params: Record<keyof PruneOptions, string>) => string;

export function postgresContext(pool: Pool): PostgresContext {
  return {
    pool,
    rows: async <R extends QueryResultRow>(text: string, values: unknown[], name?: string) => (await pool.query<R>({ text, values, name })).rows,
  };
}

/** The first row of one statement's result in a batch. */
export function first<R extends QueryResultRow>(result: QueryResult | undefined): R | undefined {
  return result?.rows[0] as R | undefined;
}

/**
 * A value as an SQL literal, for the statements sent as simple queries (no parameters there):
 * strings through node-postgres' escapeLiteral (quotes doubled; with a backslash, an E'' string
 * with backslashes doubled), integers as digits, objects as jsonb. Nothing else is accepted.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer the store can write: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'object') return `${pg.escapeLiteral(JSON.stringify(value))}::jsonb`;
  throw new Error(`no SQL literal for a ${typeof value}`);
}
