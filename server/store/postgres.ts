// The Store on PostgreSQL (node-postgres): a pool for queries, one LISTEN connection for wake-ups across instances.
//
// Several server instances may share the database. What keeps their work correct:
// - Each method is one statement or one transaction. updateOrder (and the webhook path) reads the
//   order FOR UPDATE, so concurrent changes of one order (a webhook on instance A, a retrieve on B,
//   a refund, the sweep) queue on the row lock instead of interleaving; refunds, timeline events and
//   anomalies are written in the same transaction.
// - insertOrder takes a transaction-scoped advisory lock on the shopper (hashtextextended of the
//   openid) before it looks for the idempotency key and counts open orders: two instances creating
//   orders for one shopper queue, so neither the key nor the open-order limit can be beaten by a race.
// - A webhook event is recorded (primary key on its id) and applied in one transaction: a duplicate
//   delivery, to this instance or another, waits on the first one's insert and is then ignored.
// - claimDueOrders leases the sweep's work with FOR UPDATE SKIP LOCKED in one statement, so the
//   instances' sweeps share it without taking one order twice; claimRetrieve is one conditional
//   UPDATE (a compare-and-set on retrieved_at), so one instance per interval asks Airwallex.
// - Upstream calls stay harmless when two instances make them for one order: an intent create
//   carries the order's stored request_id, a confirm the request_id derived from the order's
//   confirm count (orders.ts, confirmRequestId), a refund its stored request_id; Airwallex applies
//   each once. Every answer is applied through updateOrder, whose rules make arrival order irrelevant.
// - Every stored change of an order's aggregate is announced with pg_notify by triggers on orders
//   and refunds (migrations/postgres/*.sql), inside the writing transaction; each instance's one
//   LISTEN connection turns it into `subscribe` callbacks, which wake that instance's long polls.
//
// Round trips: the hot paths send BEGIN with their first statements and COMMIT with their last
// (inBatchTransaction), as simple queries whose values are literals made by sqlLiteral: insertOrder
// is one round trip, updateOrder and the webhook path two (read and lock; write and commit). On
// loopback a round trip costs little next to the statements' own work (the new contract's indexes,
// timeline rows): the saving shows with a database across a network.
// Everything else is one parameterized statement.
//
// Adding a Store method: one statement, or inBatchTransaction for several; read orders with
// orderColumns() so they come with their items and refunds; list the method in DATA_METHODS so a
// lost connection answers 503. A new table holding part of an order's aggregate gets a trigger
// calling pg_notify('order_changed', order_id), like refunds_notify_change.
import pg, { type Pool, type QueryResult, type QueryResultRow } from 'pg';
import type { Logger } from '../logger';
import { anomalyFromRow, type AnomalyRow } from './anomalies/common';
import { OPEN_STATUSES, readMigrations } from './common';
import { mergeUpdate, ORDER_COLUMNS, orderFromRow, patchKeys, type OrderRow } from './orders/common';
import { type BatchTransaction, inBatchTransaction } from './postgres-client';
import { sqlLiteral } from './postgres-context';
import { asUnavailable } from './postgres-errors';
import { ChangeListener } from './postgres-listener';
import { migratePostgres, schemaVersion } from './postgres-migrate';
import { refundToRow, type RefundRow } from './refunds/common';
import type {
  AuditRecord,
  InsertOrderResult,
  NewAnomaly,
  NewOrder,
  NewOrderEvent,
  OrderChange,
  OrderDecider,
  OrderItemRecord,
  OrderRecord,
  OrderUpdate,
  OrderUpdateResult,
  RefundRecord,
  Store,
  WebhookRecordResult,
} from './types';

/** The NOTIFY channel of order changes (its name is also in the migrations' triggers). */
export const ORDER_CHANGED_CHANNEL = 'order_changed';

/** Default server-side limit of one statement (a lock wait included). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database; libpq's PG* variables fill in what it leaves out. */
  connectionString: string;
  logger: Logger;
  /** Pool size of this instance (default 10). The LISTEN connection comes on top. */
  poolSize?: number;
  /**
   * PostgreSQL cancels a pooled connection's statement that runs (or waits for a lock) longer than
   * this (default 15 s): a stuck query answers 503 instead of holding a request and a connection
   * forever. node-postgres gives up on an answer 5 s after that (a dead connection), and a
   * connection idle inside a transaction for 4 times this is ended by the server, releasing its locks.
   */
  statementTimeoutMs?: number;
  /** LISTEN connection tuning (tests shorten them). */
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

