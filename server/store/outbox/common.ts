// What both dialects share for the outbox: the row as the drivers return it, and its record.
import type { ClaimedOutboxEvent, OutboxAttempt, OutboxEventRecord, OutboxState } from './types';

export interface OutboxRow {
  seq: number;
  id: string;
  order_id: string;
  type: string;
  created_at: number;
  body: string;
  state: OutboxState;
  attempts: number;
  retries: number;
  next_attempt_at: number | null;
  give_up_at: number | null;
  claim: string | null;
  last_attempt_at: number | null;
  last_error: string | null;
  delivered_at: number | null;
}

export function outboxFromRow(row: OutboxRow): OutboxEventRecord {
  return {
    seq: row.seq,
    id: row.id,
    orderId: row.order_id,
    type: row.type,
    createdAt: row.created_at,
    body: row.body,
    state: row.state,
    attempts: row.attempts,
    retries: row.retries,
    nextAttemptAt: row.next_attempt_at,
    giveUpAt: row.give_up_at,
    lastAttemptAt: row.last_attempt_at,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
  };
}

export function claimedFromRow(row: OutboxRow): ClaimedOutboxEvent {
  return { ...outboxFromRow(row), claim: row.claim ?? '' };
}

/** The columns an attempt's outcome sets, by name (both dialects bind them their own way). */
export function attemptColumns(attempt: OutboxAttempt): Record<string, string | number | null> {
  switch (attempt.kind) {
    case 'delivered':
      return { state: 'delivered', delivered_at: attempt.at, next_attempt_at: null, claim: null };
    case 'failed':
      return { state: 'failed', last_error: storableError(attempt.error), next_attempt_at: null, claim: null };
    case 'retry':
      return { last_error: storableError(attempt.error), next_attempt_at: attempt.nextAttemptAt, claim: null };
  }
}

/** Errors are shown to operators and stored as text: short, and nothing a store refuses. */
export function storableError(error: string): string {
  // eslint-disable-next-line no-control-regex
  return error.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' ').replace(/[\ud800-\udfff]/g, '\ufffd').slice(0, 500);
}
