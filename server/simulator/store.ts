// The simulator's SQLite state: tokens, intents, refunds, used request_ids, prepay ids, WeChat codes, and queued webhooks.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startCheckpointer } from '../sqlite-checkpointer';
import type { PaymentIntent, Refund } from './types';

export interface PrepayRecord {
  prepayId: string;
  intentId: string;
  attemptId: string;
  /** The payer the prepay order was made for (the confirm's open_id); absent in state files from before it was kept. */
  openId?: string;
}

export interface CodeRecord {
  code: string;
  shopper: string;
  createdMs: number;
  used: boolean;
  /** False for codes the simulator did not mint (DevTools' tourist-mode wx.login codes). */
  minted: boolean;
}

/** A queued delivery as the pump sees it: its body is read only when it goes out (deliveryBody). */
export interface DeliveryRecord {
  id: number;
  eventId: string;
  attempts: number;
  nextAtMs: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, expires_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS intents (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL, merchant_order_id TEXT NOT NULL, updated_ms INTEGER NOT NULL, json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS intents_merchant_order_id ON intents (merchant_order_id);
CREATE INDEX IF NOT EXISTS intents_seq ON intents (seq);
CREATE TABLE IF NOT EXISTS request_ids (request_id TEXT PRIMARY KEY, endpoint TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS prepay (prepay_id TEXT PRIMARY KEY, intent_id TEXT NOT NULL, attempt_id TEXT NOT NULL, open_id TEXT);
CREATE INDEX IF NOT EXISTS prepay_attempt_id ON prepay (attempt_id);
CREATE TABLE IF NOT EXISTS refunds (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL, intent_id TEXT NOT NULL, attempt_id TEXT NOT NULL, status TEXT NOT NULL,
  next_at_ms INTEGER, json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refunds_seq ON refunds (seq);
CREATE INDEX IF NOT EXISTS refunds_intent_id ON refunds (intent_id, seq);
CREATE INDEX IF NOT EXISTS refunds_next_at ON refunds (next_at_ms);
CREATE TABLE IF NOT EXISTS wechat_codes (
  code TEXT PRIMARY KEY, shopper TEXT NOT NULL, created_ms INTEGER NOT NULL, used INTEGER NOT NULL, minted INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL, next_at_ms INTEGER NOT NULL,
  held_lane TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_next_at ON deliveries (next_at_ms);
`;

interface DeliveryRow { id: number; event_id: string; body: string; attempts: number; next_at_ms: number }

/** Synchronous on purpose: every operation is one short statement, and it keeps state changes atomic. */
export class SimulatorStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** Checkpoints the log off the event loop, as the server's store does (sqlite-checkpointer.ts). */
  private readonly checkpointer: { stop(): Promise<void> } | undefined;

  constructor(databasePath: string) {
    if (databasePath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(databasePath)), { recursive: true });
    this.db = new Database(databasePath);
    if (databasePath !== ':memory:') {
      this.db.pragma('journal_mode = WAL');
      // Survives a crash of the process (not of the machine), and spares an fsync per operation.
      this.db.pragma('synchronous = NORMAL');
    }
    this.db.exec(SCHEMA);
    // SQLite's own checkpoints would run inside the commit that crosses the threshold, fsync included: under load
    // the simulator's event loop stalled for tens of milliseconds at a time, and every exchange queued behind it.
    this.checkpointer = databasePath === ':memory:' ? undefined : startCheckpointer(this.db, databasePath);
    // A state file from before held-back deliveries existed.
    const columns = this.db.prepare('PRAGMA table_info(deliveries)').all() as Array<{ name: string }>;
    if (!columns.some((column) => column.name === 'held_lane')) this.db.exec('ALTER TABLE deliveries ADD COLUMN held_lane TEXT');
    // A state file from before prepay orders kept their payer.
    const prepayColumns = this.db.prepare('PRAGMA table_info(prepay)').all() as Array<{ name: string }>;
    if (!prepayColumns.some((column) => column.name === 'open_id')) this.db.exec('ALTER TABLE prepay ADD COLUMN open_id TEXT');
  }

  /** A prepared statement, compiled once per distinct SQL text. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }

  /** The database itself, for the finance tables (finance-store.ts): they share its file and its transactions. */
  get database(): Database.Database {
    return this.db;
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** Runs `fn` in one transaction, so a state change and the webhooks it queues land together. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** For a part of the simulator that keeps its own tables (wechat-store.ts): creates them if missing. */
  addSchema(schema: string): void {
    this.db.exec(schema);
  }

  /** A prepared statement on this database, for the parts that keep their own tables. */
  prepared(text: string): Database.Statement {
    return this.sql(text);
  }

  addToken(token: string, expiresMs: number): void {
    this.sql('INSERT INTO tokens (token, expires_ms) VALUES (?, ?)').run(token, expiresMs);
    // Keep the table small: drop tokens that expired more than a day ago.
    this.sql('DELETE FROM tokens WHERE expires_ms < ?').run(expiresMs - 24 * 3600_000 - 30 * 60_000);
  }

  tokenExpiry(token: string): number | undefined {
    const row = this.sql('SELECT expires_ms FROM tokens WHERE token = ?').get(token) as { expires_ms: number } | undefined;
    return row?.expires_ms;
  }

  /** Records a request_id; false when it was already used (nothing is written then). */
  claimRequestId(requestId: string, endpoint: string, nowMs: number): boolean {
    const result = this.sql('INSERT OR IGNORE INTO request_ids (request_id, endpoint, created_ms) VALUES (?, ?, ?)')
      .run(requestId, endpoint, nowMs);
    return result.changes === 1;
  }

  requestIdUsed(requestId: string): boolean {
    return this.sql('SELECT 1 FROM request_ids WHERE request_id = ?').get(requestId) !== undefined;
  }

  putIntent(intent: PaymentIntent, updatedMs: number): void {
    this.sql(
        `INSERT INTO intents (id, seq, merchant_order_id, updated_ms, json)
         VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM intents), @merchant_order_id, @updated_ms, @json)
         ON CONFLICT (id) DO UPDATE SET updated_ms = excluded.updated_ms, json = excluded.json`,
      )
      .run({ id: intent.id, merchant_order_id: intent.merchant_order_id, updated_ms: updatedMs, json: JSON.stringify(intent) });
  }

  getIntent(id: string): { intent: PaymentIntent; updatedMs: number } | undefined {
    const row = this.sql('SELECT json, updated_ms FROM intents WHERE id = ?').get(id) as
      | { json: string; updated_ms: number }
      | undefined;
    return row && { intent: JSON.parse(row.json) as PaymentIntent, updatedMs: row.updated_ms };
  }

  /** Oldest first. */
  listIntents(): PaymentIntent[] {
    const rows = this.sql('SELECT json FROM intents ORDER BY seq').all() as Array<{ json: string }>;
    return rows.map((r) => JSON.parse(r.json) as PaymentIntent);
  }

  /** Newest first, like the list endpoint. */
  findIntents(filter: { merchantOrderId?: string; status?: string }): PaymentIntent[] {
    const rows = (
      filter.merchantOrderId === undefined
        ? this.sql('SELECT json FROM intents ORDER BY seq DESC').all()
        : this.sql('SELECT json FROM intents WHERE merchant_order_id = ? ORDER BY seq DESC').all(filter.merchantOrderId)
    ) as Array<{ json: string }>;
    const intents = rows.map((r) => JSON.parse(r.json) as PaymentIntent);
    return filter.status === undefined ? intents : intents.filter((i) => i.status === filter.status);
  }

  putPrepay(record: PrepayRecord): void {
    this.sql('INSERT INTO prepay (prepay_id, intent_id, attempt_id, open_id) VALUES (?, ?, ?, ?)').run(record.prepayId, record.intentId, record.attemptId, record.openId ?? null);
  }

  getPrepay(prepayId: string): PrepayRecord | undefined {
    const row = this.sql('SELECT intent_id, attempt_id, open_id FROM prepay WHERE prepay_id = ?').get(prepayId) as
      | { intent_id: string; attempt_id: string; open_id: string | null }
      | undefined;
    return row && { prepayId, intentId: row.intent_id, attemptId: row.attempt_id, ...(row.open_id ? { openId: row.open_id } : {}) };
  }

  /** The intent an attempt belongs to (every attempt the simulator made got a prepay id). */
  intentIdOfAttempt(attemptId: string): string | undefined {
    const row = this.sql('SELECT intent_id FROM prepay WHERE attempt_id = ?').get(attemptId) as { intent_id: string } | undefined;
    return row?.intent_id;
  }

  /**
   * Inserts or updates a refund. `nextAtMs` is when its status should move on by itself (real
   * time), undefined once it is final. `seq` orders refunds: timestamps may tie.
   */
  putRefund(refund: Refund, nextAtMs: number | undefined): void {
    this.sql(
      `INSERT INTO refunds (id, seq, intent_id, attempt_id, status, next_at_ms, json)
       VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM refunds), @intent_id, @attempt_id, @status, @next_at_ms, @json)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, next_at_ms = excluded.next_at_ms, json = excluded.json`,
    ).run({
      id: refund.id,
      intent_id: refund.payment_intent_id,
      attempt_id: refund.payment_attempt_id,
      status: refund.status,
      next_at_ms: nextAtMs ?? null,
      json: JSON.stringify(refund),
    });
  }

  getRefund(id: string): { refund: Refund; nextAtMs: number | undefined } | undefined {
    const row = this.sql('SELECT json, next_at_ms FROM refunds WHERE id = ?').get(id) as { json: string; next_at_ms: number | null } | undefined;
    return row && { refund: JSON.parse(row.json) as Refund, nextAtMs: row.next_at_ms ?? undefined };
  }

  /** Oldest first: every refund, or those of one intent. */
  listRefunds(intentId?: string): Refund[] {
    const rows = (
      intentId === undefined
        ? this.sql('SELECT json FROM refunds ORDER BY seq').all()
        : this.sql('SELECT json FROM refunds WHERE intent_id = ? ORDER BY seq').all(intentId)
    ) as Array<{ json: string }>;
    return rows.map((r) => JSON.parse(r.json) as Refund);
  }

  /** Newest first, like the list endpoint; the other filters are applied by the caller. */
  findRefunds(filter: { intentId?: string; attemptId?: string }): Refund[] {
    const rows = this.sql(
      `SELECT json FROM refunds WHERE (@intent_id IS NULL OR intent_id = @intent_id) AND (@attempt_id IS NULL OR attempt_id = @attempt_id)
       ORDER BY seq DESC`,
    ).all({ intent_id: filter.intentId ?? null, attempt_id: filter.attemptId ?? null }) as Array<{ json: string }>;
    return rows.map((r) => JSON.parse(r.json) as Refund);
  }

  /** Refunds whose status is due to move on, the longest-waiting first. */
  dueRefunds(nowMs: number, limit: number): string[] {
    const rows = this.sql('SELECT id FROM refunds WHERE next_at_ms <= ? ORDER BY next_at_ms, seq LIMIT ?').all(nowMs, limit) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  /** When the next refund is due to move on; undefined when every refund is final. */
  nextRefundDue(): number | undefined {
    const row = this.sql('SELECT MIN(next_at_ms) AS next FROM refunds').get() as { next: number | null };
    return row.next ?? undefined;
  }

  refundCounts(): Record<string, number> {
    const rows = this.sql('SELECT status, COUNT(*) AS n FROM refunds GROUP BY status').all() as Array<{ status: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  putCode(record: CodeRecord): void {
    this.sql('INSERT OR REPLACE INTO wechat_codes (code, shopper, created_ms, used, minted) VALUES (?, ?, ?, ?, ?)')
      .run(record.code, record.shopper, record.createdMs, record.used ? 1 : 0, record.minted ? 1 : 0);
  }

  getCode(code: string): CodeRecord | undefined {
    const row = this.sql('SELECT shopper, created_ms, used, minted FROM wechat_codes WHERE code = ?').get(code) as
      | { shopper: string; created_ms: number; used: number; minted: number }
      | undefined;
    return row && { code, shopper: row.shopper, createdMs: row.created_ms, used: row.used === 1, minted: row.minted === 1 };
  }

  /** Queues a delivery; with `heldLane`, it waits until another delivery of that lane went out (or `nextAtMs`). */
  addDelivery(eventId: string, body: string, nextAtMs: number, heldLane: string | null = null): void {
    this.sql('INSERT INTO deliveries (event_id, body, attempts, next_at_ms, held_lane) VALUES (?, ?, 0, ?, ?)').run(eventId, body, nextAtMs, heldLane);
  }

  /** Makes the deliveries held back in `lane` due now: a later event of the lane has overtaken them. */
  releaseHeld(lane: string, nowMs: number): void {
    this.sql('UPDATE deliveries SET next_at_ms = ?, held_lane = NULL WHERE held_lane = ?').run(nowMs, lane);
  }

  /**
   * Due deliveries in the order they should go out, without their bodies: the pump runs after every commit and
   * every delivery, and most of what it reads is already on its way.
   */
  dueDeliveries(nowMs: number, limit: number): DeliveryRecord[] {
    const rows = this.sql('SELECT id, event_id, attempts, next_at_ms FROM deliveries WHERE next_at_ms <= ? ORDER BY next_at_ms, id LIMIT ?')
      .all(nowMs, limit) as Array<Omit<DeliveryRow, 'body'>>;
    return rows.map((r) => ({ id: r.id, eventId: r.event_id, attempts: r.attempts, nextAtMs: r.next_at_ms }));
  }

  /** The event a queued delivery sends; undefined once it has been delivered. */
  deliveryBody(id: number): string | undefined {
    return (this.sql('SELECT body FROM deliveries WHERE id = ?').get(id) as { body: string } | undefined)?.body;
  }

  /** The earliest delivery due strictly after `nowMs` (the ones due now are being pumped). */
  nextDeliveryAfter(nowMs: number): number | undefined {
    const row = this.sql('SELECT MIN(next_at_ms) AS next FROM deliveries WHERE next_at_ms > ?').get(nowMs) as { next: number | null };
    return row.next ?? undefined;
  }

  pendingDeliveries(): number {
    return (this.sql('SELECT COUNT(*) AS n FROM deliveries').get() as { n: number }).n;
  }

  deleteDelivery(id: number): void {
    this.sql('DELETE FROM deliveries WHERE id = ?').run(id);
  }

  rescheduleDelivery(id: number, attempts: number, nextAtMs: number): void {
    this.sql('UPDATE deliveries SET attempts = ?, next_at_ms = ? WHERE id = ?').run(attempts, nextAtMs, id);
  }
}
