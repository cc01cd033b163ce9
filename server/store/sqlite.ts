// The Store on SQLite (better-sqlite3): WAL, numbered .sql migrations, a transaction around each change (the changes of one turn of the event loop committed together); composed of each concern's SQLite part.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { adminSessions } from './admin-sessions/sqlite';
import { anomalies } from './anomalies/sqlite';
import { audit } from './audit/sqlite';
import { messages } from './messages/sqlite';
import { figures } from './figures/sqlite';
import { orders } from './orders/sqlite';
import { outbox } from './outbox/sqlite';
import { composePruners, composeSlices, type PruneOptions } from './parts';
import { rateLimits } from './rate-limits/sqlite';
import { reconciliations } from './reconciliations/sqlite';
import { sessions } from './sessions/sqlite';
import { startCheckpointer } from '../sqlite-checkpointer';
import { sqliteContext } from './sqlite-context';
import { migrate } from './sqlite-migrate';
import { timeline } from './timeline/sqlite';
import type { OrderChange, PruneResult, Store } from './types';
import { webhooks } from './webhooks/sqlite';
import { wechatTokens } from './wechat-tokens/sqlite';

/** The concerns the store is made of, each with its SQLite part: one line per concern. */
const PARTS = {
  sessions,
  orders,
  rateLimits,
  webhooks,
  anomalies,
  timeline,
  audit,
  adminSessions,
  reconciliations,
  figures,
  messages,
  wechatTokens,
  outbox,
};

/** Opens (creating if needed) the database at `file` and brings its schema up to date. */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // with WAL: durable across process crashes, cheap commits
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Rollback journals of savepoints (each write of a group commit is one, sqlite-batch.ts) and temporary b-trees in
  // memory: past 64 KiB SQLite spilled them into a fresh file in /var/tmp, created and deleted some 60 times a second
  // under load (strace: a third as many pwrite64 as the log itself got).
  db.pragma('temp_store = MEMORY');
  db.function('sha256_hex', { deterministic: true }, (text: unknown) => createHash('sha256').update(String(text)).digest('hex'));
  const schemaVersion = migrate(db);
  const checkpointer = file === ':memory:' ? undefined : startCheckpointer(db, file);
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  // One process owns the file, so an in-process emitter after each commit sees every change.
  const ctx = sqliteContext(db, (orderId) => changes.emit('change', { kind: 'order', orderId } satisfies OrderChange));

  const ready = db.prepare('SELECT MAX(version) AS version FROM schema_migrations');
  const pruners = composePruners(PARTS);
  const pruneTx = ctx.transaction((options: PruneOptions) => {
    const pruned = {} as PruneResult;
    for (const [key, prune] of pruners) pruned[key] = prune(ctx, options);
    return pruned;
  });

  return {
    kind: 'sqlite',
    shared: false,
    ...composeSlices(PARTS, ctx),
    async prune(options) {
      return pruneTx(options);
    },
    subscribe(listener) {
      changes.on('change', listener);
      return () => changes.off('change', listener);
    },
    async ready() {
      if (!db.open) return { ok: false, detail: 'the database is closed' };
      try {
        const { version } = ready.get() as { version: number | null };
        return version === schemaVersion ? { ok: true } : { ok: false, detail: `schema version ${version}, expected ${schemaVersion}` };
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    },
    async close() {
      if (db.open) ctx.flush();
      await checkpointer?.stop();
      changes.removeAllListeners();
      if (db.open) db.close();
    },
  };
}
