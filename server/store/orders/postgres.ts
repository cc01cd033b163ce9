// Orders on PostgreSQL: created under the shopper's advisory lock, changed under the order's row lock, claimed by the sweep with SKIP LOCKED.
import type { Pool } from 'pg';
import { hydrateAnomaly, insertAnomaliesStatement } from '../anomalies/postgres';
import type { AnomalyRow } from '../anomalies/common';
import { OPEN_STATUSES } from '../common';
import { insertOutboxStatement } from '../outbox/postgres';
import { type BatchStatement, type BatchTransaction, inBatchTransaction } from '../postgres-client';
import { first, type PostgresPart } from '../postgres-context';
import type { RefundRow } from '../refunds/common';
import { refundsColumn, uniqueRefunds, upsertRefundsStatement } from '../refunds/postgres';
import { insertEventsStatement } from '../timeline/postgres';
import { mergeUpdate, newOrderRecord, ORDER_COLUMNS, orderFromRow, patchKeys, perColumnSet, type OrderRow } from './common';
import type { InsertOrderResult, OrderDecider, OrderItemRecord, OrderRecord, OrderStore, OrderUpdate, OrderUpdateResult } from './types';

/**
 * An order row with its items and refunds aggregated by orderColumns() (json: bigint arrives as a JSON number),
 * and the row's version (its xmin, see versions below).
 */
export type OrderRowWithLines = OrderRow & { items: OrderItemRecord[]; refunds: RefundRow[]; version?: string };

/**
 * The columns of an order row `alias` with its items and refunds, in one statement; with its version when
 * `alias` is the table itself (a CTE has no xmin: its RETURNING gives `version`). Ids sort with the C
 * collation, byte by byte as in SQLite, whatever the database's locale.
 */
export function orderColumns(alias: string, table = true): string {
  return `${alias}.*,${table ? ` ${alias}.xmin::text AS version,` : ''}
    (SELECT COALESCE(json_agg(json_build_object('sku', i.sku, 'names', i.names, 'quantity', i.quantity, 'unitAmount', i.unit_amount) ORDER BY i.line), '[]')
       FROM order_items i WHERE i.order_id = ${alias}.id) AS items,
    ${refundsColumn(alias)} AS refunds`;
}
const ORDER_SELECT = `SELECT ${orderColumns('o')} FROM orders o`;

const OPEN = OPEN_STATUSES.map((status) => `'${status}'`).join(', ');

/**
 * insertOrder's one statement, after the shopper's lock (each statement with a fresh snapshot, so it
 * sees what the previous lock holder committed): look for the key ($1 open id, $2 key), count open
 * orders, insert the order ($3 … $13) with its lines ($14) and timeline events ($15, as
 * timeline/postgres.ts inserts them) unless either says no ($16: the most open orders, NULL for no
 * limit), and say what happened.
 */
const INSERT_ORDER = `WITH existing AS (
    SELECT id, request_hash FROM orders WHERE open_id = $1::text AND idempotency_key = $2::text
  ), open AS (
    SELECT count(*) AS n FROM orders WHERE open_id = $1::text AND status IN (${OPEN})
  ), ins AS (
    INSERT INTO orders (id, open_id, shopper_ref, status, currency, total_amount, create_request_id, idempotency_key,
      request_hash, created_at, updated_at, expires_at, next_check_at)
    SELECT $3::text, $1::text, $4::text, $5::text, $6::text, $7::bigint, $8::text, $2::text,
      $9::text, $10::bigint, $11::bigint, $12::bigint, $13::bigint
    WHERE NOT EXISTS (SELECT 1 FROM existing) AND ($16::integer IS NULL OR (SELECT n FROM open) < $16::integer)
    ON CONFLICT ON CONSTRAINT orders_idempotency DO NOTHING
    RETURNING id, xmin::text AS version
  ), lines AS (
    INSERT INTO order_items (order_id, line, sku, names, quantity, unit_amount)
    SELECT ins.id, x.line - 1, x.item->>'sku', x.item->'names', (x.item->>'quantity')::integer, (x.item->>'unitAmount')::bigint
    FROM ins, jsonb_array_elements($14::jsonb) WITH ORDINALITY AS x(item, line)
  ), timeline AS (
    INSERT INTO order_events (order_id, at, kind, source, data)
    SELECT ins.id, (x.e->>'at')::bigint, x.e->>'kind', x.e->>'source', x.e->'data'
    FROM ins, jsonb_array_elements($15::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY x.n
  )
  SELECT (SELECT id FROM ins) AS created, (SELECT version FROM ins) AS version, (SELECT id FROM existing) AS existing, (SELECT request_hash FROM existing) AS existing_hash,
    (SELECT n FROM open) AS open`;

