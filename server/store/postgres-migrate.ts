// PostgreSQL schema migrations: numbered .sql files applied at boot, one instance at a time.
import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { inTransaction } from './postgres-client';

/** Where the numbered migrations live: 001_initial.sql, 002_....sql, ... */
export const POSTGRES_MIGRATIONS_DIR = path.join(__dirname, 'migrations', 'postgres');

/**
 * Key of the transaction-scoped advisory lock held while migrating. Any constant works as long as
 * nothing else in the database uses it; this one spells "wxpaymig" in ASCII.
 */
export const MIGRATION_LOCK_KEY = '8608196786047199591';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations in `dir`, checked to be numbered 1, 2, 3, ... without gaps or duplicates. */
export function loadMigrations(dir = POSTGRES_MIGRATIONS_DIR): Migration[] {
  const migrations = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = /^(\d+)_([a-z0-9_]+)\.sql$/.exec(file);
      if (!match) throw new Error(`migration file name must look like 001_name.sql: ${file}`);
      return { version: Number(match[1]), name: match[2], sql: fs.readFileSync(path.join(dir, file), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migrations must be numbered 1, 2, 3, ... without gaps: found ${migration.version} at position ${index + 1}`);
  });
  return migrations;
}

/**
 * Brings the schema up to date in ONE transaction holding pg_advisory_xact_lock: instances booting
 * at the same moment queue on the lock, and each finds the work done by the one before it. A
 * failing migration rolls back whole. A database whose schema is newer than this code is refused.
 * Returns the versions applied now (empty when already current).
 */
export async function migratePostgres(pool: Pool, migrations = loadMigrations()): Promise<{ applied: number[]; version: number }> {
  const latest = migrations.length;
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
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
      await client.query(migration.sql);
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
