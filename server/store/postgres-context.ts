// What each concern's PostgreSQL part works with: the pool, the statements it batches, values as SQL literals.
import pg from 'pg';

/**
 * A value as an SQL literal, for the statements sent as simple queries (no parameters there):
 * strings through node-postgres' escapeLiteral (quotes doubled; with a backslash, an E'' string
 * with backslashes doubled), integers as digits, objects as jsonb. Nothing else is accepted.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer the store can write: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'object') return `${pg.escapeLiteral(JSON.stringify(value))}::jsonb`;
  throw new Error(`no SQL literal for a ${typeof value}`);
}
