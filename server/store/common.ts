// What every part of both store implementations shares: the open statuses, the shopper fingerprint, migration files, JSON columns.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Statuses the sweep and the per-shopper limit count as open. */
export { OPEN_STATUSES } from '../contract';

/** A short, stable fingerprint of an openid for operators: 12 hex digits of its SHA-256. */
export function shopperRefOf(openId: string): string {
  return createHash('sha256').update(openId).digest('hex').slice(0, 12);
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** `migrations/<dialect>/NNN_name.sql`, in version order; versions must run 1, 2, 3 … without gaps. */
export function readMigrations(dialect: 'sqlite' | 'postgres'): Migration[] {
  const dir = path.join(__dirname, 'migrations', dialect);
  const migrations = fs
    .readdirSync(dir)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file.slice(4, -4), sql: fs.readFileSync(path.join(dir, file), 'utf8') }));
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migrations/${dialect}: expected version ${index + 1}, found ${migration.version}`);
  });
  return migrations;
}

/*
 * Rows as both databases return them. A JSON column is text in SQLite and jsonb (already parsed)
 * in PostgreSQL: the mappers take it either way (`json`).
 */

/** A JSON column's value: parsed by PostgreSQL (jsonb), text in SQLite. */
export function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
