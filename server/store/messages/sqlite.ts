// Subscription messages on SQLite: each method one transaction on the one connection (which serializes them, so the
// order read in recordAccepts cannot change before the insert), timeline events written in the same transaction.
import type { SqlitePart } from '../sqlite-context';
import { insertEvents } from '../timeline/sqlite';
import { EVENT_OF, messageFromRow, type MessageRow } from './common';
import type { MessageRecord, MessageState, MessageStore, NewAccept } from './types';

export const messages: SqlitePart<MessageStore> = {
  store(ctx) {
    const stmt = {
      owner: ctx.prepare('SELECT open_id FROM orders WHERE id = ?'),
      insert: ctx.prepare(
        `INSERT INTO subscription_messages (order_id, template_id, template, open_id, accept_status, lang, state, accepted_at,
           event_at, refund_id, next_attempt_at, attempts, updated_at)
         SELECT o.id, @templateId, x.template, o.open_id, @acceptStatus, @lang,
           CASE WHEN ${EVENT_OF.happened} THEN 'due' ELSE 'waiting' END, @now,
           CASE WHEN ${EVENT_OF.happened} THEN ${EVENT_OF.at} END, CASE WHEN ${EVENT_OF.happened} THEN ${EVENT_OF.refundId} END,
           CASE WHEN ${EVENT_OF.happened} THEN 0 END, 0, @now
         FROM orders o, (SELECT @template AS template) x
         WHERE o.id = @orderId
         ON CONFLICT (order_id, template_id) DO NOTHING
         RETURNING state`,
      ),
      ofOrder: ctx.prepare('SELECT * FROM subscription_messages WHERE order_id = ? ORDER BY accepted_at, template_id'),
      due: ctx.prepare("SELECT * FROM subscription_messages WHERE state = 'due' AND next_attempt_at <= ? ORDER BY next_attempt_at, order_id, template_id LIMIT ?"),
      claim: ctx.prepare("UPDATE subscription_messages SET state = 'sending', attempts = attempts + 1, attempt_at = ?, updated_at = ? WHERE order_id = ? AND template_id = ? AND state = 'due'"),
      finish: ctx.prepare(
        "UPDATE subscription_messages SET state = @state, msgid = @msgid, error = @error, next_attempt_at = @nextAttemptAt, updated_at = @now WHERE order_id = @orderId AND template_id = @templateId AND state = 'sending'",
      ),
      interrupted: ctx.prepare("SELECT * FROM subscription_messages WHERE state = 'sending' AND attempt_at < ? ORDER BY attempt_at"),
      abandon: ctx.prepare("UPDATE subscription_messages SET state = 'unknown', error = ?, updated_at = ? WHERE order_id = ? AND template_id = ? AND state = 'sending'"),
      count: ctx.prepare('SELECT state, COUNT(*) AS n FROM subscription_messages GROUP BY state'),
    };
    const ofOrder = (orderId: string): MessageRecord[] => (stmt.ofOrder.all(orderId) as MessageRow[]).map(messageFromRow);

    const record = ctx.transaction((orderId: string, openId: string, accepts: NewAccept[], now: number) => {
      const owner = stmt.owner.get(orderId) as { open_id: string } | undefined;
      if (!owner || owner.open_id !== openId) return undefined;
      const inserted: string[] = [];
      for (const accept of accepts) {
        const row = stmt.insert.get({ ...accept, orderId, now }) as { state: MessageState } | undefined;
        if (!row) continue;
        inserted.push(accept.templateId);
        const data = { template: accept.template, templateId: accept.templateId, outcome: 'accepted', status: accept.acceptStatus, waiting: row.state === 'waiting' };
        insertEvents(ctx, orderId, [{ kind: 'message', source: 'shopper', data, at: now }]);
      }
      return { recorded: ofOrder(orderId), inserted };
    });
    const claim = ctx.transaction((now: number, limit: number) => {
      const rows = stmt.due.all(now, limit) as MessageRow[];
      for (const row of rows) stmt.claim.run(now, now, row.order_id, row.template_id);
      return rows.map((row) => messageFromRow({ ...row, state: 'sending', attempts: row.attempts + 1, attempt_at: now, updated_at: now }));
    });
    const finish = ctx.transaction((orderId: string, templateId: string, outcome: Parameters<MessageStore['finishMessage']>[2], event: Parameters<MessageStore['finishMessage']>[3], now: number) => {
      const changed = stmt.finish.run({
        orderId,
        templateId,
        state: outcome.state,
        msgid: outcome.state === 'sent' ? outcome.msgid : null,
        error: outcome.state === 'sent' ? null : outcome.error,
        nextAttemptAt: outcome.state === 'due' ? outcome.nextAttemptAt : null,
        now,
      }).changes;
      if (changed > 0) insertEvents(ctx, orderId, [event]);
      return changed > 0;
    });
    const abandon = ctx.transaction((before: number, now: number, eventFor: Parameters<MessageStore['abandonInterruptedMessages']>[2]) => {
      const rows = (stmt.interrupted.all(before) as MessageRow[]).map(messageFromRow);
      const error = 'the attempt was interrupted (the server stopped while calling WeChat): not tried again';
      return rows.map((message) => {
        stmt.abandon.run(error, now, message.orderId, message.templateId);
        const abandoned: MessageRecord = { ...message, state: 'unknown', error, updatedAt: now };
        insertEvents(ctx, message.orderId, [eventFor(abandoned)]);
        return abandoned;
      });
    });

    return {
      async recordAccepts(orderId, openId, accepts, now) {
        return record(orderId, openId, accepts, now);
      },
      async claimDueMessages(now, limit) {
        return claim(now, limit);
      },
      async finishMessage(orderId, templateId, outcome, event, now) {
        return finish(orderId, templateId, outcome, event, now);
      },
      async abandonInterruptedMessages(before, now, eventFor) {
        return abandon(before, now, eventFor);
      },
      async orderMessages(orderId) {
        return ofOrder(orderId);
      },
      async countMessagesByState() {
        return Object.fromEntries((stmt.count.all() as Array<{ state: MessageState; n: number }>).map((row) => [row.state, row.n]));
      },
    };
  },
};
