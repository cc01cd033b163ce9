// Webhook events on PostgreSQL: recorded once per id (its primary key) and applied to their order in the same transaction.
import { decideAndWrite, lockAndRead, type OrderRowWithLines } from '../orders/postgres';
import { inBatchTransaction } from '../postgres-client';
import { first, type PostgresPart, sqlLiteral as L } from '../postgres-context';
import type { WebhookRecordResult, WebhookStore } from './types';

interface EventRow {
  id: string;
  name: string;
  order_id: string | null;
  payload: string;
  received_at: number;
}

export const webhooks: PostgresPart<WebhookStore> = {
  store({ pool, rows }) {
    return {
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
            {
              name: 'insert_webhook_event_applied',
              text: `INSERT INTO webhook_events (id, name, order_id, payload, received_at, applied_at, outcome)
                SELECT $1::text, $2::text, $3::text, $4::text, $5::bigint, $6::bigint,
                  CASE WHEN EXISTS (SELECT 1 FROM orders WHERE id = $7::text) THEN 'applied' ELSE 'unknown_order' END
                ON CONFLICT (id) DO NOTHING`,
              values: [event.id, event.name, event.orderId, event.payload, event.receivedAt, at, apply.orderId],
            },
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
    };
  },
  prune: {
    // Only events already applied: an unapplied one is still owed to its order.
    webhookEvents: ({ webhookEventsBefore, batch }) =>
      `DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events WHERE received_at < ${webhookEventsBefore} AND applied_at IS NOT NULL LIMIT ${batch})`,
  },
};
