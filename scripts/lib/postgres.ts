// A PostgreSQL for bench and chaos: a fresh database on the server at DATABASE_URL, or a throwaway cluster (initdb + pg_ctl in a temp dir) that is removed on exit.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describeDatabase } from '../../server/config';
import { freePort, HOST } from './proc';

export interface TestPostgres {
  /** The connection URL of the fresh database the servers use (holds a password: never print it). */
  url: string;
  /** What was set up, safe to print. */
  description: string;
  /** Makes every connection of the servers drop, as a database restart does; says how. */
  restart(): Promise<string>;
  /** Rows of a query on the database (for the final checks). */
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  /** Drops what was created (the database, or the whole cluster). */
  stop(): Promise<void>;
}

/** DATABASE_URL's server when set (a fresh database on it), else a throwaway cluster. */
export async function providePostgres(log: (message: string) => void): Promise<TestPostgres> {
  return process.env.DATABASE_URL ? freshDatabaseOn(process.env.DATABASE_URL) : throwawayCluster(log);
}

async function freshDatabaseOn(serverUrl: string): Promise<TestPostgres> {
  const name = `wxtool_${randomBytes(5).toString('hex')}`;
  const admin = async <T>(work: (client: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  pool.on('error', () => undefined);
  return {
    url: url.toString(),
    description: `database ${name} created on ${describeDatabase({ databaseUrl: serverUrl, databasePath: '' })} (DATABASE_URL)`,
    async restart() {
      // Not our server to restart: end every connection to our database instead, as a restart would.
      const ended = await admin(async (client) =>
        (await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])).rowCount,
      );
      return `terminated all ${ended} connections of ${name} (pg_terminate_backend; DATABASE_URL's server is not ours to restart)`;
    },
    async query(text, values) {
      return (await pool.query(text, values)).rows;
    },
    async stop() {
      await pool.end();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** The newest PostgreSQL server binaries on this machine (Debian keeps them out of PATH). */
function findBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length > 0) return path.join(root, versions[0], 'bin');
  try {
    return path.dirname(execFileSync('which', ['initdb'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error('no PostgreSQL server found (initdb): install it (Debian: apt-get install postgresql) or set DATABASE_URL');
  }
}

async function throwawayCluster(log: (message: string) => void): Promise<TestPostgres> {
  const bin = findBinaries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechatpay-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  // PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  const commandLine = (tool: string, args: string[]): [string, string[]] => {
    const command = path.join(bin, tool);
    return asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  };
  const run = (tool: string, args: string[]) => {
    const [file, argv] = commandLine(tool, args);
    execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  };
  /** Without blocking the event loop (the tools' shoppers keep running meanwhile). */
  const runAsync = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [file, argv] = commandLine(tool, args);
      execFile(file, argv, { cwd: dir }, (err, _stdout, stderr) => (err ? reject(new Error(`${tool} failed: ${stderr || err.message}`)) : resolve()));
    });
  const options = `-p ${port} -k ${dir} -c listen_addresses=${HOST} -c fsync=off -c full_page_writes=off -c max_connections=200`;
  let running = false;
  const stopNow = () => {
    if (running) {
      running = false;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
    }
    if (!process.env.KEEP_TEMP) fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stopNow);
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'postgres.log'), '-w', 'start']);
  running = true;
  const url = `postgres://postgres@${HOST}:${port}/postgres`;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined); // its idle connections die with each restart
  log(`PostgreSQL: throwaway cluster in ${dir} on ${HOST}:${port} (${path.basename(path.dirname(bin))}, initdb + pg_ctl${asRoot ? ' as user postgres' : ''}, fsync off)`);
  return {
    url,
    description: `throwaway cluster on ${HOST}:${port} (PostgreSQL ${path.basename(path.dirname(bin))}, fsync off)`,
    async restart() {
      const started = Date.now();
      await runAsync('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'postgres.log'), '-m', 'fast', '-w', 'restart']);
      return `pg_ctl restart -m fast: down and back in ${Date.now() - started} ms`;
    },
    async query(text, values) {
      return (await pool.query(text, values)).rows;
    },
    async stop() {
      await pool.end();
      stopNow();
      process.removeListener('exit', stopNow);
    },
  };
}
