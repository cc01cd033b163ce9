// The fuzzer's state snapshot: every table of the server's and the simulator's SQLite databases, read through
// read-only connections (so a table added later is covered without a change here), its changes row by row, and
// the writes each case may make.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

export type DatabaseName = 'server' | 'simulator';

/** One table's rows, by key (its primary key, else its rowid), each as JSON. */
export interface TableRows {
  columns: string[];
  rows: Map<string, string>;
  digest: string;
}

export interface Snapshot {
  /** `server.orders`, `simulator.intents`, ... */
  tables: Map<string, TableRows>;
}

export interface TableChange {
  /** `server.orders` */
  table: string;
  kind: 'insert' | 'update' | 'delete' | 'new table' | 'dropped table';
  /** The row's key (primary key values, or rowid), for rows. */
  key?: string;
  /** For an update: the columns whose value changed. */
  columns?: string[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A view of one database: whether anything was written since the last look (cheap), and every table's rows. */
export interface Watch {
  readonly name: DatabaseName;
  changed(): Promise<boolean>;
  read(previous?: Snapshot): Promise<Map<string, TableRows>>;
  close(): void | Promise<void>;
}

/** A read-only view of one SQLite database file that says cheaply whether anything was committed since the last look. */
export class DatabaseWatch implements Watch {
  private readonly db: Database.Database;
  private version: number;

  constructor(
    readonly name: DatabaseName,
    file: string,
  ) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    // One digest per table, computed inside SQLite's scan: unchanged tables are never turned into objects.
    this.db.aggregate('fuzz_digest', {
      start: () => createHash('sha1'),
      step: (hash: ReturnType<typeof createHash>, ...values: unknown[]) => {
        for (const value of values) hash.update(value === null ? '\u0000null' : Buffer.isBuffer(value) ? value : `\u0000${typeof value}:${String(value)}`);
      },
      result: (hash: ReturnType<typeof createHash>) => hash.digest('hex'),
      varargs: true,
    });
    this.version = this.dataVersion();
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Whether another connection committed a change since the last call (PRAGMA data_version): the fast path. */
  async changed(): Promise<boolean> {
    const now = this.dataVersion();
    if (now === this.version) return false;
    this.version = now;
    return true;
  }

  /** Every table (sqlite_master, sqlite_sequence included), read in one read transaction. */
  async read(previous?: Snapshot): Promise<Map<string, TableRows>> {
    const tables = new Map<string, TableRows>();
    this.db.transaction(() => {
      const names = (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((row) => row.name);
      for (const table of names) {
        const info = this.db.prepare(`PRAGMA table_info(${quote(table)})`).all() as Array<{ name: string; pk: number }>;
        const columns = info.map((column) => column.name);
        // sqlite_sequence has no primary key: its rows are one counter per table, by name.
        const keyColumns = table === 'sqlite_sequence' ? ['name'] : info.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name);
        const order = keyColumns.length ? keyColumns.map(quote).join(', ') : 'rowid';
        const digest = (this.db.prepare(`SELECT fuzz_digest(${columns.map(quote).join(', ')}) AS d FROM (SELECT * FROM ${quote(table)} ORDER BY ${order})`).get() as { d: string | null }).d ?? 'empty';
        const id = `${this.name}.${table}`;
        const before = previous?.tables.get(id);
        if (before && before.digest === digest) {
          tables.set(id, before);
          continue;
        }
        const rows = new Map<string, string>();
        const select = keyColumns.length ? `SELECT * FROM ${quote(table)}` : `SELECT rowid AS "__rowid", * FROM ${quote(table)}`;
        for (const row of this.db.prepare(select).all() as Array<Record<string, unknown>>) {
          const key = keyColumns.length ? JSON.stringify(keyColumns.map((column) => row[column])) : String(row.__rowid);
          rows.set(key, JSON.stringify(columns.map((column) => (Buffer.isBuffer(row[column]) ? `0x${(row[column] as Buffer).toString('hex')}` : row[column]))));
        }
        tables.set(id, { columns, rows, digest });
      }
    })();
    return tables;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Reads both databases into one snapshot, reusing the rows of tables whose digest did not change. */
export async function takeSnapshot(watches: Watch[], previous?: Snapshot): Promise<Snapshot> {
  const tables = new Map<string, TableRows>();
  for (const watch of watches) for (const [name, rows] of await watch.read(previous)) tables.set(name, rows);
  return { tables };
}

/** Every row inserted, updated (with the columns that changed) or deleted, and every table added or dropped. */
export function diffSnapshots(before: Snapshot, after: Snapshot): TableChange[] {
  const changes: TableChange[] = [];
  for (const [table, now] of after.tables) {
    const then = before.tables.get(table);
    if (!then) {
      changes.push({ table, kind: 'new table' });
      continue;
    }
    if (then === now || then.digest === now.digest) continue;
    for (const [key, row] of now.rows) {
      const old = then.rows.get(key);
      if (old === undefined) changes.push({ table, kind: 'insert', key });
      else if (old !== row) {
        const a = JSON.parse(old) as unknown[];
        const b = JSON.parse(row) as unknown[];
        const columns = now.columns.filter((_, i) => JSON.stringify(a[i]) !== JSON.stringify(b[i]));
        changes.push({ table, kind: 'update', key, columns: columns.length ? columns : now.columns });
      }
    }
    for (const key of then.rows.keys()) if (!now.rows.has(key)) changes.push({ table, kind: 'delete', key });
  }
  for (const table of before.tables.keys()) if (!after.tables.has(table)) changes.push({ table, kind: 'dropped table' });
  return changes;
}

/**
 * A write a case may make: `<db>.<table> <ops>`, ops being `+` (insert), `-` (delete), `~` (update any
 * column) or `~col,col` (update only these columns), e.g. `server.orders ~checked_at,next_check_at`.
 */
export type WriteRule = string;

interface ParsedRule {
  table: string;
  insert: boolean;
  remove: boolean;
  update: boolean;
  columns?: Set<string>;
}

const parsed = new Map<string, ParsedRule>();
function parseRule(rule: WriteRule): ParsedRule {
  let result = parsed.get(rule);
  if (result) return result;
  const match = /^(\w+\.\w+) ([+~-]+)([\w,]*)$/.exec(rule);
  if (!match) throw new Error(`not a write rule: ${JSON.stringify(rule)}`);
  const [, table, ops, columns] = match;
  result = { table, insert: ops.includes('+'), remove: ops.includes('-'), update: ops.includes('~'), columns: columns ? new Set(columns.split(',')) : undefined };
  parsed.set(rule, result);
  return result;
}

/** Whether `rules` allow `change`. An insert into a table also allows its AUTOINCREMENT counter (sqlite_sequence) to move. */
export function allows(rules: readonly WriteRule[], change: TableChange): boolean {
  return rules.some((text) => {
    const rule = parseRule(text);
    if (change.table.endsWith('.sqlite_sequence') && change.key !== undefined) {
      // An AUTOINCREMENT counter moves with the inserts into its table.
      const [db] = change.table.split('.');
      return rule.insert && change.kind !== 'delete' && rule.table === `${db}.${(JSON.parse(change.key) as string[])[0]}`;
    }
    if (rule.table !== change.table) return false;
    if (change.kind === 'insert') return rule.insert;
    if (change.kind === 'delete') return rule.remove;
    if (change.kind === 'update') return rule.update && (!rule.columns || (change.columns ?? []).every((column) => rule.columns!.has(column)));
    return false;
  });
}

/** The changes as lines: `server.orders: update of ["ord_…"] (status, updated_at)`. */
export function describeChanges(changes: TableChange[], max = 20): string {
  const lines = changes.slice(0, max).map((c) => `  ${c.table}: ${c.kind}${c.key !== undefined ? ` of ${c.key.length > 80 ? `${c.key.slice(0, 80)}…` : c.key}` : ''}${c.columns ? ` (${c.columns.join(', ')})` : ''}`);
  if (changes.length > max) lines.push(`  … and ${changes.length - max} more`);
  return lines.join('\n');
}

/**
 * The changed rows that hold a NUL: text PostgreSQL refuses, so the server must refuse it before any store (SQLite
 * would keep it silently). A row's values are JSON here, where a NUL reads `\u0000`.
 */
export function rowsWithNul(after: Snapshot, changes: TableChange[]): TableChange[] {
  // An escape `\u0000` not itself escaped: a stored text holding the six characters \u0000 reads `\\u0000`.
  const nul = /(?:^|[^\\])(?:\\\\)*\\u0000/;
  return changes.filter((change) => (change.kind === 'insert' || change.kind === 'update') && change.key !== undefined && nul.test(after.tables.get(change.table)?.rows.get(change.key) ?? ''));
}
