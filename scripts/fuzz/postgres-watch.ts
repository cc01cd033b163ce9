// The fuzzer's view of the server's database when it is PostgreSQL: every table of the public schema (a table added
// later is covered without a change here), a digest per table computed by PostgreSQL in one round trip, and the rows of
// the tables whose digest changed. The fast path: a trigger on every table (the counters aside) notifies the watch of
// any write statement, and PostgreSQL delivers a notification only once its transaction has committed, so "nothing
// heard" means nothing committed (a sequence would move before the commit, and a look could miss the row).
import pg from 'pg';
import type { DatabaseName, Snapshot, TableRows, Watch } from './tables';

const CHANNEL = 'fuzz_watch_writes';
const FUNCTION = 'fuzz_watch_notify';
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** Tables whose writes do not make a look necessary (their rows are still read and compared when one is). */
const UNWATCHED = new Set(['rate_limits']);

export class PostgresWatch implements Watch {
  private readonly client: pg.Client;
  /** Notifications heard, and how many of them the last look had heard. */
  private heard = 0;
  private seen = 0;

  private constructor(
    readonly name: DatabaseName,
    client: pg.Client,
  ) {
    this.client = client;
  }

  /**
   * Connects, and puts a statement-level trigger bumping the watch's sequence on every table there is (the server
   * has migrated by now). The triggers touch no table: what the server reads and writes is unchanged.
   */
  static async open(name: DatabaseName, url: string): Promise<PostgresWatch> {
    const client = new pg.Client({ connectionString: url, application_name: 'fuzz-watch' });
    client.on('error', () => undefined);
    await client.connect();
    const watch = new PostgresWatch(name, client);
    client.on('notification', (message) => {
      if (message.channel === CHANNEL) watch.heard++;
    });
    await client.query(`LISTEN ${CHANNEL}`);
    await client.query(`CREATE OR REPLACE FUNCTION ${FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('${CHANNEL}', ''); RETURN NULL; END; $$`);
    // Not on the counters, which every request writes (run.ts allows any of them): a look finds them when it reads.
    for (const table of (await watch.tables()).filter((name) => !UNWATCHED.has(name))) {
      await client.query(`CREATE OR REPLACE TRIGGER ${quote(`${FUNCTION}_${table}`)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION ${FUNCTION}()`);
    }
    return watch;
  }

  private async tables(): Promise<string[]> {
    const { rows } = await this.client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    return rows.map((row) => row.name);
  }

  /**
   * Whether a write to any watched table committed since the last look. A notification of a commit that happened
   * before this call is delivered before the answer to this call's query (the backend sends pending notifications
   * before it reads the next command).
   */
  async changed(): Promise<boolean> {
    await this.client.query('SELECT 1');
    if (this.heard === this.seen) return false;
    this.seen = this.heard;
    return true;
  }

  /** Every table, in one repeatable-read transaction: a digest each, and the rows of those whose digest changed. */
  async read(previous?: Snapshot): Promise<Map<string, TableRows>> {
    const result = new Map<string, TableRows>();
    await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const names = await this.tables();
      const { rows: digests } = await this.client.query<{ name: string; digest: string }>(
        names.map((table) => `SELECT ${pg.escapeLiteral(table)} AS name, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest FROM ${quote(table)} t`).join(' UNION ALL '),
      );
      for (const { name: table, digest } of digests) {
        const id = `${this.name}.${table}`;
        const before = previous?.tables.get(id);
        if (before && before.digest === digest) {
          result.set(id, before);
          continue;
        }
        result.set(id, await this.rowsOf(table, digest));
      }
      await this.client.query('COMMIT');
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    return result;
  }

  /** A table's rows by primary key (else the whole row), each as a JSON array of its columns' values. */
  private async rowsOf(table: string, digest: string): Promise<TableRows> {
    const { rows: info } = await this.client.query<{ column: string; key: number | null }>(
      `SELECT a.attname AS column, array_position(i.indkey::int2[], a.attnum) AS key
       FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
       WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [quote(table)],
    );
    const columns = info.map((row) => row.column);
    const keyColumns = info.filter((row) => row.key !== null).sort((a, b) => a.key! - b.key!).map((row) => row.column);
    const { rows } = await this.client.query<{ row: Record<string, unknown> }>(`SELECT row_to_json(t) AS row FROM ${quote(table)} t`);
    const byKey = new Map<string, string>();
    for (const { row } of rows) {
      const values = JSON.stringify(columns.map((column) => row[column]));
      byKey.set(keyColumns.length ? JSON.stringify(keyColumns.map((column) => row[column])) : values, values);
    }
    return { columns, rows: byKey, digest };
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
