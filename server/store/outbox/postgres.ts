// The outbox on PostgreSQL: events written by a statement sent in their order's transaction; claims with SKIP LOCKED; the
// feed's positions given in commit order by one sequencer at a time.
import { inBatchTransaction, type PreparedStatement } from '../postgres-client';
import { type PostgresPart, sqlLiteral as L } from '../postgres-context';
import { attemptColumns, claimedFromRow, outboxFromRow, type OutboxRow } from './common';
import type { NewOutboxEvent, OutboxFeedEntry, OutboxStore } from './types';

/**
 * The advisory lock of the feed's sequencer (and of every other multi-row update of the outbox, so
 * two of them never lock rows in opposite orders).
 */
export const OUTBOX_SEQUENCER_LOCK_KEY = '5133712049861277953';

/** INSERT of `events`, sent in the order's transaction (updateStatements in orders/postgres.ts): they commit or roll back with the change. */
export function insertOutboxStatement(events: NewOutboxEvent[]): PreparedStatement {
  return {
    name: 'insert_outbox',
    text: `INSERT INTO outbox (id, order_id, type, created_at, body, state, next_attempt_at, give_up_at)
      SELECT x.e->>'id', x.e->>'orderId', x.e->>'type', (x.e->>'createdAt')::bigint, x.e->>'body', x.e->>'state',
        CASE WHEN x.e->>'state' = 'pending' THEN (x.e->>'createdAt')::bigint END, (x.e->>'giveUpAt')::bigint
      FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY x.n`,
    values: [events],
  };
}

/**
 * Gives positions to the committed events that have none, in seq order, after the highest given:
 * under the sequencer's lock, so positions are given (and committed) one sequencer at a time. A
 * transaction that commits late, with a small seq, gets a position after everything already read
 * through the feed: a cursor never passes an event it has not seen. At most `batch` at a time.
 */
function sequence(batch: number): string[] {
  return [
    `SELECT pg_advisory_xact_lock(${OUTBOX_SEQUENCER_LOCK_KEY})`,
    `WITH todo AS (
       SELECT seq FROM outbox WHERE position IS NULL ORDER BY seq LIMIT ${L(batch)} FOR UPDATE
     ), numbered AS (
       SELECT seq, row_number() OVER (ORDER BY seq) AS r FROM todo
     ), top AS (
       SELECT COALESCE(max(position), 0) AS position FROM outbox
     )
     UPDATE outbox o SET position = top.position + numbered.r FROM numbered, top WHERE o.seq = numbered.seq`,
  ];
}

/** What a sequencer gives positions to in one transaction; a longer backlog waits for the next read. */
const SEQUENCE_BATCH = 5000;

export const outbox: PostgresPart<OutboxStore> = {
  store({ pool, rows }) {
    return {
      async outboxFeed(after, limit) {
        // One round trip: lock, give positions, read the page, commit.
        const results = await inBatchTransaction(pool, (tx) =>
          tx.commit([...sequence(SEQUENCE_BATCH), `SELECT position, body FROM outbox WHERE position > ${L(after)} ORDER BY position LIMIT ${L(limit)}`]),
        );
        return results[2].rows as OutboxFeedEntry[];
      },
      async outboxOfOrder(orderId) {
        return (await rows<OutboxRow>('SELECT * FROM outbox WHERE order_id = $1 ORDER BY seq', [orderId], 'outbox_of_order')).map(outboxFromRow);
      },
      async searchOutbox({ state, limit, offset }) {
        const where = state ? 'WHERE state = $3' : '';
        const found = await rows<OutboxRow & { total: number }>(
          `SELECT *, count(*) OVER () AS total FROM outbox ${where} ORDER BY seq DESC LIMIT $1 OFFSET $2`,
          state ? [limit, offset, state] : [limit, offset],
        );
        if (found.length > 0) return { events: found.map(outboxFromRow), total: Number(found[0].total) };
        const [count] = await rows<{ n: number }>(`SELECT count(*) AS n FROM outbox ${state ? 'WHERE state = $1' : ''}`, state ? [state] : []);
        return { events: [], total: Number(count.n) };
      },
      async countOutboxByState() {
        const counts: Record<string, number> = {};
        for (const row of await rows<{ state: string; n: number }>('SELECT state, count(*) AS n FROM outbox GROUP BY state', [])) counts[row.state] = Number(row.n);
        return counts;
      },
      async claimOutbox(now, limit, leaseUntil, claim) {
        // An event another instance is claiming or recording right now is skipped, not waited for; so
        // is every later event of its order (the oldest pending one blocks them until it is delivered).
        const claimed = await rows<OutboxRow & { due_at: number }>(
          `WITH due AS MATERIALIZED (
             SELECT o.seq, o.next_attempt_at AS due_at FROM outbox o
             WHERE o.state = 'pending' AND o.next_attempt_at <= $1
               AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.order_id = o.order_id AND p.state = 'pending' AND p.seq < o.seq)
             ORDER BY o.next_attempt_at, o.seq LIMIT $2
             FOR UPDATE SKIP LOCKED
           ), claimed AS (
             UPDATE outbox o SET claim = $4, next_attempt_at = $3, attempts = o.attempts + 1, last_attempt_at = $1
             FROM due WHERE o.seq = due.seq RETURNING o.*, due.due_at
           )
           SELECT * FROM claimed ORDER BY due_at, seq`,
          [now, limit, leaseUntil, claim],
          'outbox_claim',
        );
        return claimed.map(claimedFromRow);
      },
      async recordOutboxAttempt(id, claim, attempt) {
        const columns = attemptColumns(attempt);
        const names = Object.keys(columns);
        const sets = names.map((column, i) => `${column} = $${i + 3}`).join(', ');
        const bump = attempt.kind === 'retry' && attempt.failedTry ? ', retries = retries + 1' : '';
        const result = await pool.query(`UPDATE outbox SET ${sets}${bump} WHERE id = $1 AND claim = $2`, [id, claim, ...names.map((column) => columns[column])]);
        return result.rowCount === 1;
      },
      async resendOutbox(id, now, giveUpAt) {
        const [row] = await rows<OutboxRow & { resent: boolean }>(
          `WITH resent AS (
             UPDATE outbox SET state = 'pending', retries = 0, next_attempt_at = $2, give_up_at = $3, claim = NULL
             WHERE id = $1 AND state <> 'pending' RETURNING *
           )
           SELECT *, true AS resent FROM resent
           UNION ALL SELECT *, false AS resent FROM outbox WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM resent)`,
          [id, now, giveUpAt],
        );
        return row && { event: outboxFromRow(row), resent: row.resent };
      },
      async resendFailedOutbox(now, giveUpAt) {
        // Under the sequencer's lock: one multi-row update of the outbox at a time (no deadlock with it).
        const results = await inBatchTransaction(pool, (tx) =>
          tx.commit([
            `SELECT pg_advisory_xact_lock(${OUTBOX_SEQUENCER_LOCK_KEY})`,
            `UPDATE outbox SET state = 'pending', retries = 0, next_attempt_at = ${L(now)}, give_up_at = ${L(giveUpAt)}, claim = NULL WHERE state = 'failed'`,
          ]),
        );
        return results[1].rowCount ?? 0;
      },
    };
  },
};
