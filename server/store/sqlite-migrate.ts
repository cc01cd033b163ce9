// SQLite schema migrations: the numbered .sql files of migrations/sqlite this database lacks, applied at open.
import type Database from 'better-sqlite3';
import { readMigrations } from './common';

/** Applies the migrations this database lacks, each in its own transaction; returns the schema version. */
export function migrate(db: Database.Database): number {
  const migrations = readMigrations('sqlite');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  const current = row.version ?? 0;
  if (current > migrations.length) {
    throw new Error(`database schema version ${current} is newer than this server knows (${migrations.length}): run the newer server, or another database`);
  }
  for (const migration of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, Date.now());
    })();
  }
  return migrations.length;
}
