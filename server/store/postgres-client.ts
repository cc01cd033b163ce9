// Holding a pooled PostgreSQL connection safely: transaction helpers for the store, its migrations and the SQLite copy.
import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';

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
  // The work (decided afresh: it must stay pure) may run twice, see onceMoreIfStale.
  return onceMoreIfStale(() => holding(pool, (held) => batchTransaction(held, work)));
}

async function batchTransaction<T>(held: Held, work: (tx: BatchTransaction) => Promise<T>): Promise<T> {
  const { client } = held;
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
      if (preparing.size > 0) held.broken ??= err as Error;
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
    markIfUnusable(held, err);
    if (!held.broken && state === 'open') {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        held.broken = rollbackError;
      });
    }
    throw err;
  }
}

/** A pooled connection while it is held, and why it must not be reused, if it must not. */
interface Held {
  readonly client: PoolClient;
  broken: Error | undefined;
}

/**
 * Holds one pooled connection for `use`. Its `error` event (the database restarting, pg_terminate_backend) is
 * caught meanwhile: node-postgres emits it on a checked-out client, and with no listener it would crash the
 * process. A connection found broken is destroyed on release, not reused.
 */
async function holding<T>(pool: Pool, use: (held: Held) => Promise<T>): Promise<T> {
  const held: Held = { client: await pool.connect(), broken: undefined };
  const onError = (err: Error) => {
    held.broken = err;
  };
  held.client.on('error', onError);
  try {
    return await use(held);
  } finally {
    held.client.removeListener('error', onError);
    held.client.release(held.broken);
  }
}

/**
 * Marks the connection broken when `err` says it cannot be trusted: a query that timed out on our side may
 * still run on the server, and a statement a migration made stale stays stale on that connection.
 */
function markIfUnusable(held: Held, err: unknown): void {
  if (!held.broken && (isClientTimeout(err) || isStalePlan(err))) held.broken = err as Error;
}

/**
 * Runs `run`, and once more when it failed on a prepared statement a migration (another instance's, at its
 * start) made stale: that connection was not kept, and the next one prepares the statement afresh.
 */
async function onceMoreIfStale<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isStalePlan(err)) return run();
    throw err;
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
  return onceMoreIfStale(() =>
    holding(pool, async (held) => {
      try {
        return await held.client.query<R>(config);
      } catch (err) {
        markIfUnusable(held, err);
        throw err;
      }
    }),
  );
}

/** node-postgres' own query_timeout fired (the server did not answer in time). */
export function isClientTimeout(err: unknown): boolean {
  const message = (err as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && /^Query read timeout$/.test(message);
}

/**
 * A value as an SQL literal, for the statements sent as simple queries (no parameters there):
 * strings as node-postgres' escapeLiteral writes them (stringLiteral), integers as digits, objects
 * as jsonb. Nothing else is accepted.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer the store can write: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'object') return `${stringLiteral(JSON.stringify(value))}::jsonb`;
  throw new Error(`no SQL literal for a ${typeof value}`);
}

/**
 * `text` as a string literal, exactly as node-postgres' escapeLiteral writes it (quotes doubled; with a
 * backslash, an E'' string with backslashes doubled; a test compares the two), without its loop that
 * appends one character at a time: a webhook's payload or an event's body is kilobytes, and that loop took
 * 20-40 µs per kilobyte where replaceAll takes 1-2.
 */
export function stringLiteral(text: string): string {
  const quoted = text.includes("'") ? text.replaceAll("'", "''") : text;
  return text.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