/** A PostgreSQL store, with what tests and tools may look at beyond the Store interface. */
export interface PostgresStore extends Store {
  readonly pool: Pool;
  /** How many times the LISTEN connection was re-established. */
  listenerReconnects(): number;
}

/** int8 (bigint) as a JS number: epoch milliseconds and minor units are far below 2^53. */
const BIGINT_OID = 20;
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === BIGINT_OID && format !== 'binary') {
      return (value: string) => {
        const number = Number(value);
        if (!Number.isSafeInteger(number)) throw new Error(`bigint ${value} is beyond JavaScript's safe integers`);
        return number;
      };
    }
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

const L = sqlLiteral;

/** An order row with its items and refunds aggregated by orderColumns() (json: bigint arrives as a JSON number). */
type OrderRowWithLines = OrderRow & { items: OrderItemRecord[]; refunds: RefundRow[] };

/**
 * The columns of an order row `alias` with its items and refunds, in one statement. Ids sort with
 * the C collation, byte by byte as in SQLite, whatever the database's locale.
 */
function orderColumns(alias: string): string {
  return `${alias}.*,
    (SELECT COALESCE(json_agg(json_build_object('sku', i.sku, 'names', i.names, 'quantity', i.quantity, 'unitAmount', i.unit_amount) ORDER BY i.line), '[]')
       FROM order_items i WHERE i.order_id = ${alias}.id) AS items,
    (SELECT COALESCE(json_agg(r ORDER BY r.created_at, r.id COLLATE "C"), '[]') FROM refunds r WHERE r.order_id = ${alias}.id) AS refunds`;
}
const ORDER_SELECT = `SELECT ${orderColumns('o')} FROM orders o`;

const OPEN = OPEN_STATUSES.map((status) => `'${status}'`).join(', ');

function hydrate(row: OrderRowWithLines): OrderRecord {
  return orderFromRow(row, row.items, row.refunds);
}

/** What insertOrder stored for `order`: exactly what reading it back gives (the contract suite checks), without the read. */
function newOrderRecord(order: NewOrder): OrderRecord {
  return {
    ...order,
    refunds: [],
    paymentIntentId: null,
    intentStatus: null,
    intentUpdatedAt: null,
    confirmSeq: 0,
    confirmedAt: null,
    lastPaymentError: null,
    paidAt: null,
    checkedAt: null,
    retrievedAt: null,
    checkFailures: 0,
  };
}

const hydrateAnomaly = anomalyFromRow;

interface EventRow {
  id: string;
  name: string;
  order_id: string | null;
  payload: string;
  received_at: number;
}

/** INSERT of timeline events for `orderId`, in their order. */
function insertEventsStatement(orderId: string, events: NewOrderEvent[]): string {
  return `INSERT INTO order_events (order_id, at, kind, source, data)
    SELECT ${L(orderId)}, (x.e->>'at')::bigint, x.e->>'kind', x.e->>'source', x.e->'data'
    FROM jsonb_array_elements(${L(events)}) WITH ORDINALITY AS x(e, n) ORDER BY x.n`;
}

/**
 * INSERT of anomalies, each unless one is open under its key; a new one with an order also goes on
 * that order's timeline. Returns the new anomalies' rows.
 */
function insertAnomaliesStatement(anomalies: NewAnomaly[]): string {
  return `WITH a AS (
      INSERT INTO anomalies (key, kind, order_id, intent_id, detail, created_at)
      SELECT x.e->>'key', x.e->>'kind', x.e->>'orderId', x.e->>'intentId', x.e->'detail', (x.e->>'at')::bigint
      FROM jsonb_array_elements(${L(anomalies)}) WITH ORDINALITY AS x(e, n) ORDER BY x.n
      ON CONFLICT (key) WHERE resolved_at IS NULL DO NOTHING
      RETURNING *
    ), timeline AS (
      INSERT INTO order_events (order_id, at, kind, source, data)
      SELECT order_id, created_at, 'anomaly', kind, jsonb_build_object('anomalyId', id) || detail FROM a WHERE order_id IS NOT NULL ORDER BY id
    )
    SELECT * FROM a ORDER BY id`;
}

