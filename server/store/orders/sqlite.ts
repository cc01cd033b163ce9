// Orders on SQLite: each change one transaction (better-sqlite3 runs it synchronously, so nothing interleaves), read with items and refunds.
import { insertAnomaly } from '../anomalies/sqlite';
import { json, OPEN_STATUSES } from '../common';
import { insertOutbox } from '../outbox/sqlite';
import { refundsOf, upsertRefund } from '../refunds/sqlite';
import { serializeJson, type SqliteContext, type SqlitePart } from '../sqlite-context';
import { insertEvents } from '../timeline/sqlite';
import type { NewOrderEvent } from '../timeline/types';
import { mergeUpdate, newOrderRecord, ORDER_COLUMNS, orderFromRow, patchKeys, perColumnSet, type OrderRow } from './common';
import type { InsertOrderResult, NewOrder, OrderDecider, OrderItemRecord, OrderPatch, OrderRecord, OrderStore, OrderUpdate, OrderUpdateResult } from './types';

interface ItemRow {
  sku: string;
  names: string;
  quantity: number;
  unit_amount: number;
}

const OPEN = OPEN_STATUSES.map((status) => `'${status}'`).join(', ');

/**
 * The columns of an order row with its items as one JSON array and whether it has refunds, in one
 * statement: three statements per read (order, items, refunds sorted in a temporary B-tree) cost 5×
 * the CPU of this one, and an order is read several times per payment. Refunds are rare: read only
 * when there are some.
 */
const ORDER_SELECT = `SELECT o.*,
    (SELECT json_group_array(json_object('sku', i.sku, 'names', i.names, 'quantity', i.quantity, 'unitAmount', i.unit_amount) ORDER BY i.line)
       FROM order_items i WHERE i.order_id = o.id) AS items_json,
    EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id) AS has_refunds
  FROM orders o`;

/** An order row as ORDER_SELECT reads it. */
type OrderRowWithItems = OrderRow & { items_json?: string; has_refunds?: number };

/** The order of `row` with its items and refunds (read here unless ORDER_SELECT read them). */
export function hydrate(ctx: SqliteContext, row: OrderRowWithItems): OrderRecord {
  const items =
    row.items_json !== undefined
      ? // names stays the column's text in the array (SQLite's json() on it would cost more than parsing it here)
        (JSON.parse(row.items_json) as Array<Omit<OrderItemRecord, 'names'> & { names: string }>).map((item) => ({ ...item, names: json<OrderItemRecord['names']>(item.names) }))
      : (ctx.prepare('SELECT * FROM order_items WHERE order_id = ? ORDER BY line').all(row.id) as ItemRow[]).map((item) => ({
          sku: item.sku,
          names: json<OrderItemRecord['names']>(item.names),
          quantity: item.quantity,
          unitAmount: item.unit_amount,
        }));
  return orderFromRow(row, items, row.has_refunds === 0 ? [] : refundsOf(ctx, row.id));
}

/** Built once: ctx.prepare finds its statement by the text, and a string built per call is hashed per call. */
const ORDER_BY_ID = `${ORDER_SELECT} WHERE o.id = ?`;

function getRow(ctx: SqliteContext, id: string): OrderRowWithItems | undefined {
  return ctx.prepare(ORDER_BY_ID).get(id) as OrderRowWithItems | undefined;
}