/**
 * The version in the database of each order record this store read or wrote: its row's xmin, the transaction
 * that wrote that row version. Every UPDATE of an order writes a new version, a row lock does not. updateOrder
 * given the record a request read (`expected`) writes its change in one round trip when the order is still at
 * that version (migrations/postgres/009). Kept beside the records, not in them: a record is the same on both stores.
 */
const versions = new WeakMap<OrderRecord, string>();

export function hydrate(row: OrderRowWithLines): OrderRecord {
  const order = orderFromRow(row, row.items, row.refunds);
  if (row.version !== undefined) versions.set(order, row.version);
  return order;
}

/** The record `order` at `version` (returned as it is: a record is never changed in place). */
function versioned(order: OrderRecord, version: string | undefined): OrderRecord {
  if (version !== undefined) versions.set(order, version);
  return order;
}

/** What lock_order_as_read raises when the order is no longer at the version read (migrations/postgres/009). */
const CHANGED_SINCE_READ = 'WP001';

/**
 * Locks the order, then reads it with its items and refunds: two statements, sent together. Not one
 * `SELECT … FOR UPDATE` with the refunds in it: under READ COMMITTED a statement that waited for the
 * row lock returns the row's newest version but reads other tables (the refunds another transaction
 * just added) as of its start. The read that follows the lock takes a fresh snapshot.
 */
export function lockAndRead(id: string): BatchStatement[] {
  return [
    { name: 'lock_order', text: 'SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', values: [id] },
    { name: 'read_order', text: `${ORDER_SELECT} WHERE o.id = $1`, values: [id] },
  ];
}

/**
 * The UPDATE of an order's patched columns, prepared once per set of columns (a payment's changes use
 * a handful of sets): its name is made from the columns' positions in ORDER_COLUMNS.
 */
const updateOrderShape = perColumnSet((keys) => {
  const positions = Object.keys(ORDER_COLUMNS);
  return {
    name: `update_order_${keys.map((key) => positions.indexOf(key).toString(36)).join('_')}`,
    text: `UPDATE orders SET ${keys.map((key, i) => `${ORDER_COLUMNS[key]} = $${i + 1}`).join(', ')} WHERE id = $${keys.length + 1} RETURNING xmin::text AS version`,
  };
});

function updateOrderStatement(id: string, keys: Array<keyof typeof ORDER_COLUMNS>, values: unknown[]): BatchStatement {
  return { ...updateOrderShape(keys), values: [...values, id] };
}

/**
 * The statements writing `update` to `current` (none when there is nothing to write), after `before`, and
 * where the order's new version and the new anomalies come back. What another concern stores of the change
 * (refund rows, timeline events, outbox events, anomalies) is that concern's statement, sent here in the
 * same transaction.
 */
function updateStatements(
  current: OrderRecord,
  update: OrderUpdate,
  before: BatchStatement[],
): { statements: BatchStatement[]; updated: number | undefined; anomalies: number | undefined } {
  const statements: BatchStatement[] = [...before];
  const patch = update.patch ?? {};
  const keys = patchKeys(patch);
  let updated: number | undefined;
  if (keys.length > 0) {
    updated = statements.length;
    statements.push(updateOrderStatement(current.id, keys, keys.map((key) => patch[key])));
  }
  const refunds = uniqueRefunds(update.refunds ?? []);
  if (refunds.length > 0) statements.push(upsertRefundsStatement(refunds));
  if (update.events?.length) statements.push(insertEventsStatement(current.id, update.events));
  if (update.outbox?.length) statements.push(insertOutboxStatement(update.outbox));
  let anomalies: number | undefined;
  if (update.anomalies?.length) {
    anomalies = statements.length;
    statements.push(insertAnomaliesStatement(update.anomalies));
  }
  return { statements, updated, anomalies };
}

/**
 * Runs `decide` on the order read (and locked) as `row` by lockAndRead's statements, writes its update and
 * commits: the second round trip of updateOrder and the webhook path.
 */
export async function decideAndWrite(tx: BatchTransaction, row: OrderRowWithLines, decide: OrderDecider): Promise<OrderUpdateResult> {
  const current = hydrate(row);
  const update = decide(current);
  if (!update) {
    await tx.commit();
    return { order: current, changed: false, newAnomalies: [] };
  }
  return writeAndCommit(tx, current, update);
}

