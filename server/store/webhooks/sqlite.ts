// Webhook events on SQLite: recorded once per id, and applied to their order in the same transaction.
import { announceChange, updateOrderRow } from '../orders/sqlite';
import type { OrderDecider } from '../orders/types';
import type { SqlitePart } from '../sqlite-context';
import type { WebhookEventRecord, WebhookRecordResult, WebhookStore } from './types';

export const webhooks: SqlitePart<WebhookStore> = {
  store(ctx) {
    const stmt = {
      insertWebhook: ctx.prepare(`INSERT OR IGNORE INTO webhook_events (id, name, order_id, payload, received_at)
      VALUES (@id, @name, @orderId, @payload, @receivedAt)`),
      // Recorded with its outcome, decided by the order's presence (as on PostgreSQL): one write instead of an insert
      // as unapplied (into webhook_events_unapplied) and an update out of it. If applying throws, nothing is kept.
      insertRecorded: ctx.prepare(`INSERT OR IGNORE INTO webhook_events (id, name, order_id, payload, received_at, applied_at, outcome)
      SELECT @id, @name, @orderId, @payload, @receivedAt, @at,
        CASE WHEN @applyTo IS NULL THEN 'ignored' WHEN EXISTS (SELECT 1 FROM orders WHERE id = @applyTo) THEN 'applied' ELSE 'unknown_order' END`),
      markApplied: ctx.prepare('UPDATE webhook_events SET applied_at = ?, outcome = ? WHERE id = ?'),
      unapplied: ctx.prepare('SELECT * FROM webhook_events WHERE applied_at IS NULL ORDER BY received_at LIMIT ?'),
      webhookOutcome: ctx.prepare('SELECT outcome FROM webhook_events WHERE id = ?'),
    };

    const recordWebhookEventTx = ctx.transaction(
      (event: WebhookEventRecord, apply: { orderId: string; decide: OrderDecider } | undefined, at: number): WebhookRecordResult => {
        if (stmt.insertRecorded.run({ ...event, at, applyTo: apply?.orderId ?? null }).changes !== 1) return { inserted: false };
        if (!apply) return { inserted: true, outcome: 'ignored' };
        const update = updateOrderRow(ctx, apply.orderId, apply.decide);
        return { inserted: true, outcome: update ? 'applied' : 'unknown_order', update };
      },
    );

    return {
      async recordWebhookEvent(event, apply, at) {
        const result = await recordWebhookEventTx(event, apply, at);
        if (result.inserted) announceChange(ctx, result.update);
        return result;
      },
      async insertWebhookEvent(event) {
        return (await ctx.write(() => stmt.insertWebhook.run(event))).changes === 1;
      },
      async markWebhookEventApplied(id, outcome, at) {
        await ctx.write(() => stmt.markApplied.run(at, outcome, id));
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
    };
  },
  prune: {
    // Only events already applied: an unapplied one is still owed to its order.
    webhookEvents: (ctx, { webhookEventsBefore, batch }) =>
      ctx
        .prepare('DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events WHERE received_at < ? AND applied_at IS NOT NULL LIMIT ?)')
        .run(webhookEventsBefore, batch).changes,
  },
};
