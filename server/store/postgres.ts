// The Store on PostgreSQL (node-postgres): a pool for queries, one LISTEN connection for wake-ups across instances;
// composed of each concern's PostgreSQL part (<concern>/postgres.ts).
//
// Several server instances may share the database. What keeps their work correct:
// - Each method is one statement or one transaction. updateOrder (and the webhook path) reads the
//   order FOR UPDATE, so concurrent changes of one order (a webhook on instance A, a retrieve on B,
//   a refund, the sweep) queue on the row lock instead of interleaving; refunds, timeline events and
//   anomalies are written in the same transaction (orders/postgres.ts).
// - insertOrder takes a transaction-scoped advisory lock on the shopper (hashtextextended of the
//   openid) before it looks for the idempotency key and counts open orders: two instances creating
//   orders for one shopper queue, so neither the key nor the open-order limit can be beaten by a race.
// - A webhook event is recorded (primary key on its id) and applied in one transaction: a duplicate
//   delivery, to this instance or another, waits on the first one's insert and is then ignored
//   (webhooks/postgres.ts).
// - claimDueOrders leases the sweep's work with FOR UPDATE SKIP LOCKED in one statement, so the
//   instances' sweeps share it without taking one order twice; claimRetrieve is one conditional
//   UPDATE (a compare-and-set on retrieved_at), so one instance per interval asks Airwallex.
// - Upstream calls stay harmless when two instances make them for one order: an intent create
//   carries the order's stored request_id, a confirm the request_id derived from the order's
//   confirm count (the order service's confirmRequestId), a refund its stored request_id; Airwallex applies
//   each once. Every answer is applied through updateOrder, whose rules make arrival order irrelevant.
// - Every stored change of an order that a long poll answers on (its status, its intent, its last
//   payment error, any refund: migrations/postgres/008) is announced with pg_notify by triggers on
//   orders and refunds, inside the writing transaction; each instance's one LISTEN connection turns
//   it into `subscribe` callbacks, which wake that instance's long polls. Inserts and bookkeeping
//   (the sweep's lease, retrieve claims, checked_at …) wake nobody.
//
// Round trips: the hot paths send BEGIN with their first statements and COMMIT with their last
// (inBatchTransaction), as simple queries whose values are literals made by sqlLiteral: insertOrder
// is one round trip, updateOrder and the webhook path two (read and lock; write and commit), updateOrder
// one when given the order as the request read it and the order is still that version (its xmin:
// lock_order_as_read, migrations/postgres/009; otherwise that batch is undone and the two follow). On
// loopback a round trip costs little next to the statements' own work (the new contract's indexes,
// timeline rows): the saving shows with a database across a network.
// Everything else is one parameterized statement.
//
// Adding a method to a concern's part: one statement, or inBatchTransaction for several; read orders
// with orderColumns() (orders/postgres.ts) so they come with their items and refunds; a row that must
// be written in another concern's transaction is a function returning its statement, which that
// transaction sends with its own (as insertEventsStatement). Every method of a part answers 503 on a
// lost connection without more ado (answeringUnavailable). A new table holding part of an order's
// aggregate gets a trigger calling pg_notify('order_changed', order_id), like refunds_notify_change.
// Adding a concern: docs/layout.md, "The store".
import pg, { type Pool } from 'pg';
import type { Logger } from '../logger';
import { adminSessions } from './admin-sessions/postgres';
import { anomalies } from './anomalies/postgres';
import { audit } from './audit/postgres';
import { messages } from './messages/postgres';
import { figures } from './figures/postgres';
import { readMigrations } from './common';
import { orders } from './orders/postgres';
import { outbox } from './outbox/postgres';
import { composePruners, composeSlices, type PruneOptions } from './parts';
import { postgresContext, type PostgresPruner } from './postgres-context';
import { answeringUnavailable } from './postgres-errors';
import { ChangeListener } from './postgres-listener';
import { migratePostgres, schemaVersion } from './postgres-migrate';
import { rateLimits } from './rate-limits/postgres';
import { reconciliations } from './reconciliations/postgres';
import { sessions } from './sessions/postgres';
import { timeline } from './timeline/postgres';
import type { OrderChange, PruneResult, Store } from './types';
import { webhooks } from './webhooks/postgres';
import { wechatTokens } from './wechat-tokens/postgres';

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

/** The concerns the store is made of, each with its PostgreSQL part: one line per concern. */
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

  const ctx = postgresContext(pool);
  const { rows } = ctx;
  const pruneStatement = pruneStatementOf(composePruners(PARTS));

  let closing: Promise<void> | undefined;
  const store: PostgresStore = {
    kind: 'postgres',
    shared: true,
    pool,
    listenerReconnects: () => listener.reconnects,
    // A lost connection (or a statement timeout) in any method that reads or writes data answers 503.
    ...answeringUnavailable({
      ...composeSlices(PARTS, ctx),
      async prune(options: PruneOptions) {
        const [row] = await rows<PruneResult>(pruneStatement, [options.now, options.webhookEventsBefore, options.batch]);
        return row;
      },
    }),

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
  return store;
}

/**
 * Every concern's DELETE in one statement, each at most `batch` rows: a long backlog goes away over
 * several sweeps instead of in one long transaction. Answers the rows each deleted.
 */
function pruneStatementOf(pruners: Array<[keyof PruneResult, PostgresPruner]>): string {
  const params = { now: '$1', webhookEventsBefore: '$2', batch: '$3' };
  return `WITH ${pruners.map(([, prune], i) => `p${i} AS (${prune(params)} RETURNING 1)`).join(', ')}
    SELECT ${pruners.map(([key], i) => `(SELECT count(*) FROM p${i}) AS ${pg.escapeIdentifier(key)}`).join(', ')}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
