// The doctor's database section: the database the configuration names answers, and its schema is the one this release migrates to. Reads only: never migrates, never writes.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describeDatabase, type Config } from '../config';
import { readMigrations } from '../store/common';
import { schemaVersion } from '../store/postgres-migrate';
import { fail, ok, type CheckResult, type DoctorContext } from './types';

const G = 'database' as const;

export async function databaseChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const { config } = ctx;
  const where = describeDatabase(config);
  let version: number;
  try {
    version = config.databaseUrl ? await postgresVersion(config.databaseUrl, ctx.timeoutMs) : sqliteVersion(config.databasePath);
  } catch (err) {
    return [unreachable(config, where, err)];
  }
  const latest = readMigrations(config.databaseUrl ? 'postgres' : 'sqlite').length;
  const results = [ok(G, 'database.reachable', 'reachable', `${where} answers`)];
  const id = 'database.migrations';
  if (version === latest) results.push(ok(G, id, 'migrations', `schema version ${version}, this release's latest`));
  else if (version > latest) {
    results.push(fail(G, id, 'migrations', `schema version ${version} is newer than this release knows (${latest}): a newer release migrated it, and this one refuses to start on it`, 'run the newer release (or newer) against this database'));
  } else {
    results.push(
      fail(
        G,
        id,
        'migrations',
        version === 0 ? 'the database has no schema yet' : `schema version ${version}, this release has ${latest}`,
        'start (or restart) this release of the server: it migrates at start; if it is running, it and this doctor use different databases (compare DATABASE_URL / DATABASE_PATH)',
      ),
    );
  }
  return results;
}

async function postgresVersion(url: string, timeoutMs: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  pool.on('error', () => undefined); // an idle connection dropped by the server: the query that needed it fails instead
  try {
    await pool.query('SELECT 1');
    return await schemaVersion(pool);
  } finally {
    await pool.end();
  }
}

/** Opened read-only: the doctor may run beside the server, and must not create a database where none is. */
function sqliteVersion(file: string): number {
  if (file === ':memory:') throw new Error('DATABASE_PATH=:memory: keeps nothing: every order is lost when the server stops');
  if (!fs.existsSync(file)) throw Object.assign(new Error(`no database file at ${file} yet`), { code: 'ENOENT' });
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!table) return 0;
    return (db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null }).version ?? 0;
  } finally {
    db.close();
  }
}

function unreachable(config: Config, where: string, err: unknown): CheckResult {
  const error = err as { message?: string; code?: string };
  const message = error.message ?? String(err);
  if (!config.databaseUrl) {
    const fix =
      error.code === 'ENOENT'
        ? 'start the server once (it creates and migrates the file), or set DATABASE_PATH to the file the server uses'
        : config.databasePath === ':memory:'
          ? 'set DATABASE_PATH to a file on a disk that is kept (e.g. /var/lib/shop/app.sqlite), or DATABASE_URL for PostgreSQL'
          : 'run the doctor as the server\'s user, and check DATABASE_PATH and its folder\'s permissions';
    return fail(G, 'database.reachable', 'reachable', `${where}: ${message}`, fix);
  }
  return fail(
    G,
    'database.reachable',
    'reachable',
    `${where} does not answer: ${message}${error.code ? ` (${error.code})` : ''}`,
    "check DATABASE_URL's host, port, database, user and password, and that PostgreSQL lets this machine in (listen_addresses, pg_hba.conf, the firewall)",
  );
}
