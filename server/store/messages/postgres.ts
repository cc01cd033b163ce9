// Subscription messages on PostgreSQL: accepts recorded under the order's row lock, due messages claimed with SKIP LOCKED
// (one instance per message), each outcome written with its timeline event in one statement.
import { inTransaction } from '../postgres-client';
import type { PostgresPart } from '../postgres-context';
import { EVENT_OF, messageFromRow, type MessageRow } from './common';
import type { MessageRecord, MessageState, MessageStore } from './types';

const INTERRUPTED = 'the attempt was interrupted (the server stopped while calling WeChat): not tried again';

export const messages: PostgresPart<MessageStore> = {
  store({ pool, rows }) {
    return {
      async recordAccepts(orderId, openId, accepts, now) {
        return inTransaction(pool, async (client) => {
          // The lock first, in a statement of its own: the insert after it reads the refunds as committed by
          // whoever held the lock (an order turning paid, a refund succeeding), never an older snapshot.
          const owner = await client.query<{ open_id: string }>('SELECT open_id FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
          if (owner.rows[0]?.open_id !== openId) return undefined;
          const inserted: string[] = [];
          for (const accept of accepts) {
            const { rows: added } = await client.query<{ state: MessageState }>(
              `WITH x AS (SELECT $3::text AS template), added AS (
                 INSERT INTO subscription_messages (order_id, template_id, template, open_id, accept_status, lang, state, accepted_at,
                   event_at, refund_id, next_attempt_at, attempts, updated_at)
                 SELECT o.id, $2, x.template, o.open_id, $4, $5,
                   CASE WHEN ${EVENT_OF.happened} THEN 'due' ELSE 'waiting' END, $6,
                   CASE WHEN ${EVENT_OF.happened} THEN ${EVENT_OF.at} END, CASE WHEN ${EVENT_OF.happened} THEN ${EVENT_OF.refundId} END,
                   CASE WHEN ${EVENT_OF.happened} THEN 0 END, 0, $6
                 FROM orders o, x WHERE o.id = $1
                 ON CONFLICT (order_id, template_id) DO NOTHING
                 RETURNING state
               ), timeline AS (
                 INSERT INTO order_events (order_id, at, kind, source, data)
                 SELECT $1, $6, 'message', 'shopper',
                   jsonb_build_object('template', $3::text, 'templateId', $2::text, 'outcome', 'accepted', 'status', $4::text, 'waiting', state = 'waiting')
                 FROM added
               )
               SELECT state FROM added`,
              [orderId, accept.templateId, accept.template, accept.acceptStatus, accept.lang, now],
            );
            if (added.length > 0) inserted.push(accept.templateId);
          }
          const recorded = await client.query<MessageRow>('SELECT * FROM subscription_messages WHERE order_id = $1 ORDER BY accepted_at, template_id', [orderId]);
          return { recorded: recorded.rows.map(messageFromRow), inserted };
        });
      },
      async claimDueMessages(now, limit) {
        const claimed = await rows<MessageRow>(
          `UPDATE subscription_messages m SET state = 'sending', attempts = m.attempts + 1, attempt_at = $1, updated_at = $1
           FROM (SELECT order_id, template_id FROM subscription_messages WHERE state = 'due' AND next_attempt_at <= $1
                 ORDER BY next_attempt_at, order_id, template_id LIMIT $2 FOR UPDATE SKIP LOCKED) d
           WHERE m.order_id = d.order_id AND m.template_id = d.template_id
           RETURNING m.*`,
          [now, limit],
          'claim_due_messages',
        );
        return claimed.map(messageFromRow).sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0));
      },
      async finishMessage(orderId, templateId, outcome, event, now) {
        const finished = await rows<{ order_id: string }>(
          `WITH m AS (
             UPDATE subscription_messages SET state = $3, msgid = $4, error = $5, next_attempt_at = $6, updated_at = $7
             WHERE order_id = $1 AND template_id = $2 AND state = 'sending'
             RETURNING order_id
           ), timeline AS (
             INSERT INTO order_events (order_id, at, kind, source, data) SELECT order_id, $8, $9, $10, $11::jsonb FROM m
           )
           SELECT order_id FROM m`,
          [
            orderId,
            templateId,
            outcome.state,
            outcome.state === 'sent' ? outcome.msgid : null,
            outcome.state === 'sent' ? null : outcome.error,
            outcome.state === 'due' ? outcome.nextAttemptAt : null,
            now,
            event.at,
            event.kind,
            event.source,
            JSON.stringify(event.data),
          ],
        );
        return finished.length > 0;
      },
      async abandonInterruptedMessages(before, now, eventFor) {
        return inTransaction(pool, async (client) => {
          const { rows: found } = await client.query<MessageRow>(
            `UPDATE subscription_messages SET state = 'unknown', error = $3, updated_at = $2
             WHERE state = 'sending' AND attempt_at < $1 RETURNING *`,
            [before, now, INTERRUPTED],
          );
          const abandoned: MessageRecord[] = found.map(messageFromRow).sort((a, b) => (a.attemptAt ?? 0) - (b.attemptAt ?? 0));
          for (const message of abandoned) {
            const event = eventFor(message);
            await client.query('INSERT INTO order_events (order_id, at, kind, source, data) VALUES ($1, $2, $3, $4, $5::jsonb)', [
              message.orderId,
              event.at,
              event.kind,
              event.source,
              JSON.stringify(event.data),
            ]);
          }
          return abandoned;
        });
      },
      async orderMessages(orderId) {
        return (await rows<MessageRow>('SELECT * FROM subscription_messages WHERE order_id = $1 ORDER BY accepted_at, template_id', [orderId])).map(messageFromRow);
      },
      async countMessagesByState() {
        const counted = await rows<{ state: MessageState; n: number }>('SELECT state, COUNT(*)::int AS n FROM subscription_messages GROUP BY state', []);
        return Object.fromEntries(counted.map((row) => [row.state, row.n]));
      },
    };
  },
};