const updateText = perColumnSet((keys) => `UPDATE orders SET ${keys.map((k) => `${ORDER_COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`);

/** Writes `update` to `current`: the order's columns (one UPDATE per set of patched columns, prepared once), refunds, timeline, outbox, anomalies. */
function writeUpdate(ctx: SqliteContext, current: OrderRecord, update: OrderUpdate | null): OrderUpdateResult {
  if (!update) return { order: current, changed: false, newAnomalies: [] };
  const patch: OrderPatch = update.patch ?? {};
  const keys = patchKeys(patch);
  if (keys.length > 0) {
    ctx.prepare(updateText(keys)).run(...keys.map((k) => (k === 'lastPaymentError' ? serializeJson(patch.lastPaymentError) : patch[k])), current.id);
  }
  const refunds = update.refunds ?? [];
  for (const refund of refunds) upsertRefund(ctx, refund);
  insertEvents(ctx, current.id, update.events);
  insertOutbox(ctx, update.outbox);
  const newAnomalies = (update.anomalies ?? []).map((anomaly) => insertAnomaly(ctx, anomaly)).filter((a) => a.inserted).map((a) => a.anomaly);
  const changed = keys.length > 0 || refunds.length > 0;
  return { order: changed ? mergeUpdate(current, patch, refunds) : current, changed, newAnomalies };
}

/** Reads the order, asks `decide`, writes the update: inside the caller's transaction (updateOrder's, or a webhook's). */
export function updateOrderRow(ctx: SqliteContext, id: string, decide: OrderDecider): OrderUpdateResult | undefined {
  const row = getRow(ctx, id);
  if (!row) return undefined;
  const current = hydrate(ctx, row);
  return writeUpdate(ctx, current, decide(current));
}

/** Tells subscribers, after the commit, that an order changed. */
export function announceChange<T extends OrderUpdateResult | undefined>(ctx: SqliteContext, result: T): T {
  if (result?.changed) ctx.announce(result.order.id);
  return result;
}

export const orders: SqlitePart<OrderStore> = {
  store(ctx) {
    const { db } = ctx;
    const stmt = {
      orderByIntent: ctx.prepare(`${ORDER_SELECT} WHERE o.payment_intent_id = ?`),
      orderByKey: ctx.prepare('SELECT * FROM orders WHERE open_id = ? AND idempotency_key = ?'),
      insertOrder: ctx.prepare(`INSERT INTO orders (id, open_id, shopper_ref, status, currency, total_amount, create_request_id,
        idempotency_key, request_hash, created_at, updated_at, expires_at, next_check_at)
      VALUES (@id, @openId, @shopperRef, @status, @currency, @totalAmount, @createRequestId, @idempotencyKey, @requestHash,
        @createdAt, @updatedAt, @expiresAt, @nextCheckAt)`),
      insertItem: ctx.prepare(
        'INSERT INTO order_items (order_id, line, sku, names, quantity, unit_amount) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      listOrders: ctx.prepare(
        `${ORDER_SELECT} WHERE o.open_id = ? AND o.payment_intent_id IS NOT NULL ORDER BY o.created_at DESC, o.id DESC LIMIT ?`,
      ),
      countOpen: ctx.prepare(`SELECT COUNT(*) AS n FROM orders WHERE open_id = ? AND status IN (${OPEN})`),
      claimRetrieve: ctx.prepare('UPDATE orders SET retrieved_at = ? WHERE id = ? AND (retrieved_at IS NULL OR retrieved_at <= ?)'),
      due: ctx.prepare('SELECT * FROM orders WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at, id LIMIT ?'),
      lease: ctx.prepare('UPDATE orders SET next_check_at = ? WHERE id = ?'),
      countByStatus: ctx.prepare('SELECT status, COUNT(*) AS n FROM orders GROUP BY status'),
    };
    const hydrateRow = (row: OrderRow) => hydrate(ctx, row);
    const rowsToOrders = (rows: unknown[]) => (rows as OrderRow[]).map(hydrateRow);

    const insertOrderTx = ctx.transaction((order: NewOrder, options: { events?: NewOrderEvent[]; maxOpenOrders?: number }): InsertOrderResult => {
      if (order.idempotencyKey !== null) {
        const existing = stmt.orderByKey.get(order.openId, order.idempotencyKey) as OrderRow | undefined;
        if (existing) {
          return { kind: existing.request_hash === order.requestHash ? 'existing' : 'conflict', order: hydrateRow(existing) };
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
      insertEvents(ctx, order.id, events);
      return { kind: 'created', order: newOrderRecord(order) };
    });

    const updateOrderTx = ctx.transaction((id: string, decide: OrderDecider) => updateOrderRow(ctx, id, decide));

    const claimDueTx = ctx.transaction((now: number, limit: number, leaseUntil: number): OrderRecord[] => {
      const rows = stmt.due.all(now, limit) as OrderRow[];
      for (const row of rows) stmt.lease.run(leaseUntil, row.id);
      return rows.map((row) => ({ ...hydrateRow(row), nextCheckAt: leaseUntil }));
    });

    return {
      async insertOrder(order, options = {}) {
        const result = await insertOrderTx(order, options);
        if (result.kind === 'created') ctx.announce(order.id);
        return result;
      },
      async getOrder(id) {
        const row = getRow(ctx, id);
        return row && hydrateRow(row);
      },
      async getOrderByIntent(intentId) {
        const row = stmt.orderByIntent.get(intentId) as OrderRow | undefined;
        return row && hydrateRow(row);
      },
      async listOrders(openId, limit) {
        return rowsToOrders(stmt.listOrders.all(openId, limit));
      },
      async updateOrder(id, decide) {
        return announceChange(ctx, await updateOrderTx(id, decide));
      },
      async claimRetrieve(orderId, now, minIntervalMs) {
        return (await ctx.write(() => stmt.claimRetrieve.run(now, orderId, now - minIntervalMs))).changes === 1;
      },
      async claimDueOrders(now, limit, leaseUntil) {
        return claimDueTx(now, limit, leaseUntil);
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
    };
  },
};
