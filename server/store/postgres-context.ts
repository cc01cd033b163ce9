// What each concern's PostgreSQL part works with: the pool, the statements it batches, values as SQL literals.
import type { Pool, QueryResult, QueryResultRow } from 'pg';
import type { Part, PruneOptions } from './parts';
import { queryOnce } from './postgres-client';

export { sqlLiteral } from './postgres-client';

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
    rows: async <R extends QueryResultRow>(text: string, values: unknown[], name?: string) => (await queryOnce<R>(pool, { text, values, name })).rows,
  };
}

/** The first row of one statement's result in a batch. */
export function first<R extends QueryResultRow>(result: QueryResult | undefined): R | undefined {
  return result?.rows[0] as R | undefined;
}

