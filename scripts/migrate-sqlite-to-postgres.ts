// `npm run migrate:sqlite-to-postgres`: the one-off copy of a SQLite database into the PostgreSQL at DATABASE_URL.
//
// Usage: DATABASE_URL=postgres://... npm run migrate:sqlite-to-postgres -- [--from data/app.sqlite]
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import path from 'node:path';
import pg from 'pg';
import { describeDatabase, loadConfig } from '../server/config';
import { copySqliteToPostgres } from '../server/store/copy-sqlite-to-postgres';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log('DATABASE_URL=postgres://... npm run migrate:sqlite-to-postgres -- [--from FILE]  (default FILE: DATABASE_PATH or data/app.sqlite)');
    return;
  }
  const config = loadConfig();
  const fromIndex = args.indexOf('--from');
  const from = path.resolve(fromIndex >= 0 ? args[fromIndex + 1] ?? '' : config.databasePath);
  if (!config.databaseUrl) {
    console.error('Set DATABASE_URL to the PostgreSQL database to copy into (postgres://user:password@host:5432/database).');
    process.exit(2);
  }
  console.error(`copying ${from} into ${describeDatabase(config)} (one transaction; rows already there are left as they are)...`);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 1 });
  try {
    const report = await copySqliteToPostgres(from, pool);
    console.log('table            in SQLite   copied now   already there');
    for (const [table, row] of Object.entries(report)) {
      console.log(`${table.padEnd(16)} ${String(row.source).padStart(9)}   ${String(row.copied).padStart(10)}   ${String(row.present).padStart(13)}`);
    }
    console.log('done: point DATABASE_URL at this database and start the servers.');
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(`copy failed, no row was copied: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
