// The Store on PostgreSQL (node-postgres): a pool for queries, one LISTEN connection for wake-ups across instances.
//
// Several server instances may share the database. What keeps their work correct:
// - Each method is one statement or one transaction. updateOrder reads the row FOR UPDATE, so
//   concurrent updates of one order (webhook on instance A, retrieve on instance B) queue on the row
//   lock instead of interleaving.
// - insertOrder relies on the unique (open_id, idempotency_key) constraint with ON CONFLICT: two
//   instances inserting the same key at once make one order; the loser waits for the winner's commit
//   and answers `existing` or `conflict` from it.
// - A webhook event is recorded (primary key on its id) and applied in one transaction: a duplicate
//   delivery, to this instance or another, waits on the first one's insert and is then ignored.
// - Upstream operations stay harmless when two instances run them for the same order: an intent
//   create carries the order's stored request_id, so Airwallex answers a second create with
//   duplicate_request and no second intent exists (the sweep links it); every answer (create,
//   confirm, retrieve, webhook) is applied through updateOrder, whose rules (a final status never
//   changes, an older snapshot never overwrites a newer one) make the order of arrival irrelevant.
//   The in-process single-flight maps in OrderService only save duplicate calls within one
//   instance. [Phase 2, with the lead's redesign: confirm gets a deterministic stored request_id and
//   the sweep claims due orders with FOR UPDATE SKIP LOCKED, so instances share it without overlap.]
// - Every stored change of an order is announced with pg_notify by a trigger (see
//   migrations/postgres/001_initial.sql), in the writing transaction; each instance's one LISTEN
//   connection turns it into `subscribe` callbacks, which wake that instance's long polls.
//
// Adding a Store method: one statement, or `transaction(...)` for several (reuse `updateOrderIn` to
// change an order inside it); read orders with ORDER_SELECT so they come with their lines; list the
// method in DATA_METHODS so a lost connection answers 503. A new table whose changes should wake
// long polls (refunds, order events) gets a trigger calling pg_notify('order_changed', order_id) in
// its migration, like orders_notify_change.
import pg, { type Pool, type PoolClient, type QueryResultRow } from 'pg';
import type { OrderStatus } from '../contract';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { inTransaction } from './postgres-client';
import { ChangeListener } from './postgres-listener';
import { loadMigrations, migratePostgres, schemaVersion } from './postgres-migrate';
import type {
  InsertOrderResult,
  NewOrder,
  OrderChange,
  OrderItemRecord,
  OrderPatch,
  OrderRecord,
  PaymentErrorRecord,
  Store,
  WebhookEventRecord,
  WebhookRecordResult,
} from './types';

/** The NOTIFY channel of order changes (its name is also in 001_initial.sql's trigger). */
export const ORDER_CHANGED_CHANNEL = 'order_changed';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database; libpq's PG* variables fill in what it leaves out. */
  connectionString: string;
  logger: Logger;
  /** Pool size of this instance (default 10). The LISTEN connection comes on top. */
  poolSize?: number;
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
  last_error: PaymentErrorRecord | null;
  created_at: number;
  updated_at: number;
  expires_at: number;
  paid_at: number | null;
  checked_at: number | null;
  /** Aggregated by ORDER_SELECT (json, so bigint arrives as a JSON number). */
  items: OrderItemRecord[];
}

/** An order with its items in one round trip. */
const ORDER_SELECT = `SELECT o.*, (
    SELECT COALESCE(json_agg(json_build_object('sku', i.sku, 'names', i.names, 'quantity', i.quantity, 'unitAmount', i.unit_amount) ORDER BY i.line), '[]')
    FROM order_items i WHERE i.order_id = o.id
  ) AS items
  FROM orders o`;

const OPEN = `o.status IN ('awaiting_payment', 'processing')`;

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

function hydrate(row: OrderRow): OrderRecord {
  return {
    id: row.id,
    openId: row.open_id,
    status: row.status,
    currency: row.currency,
    totalAmount: row.total_amount,
    items: row.items,
    paymentIntentId: row.payment_intent_id,
    intentStatus: row.intent_status,
    intentUpdatedAt: row.intent_updated_at,
    createRequestId: row.create_request_id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    lastPaymentError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    paidAt: row.paid_at,
    checkedAt: row.checked_at,
  };
}

interface EventRow {
  id: string;
  name: string;
  order_id: string | null;
  payload: string;
  received_at: number;
}

