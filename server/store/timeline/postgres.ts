// An order's timeline on PostgreSQL: appended by a statement sent in the transaction that changes the order, read oldest first.
import type { PreparedStatement } from '../postgres-client';
import type { PostgresPart } from '../postgres-context';
import type { NewOrderEvent, TimelineStore } from './types';

/** INSERT of timeline events for `orderId`, in their order (prepared: one is sent with nearly every change). */
export function insertEventsStatement(orderId: string, events: NewOrderEvent[]): PreparedStatement {
  return {
    name: 'insert_order_events',
    text: `INSERT INTO order_events (order_id, at, kind, source, data)
      SELECT $1::text, (x.e->>'at')::bigint, x.e->>'kind', x.e->>'source', x.e->'data'
      FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY x.n`,
    values: [orderId, events],
  };
}

export const timeline: PostgresPart<TimelineStore> = {
  store({ rows }) {
    return {
      async orderEvents(orderId) {
        const found = await rows<{ id: number; order_id: string; at: number; kind: NewOrderEvent['kind']; source: string | null; data: Record<string, unknown> }>(
          'SELECT * FROM order_events WHERE order_id = $1 ORDER BY at, id',
          [orderId],
        );
        return found.map((row) => ({ id: row.id, orderId: row.order_id, at: row.at, kind: row.kind, source: row.source, data: row.data }));
      },
    };
  },
};