/**
 * Locks the order, then reads it with its items and refunds: two statements, sent together. Not one
 * `SELECT … FOR UPDATE` with the refunds in it: under READ COMMITTED a statement that waited for the
 * row lock returns the row's newest version but reads other tables (the refunds another transaction
 * just added) as of its start. The read that follows the lock takes a fresh snapshot.
 */
function lockAndRead(id: string): string[] {
  return [`SELECT 1 FROM orders WHERE id = ${L(id)} FOR UPDATE`, `${ORDER_SELECT} WHERE o.id = ${L(id)}`];
}

/** The statements writing `update` to `current` (none when there is nothing to write), and where the new anomalies come back. */
function updateStatements(current: OrderRecord, update: OrderUpdate): { statements: string[]; anomalies: number | undefined } {
  const statements: string[] = [];
  const patch = update.patch ?? {};
  const keys = patchKeys(patch);
  if (keys.length > 0) {
    const assignments = keys.map((key) => `${ORDER_COLUMNS[key]} = ${L(patch[key])}`).join(', ');
    statements.push(`UPDATE orders SET ${assignments} WHERE id = ${L(current.id)}`);
  }
  const refunds = uniqueRefunds(update.refunds ?? []);
  if (refunds.length > 0) {
    statements.push(`INSERT INTO refunds SELECT * FROM jsonb_populate_recordset(NULL::refunds, ${L(refunds.map((refund) => refundToRow(refund, (value: unknown) => value)))})
      ON CONFLICT (id) DO UPDATE SET airwallex_refund_id = excluded.airwallex_refund_id, status = excluded.status,
        airwallex_status = excluded.airwallex_status, airwallex_updated_at = excluded.airwallex_updated_at,
        failure = excluded.failure, updated_at = excluded.updated_at`);
  }
  if (update.events?.length) statements.push(insertEventsStatement(current.id, update.events));
  let anomalies: number | undefined;
  if (update.anomalies?.length) {
    anomalies = statements.length;
    statements.push(insertAnomaliesStatement(update.anomalies));
  }
  return { statements, anomalies };
}

/** One row per refund id (the last one given wins), as SQLite's successive upserts would leave it. */
function uniqueRefunds(refunds: RefundRecord[]): RefundRecord[] {
  return [...new Map(refunds.map((refund) => [refund.id, refund])).values()];
}

/**
 * Runs `decide` on the order read (and locked) by `read`'s results, writes its update and commits:
 * the second round trip of updateOrder and the webhook path.
 */
async function decideAndWrite(tx: BatchTransaction, row: OrderRowWithLines, decide: OrderDecider, extra: string[] = []): Promise<OrderUpdateResult> {
  const current = hydrate(row);
  const update = decide(current);
  if (!update) {
    await tx.commit(extra);
    return { order: current, changed: false, newAnomalies: [] };
  }
  const { statements, anomalies } = updateStatements(current, update);
  const results = await tx.commit([...statements, ...extra]);
  const patch = update.patch ?? {};
  const refunds = uniqueRefunds(update.refunds ?? []);
  const changed = patchKeys(patch).length > 0 || refunds.length > 0;
  return {
    order: changed ? mergeUpdate(current, patch, refunds) : current,
    changed,
    newAnomalies: anomalies === undefined ? [] : (results[anomalies].rows as AnomalyRow[]).map(hydrateAnomaly),
  };
}

