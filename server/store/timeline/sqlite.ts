// An order's timeline on SQLite: appended inside the transaction that changes the order, read oldest first.
import type { SqliteContext, SqlitePart } from '../sqlite-context';
import type { NewOrderEvent, OrderEventRecord, TimelineStore } from './types';

/** Appends `events` to the order's timeline, inside the caller's transaction. */
export function insertEvents(ctx: SqliteContext, orderId: string, events: NewOrderEvent[] | undefined): void {
  const insertEvent = ctx.prepare('INSERT INTO order_events (order_id, at, kind, source, data) VALUES (?, ?, ?, ?, ?)');
  for (const event of events ?? []) insertEvent.run(orderId, event.at, event.kind, event.source, JSON.stringify(event.data));
}

export const timeline: SqlitePart<TimelineStore> = {
  store(ctx) {
    const stmt = {
      eventsOf: ctx.prepare('SELECT * FROM order_events WHERE order_id = ? ORDER BY at, id'),
    };
    return {
      async orderEvents(orderId) {
        return (stmt.eventsOf.all(orderId) as Array<{ id: number; order_id: string; at: number; kind: OrderEventRecord['kind']; source: string | null; data: string }>).map(
          (row) => ({ id: row.id, orderId: row.order_id, at: row.at, kind: row.kind, source: row.source, data: JSON.parse(row.data) }),
        );
      },
    };
  },
};
