// The Store on SQLite (better-sqlite3): WAL, numbered .sql migrations, a transaction around each change.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { anomalyFromRow, type AnomalyRow } from './anomalies/common';
import { json, OPEN_STATUSES } from './common';
import { mergeUpdate, ORDER_COLUMNS, orderFromRow, patchKeys, type OrderRow } from './orders/common';
import { refundToRow, type RefundRow } from './refunds/common';
import { startCheckpointer } from './sqlite-checkpointer';
import { migrate } from './sqlite-migrate';
import type {
  AnomalyRecord,
  AuditRecord,
  InsertOrderResult,
  NewAnomaly,
  NewOrder,
  NewOrderEvent,
  OrderChange,
  OrderDecider,
  OrderEventRecord,
  OrderPatch,
  OrderRecord,
  OrderUpdate,
  OrderUpdateResult,
  Store,
  WebhookEventRecord,
  WebhookRecordResult,
} from './types';


interface ItemRow {
  sku: string;
  names: string;
  quantity: number;
  unit_amount: number;
}



const OPEN = OPEN_STATUSES.map((status) => `'${status}'`).join(', ');

/** Opens (creating if needed) the database at `file` and brings its schema up to date. */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // with WAL: durable across process crashes, cheap commits
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.function('sha256_hex', { deterministic: true }, (text: unknown) => createHash('sha256').update(String(text)).digest('hex'));
  const schemaVersion = migrate(db);
  const checkpointer = file === ':memory:' ? undefined : startCheckpointer(db, file);
  const changes = new EventEmitter();
  changes.setMaxListeners(0);

  const stmt = {
    insertSession: db.prepare(
      'INSERT INTO sessions (token_hash, open_id, created_at, expires_at) VALUES (@tokenHash, @openId, @createdAt, @expiresAt)',
    ),
    findSession: db.prepare('SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?'),
    orderById: db.prepare('SELECT * FROM orders WHERE id = ?'),
    orderByIntent: db.prepare('SELECT * FROM orders WHERE payment_intent_id = ?'),
    orderByKey: db.prepare('SELECT * FROM orders WHERE open_id = ? AND idempotency_key = ?'),
    itemsOf: db.prepare('SELECT * FROM order_items WHERE order_id = ? ORDER BY line'),
    refundsOf: db.prepare('SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at, id'),
    insertOrder: db.prepare(`INSERT INTO orders (id, open_id, shopper_ref, status, currency, total_amount, create_request_id,
        idempotency_key, request_hash, created_at, updated_at, expires_at, next_check_at)
      VALUES (@id, @openId, @shopperRef, @status, @currency, @totalAmount, @createRequestId, @idempotencyKey, @requestHash,
        @createdAt, @updatedAt, @expiresAt, @nextCheckAt)`),
    insertItem: db.prepare(
      'INSERT INTO order_items (order_id, line, sku, names, quantity, unit_amount) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    upsertRefund: db.prepare(`INSERT INTO refunds (id, order_id, airwallex_refund_id, request_id, amount, currency, reason, status,
        airwallex_status, airwallex_updated_at, failure, origin, created_by, idempotency_key, request_hash, created_at, updated_at)
      VALUES (@id, @order_id, @airwallex_refund_id, @request_id, @amount, @currency, @reason, @status, @airwallex_status,
        @airwallex_updated_at, @failure, @origin, @created_by, @idempotency_key, @request_hash, @created_at, @updated_at)
      ON CONFLICT (id) DO UPDATE SET airwallex_refund_id = excluded.airwallex_refund_id, status = excluded.status,
        airwallex_status = excluded.airwallex_status, airwallex_updated_at = excluded.airwallex_updated_at,
        failure = excluded.failure, updated_at = excluded.updated_at`),
    insertEvent: db.prepare('INSERT INTO order_events (order_id, at, kind, source, data) VALUES (?, ?, ?, ?, ?)'),
    eventsOf: db.prepare('SELECT * FROM order_events WHERE order_id = ? ORDER BY at, id'),
    insertAnomaly: db.prepare(`INSERT OR IGNORE INTO anomalies (key, kind, order_id, intent_id, detail, created_at)
      VALUES (@key, @kind, @orderId, @intentId, @detail, @at)`),
    openAnomalyByKey: db.prepare('SELECT * FROM anomalies WHERE key = ? AND resolved_at IS NULL'),
    anomalyById: db.prepare('SELECT * FROM anomalies WHERE id = ?'),
    listAnomalies: db.prepare('SELECT * FROM anomalies ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?'),
    listOpenAnomalies: db.prepare('SELECT * FROM anomalies WHERE resolved_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?'),
    resolveAnomaly: db.prepare('UPDATE anomalies SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL'),
    listOrders: db.prepare(
      'SELECT * FROM orders WHERE open_id = ? AND payment_intent_id IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT ?',
    ),
    countOpen: db.prepare(`SELECT COUNT(*) AS n FROM orders WHERE open_id = ? AND status IN (${OPEN})`),
    claimRetrieve: db.prepare('UPDATE orders SET retrieved_at = ? WHERE id = ? AND (retrieved_at IS NULL OR retrieved_at <= ?)'),
    countHit: db.prepare(`INSERT INTO rate_limits (key, hits, resets_at) VALUES (@key, 1, @now + @windowMs)
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN resets_at <= @now THEN 1 ELSE hits + 1 END,
        resets_at = CASE WHEN resets_at <= @now THEN @now + @windowMs ELSE resets_at END
      RETURNING hits, resets_at`),
    peekHits: db.prepare('SELECT hits, resets_at FROM rate_limits WHERE key = ? AND resets_at > ?'),
    pruneRateLimits: db.prepare('DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE resets_at <= ? LIMIT ?)'),
    due: db.prepare('SELECT * FROM orders WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at, id LIMIT ?'),
    lease: db.prepare('UPDATE orders SET next_check_at = ? WHERE id = ?'),
    countByStatus: db.prepare('SELECT status, COUNT(*) AS n FROM orders GROUP BY status'),
    insertWebhook: db.prepare(`INSERT OR IGNORE INTO webhook_events (id, name, order_id, payload, received_at)
      VALUES (@id, @name, @orderId, @payload, @receivedAt)`),
    markApplied: db.prepare('UPDATE webhook_events SET applied_at = ?, outcome = ? WHERE id = ?'),
    unapplied: db.prepare('SELECT * FROM webhook_events WHERE applied_at IS NULL ORDER BY received_at LIMIT ?'),
    webhookOutcome: db.prepare('SELECT outcome FROM webhook_events WHERE id = ?'),
    insertAudit: db.prepare('INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)'),
    auditAll: db.prepare('SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ?'),
    auditOf: db.prepare('SELECT * FROM audit_log WHERE target = ? ORDER BY at DESC, id DESC LIMIT ?'),
    insertAdminSession: db.prepare(`INSERT INTO admin_sessions (token_hash, csrf_hash, actor, created_at, expires_at)
      VALUES (@tokenHash, @csrfHash, @actor, @createdAt, @expiresAt)`),
    findAdminSession: db.prepare('SELECT * FROM admin_sessions WHERE token_hash = ? AND expires_at > ?'),
    deleteAdminSession: db.prepare('DELETE FROM admin_sessions WHERE token_hash = ?'),
    pruneSessions: db.prepare('DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at <= ? LIMIT ?)'),
    pruneAdminSessions: db.prepare(
      'DELETE FROM admin_sessions WHERE token_hash IN (SELECT token_hash FROM admin_sessions WHERE expires_at <= ? LIMIT ?)',
    ),
    // Only events already applied: an unapplied one is still owed to its order.
    pruneWebhooks: db.prepare(
      'DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events WHERE received_at < ? AND applied_at IS NOT NULL LIMIT ?)',
    ),
    ready: db.prepare('SELECT MAX(version) AS version FROM schema_migrations'),
  };

  const hydrate = (row: OrderRow): OrderRecord =>
    orderFromRow(
      row,
      (stmt.itemsOf.all(row.id) as ItemRow[]).map((item) => ({ sku: item.sku, names: json(item.names), quantity: item.quantity, unitAmount: item.unit_amount })),
      stmt.refundsOf.all(row.id) as RefundRow[],
    );
  const hydrateAnomaly = anomalyFromRow;
  const getRow = (id: string) => stmt.orderById.get(id) as OrderRow | undefined;
  const rowsToOrders = (rows: unknown[]) => (rows as OrderRow[]).map(hydrate);

  const insertEvents = (orderId: string, events: NewOrderEvent[] | undefined) => {
    for (const event of events ?? []) stmt.insertEvent.run(orderId, event.at, event.kind, event.source, JSON.stringify(event.data));
  };

  /** Inserts an anomaly unless one is open under its key; a new one with an order also goes on its timeline. */
  const insertAnomaly = (anomaly: NewAnomaly): { inserted: boolean; anomaly: AnomalyRecord } => {
    const inserted = stmt.insertAnomaly.run({ ...anomaly, detail: JSON.stringify(anomaly.detail) }).changes === 1;
    const row = stmt.openAnomalyByKey.get(anomaly.key) as AnomalyRow;
    if (inserted && anomaly.orderId) {
      insertEvents(anomaly.orderId, [{ kind: 'anomaly', source: anomaly.kind, data: { anomalyId: row.id, ...anomaly.detail }, at: anomaly.at }]);
    }
    return { inserted, anomaly: hydrateAnomaly(row) };
  };

  const recordAnomalyTx = db.transaction(insertAnomaly);

  const insertOrderTx = db.transaction((order: NewOrder, options: { events?: NewOrderEvent[]; maxOpenOrders?: number }): InsertOrderResult => {
    if (order.idempotencyKey !== null) {
      const existing = stmt.orderByKey.get(order.openId, order.idempotencyKey) as OrderRow | undefined;
      if (existing) {
        return { kind: existing.request_hash === order.requestHash ? 'existing' : 'conflict', order: hydrate(existing) };
      }
    }
    if (options.maxOpenOrders !== undefined) {
      const open = (stmt.countOpen.get(order.openId) as { n: number }).n;
      if (open >= options.maxOpenOrders) return { kind: 'limited', open };
    }
    const events = options.events;
    stmt.insertOrder.run(order);
    order.items.forEach((item, line) => {
      stmt.insertItem.run(order.id, line, item.sku, JSON.stringify(item.names), item.quantity, item.unitAmount);
    });
    insertEvents(order.id, events);
    return { kind: 'created', order: hydrate(getRow(order.id)!) };
  });

  // One UPDATE statement per set of patched columns, compiled once.
  const updateStatements = new Map<string, Database.Statement>();
  const writeUpdate = (current: OrderRecord, update: OrderUpdate | null): OrderUpdateResult => {
    if (!update) return { order: current, changed: false, newAnomalies: [] };
    const patch: OrderPatch = update.patch ?? {};
    const keys = patchKeys(patch);
    if (keys.length > 0) {
      const columns = keys.map((k) => ORDER_COLUMNS[k]).join(', ');
      let statement = updateStatements.get(columns);
      if (!statement) {
        statement = db.prepare(`UPDATE orders SET ${keys.map((k) => `${ORDER_COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`);
        updateStatements.set(columns, statement);
      }
      statement.run(...keys.map((k) => (k === 'lastPaymentError' ? serializeJson(patch.lastPaymentError) : patch[k])), current.id);
    }
    const refunds = update.refunds ?? [];
    for (const refund of refunds) stmt.upsertRefund.run(refundToRow(refund, serializeJson));
    insertEvents(current.id, update.events);
    const newAnomalies = (update.anomalies ?? []).map(insertAnomaly).filter((a) => a.inserted).map((a) => a.anomaly);
    const changed = keys.length > 0 || refunds.length > 0;
    return { order: changed ? mergeUpdate(current, patch, refunds) : current, changed, newAnomalies };
  };
  const updateOrderRow = (id: string, decide: OrderDecider): OrderUpdateResult | undefined => {
    const row = getRow(id);
    if (!row) return undefined;
    const current = hydrate(row);
    return writeUpdate(current, decide(current));
  };
  const updateOrderTx = db.transaction(updateOrderRow);

  const recordWebhookEventTx = db.transaction(
    (event: WebhookEventRecord, apply: { orderId: string; decide: OrderDecider } | undefined, at: number): WebhookRecordResult => {
      if (stmt.insertWebhook.run(event).changes !== 1) return { inserted: false };
      const update = apply ? updateOrderRow(apply.orderId, apply.decide) : undefined;
      const outcome = !apply ? 'ignored' : update ? 'applied' : 'unknown_order';
      stmt.markApplied.run(at, outcome, event.id);
      return { inserted: true, outcome, update };
    },
  );

  const claimDueTx = db.transaction((now: number, limit: number, leaseUntil: number): OrderRecord[] => {
    const rows = stmt.due.all(now, limit) as OrderRow[];
    for (const row of rows) stmt.lease.run(leaseUntil, row.id);
    return rows.map((row) => ({ ...hydrate(row), nextCheckAt: leaseUntil }));
  });

  const pruneTx = db.transaction((now: number, webhookEventsBefore: number, batch: number) => ({
    sessions: stmt.pruneSessions.run(now, batch).changes,
    webhookEvents: stmt.pruneWebhooks.run(webhookEventsBefore, batch).changes,
    adminSessions: stmt.pruneAdminSessions.run(now, batch).changes,
    rateLimits: stmt.pruneRateLimits.run(now, batch).changes,
  }));

  // One process owns the file, so an in-process emitter after each commit sees every change.
  const emit = (orderId: string) => changes.emit('change', { kind: 'order', orderId } satisfies OrderChange);
  /** Tells subscribers, after the commit, that an order changed. */
  const changed = <T extends OrderUpdateResult | undefined>(result: T): T => {
    if (result?.changed) emit(result.order.id);
    return result;
  };

  return {
    kind: 'sqlite',
    shared: false,
    async createSession(session) {
      stmt.insertSession.run(session);
    },
    async findSession(tokenHash, now) {
      const row = stmt.findSession.get(tokenHash, now) as
        | { token_hash: string; open_id: string; created_at: number; expires_at: number }
        | undefined;
      return row && { tokenHash: row.token_hash, openId: row.open_id, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    async insertOrder(order, options = {}) {
      const result = insertOrderTx(order, options);
      if (result.kind === 'created') emit(order.id);
      return result;
    },
    async getOrder(id) {
      const row = getRow(id);
      return row && hydrate(row);
    },
    async getOrderByIntent(intentId) {
      const row = stmt.orderByIntent.get(intentId) as OrderRow | undefined;
      return row && hydrate(row);
    },
    async listOrders(openId, limit) {
      return rowsToOrders(stmt.listOrders.all(openId, limit));
    },
    async updateOrder(id, decide) {
      return changed(updateOrderTx(id, decide));
    },
    async claimRetrieve(orderId, now, minIntervalMs) {
      return stmt.claimRetrieve.run(now, orderId, now - minIntervalMs).changes === 1;
    },
    async countHit(key, now, windowMs) {
      const row = stmt.countHit.get({ key, now, windowMs: Math.ceil(windowMs) }) as { hits: number; resets_at: number };
      return { hits: row.hits, resetAt: row.resets_at };
    },
    async peekHits(key, now) {
      const row = stmt.peekHits.get(key, now) as { hits: number; resets_at: number } | undefined;
      return row ? { hits: row.hits, resetAt: row.resets_at } : { hits: 0, resetAt: 0 };
    },
    async claimDueOrders(now, limit, leaseUntil) {
      return claimDueTx(now, limit, leaseUntil);
    },
    async recordWebhookEvent(event, apply, at) {
      const result = recordWebhookEventTx(event, apply, at);
      if (result.inserted) changed(result.update);
      return result;
    },
    async insertWebhookEvent(event) {
      return stmt.insertWebhook.run(event).changes === 1;
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
      const row = stmt.webhookOutcome.get(id) as { outcome: string | null } | undefined;
      return row ? row.outcome : undefined;
    },
    async recordAnomaly(anomaly) {
      return recordAnomalyTx(anomaly);
    },
    async listAnomalies({ openOnly, limit, offset }) {
      return ((openOnly ? stmt.listOpenAnomalies : stmt.listAnomalies).all(limit, offset) as AnomalyRow[]).map(hydrateAnomaly);
    },
    async resolveAnomaly(id, at) {
      stmt.resolveAnomaly.run(at, id);
      const row = stmt.anomalyById.get(id) as AnomalyRow | undefined;
      return row && hydrateAnomaly(row);
    },
    async orderEvents(orderId) {
      return (stmt.eventsOf.all(orderId) as Array<{ id: number; order_id: string; at: number; kind: OrderEventRecord['kind']; source: string | null; data: string }>).map(
        (row) => ({ id: row.id, orderId: row.order_id, at: row.at, kind: row.kind, source: row.source, data: JSON.parse(row.data) }),
      );
    },
    async searchOrders(query) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.status) {
        where.push('status = ?');
        params.push(query.status);
      }
      if (query.q) {
        where.push('(id = ? OR payment_intent_id = ? OR shopper_ref = ? OR open_id = ?)');
        params.push(query.q, query.q, query.q.toLowerCase(), query.q);
      }
      if (query.from !== undefined) {
        where.push('created_at >= ?');
        params.push(query.from);
      }
      if (query.to !== undefined) {
        where.push('created_at < ?');
        params.push(query.to);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const rows = db.prepare(`SELECT * FROM orders ${clause} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`).all(...params, query.limit, query.offset);
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM orders ${clause}`).get(...params) as { n: number }).n;
      return { orders: rowsToOrders(rows), total };
    },
    async countOrdersByStatus() {
      const counts: Record<string, number> = {};
      for (const row of stmt.countByStatus.all() as Array<{ status: string; n: number }>) counts[row.status] = row.n;
      return counts;
    },
    async recordAudit(entry) {
      stmt.insertAudit.run(entry.at, entry.actor, entry.action, entry.target, JSON.stringify(entry.detail));
    },
    async listAudit({ target, limit }) {
      const rows = (target === undefined ? stmt.auditAll.all(limit) : stmt.auditOf.all(target, limit)) as Array<
        Omit<AuditRecord, 'detail'> & { detail: string }
      >;
      return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) }));
    },
    async createAdminSession(session) {
      stmt.insertAdminSession.run(session);
    },
    async findAdminSession(tokenHash, now) {
      const row = stmt.findAdminSession.get(tokenHash, now) as
        | { token_hash: string; csrf_hash: string; actor: string; created_at: number; expires_at: number }
        | undefined;
      return row && { tokenHash: row.token_hash, csrfHash: row.csrf_hash, actor: row.actor, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    async deleteAdminSession(tokenHash) {
      stmt.deleteAdminSession.run(tokenHash);
    },
    async prune({ now, webhookEventsBefore, batch }) {
      return pruneTx(now, webhookEventsBefore, batch);
    },
    subscribe(listener) {
      changes.on('change', listener);
      return () => changes.off('change', listener);
    },
    async ready() {
      if (!db.open) return { ok: false, detail: 'the database is closed' };
      try {
        const { version } = stmt.ready.get() as { version: number | null };
        return version === schemaVersion ? { ok: true } : { ok: false, detail: `schema version ${version}, expected ${schemaVersion}` };
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    },
    async close() {
      await checkpointer?.stop();
      changes.removeAllListeners();
      if (db.open) db.close();
    },
  };
}

function serializeJson(value: unknown): string | null {
  return value ? JSON.stringify(value) : null;
}
