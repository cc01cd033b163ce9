// Holding a pooled PostgreSQL connection safely: a transaction helper for the store, its migrations and the SQLite copy.
import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` between BEGIN and COMMIT on one pooled connection; ROLLBACK when it throws. While the
 * connection is held, its `error` event (the database restarting, pg_terminate_backend) is caught
 * here: node-postgres emits it on a checked-out client, and with no listener it would crash the
 * process. The failing query rejects as well; a broken connection is destroyed, not reused.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (!broken) {
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
