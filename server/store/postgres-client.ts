// Holding a pooled PostgreSQL connection safely: transaction helpers for the store, its migrations and the SQLite copy.
import pg, { type Pool, type PoolClient, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';

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

/**
 * A statement of a batch that PostgreSQL plans once per connection: sent as `EXECUTE name(literals)`,
 * after a `PREPARE name AS text` in the same round trip the first time a connection sees it. Planning
 * a literal statement anew costs more than executing it for the hot ones (measured with
 * pg_stat_statements: 0.19 ms to plan the read of an order with its lines, 0.07 ms to run it). `text`
 * takes $1, $2, … (cast where PostgreSQL cannot infer a type); the same name always has the same text.
 */
export interface PreparedStatement {
  name: string;
  text: string;
  values: unknown[];
}

export type BatchStatement = string | PreparedStatement;

/** The statements each pooled connection has prepared (a connection that is destroyed takes its set with it). */
const preparedOn = new WeakMap<PoolClient, Set<string>>();

/** A transaction whose statements travel in as few round trips as possible (see inBatchTransaction). */
export interface BatchTransaction {
  readonly client: PoolClient;
  /**
   * Sends `statements` as one simple query, one round trip (BEGIN travels with the first call);
   * resolves with one result per statement.
   */
  send(statements: BatchStatement[]): Promise<QueryResult[]>;
  /** Sends `statements` and COMMIT in one round trip. */
  commit(statements?: BatchStatement[]): Promise<QueryResult[]>;
}

/**
 * Runs `work` in a transaction on one pooled connection, where BEGIN goes with the first statements
 * and COMMIT with the last ones: a read-decide-write transaction costs two round trips instead of
 * four or more. Statements sent this way use the simple query protocol, so they carry no
 * parameters: values go in as literals made by `sqlLiteral` (below), or as the
 * arguments of a prepared statement's EXECUTE. When `work` throws, or returns without committing,
 * the transaction is rolled back. Connection errors are handled as in inTransaction; a connection
 * whose batch failed while preparing a statement is not reused (whether the PREPARE ran is unknown),
 * nor one whose prepared statement a migration made stale (the work is then run once more).
 */
export async function inBatchTransaction<T>(pool: Pool, work: (tx: BatchTransaction) => Promise<T>): Promise<T> {
  try {
    return await batchTransaction(pool, work);
  } catch (err) {
    // A migration (another instance's, at its start) changed the columns under a statement this connection
    // had prepared: that connection is gone, and the work (decided afresh: it must stay pure) runs on another.
    if (isStalePlan(err)) return batchTransaction(pool, work);
    throw err;
  }
}

async function batchTransaction<T>(pool: Pool, work: (tx: BatchTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  let prepared = preparedOn.get(client);
  if (!prepared) preparedOn.set(client, (prepared = new Set()));
  let state = 'idle' as 'idle' | 'open' | 'done';
  const send = async (statements: BatchStatement[], commit: boolean): Promise<QueryResult[]> => {
    const opening = state === 'idle' ? ['BEGIN'] : [];
    /** The statements this batch prepares on this connection, by name. */
    const preparing = new Map<string, string>();
    const texts = statements.map((statement) => {
      if (typeof statement === 'string') return statement;
      if (!prepared.has(statement.name)) preparing.set(statement.name, `PREPARE ${statement.name} AS ${statement.text}`);
      return `EXECUTE ${statement.name}(${statement.values.map(sqlLiteral).join(', ')})`;
    });
    const preparations = [...preparing.values()];
    const all = [...opening, ...preparations, ...texts, ...(commit ? ['COMMIT'] : [])];
    state = 'open';
    if (all.length === 0) return [];
    let answer: QueryResult | QueryResult[];
    try {
      answer = (await client.query(all.join(';\n'))) as QueryResult | QueryResult[];
    } catch (err) {
      if (preparing.size > 0) broken ??= err as Error;
      throw err;
    }
    for (const name of preparing.keys()) prepared.add(name);
    if (commit) state = 'done';
    const results = Array.isArray(answer) ? answer : [answer];
    const skipped = opening.length + preparations.length;
    return results.slice(skipped, skipped + statements.length);
  };
  const tx: BatchTransaction = { client, send: (statements) => send(statements, false), commit: (statements = []) => send(statements, true) };
  try {
    const result = await work(tx);
    if (state === 'open') await client.query('ROLLBACK');
    return result;
  } catch (err) {
    // A query that timed out on our side may still run on the server: never reuse that connection.
    if (!broken && isClientTimeout(err)) broken = err as Error;
    // A migration changed a table under a statement this connection prepared: a new connection prepares it afresh.
    if (!broken && isStalePlan(err)) broken = err as Error;
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

/** PostgreSQL refusing a prepared statement whose result columns a migration changed ("cached plan must not change result type"). */
export function isStalePlan(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan');
}

/**
 * One statement on a pooled connection, as `pool.query` would run it, except that a connection whose
 * named statement a migration made stale is destroyed and the statement runs once more on another
 * (node-postgres remembers per connection what it prepared and never prepares it again), and one whose
 * query timed out on our side is not reused.
 */
export async function queryOnce<R extends QueryResultRow>(pool: Pool, config: QueryConfig): Promise<QueryResult<R>> {
  try {
    return await queryOn<R>(pool, config);
  } catch (err) {
    if (isStalePlan(err)) return queryOn<R>(pool, config);
    throw err;
  }
}

async function queryOn<R extends QueryResultRow>(pool: Pool, config: QueryConfig): Promise<QueryResult<R>> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    return await client.query<R>(config);
  } catch (err) {
    if (!broken && (isStalePlan(err) || isClientTimeout(err))) broken = err as Error;
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