/**
 * Connects, applies pending migrations (instances booting together queue on an advisory lock),
 * and opens the LISTEN connection. Throws, with the pool closed, when any of it fails.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { logger } = options;
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const clientConfig: pg.ClientConfig = { connectionString: options.connectionString, types: typeParsers };
  const pool = new pg.Pool({
    ...clientConfig,
    max: options.poolSize ?? 10,
    application_name: 'wechatpay',
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 5_000,
    idle_in_transaction_session_timeout: statementTimeoutMs * 4,
  });
  // An idle pooled connection that dies (database restart, pg_terminate_backend) is dropped by the
  // pool; without this handler its error would crash the process.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'idle PostgreSQL connection lost; the pool replaces it'));
  // node-postgres emits 'error' on a client whose connection drops, also when it is checked out or
  // being ended, where the pool listens no more; a restart of PostgreSQL (every backend gets FATAL
  // 57P01) hit exactly that in chaos and killed the process. Every pooled client keeps this
  // listener for life: the failure still reaches whoever waits on a query on it (a 503), and the
  // pool drops the client on release.
  pool.on('connect', (client) => client.on('error', (err) => logger.debug({ err: err.message }, 'PostgreSQL connection lost')));

  const migrations = readMigrations('postgres');
  const listeners = new Set<(change: OrderChange) => void>();
  const emit = (change: OrderChange) => {
    for (const listener of listeners) listener(change);
  };
  const listener = new ChangeListener({
    client: clientConfig,
    channel: ORDER_CHANGED_CHANNEL,
    logger,
    onNotification: (orderId) => emit({ kind: 'order', orderId }),
    onReconnect: () => emit({ kind: 'resync' }),
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs,
    reconnectMinMs: options.reconnectMinMs,
    reconnectMaxMs: options.reconnectMaxMs,
  });
  try {
    const { applied, version } = await migratePostgres(pool, migrations);
    if (applied.length > 0) logger.info({ applied, version }, 'PostgreSQL schema migrated');
    await listener.start();
  } catch (err) {
    await listener.close();
    await pool.end();
    throw err;
  }

  const rows = async <R extends QueryResultRow>(text: string, values: unknown[], name?: string) =>
    (await pool.query<R>({ text, values, name })).rows;
  const orders = async (text: string, values: unknown[], name?: string) => (await rows<OrderRowWithLines>(text, values, name)).map(hydrate);
  const first = <R extends QueryResultRow>(result: QueryResult | undefined) => result?.rows[0] as R | undefined;

  let closing: Promise<void> | undefined;
  const store: PostgresStore = {
    kind: 'postgres',
    shared: true,
    pool,
    listenerReconnects: () => listener.reconnects,

    async createSession(session) {
      await pool.query('INSERT INTO sessions (token_hash, open_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
        session.tokenHash,
        session.openId,
        session.createdAt,
        session.expiresAt,
      ]);
    },
    async findSession(tokenHash, now) {
      const [row] = await rows<{ token_hash: string; open_id: string; created_at: number; expires_at: number }>(
        'SELECT * FROM sessions WHERE token_hash = $1 AND expires_at > $2',
        [tokenHash, now],
        'find_session',
      );
      return row && { tokenHash: row.token_hash, openId: row.open_id, createdAt: row.created_at, expiresAt: row.expires_at };
    },

    async insertOrder(order, options = {}): Promise<InsertOrderResult> {
      // One round trip: lock the shopper, then (each statement with a fresh snapshot, so it sees
      // what the previous lock holder committed) look for the key, count open orders, insert the
      // order with its lines and events unless either says no, and read the result back.
      const max = options.maxOpenOrders;
      const key = order.idempotencyKey;
      const [, decided, read] = await inBatchTransaction(pool, (tx) =>
        tx.commit([
          `SELECT pg_advisory_xact_lock(hashtextextended(${L(order.openId)}, 0))`,
          `WITH existing AS (
             SELECT id, request_hash FROM orders WHERE open_id = ${L(order.openId)} AND idempotency_key = ${L(key)}
           ), open AS (
             SELECT count(*) AS n FROM orders WHERE open_id = ${L(order.openId)} AND status IN (${OPEN})
           ), ins AS (
             INSERT INTO orders (id, open_id, shopper_ref, status, currency, total_amount, create_request_id, idempotency_key,
               request_hash, created_at, updated_at, expires_at, next_check_at)
             SELECT ${[
               order.id, order.openId, order.shopperRef, order.status, order.currency, order.totalAmount, order.createRequestId, key,
               order.requestHash, order.createdAt, order.updatedAt, order.expiresAt, order.nextCheckAt,
             ].map(L).join(', ')}
             WHERE NOT EXISTS (SELECT 1 FROM existing) AND ${max === undefined ? 'true' : `(SELECT n FROM open) < ${L(max)}`}
             ON CONFLICT ON CONSTRAINT orders_idempotency DO NOTHING
             RETURNING id
           ), lines AS (
             INSERT INTO order_items (order_id, line, sku, names, quantity, unit_amount)
             SELECT ins.id, x.line - 1, x.item->>'sku', x.item->'names', (x.item->>'quantity')::integer, (x.item->>'unitAmount')::bigint
             FROM ins, jsonb_array_elements(${L(order.items)}) WITH ORDINALITY AS x(item, line)
           ), timeline AS (
             INSERT INTO order_events (order_id, at, kind, source, data)
             SELECT ins.id, (x.e->>'at')::bigint, x.e->>'kind', x.e->>'source', x.e->'data'
             FROM ins, jsonb_array_elements(${L(options.events ?? [])}) WITH ORDINALITY AS x(e, n) ORDER BY x.n
           )
           SELECT (SELECT id FROM ins) AS created, (SELECT id FROM existing) AS existing, (SELECT request_hash FROM existing) AS existing_hash,
             (SELECT n FROM open) AS open`,
          // The order that holds the key, when it is not this one (an existing order is answered whole).
          `${ORDER_SELECT} WHERE o.id = (SELECT id FROM orders WHERE open_id = ${L(order.openId)} AND idempotency_key = ${L(key)}) AND o.id <> ${L(order.id)}`,
        ]),
      );
      const outcome = first<{ created: string | null; existing: string | null; existing_hash: string | null; open: number }>(decided)!;
      const stored = first<OrderRowWithLines>(read);
      if (outcome.created) return { kind: 'created', order: newOrderRecord(order) };
      if (outcome.existing && stored) return { kind: outcome.existing_hash === order.requestHash ? 'existing' : 'conflict', order: hydrate(stored) };
      if (max !== undefined && outcome.open >= max) return { kind: 'limited', open: outcome.open };
      throw new Error('insertOrder: the idempotency key is taken by an order that cannot be read');
    },
    async getOrder(id) {
      const [order] = await orders(`${ORDER_SELECT} WHERE o.id = $1`, [id], 'order_by_id');
      return order;
    },
    async getOrderByIntent(intentId) {
      const [order] = await orders(`${ORDER_SELECT} WHERE o.payment_intent_id = $1`, [intentId], 'order_by_intent');
      return order;
    },
    async listOrders(openId, limit) {
      return orders(
        `${ORDER_SELECT} WHERE o.open_id = $1 AND o.payment_intent_id IS NOT NULL ORDER BY o.created_at DESC, o.id COLLATE "C" DESC LIMIT $2`,
        [openId, limit],
      );
    },
    async updateOrder(id, decide) {
      return inBatchTransaction(pool, async (tx) => {
        const [, read] = await tx.send(lockAndRead(id));
        const row = first<OrderRowWithLines>(read);
        if (!row) return undefined; // rolled back: nothing was written
        return decideAndWrite(tx, row, decide);
      });
    },
    async claimRetrieve(orderId, now, minIntervalMs) {
      const result = await pool.query({
        name: 'claim_retrieve',
        text: 'UPDATE orders SET retrieved_at = $1 WHERE id = $2 AND (retrieved_at IS NULL OR retrieved_at <= $3)',
        // retrieved_at holds whole milliseconds; an interval like 0.9 × 333 ms must not reach a bigint parameter as a fraction.
        values: [now, orderId, Math.floor(now - minIntervalMs)],
      });
      return result.rowCount === 1;
    },
    async countHit(key, now, windowMs) {
      const [row] = await rows<{ hits: number; resets_at: number }>(
        `INSERT INTO rate_limits AS r (key, hits, resets_at) VALUES ($1, 1, $2::bigint + $3::bigint)
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN r.resets_at <= $2 THEN 1 ELSE r.hits + 1 END,
           resets_at = CASE WHEN r.resets_at <= $2 THEN $2::bigint + $3::bigint ELSE r.resets_at END
         RETURNING hits, resets_at`,
        [key, now, Math.ceil(windowMs)],
        'count_hit',
      );
      return { hits: row.hits, resetAt: row.resets_at };
    },
    async peekHits(key, now) {
      const [row] = await rows<{ hits: number; resets_at: number }>('SELECT hits, resets_at FROM rate_limits WHERE key = $1 AND resets_at > $2', [key, now], 'peek_hits');
      return row ? { hits: row.hits, resetAt: row.resets_at } : { hits: 0, resetAt: 0 };
    },
    async claimDueOrders(now, limit, leaseUntil) {
      // Rows another instance is leasing right now are skipped, not waited for; a row whose
      // next_check_at changed meanwhile is re-checked against the condition once locked. The
      // refunds come as of this statement's start (see lockAndRead): the sweep works on each
      // claimed order through updateOrder, which reads it afresh under the lock.
      return orders(
        `WITH due AS MATERIALIZED (
           SELECT id, next_check_at AS due_at FROM orders
           WHERE next_check_at IS NOT NULL AND next_check_at <= $1
           ORDER BY next_check_at, id COLLATE "C" LIMIT $2
           FOR UPDATE SKIP LOCKED
         ), leased AS (
           UPDATE orders o SET next_check_at = $3 FROM due WHERE o.id = due.id RETURNING o.*, due.due_at
         )
         SELECT ${orderColumns('leased')} FROM leased ORDER BY leased.due_at, leased.id COLLATE "C"`,
        [now, limit, leaseUntil],
      );
    },

    async recordWebhookEvent(event, apply, at): Promise<WebhookRecordResult> {
      const values = `${[event.id, event.name, event.orderId, event.payload, event.receivedAt, at].map(L).join(', ')}`;
      if (!apply) {
        const inserted = await pool.query(
          `INSERT INTO webhook_events (id, name, order_id, payload, received_at, applied_at, outcome) VALUES (${values}, 'ignored') ON CONFLICT (id) DO NOTHING`,
        );
        return inserted.rowCount === 1 ? { inserted: true, outcome: 'ignored', update: undefined } : { inserted: false };
      }
      return inBatchTransaction(pool, async (tx): Promise<WebhookRecordResult> => {
        // A second delivery of the same id (here or on another instance) waits on this insert's
        // transaction, then finds the id taken: it changes nothing. The event is marked with its
        // outcome as it is inserted: if applying fails, the whole transaction is undone.
        const [inserted, , read] = await tx.send([
          `INSERT INTO webhook_events (id, name, order_id, payload, received_at, applied_at, outcome)
           SELECT ${values}, CASE WHEN EXISTS (SELECT 1 FROM orders WHERE id = ${L(apply.orderId)}) THEN 'applied' ELSE 'unknown_order' END
           ON CONFLICT (id) DO NOTHING`,
          ...lockAndRead(apply.orderId),
        ]);
        if (inserted.rowCount !== 1) return { inserted: false }; // rolled back
        const row = first<OrderRowWithLines>(read);
        if (!row) {
          await tx.commit();
          return { inserted: true, outcome: 'unknown_order', update: undefined };
        }
        return { inserted: true, outcome: 'applied', update: await decideAndWrite(tx, row, apply.decide) };
      });
    },
    async insertWebhookEvent(event) {
      const result = await pool.query(
        'INSERT INTO webhook_events (id, name, order_id, payload, received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING',
        [event.id, event.name, event.orderId, event.payload, event.receivedAt],
      );
      return result.rowCount === 1;
    },
    async markWebhookEventApplied(id, outcome, at) {
      await pool.query('UPDATE webhook_events SET applied_at = $1, outcome = $2 WHERE id = $3', [at, outcome, id]);
    },
    async unappliedWebhookEvents(limit) {
      const found = await rows<EventRow>('SELECT * FROM webhook_events WHERE applied_at IS NULL ORDER BY received_at, id COLLATE "C" LIMIT $1', [limit]);
      return found.map((row) => ({ id: row.id, name: row.name, orderId: row.order_id, payload: row.payload, receivedAt: row.received_at }));
    },
    async webhookEventOutcome(id) {
      const [row] = await rows<{ outcome: string | null }>('SELECT outcome FROM webhook_events WHERE id = $1', [id]);
      return row ? row.outcome : undefined;
    },

    async recordAnomaly(anomaly) {
      const [inserted] = await rows<AnomalyRow>(insertAnomaliesStatement([anomaly]), []);
      if (inserted) return { inserted: true, anomaly: hydrateAnomaly(inserted) };
      // Open under its key already (perhaps committed by another instance after this statement's snapshot).
      const [open] = await rows<AnomalyRow>('SELECT * FROM anomalies WHERE key = $1 AND resolved_at IS NULL', [anomaly.key]);
      if (!open) throw new Error(`anomaly ${anomaly.key}: neither inserted nor open`);
      return { inserted: false, anomaly: hydrateAnomaly(open) };
    },
    async listAnomalies({ openOnly, limit, offset }) {
      const found = await rows<AnomalyRow>(
        `SELECT * FROM anomalies ${openOnly ? 'WHERE resolved_at IS NULL' : ''} ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
        [limit, offset],
      );
      return found.map(hydrateAnomaly);
    },
    async resolveAnomaly(id, at) {
      const [row] = await rows<AnomalyRow>(
        `WITH resolved AS (UPDATE anomalies SET resolved_at = $2 WHERE id = $1 AND resolved_at IS NULL RETURNING *)
         SELECT * FROM resolved UNION ALL SELECT * FROM anomalies WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM resolved)`,
        [id, at],
      );
      return row && hydrateAnomaly(row);
    },

    async orderEvents(orderId) {
      const found = await rows<{ id: number; order_id: string; at: number; kind: NewOrderEvent['kind']; source: string | null; data: Record<string, unknown> }>(
        'SELECT * FROM order_events WHERE order_id = $1 ORDER BY at, id',
        [orderId],
      );
      return found.map((row) => ({ id: row.id, orderId: row.order_id, at: row.at, kind: row.kind, source: row.source, data: row.data }));
    },
    async searchOrders(query) {
      const where: string[] = [];
      const values: unknown[] = [];
      const param = (value: unknown) => {
        values.push(value);
        return `$${values.length}`;
      };
      if (query.status) where.push(`o.status = ${param(query.status)}`);
      if (query.q) {
        const q = param(query.q);
        where.push(`(o.id = ${q} OR o.payment_intent_id = ${q} OR o.shopper_ref = ${param(query.q.toLowerCase())} OR o.open_id = ${q})`);
      }
      if (query.from !== undefined) where.push(`o.created_at >= ${param(query.from)}`);
      if (query.to !== undefined) where.push(`o.created_at < ${param(query.to)}`);
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      // The page and the number of matches in one statement; a page past the end needs a count of its own.
      const found = await rows<OrderRowWithLines & { total: number }>(
        `SELECT ${orderColumns('o')}, count(*) OVER () AS total FROM orders o ${clause}
         ORDER BY o.created_at DESC, o.id COLLATE "C" DESC LIMIT ${param(query.limit)} OFFSET ${param(query.offset)}`,
        values,
      );
      if (found.length > 0) return { orders: found.map(hydrate), total: found[0].total };
      if (query.offset === 0) return { orders: [], total: 0 };
      const [count] = await rows<{ n: number }>(`SELECT count(*) AS n FROM orders o ${clause}`, values.slice(0, -2));
      return { orders: [], total: count.n };
    },
    async countOrdersByStatus() {
      const counts: Record<string, number> = {};
      for (const row of await rows<{ status: string; n: number }>('SELECT status, count(*) AS n FROM orders GROUP BY status', [])) counts[row.status] = row.n;
      return counts;
    },
    async recordAudit(entry) {
      await pool.query('INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)', [
        entry.at,
        entry.actor,
        entry.action,
        entry.target,
        JSON.stringify(entry.detail),
      ]);
    },
    async listAudit({ target, limit }) {
      const found =
        target === undefined
          ? await rows<AuditRecord>('SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT $1', [limit])
          : await rows<AuditRecord>('SELECT * FROM audit_log WHERE target = $1 ORDER BY at DESC, id DESC LIMIT $2', [target, limit]);
      return found.map((row) => ({ id: row.id, at: row.at, actor: row.actor, action: row.action, target: row.target, detail: row.detail }));
    },

    async createAdminSession(session) {
      await pool.query('INSERT INTO admin_sessions (token_hash, csrf_hash, actor, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
        session.tokenHash,
        session.csrfHash,
        session.actor,
        session.createdAt,
        session.expiresAt,
      ]);
    },
    async findAdminSession(tokenHash, now) {
      const [row] = await rows<{ token_hash: string; csrf_hash: string; actor: string; created_at: number; expires_at: number }>(
        'SELECT * FROM admin_sessions WHERE token_hash = $1 AND expires_at > $2',
        [tokenHash, now],
        'find_admin_session',
      );
      return row && { tokenHash: row.token_hash, csrfHash: row.csrf_hash, actor: row.actor, createdAt: row.created_at, expiresAt: row.expires_at };
    },
    async deleteAdminSession(tokenHash) {
      await pool.query('DELETE FROM admin_sessions WHERE token_hash = $1', [tokenHash]);
    },

    async prune({ now, webhookEventsBefore, batch }) {
      // One statement, each table at most `batch` rows: a long backlog goes away over several sweeps
      // instead of in one long transaction. Only applied events go: an unapplied one is still owed.
      const [row] = await rows<{ sessions: number; webhook_events: number; admin_sessions: number; rate_limits: number }>(
        `WITH s AS (
           DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at <= $1 LIMIT $3) RETURNING 1
         ), w AS (
           DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events WHERE received_at < $2 AND applied_at IS NOT NULL LIMIT $3) RETURNING 1
         ), a AS (
           DELETE FROM admin_sessions WHERE token_hash IN (SELECT token_hash FROM admin_sessions WHERE expires_at <= $1 LIMIT $3) RETURNING 1
         ), r AS (
           DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE resets_at <= $1 LIMIT $3) RETURNING 1
         )
         SELECT (SELECT count(*) FROM s) AS sessions, (SELECT count(*) FROM w) AS webhook_events, (SELECT count(*) FROM a) AS admin_sessions,
           (SELECT count(*) FROM r) AS rate_limits`,
        [now, webhookEventsBefore, batch],
      );
      return { sessions: row.sessions, webhookEvents: row.webhook_events, adminSessions: row.admin_sessions, rateLimits: row.rate_limits };
    },

    subscribe(callback) {
      listeners.add(callback);
      return () => {
        listeners.delete(callback);
      };
    },
    async ready() {
      if (closing) return { ok: false, detail: 'the store is closed' };
      try {
        const version = await withTimeout(schemaVersion(pool), 2_000, 'the database did not answer within 2 s');
        if (version !== migrations.length) return { ok: false, detail: `schema version ${version}, this server needs ${migrations.length}` };
      } catch (err) {
        return { ok: false, detail: `database unreachable: ${err instanceof Error ? err.message : String(err)}` };
      }
      if (!listener.connected) return { ok: false, detail: `LISTEN connection down: ${listener.problem}` };
      return { ok: true };
    },
    close() {
      // Idempotent, as SQLite's: the server's shutdown may come after a test (or an error path) closed it.
      closing ??= (async () => {
        listeners.clear();
        await listener.close();
        await pool.end();
      })();
      return closing;
    },
  };
  for (const method of DATA_METHODS) {
    const run = store[method] as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => run(...args).catch(asUnavailable);
  }
  return store;
}

/** The methods that read or write data: a lost database connection (or a statement timeout) in them answers 503. */
const DATA_METHODS = [
  'createSession', 'findSession', 'insertOrder', 'getOrder', 'getOrderByIntent', 'listOrders', 'updateOrder', 'claimRetrieve', 'countHit', 'peekHits',
  'claimDueOrders', 'recordWebhookEvent', 'insertWebhookEvent', 'markWebhookEventApplied', 'unappliedWebhookEvents',
  'webhookEventOutcome', 'recordAnomaly', 'listAnomalies', 'resolveAnomaly', 'orderEvents', 'searchOrders', 'countOrdersByStatus',
  'recordAudit', 'listAudit', 'createAdminSession', 'findAdminSession', 'deleteAdminSession', 'prune',
] as const satisfies ReadonlyArray<keyof Store>;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