/** Writes `update` to `current` and commits, after `before` (in the same round trip); answers the order as written. */
async function writeAndCommit(tx: BatchTransaction, current: OrderRecord, update: OrderUpdate, before: BatchStatement[] = []): Promise<OrderUpdateResult> {
  const { statements, updated, anomalies } = updateStatements(current, update, before);
  const results = await tx.commit(statements);
  const patch = update.patch ?? {};
  const refunds = uniqueRefunds(update.refunds ?? []);
  const changed = patchKeys(patch).length > 0 || refunds.length > 0;
  // A refund alone leaves the order's row (and its version) as it was.
  const version = updated === undefined ? versions.get(current) : first<{ version: string }>(results[updated])?.version;
  return {
    order: changed ? versioned(mergeUpdate(current, patch, refunds), version) : current,
    changed,
    newAnomalies: anomalies === undefined ? [] : (results[anomalies].rows as AnomalyRow[]).map(hydrateAnomaly),
  };
}

/**
 * updateOrder's fast path: `decide` on `expected`, the order as the caller read it, written in one round trip
 * that fails (and is undone) unless the order is still that version with no refunds. Undefined when the path
 * does not apply or the order changed meanwhile: the caller then reads the order under its lock as usual. A
 * change decided on nothing to write is decided again there, on the order as stored.
 */
async function writeAsRead(pool: Pool, expected: OrderRecord, decide: OrderDecider): Promise<OrderUpdateResult | undefined> {
  const version = expected.refunds.length === 0 ? versions.get(expected) : undefined;
  if (version === undefined) return undefined;
  const update = decide(expected);
  if (!update) return undefined;
  const lock: BatchStatement = { name: 'lock_order_as_read', text: 'SELECT lock_order_as_read($1, $2::xid)', values: [expected.id, version] };
  try {
    return await inBatchTransaction(pool, (tx) => writeAndCommit(tx, expected, update, [lock]));
  } catch (err) {
    if ((err as { code?: unknown } | undefined)?.code === CHANGED_SINCE_READ) return undefined;
    throw err;
  }
}

export const orders: PostgresPart<OrderStore> = {
  store({ pool, rows }) {
    const orders = async (text: string, values: unknown[], name?: string) => (await rows<OrderRowWithLines>(text, values, name)).map(hydrate);
    return {
      async insertOrder(order, options = {}): Promise<InsertOrderResult> {
        // One round trip: lock the shopper, then INSERT_ORDER, then read the order holding the key.
        const max = options.maxOpenOrders;
        const key = order.idempotencyKey;
        const [, decided, read] = await inBatchTransaction(pool, (tx) =>
          tx.commit([
            { name: 'lock_shopper', text: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', values: [order.openId] },
            {
              name: 'insert_order',
              text: INSERT_ORDER,
              values: [
                order.openId, key, order.id, order.shopperRef, order.status, order.currency, order.totalAmount, order.createRequestId,
                order.requestHash, order.createdAt, order.updatedAt, order.expiresAt, order.nextCheckAt, order.items, options.events ?? [], max ?? null,
              ],
            },
            // The order that holds the key, when it is not this one (an existing order is answered whole).
            {
              name: 'read_order_by_key',
              text: `${ORDER_SELECT} WHERE o.id = (SELECT id FROM orders WHERE open_id = $1 AND idempotency_key = $2) AND o.id <> $3`,
              values: [order.openId, key, order.id],
            },
          ]),
        );
        const outcome = first<{ created: string | null; version: string | null; existing: string | null; existing_hash: string | null; open: number }>(decided)!;
        const stored = first<OrderRowWithLines>(read);
        if (outcome.created) return { kind: 'created', order: versioned(newOrderRecord(order), outcome.version ?? undefined) };
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
      async updateOrder(id, decide, expected) {
        const written = expected?.id === id ? await writeAsRead(pool, expected, decide) : undefined;
        if (written) return written;
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
             UPDATE orders o SET next_check_at = $3 FROM due WHERE o.id = due.id RETURNING o.*, o.xmin::text AS version, due.due_at
           )
           SELECT ${orderColumns('leased', false)} FROM leased ORDER BY leased.due_at, leased.id COLLATE "C"`,
          [now, limit, leaseUntil],
        );
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
    };
  },
};
