// PostgreSQL schema migrations: numbered .sql files applied at boot, one instance at a time.
import type { Pool, QueryConfig } from 'pg';
import { type Migration, readMigrations } from './common';
import { inTransaction } from './postgres-client';

/**
 * Key of the transaction-scoped advisory lock held while migrating. Any constant works as long as
 * nothing else in the database uses it; this one spells "wxpaymig" in ASCII.
 */
export const MIGRATION_LOCK_KEY = '8608196786047199591';

/**
 * The pool's client-side answer timeout (statement timeout + 5 s) does not fit a migration, nor the
 * wait for another instance's: these may take an hour. node-postgres reads `query_timeout` from a
 * query's config (its types leave it out).
 */
const patient = (query: QueryConfig): QueryConfig => ({ ...query, query_timeout: 60 * 60_000 }) as QueryConfig;

/**
 * Brings the schema up to date in ONE transaction holding pg_advisory_xact_lock: instances booting
 * at the same moment queue on the lock, and each finds the work done by the one before it. A
 * failing migration rolls back whole. A database whose schema is newer than this code is refused.
 * Returns the versions applied now (empty when already current).
 */
export async function migratePostgres(pool: Pool, migrations: Migration[] = readMigrations('postgres')): Promise<{ applied: number[]; version: number }> {
  const latest = migrations.length;
  return inTransaction(pool, async (client) => {
    // Waiting for another instance's migration, or a long ALTER TABLE, is not a stuck statement.
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query(patient({ text: 'SELECT pg_advisory_xact_lock($1::bigint)', values: [MIGRATION_LOCK_KEY] }));
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at bigint NOT NULL
    )`);
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
    const current = rows[0].version ?? 0;
    if (current > latest) {
      throw new Error(
        `database schema version ${current} is newer than this server knows (${latest}): this database was migrated by a newer release; run that release (or newer) against it`,
      );
    }
    const applied: number[] = [];
    for (const migration of migrations.slice(current)) {
      await client.query(patient({ text: migration.sql }));
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, Date.now()]);
      applied.push(migration.version);
    }
    return { applied, version: latest };
  });
}

/** The schema version recorded in the database (0 before the first migration). */
export async function schemaVersion(pool: Pool): Promise<number> {
  const table = await pool.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!table.rows[0].present) return 0;
  const { rows } = await pool.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return rows[0].version ?? 0;
}