/**
 * Connects, applies pending migrations (instances booting together queue on an advisory lock),
 * and opens the LISTEN connection. Throws, with the pool closed, when any of it fails.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { logger } = options;
  const clientConfig: pg.ClientConfig = { connectionString: options.connectionString, types: typeParsers };
  const pool = new pg.Pool({
    ...clientConfig,
    max: options.poolSize ?? 10,
    application_name: 'wechatpay',
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
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

  const migrations = loadMigrations();
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

  const transaction = <T>(work: (client: PoolClient) => Promise<T>) => inTransaction(pool, work);
  const rows = async <R extends QueryResultRow>(text: string, values: unknown[], client: Pool | PoolClient = pool) =>
    (await client.query<R>(text, values)).rows;
  const orders = async (text: string, values: unknown[], client: Pool | PoolClient = pool) =>
    (await rows<OrderRow>(text, values, client)).map(hydrate);

  /** updateOrder's body, inside the caller's transaction. */
  const updateOrderIn = async (client: PoolClient, id: string, decide: (current: OrderRecord) => OrderPatch | null) => {
    const [current] = await orders(`${ORDER_SELECT} WHERE o.id = $1 FOR UPDATE`, [id], client);
    if (!current) return undefined;
    const patch = decide(current);
    const keys = patch ? (Object.keys(patch) as Array<keyof OrderPatch>).filter((k) => patch[k] !== undefined) : [];
    if (!patch || keys.length === 0) return { order: current, changed: false };
    const assignments = keys.map((k, i) => `${PATCH_COLUMNS[k]} = $${i + 2}`).join(', ');
    const values = keys.map((k) => (k === 'lastPaymentError' ? (patch.lastPaymentError ? JSON.stringify(patch.lastPaymentError) : null) : patch[k]));
    await client.query(`UPDATE orders SET ${assignments} WHERE id = $1`, [id, ...values]);
    const updated: OrderRecord = { ...current };
    for (const k of keys) (updated as unknown as Record<string, unknown>)[k] = patch[k];
    return { order: updated, changed: true };
  };

  const insertEvent = async (event: WebhookEventRecord, client: Pool | PoolClient = pool) =>
    (
      await client.query(
        `INSERT INTO webhook_events (id, name, order_id, payload, received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
        [event.id, event.name, event.orderId, event.payload, event.receivedAt],
      )
    ).rowCount === 1;

  const store: PostgresStore = {
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
      );
      return row && { tokenHash: row.token_hash, openId: row.open_id, createdAt: row.created_at, expiresAt: row.expires_at };
    },

    async insertOrder(order: NewOrder): Promise<InsertOrderResult> {
      // One statement, so atomic without BEGIN: the order and its lines, unless the shopper's
      // idempotency key is taken. A concurrent insert of the same key waits for the first to commit.
      const inserted = await rows<{ id: string }>(
        `WITH o AS (
           INSERT INTO orders (id, open_id, status, currency, total_amount, create_request_id, idempotency_key, request_hash,
             created_at, updated_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT ON CONSTRAINT orders_idempotency DO NOTHING
           RETURNING id
         ), lines AS (
           INSERT INTO order_items (order_id, line, sku, names, quantity, unit_amount)
           SELECT o.id, x.line - 1, x.item->>'sku', x.item->'names', (x.item->>'quantity')::integer, (x.item->>'unitAmount')::bigint
           FROM o, jsonb_array_elements($12::jsonb) WITH ORDINALITY AS x(item, line)
         )
         SELECT id FROM o`,
        [
          order.id,
          order.openId,
          order.status,
          order.currency,
          order.totalAmount,
          order.createRequestId,
          order.idempotencyKey,
          order.requestHash,
          order.createdAt,
          order.updatedAt,
          order.expiresAt,
          JSON.stringify(order.items),
        ],
      );
      if (inserted.length === 1) {
        return {
          kind: 'created',
          order: { ...order, paymentIntentId: null, intentStatus: null, intentUpdatedAt: null, lastPaymentError: null, paidAt: null, checkedAt: null },
        };
      }
      // The key is taken, by a committed order (ON CONFLICT waited for its transaction to end).
      const [existing] = await orders(`${ORDER_SELECT} WHERE o.open_id = $1 AND o.idempotency_key = $2`, [order.openId, order.idempotencyKey]);
      if (!existing) throw new Error('idempotency conflict on an order that cannot be read');
      return { kind: existing.requestHash === order.requestHash ? 'existing' : 'conflict', order: existing };
    },
    async getOrder(id) {
      const [order] = await orders(`${ORDER_SELECT} WHERE o.id = $1`, [id]);
      return order;
    },
    async listOrders(openId, limit) {
      return orders(`${ORDER_SELECT} WHERE o.open_id = $1 AND o.payment_intent_id IS NOT NULL ORDER BY o.created_at DESC, o.id DESC LIMIT $2`, [openId, limit]);
    },
    async updateOrder(id, decide) {
      return transaction((client) => updateOrderIn(client, id, decide));
    },
    async ordersToCheck(checkedBefore, limit) {
      return orders(
        `${ORDER_SELECT} WHERE ${OPEN} AND o.payment_intent_id IS NOT NULL AND COALESCE(o.checked_at, 0) < $1 ORDER BY COALESCE(o.checked_at, 0), o.id LIMIT $2`,
        [checkedBefore, limit],
      );
    },
    async ordersPastExpiry(now, limit) {
      return orders(`${ORDER_SELECT} WHERE ${OPEN} AND o.expires_at < $1 ORDER BY o.expires_at, o.id LIMIT $2`, [now, limit]);
    },
    async ordersWithoutIntent(createdBefore, limit) {
      return orders(`${ORDER_SELECT} WHERE ${OPEN} AND o.payment_intent_id IS NULL AND o.created_at < $1 ORDER BY o.created_at, o.id LIMIT $2`, [
        createdBefore,
        limit,
      ]);
    },

    async recordWebhookEvent(event, apply, at): Promise<WebhookRecordResult> {
      return transaction(async (client) => {
        // A second delivery of the same id (here or on another instance) waits on this insert's
        // transaction, then finds the id taken: it changes nothing.
        if (!(await insertEvent(event, client))) return { inserted: false };
        const update = apply ? await updateOrderIn(client, apply.orderId, apply.decide) : undefined;
        const outcome = !apply ? 'ignored' : update ? 'applied' : 'unknown_order';
        await client.query('UPDATE webhook_events SET applied_at = $1, outcome = $2 WHERE id = $3', [at, outcome, event.id]);
        return { inserted: true, outcome, update };
      });
    },
    async insertWebhookEvent(event) {
      return insertEvent(event);
    },
    async markWebhookEventApplied(id, outcome, at) {
      await pool.query('UPDATE webhook_events SET applied_at = $1, outcome = $2 WHERE id = $3', [at, outcome, id]);
    },
    async unappliedWebhookEvents(limit) {
      const found = await rows<EventRow>('SELECT * FROM webhook_events WHERE applied_at IS NULL ORDER BY received_at, id LIMIT $1', [limit]);
      return found.map((row) => ({ id: row.id, name: row.name, orderId: row.order_id, payload: row.payload, receivedAt: row.received_at }));
    },
    async webhookEventOutcome(id) {
      const [row] = await rows<{ outcome: string | null }>('SELECT outcome FROM webhook_events WHERE id = $1', [id]);
      return row ? row.outcome : undefined;
    },

    subscribe(callback) {
      listeners.add(callback);
      return () => {
        listeners.delete(callback);
      };
    },
    async ready() {
      try {
        const version = await withTimeout(schemaVersion(pool), 2_000, 'the database did not answer within 2 s');
        if (version !== migrations.length) return { ok: false, detail: `schema version ${version}, this server needs ${migrations.length}` };
      } catch (err) {
        return { ok: false, detail: `database unreachable: ${err instanceof Error ? err.message : String(err)}` };
      }
      if (!listener.connected) return { ok: false, detail: `LISTEN connection down: ${listener.problem}` };
      return { ok: true };
    },
    async close() {
      listeners.clear();
      await listener.close();
      await pool.end();
    },
  };
  for (const method of DATA_METHODS) {
    const run = store[method] as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => run(...args).catch(asUnavailable);
  }
  return store;
}

/** The methods that read or write data: a lost database connection in them answers 503. */
const DATA_METHODS = [
  'createSession', 'findSession', 'insertOrder', 'getOrder', 'listOrders', 'updateOrder', 'ordersToCheck', 'ordersPastExpiry',
  'ordersWithoutIntent', 'recordWebhookEvent', 'insertWebhookEvent', 'markWebhookEventApplied', 'unappliedWebhookEvents', 'webhookEventOutcome',
] as const satisfies ReadonlyArray<keyof Store>;

/**
 * The database is down, restarting or out of connections: a 503 the client retries (a shopper's
 * request, Airwallex's webhook delivery), not a 500. Whatever a cut-off transaction did is either
 * committed or rolled back whole, and every write is safe to repeat (idempotency keys, event ids,
 * updateOrder's rules).
 */
function asUnavailable(err: unknown): never {
  if (isConnectionError(err)) throw new AppError('SERVICE_UNAVAILABLE', undefined, { cause: err });
  throw err;
}

export function isConnectionError(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // SQLSTATE class 08 (connection exception), 57P01-03 (shutdown, crash, starting up), 53300 (too many connections).
    if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  }
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|not queryable|connection error/i.test(message);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
