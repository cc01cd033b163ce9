// The Store on SQLite (better-sqlite3): WAL, numbered migrations, a transaction around each change.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { OrderStatus } from '../contract';
import type {
  InsertOrderResult,
  NewOrder,
  OrderChange,
  OrderPatch,
  OrderRecord,
  SessionRecord,
  Store,
  WebhookEventRecord,
  WebhookRecordResult,
} from './types';

/** Append-only: a released migration is never edited, only followed by a new one. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    open_id    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE orders (
    id                 TEXT PRIMARY KEY,
    open_id            TEXT NOT NULL,
    status             TEXT NOT NULL,
    currency           TEXT NOT NULL,
    total_amount       INTEGER NOT NULL,
    payment_intent_id  TEXT UNIQUE,
    intent_status      TEXT,
    intent_updated_at  INTEGER,
    create_request_id  TEXT NOT NULL,
    idempotency_key    TEXT,
    request_hash       TEXT,
    last_error         TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    paid_at            INTEGER,
    checked_at         INTEGER,
    UNIQUE (open_id, idempotency_key)
  );
  CREATE INDEX orders_by_shopper ON orders (open_id, created_at DESC);
  CREATE INDEX orders_open ON orders (status, checked_at);
  CREATE TABLE order_items (
    order_id    TEXT NOT NULL REFERENCES orders (id),
    line        INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    names       TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    unit_amount INTEGER NOT NULL,
    PRIMARY KEY (order_id, line)
  );
  CREATE TABLE webhook_events (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    order_id    TEXT,
    payload     TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    applied_at  INTEGER,
    outcome     TEXT
  );
  CREATE INDEX webhook_events_unapplied ON webhook_events (received_at) WHERE applied_at IS NULL;
  `,
];

interface OrderRow {
  id: string;
  open_id: string;
  status: OrderStatus;
  currency: string;
  total_amount: number;
  payment_intent_id: string | null;
  intent_status: string | null;
  intent_updated_at: number | null;
  create_request_id: string;
  idempotency_key: string | null;
  request_hash: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  expires_at: number;
  paid_at: number | null;
  checked_at: number | null;
}

interface ItemRow {
  order_id: string;
  sku: string;
  names: string;
  quantity: number;
  unit_amount: number;
}

const PATCH_COLUMNS: Record<keyof OrderPatch, string> = {
  status: 'status',
  paymentIntentId: 'payment_intent_id',
  intentStatus: 'intent_status',
  intentUpdatedAt: 'intent_updated_at',
  lastPaymentError: 'last_error',
  paidAt: 'paid_at',
  checkedAt: 'checked_at',
  updatedAt: 'updated_at',
};

/** Opens (creating if needed) the database at `file` and brings its schema up to date. */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // with WAL: durable across process crashes, cheap commits
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const checkpointer = file === ':memory:' ? undefined : startCheckpointer(db, file);

  const stmt = {
    insertSession: db.prepare(
      'INSERT INTO sessions (token_hash, open_id, created_at, expires_at) VALUES (@tokenHash, @openId, @createdAt, @expiresAt)',
    ),
    findSession: db.prepare('SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?'),
    orderById: db.prepare('SELECT * FROM orders WHERE id = ?'),
    orderByKey: db.prepare('SELECT * FROM orders WHERE open_id = ? AND idempotency_key = ?'),
    itemsOf: db.prepare('SELECT * FROM order_items WHERE order_id = ? ORDER BY line'),
    insertOrder: db.prepare(`INSERT INTO orders (id, open_id, status, currency, total_amount, create_request_id,
        idempotency_key, request_hash, created_at, updated_at, expires_at)
      VALUES (@id, @openId, @status, @currency, @totalAmount, @createRequestId, @idempotencyKey, @requestHash,
        @createdAt, @updatedAt, @expiresAt)`),
    insertItem: db.prepare(
      'INSERT INTO order_items (order_id, line, sku, names, quantity, unit_amount) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    listOrders: db.prepare(
      `SELECT * FROM orders WHERE open_id = ? AND payment_intent_id IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT ?`,
    ),
    toCheck: db.prepare(`SELECT * FROM orders WHERE status IN ('awaiting_payment', 'processing')
        AND payment_intent_id IS NOT NULL AND COALESCE(checked_at, 0) < ? ORDER BY COALESCE(checked_at, 0) LIMIT ?`),
    pastExpiry: db.prepare(
      `SELECT * FROM orders WHERE status IN ('awaiting_payment', 'processing') AND expires_at < ? ORDER BY expires_at LIMIT ?`,
    ),
    withoutIntent: db.prepare(`SELECT * FROM orders WHERE status IN ('awaiting_payment', 'processing')
        AND payment_intent_id IS NULL AND created_at < ? ORDER BY created_at LIMIT ?`),
    insertEvent: db.prepare(`INSERT OR IGNORE INTO webhook_events (id, name, order_id, payload, received_at)
      VALUES (@id, @name, @orderId, @payload, @receivedAt)`),
    markApplied: db.prepare('UPDATE webhook_events SET applied_at = ?, outcome = ? WHERE id = ?'),
    unapplied: db.prepare('SELECT * FROM webhook_events WHERE applied_at IS NULL ORDER BY received_at LIMIT ?'),
    eventOutcome: db.prepare('SELECT outcome FROM webhook_events WHERE id = ?'),
  };

  const hydrate = (row: OrderRow): OrderRecord => {
    const items = (stmt.itemsOf.all(row.id) as ItemRow[]).map((item) => ({
      sku: item.sku,
      names: JSON.parse(item.names),
      quantity: item.quantity,
      unitAmount: item.unit_amount,
    }));
    return {
      id: row.id,
      openId: row.open_id,
      status: row.status,
      currency: row.currency,
      totalAmount: row.total_amount,
      items,
      paymentIntentId: row.payment_intent_id,
      intentStatus: row.intent_status,
      intentUpdatedAt: row.intent_updated_at,
      createRequestId: row.create_request_id,
      idempotencyKey: row.idempotency_key,
      requestHash: row.request_hash,
      lastPaymentError: row.last_error ? JSON.parse(row.last_error) : null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      expiresAt: row.expires_at,
      paidAt: row.paid_at,
      checkedAt: row.checked_at,
    };
  };
  const getRow = (id: string) => stmt.orderById.get(id) as OrderRow | undefined;

  const insertOrderTx = db.transaction((order: NewOrder): InsertOrderResult => {
    if (order.idempotencyKey !== null) {
      const existing = stmt.orderByKey.get(order.openId, order.idempotencyKey) as OrderRow | undefined;
      if (existing) {
        return { kind: existing.request_hash === order.requestHash ? 'existing' : 'conflict', order: hydrate(existing) };
      }
    }
    stmt.insertOrder.run(order);
    order.items.forEach((item, line) => {
      stmt.insertItem.run(order.id, line, item.sku, JSON.stringify(item.names), item.quantity, item.unitAmount);
    });
    return { kind: 'created', order: hydrate(getRow(order.id)!) };
  });

  // One UPDATE statement per set of patched columns, compiled once.
  const updateStatements = new Map<string, Database.Statement>();
  const updateOrderRow = (id: string, decide: (current: OrderRecord) => OrderPatch | null) => {
    const row = getRow(id);
    if (!row) return undefined;
    const current = hydrate(row);
    const patch = decide(current);
    const keys = patch ? (Object.keys(patch) as Array<keyof OrderPatch>).filter((k) => patch[k] !== undefined) : [];
    if (!patch || keys.length === 0) return { order: current, changed: false };
    const columns = keys.map((k) => PATCH_COLUMNS[k]).join(', ');
    let statement = updateStatements.get(columns);
    if (!statement) {
      statement = db.prepare(`UPDATE orders SET ${keys.map((k) => `${PATCH_COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`);
      updateStatements.set(columns, statement);
    }
    statement.run(...keys.map((k) => (k === 'lastPaymentError' ? serializeError(patch.lastPaymentError) : patch[k])), id);
    const updated: OrderRecord = { ...current };
    for (const k of keys) (updated as unknown as Record<string, unknown>)[k] = patch[k];
    return { order: updated, changed: true };
  };
  const updateOrderTx = db.transaction(updateOrderRow);

  const recordWebhookEventTx = db.transaction(
    (event: WebhookEventRecord, apply: { orderId: string; decide: (current: OrderRecord) => OrderPatch | null } | undefined, at: number): WebhookRecordResult => {
      if (stmt.insertEvent.run(event).changes !== 1) return { inserted: false };
      const update = apply ? updateOrderRow(apply.orderId, apply.decide) : undefined;
      const outcome = !apply ? 'ignored' : update ? 'applied' : 'unknown_order';
      stmt.markApplied.run(at, outcome, event.id);
      return { inserted: true, outcome, update };
    },
  );

  const rowsToOrders = (rows: unknown[]) => (rows as OrderRow[]).map(hydrate);

  // One process owns the file, so an in-process emitter after each commit sees every change.
  const listeners = new Set<(change: OrderChange) => void>();
  const changed = (orderId: string) => {
    for (const listener of listeners) listener({ kind: 'order', orderId });
  };

  return {
    async createSession(session: SessionRecord) {
      stmt.insertSession.run(session);
    },
    async findSession(tokenHash, now) {
      const row = stmt.findSession.get(tokenHash, now) as
        | { token_hash: string; open_id: string; created_at: number; expires_at: number }
        | undefined;
      return row && { tokenHash: row.token_hash, openId: row.open_id, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    async insertOrder(order) {
      const result = insertOrderTx(order);
      if (result.kind === 'created') changed(result.order.id);
      return result;
    },
    async getOrder(id) {
      const row = getRow(id);
      return row && hydrate(row);
    },
    async listOrders(openId, limit) {
      return rowsToOrders(stmt.listOrders.all(openId, limit));
    },
    async updateOrder(id, decide) {
      const result = updateOrderTx(id, decide);
      if (result?.changed) changed(id);
      return result;
    },
    async ordersToCheck(checkedBefore, limit) {
      return rowsToOrders(stmt.toCheck.all(checkedBefore, limit));
    },
    async ordersPastExpiry(now, limit) {
      return rowsToOrders(stmt.pastExpiry.all(now, limit));
    },
    async ordersWithoutIntent(createdBefore, limit) {
      return rowsToOrders(stmt.withoutIntent.all(createdBefore, limit));
    },
    async recordWebhookEvent(event, apply, at) {
      const result = recordWebhookEventTx(event, apply, at);
      if (result.inserted && result.update?.changed) changed(result.update.order.id);
      return result;
    },
    async insertWebhookEvent(event: WebhookEventRecord) {
      return stmt.insertEvent.run(event).changes === 1;
    },
    async markWebhookEventApplied(id, outcome, at) {
      stmt.markApplied.run(at, outcome, id);
    },
    async unappliedWebhookEvents(limit) {
      return (stmt.unapplied.all(limit) as Array<{ id: string; name: string; order_id: string | null; payload: string; received_at: number }>).map(
        (row) => ({ id: row.id, name: row.name, orderId: row.order_id, payload: row.payload, receivedAt: row.received_at }),
      );
    },
    async webhookEventOutcome(id) {
      const row = stmt.eventOutcome.get(id) as { outcome: string | null } | undefined;
      return row ? row.outcome : undefined;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async ready() {
      if (!db.open) return { ok: false, detail: 'the SQLite database is closed' };
      db.prepare('SELECT 1').get();
      return { ok: true };
    },
    async close() {
      listeners.clear();
      await checkpointer?.stop();
      if (db.open) db.close();
    },
  };
}

/**
 * WAL checkpoints (copying the log back into the database, with an fsync) take milliseconds, and
 * SQLite runs them inside whichever commit crosses the threshold: a request would pay for them. A
 * second connection in a worker thread checkpoints every second instead, off the event loop.
 */
function startCheckpointer(db: Database.Database, file: string): { stop(): Promise<void> } | undefined {
  let worker: Worker;
  try {
    worker = new Worker(CHECKPOINT_WORKER, {
      eval: true,
      workerData: { driver: createRequire(__filename).resolve('better-sqlite3'), file, intervalMs: 1000 },
    });
  } catch {
    return undefined; // keep SQLite's own automatic checkpoints
  }
  db.pragma('wal_autocheckpoint = 0');
  worker.unref();
  // If the worker dies, commits go back to checkpointing by themselves, so the log cannot grow forever.
  worker.on('error', () => db.open && db.pragma('wal_autocheckpoint = 1000'));
  return {
    async stop() {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]);
      await worker.terminate();
    },
  };
}

const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;

function serializeError(error: OrderPatch['lastPaymentError']): string | null {
  return error ? JSON.stringify(error) : null;
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  const current = row.version ?? 0;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this server knows (${MIGRATIONS.length})`);
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1]);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    })();
  }
}
