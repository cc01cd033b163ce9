// The outbox on SQLite: events written inside their order's transaction; claims, outcomes and resends each one transaction.
import type { SqliteContext, SqlitePart } from '../sqlite-context';
import { attemptColumns, claimedFromRow, outboxFromRow, type OutboxRow } from './common';
import type { NewOutboxEvent, OutboxStore } from './types';

/** Appends `events` to the outbox, inside the caller's transaction (updateOrder's): they commit or roll back with the change. */
export function insertOutbox(ctx: SqliteContext, events: NewOutboxEvent[] | undefined): void {
  const insert = ctx.prepare(`INSERT INTO outbox (id, order_id, type, created_at, body, state, next_attempt_at, give_up_at)
    VALUES (@id, @orderId, @type, @createdAt, @body, @state, @nextAttemptAt, @giveUpAt)`);
  for (const event of events ?? []) insert.run({ ...event, nextAttemptAt: event.state === 'pending' ? event.createdAt : null });
}

/** The oldest pending event of each order, due: what a claim may take (one order's events go out one at a time, in order). */
const DUE = `SELECT * FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= ?
  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.order_id = o.order_id AND p.state = 'pending' AND p.seq < o.seq)
  ORDER BY o.next_attempt_at, o.seq LIMIT ?`;

export const outbox: SqlitePart<OutboxStore> = {
  store(ctx) {
    const { db } = ctx;
    const stmt = {
      feed: ctx.prepare('SELECT seq AS position, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?'),
      ofOrder: ctx.prepare('SELECT * FROM outbox WHERE order_id = ? ORDER BY seq'),
      byId: ctx.prepare('SELECT * FROM outbox WHERE id = ?'),
      due: ctx.prepare(DUE),
      claim: ctx.prepare('UPDATE outbox SET claim = ?, next_attempt_at = ?, attempts = attempts + 1, last_attempt_at = ? WHERE seq = ?'),
      countByState: ctx.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state'),
      resend: ctx.prepare(
        "UPDATE outbox SET state = 'pending', retries = 0, next_attempt_at = ?, give_up_at = ?, claim = NULL WHERE id = ? AND state <> 'pending'",
      ),
      resendFailed: ctx.prepare("UPDATE outbox SET state = 'pending', retries = 0, next_attempt_at = ?, give_up_at = ?, claim = NULL WHERE state = 'failed'"),
    };
    const claimTx = ctx.transaction((now: number, limit: number, leaseUntil: number, claim: string) => {
      const rows = stmt.due.all(now, limit) as OutboxRow[];
      for (const row of rows) stmt.claim.run(claim, leaseUntil, now, row.seq);
      return rows.map((row) => claimedFromRow({ ...row, claim, next_attempt_at: leaseUntil, attempts: row.attempts + 1, last_attempt_at: now }));
    });
    const resendTx = ctx.transaction((id: string, now: number, giveUpAt: number) => {
      const resent = stmt.resend.run(now, giveUpAt, id).changes === 1;
      const row = stmt.byId.get(id) as OutboxRow | undefined;
      return row && { event: outboxFromRow(row), resent };
    });
    return {
      async outboxFeed(after, limit) {
        return stmt.feed.all(after, limit) as Array<{ position: number; body: string }>;
      },
      async outboxOfOrder(orderId) {
        return (stmt.ofOrder.all(orderId) as OutboxRow[]).map(outboxFromRow);
      },
      async searchOutbox({ state, limit, offset }) {
        const where = state ? 'WHERE state = ?' : '';
        const params = state ? [state] : [];
        const rows = db.prepare(`SELECT * FROM outbox ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...params, limit, offset) as OutboxRow[];
        const total = (db.prepare(`SELECT COUNT(*) AS n FROM outbox ${where}`).get(...params) as { n: number }).n;
        return { events: rows.map(outboxFromRow), total };
      },
      async countOutboxByState() {
        const counts: Record<string, number> = {};
        for (const row of stmt.countByState.all() as Array<{ state: string; n: number }>) counts[row.state] = row.n;
        return counts;
      },
      async claimOutbox(now, limit, leaseUntil, claim) {
        return claimTx(now, limit, leaseUntil, claim);
      },
      async recordOutboxAttempt(id, claim, attempt) {
        const columns = attemptColumns(attempt);
        const bump = attempt.kind === 'retry' && attempt.failedTry ? ', retries = retries + 1' : '';
        const sets = Object.keys(columns).map((column) => `${column} = @${column}`).join(', ');
        const update = ctx.prepare(`UPDATE outbox SET ${sets}${bump} WHERE id = @id AND claim = @claimed`);
        return (await ctx.write(() => update.run({ ...columns, id, claimed: claim }))).changes === 1;
      },
      async resendOutbox(id, now, giveUpAt) {
        return resendTx(id, now, giveUpAt);
      },
      async resendFailedOutbox(now, giveUpAt) {
        return (await ctx.write(() => stmt.resendFailed.run(now, giveUpAt))).changes;
      },
    };
  },
};
