// Holding a pooled PostgreSQL connection safely: transaction helpers for the store, its migrations and the SQLite copy.
import type { Pool, PoolClient, QueryResult } from 'pg';

/**
 * Runs `work` between BEGIN and COMMIT on one pooled connection; ROLLBACK when it throws. While the
 * connection is held, its `error` event (the database restarting, pg_terminate_backend) is caught
 * here: node-postgres emits it on a checked-out client, and with no listener it would crash the
 * process. The failing query rejects as well; a broken connection is destroyed, not reused.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return inBatchTransaction(pool, async (tx) => {
    await tx.send([]);
    const result = await work(tx.client);
    await tx.commit();
    return result;
  });
}

/** A transaction whose statements travel in as few round trips as possible (see inBatchTransaction). */
export interface BatchTransaction {
  readonly client: PoolClient;
  /**
   * Sends `statements` as one simple query, one round trip (BEGIN travels with the first call);
   * resolves with one result per statement.
   */
  send(statements: string[]): Promise<QueryResult[]>;
  /** Sends `statements` and COMMIT in one round trip. */
  commit(statements?: string[]): Promise<QueryResult[]>;
}

/**
 * Runs `work` in a transaction on one pooled connection, where BEGIN goes with the first statements
 * and COMMIT with the last ones: a read-decide-write transaction costs two round trips instead of
 * four or more. Statements sent this way use the simple query protocol, so they carry no
 * parameters: values go in as literals made by `sqlLiteral` (postgres-context.ts). When `work` throws, or
 * returns without committing, the transaction is rolled back. Connection errors are handled as in
 * inTransaction.
 */
export async function inBatchTransaction<T>(pool: Pool, work: (tx: BatchTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  let state = 'idle' as 'idle' | 'open' | 'done';
  const send = async (statements: string[], commit: boolean): Promise<QueryResult[]> => {
    const opening = state === 'idle' ? ['BEGIN'] : [];
    const all = [...opening, ...statements, ...(commit ? ['COMMIT'] : [])];
    state = 'open';
    if (all.length === 0) return [];
    const answer = (await client.query(all.join(';\n'))) as QueryResult | QueryResult[];
    if (commit) state = 'done';
    const results = Array.isArray(answer) ? answer : [answer];
    return results.slice(opening.length, opening.length + statements.length);
  };
  const tx: BatchTransaction = { client, send: (statements) => send(statements, false), commit: (statements = []) => send(statements, true) };
  try {
    const result = await work(tx);
    if (state === 'open') await client.query('ROLLBACK');
    return result;
  } catch (err) {
    // A query that timed out on our side may still run on the server: never reuse that connection.
    if (!broken && isClientTimeout(err)) broken = err as Error;
    if (!broken && state === 'open') {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
    }
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/** node-postgres' own query_timeout fired (the server did not answer in time). */
export function isClientTimeout(err: unknown): boolean {
  const message = (err as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && /^Query read timeout$/.test(message);
}
