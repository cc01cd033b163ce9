// PostgreSQL for tests: is one reachable (PG* variables, as pg_virtualenv sets them, or TEST_POSTGRES_URL), and a fresh database per test file or server.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';

/** The command that runs the PostgreSQL suites on a machine with PostgreSQL installed. */
export const POSTGRES_TEST_COMMAND = 'pg_virtualenv -t -o fsync=off npm test';

/**
 * An admin connection URL: TEST_POSTGRES_URL, or one built from libpq's PG* variables (which
 * pg_virtualenv sets); undefined when neither says where a PostgreSQL is.
 */
export function adminUrl(): string | undefined {
  if (process.env.TEST_POSTGRES_URL) return process.env.TEST_POSTGRES_URL;
  const { PGHOST, PGPORT, PGUSER, PGPASSWORD } = process.env;
  if (!PGHOST && !PGPORT) return undefined;
  return urlFor(process.env.PGDATABASE || 'postgres', { host: PGHOST || 'localhost', port: PGPORT || '5432', user: PGUSER || 'postgres', password: PGPASSWORD });
}

export const postgresAvailable = adminUrl() !== undefined;

/** True when the server-side suites should run on PostgreSQL instead of SQLite (.ci/run sets it). */
export const serversOnPostgres = process.env.TEST_DATABASE === 'postgres';
if (serversOnPostgres && !postgresAvailable) {
  throw new Error(`TEST_DATABASE=postgres needs a PostgreSQL: run under pg_virtualenv (${POSTGRES_TEST_COMMAND}) or set TEST_POSTGRES_URL`);
}

function urlFor(database: string, parts: { host: string; port: string; user: string; password?: string }): string {
  const auth = `${encodeURIComponent(parts.user)}${parts.password ? `:${encodeURIComponent(parts.password)}` : ''}@`;
  // A socket directory cannot sit in the URL's host part; libpq's ?host= takes it.
  if (parts.host.startsWith('/')) return `postgres://${auth}/${database}?host=${encodeURIComponent(parts.host)}&port=${parts.port}`;
  return `postgres://${auth}${parts.host}:${parts.port}/${database}`;
}

/** The URL of `database` on the test server. */
export function databaseUrl(database: string): string {
  const url = new URL(adminUrl()!);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A database name unique to this run, this worker and this call. */
export function newDatabaseName(prefix = 'wxtest'): string {
  return `${prefix}_${process.pid}_${randomBytes(5).toString('hex')}`;
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  // Loaded on use: the jsdom test environment (the mini program's e2e test) cannot load pg.
  const pg = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database unless it exists. */
export async function createDatabase(name: string): Promise<string> {
  await admin(async (client) => {
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P04') throw err; // duplicate_database
    }
  });
  return databaseUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Ends every session on `database` (as a restart of PostgreSQL would), except the caller's own. */
export async function terminateConnections(database: string, applicationName?: string): Promise<number> {
  return admin(async (client) => {
    const { rows } = await client.query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
       WHERE datname = $1 AND pid <> pg_backend_pid() AND ($2::text IS NULL OR application_name = $2)`,
      [database, applicationName ?? null],
    );
    return rows.filter((row) => row.ok).length;
  });
}

/**
 * createDatabase and dropDatabase through psql, for test environments that cannot load pg (jsdom):
 * psql comes with PostgreSQL's client, which pg_virtualenv needs anyway.
 */
export function psqlAdmin(sql: string): void {
  execFileSync('psql', ['--no-psqlrc', '--quiet', '-v', 'ON_ERROR_STOP=1', '-d', adminUrl()!, '-c', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
}
