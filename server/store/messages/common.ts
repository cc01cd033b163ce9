// What both dialects share for subscription messages: the row as the drivers return it, its record, and the SQL both run alike.
import type { MessageRecord, MessageState } from './types';

export interface MessageRow {
  order_id: string;
  template_id: string;
  template: MessageRecord['template'];
  open_id: string;
  accept_status: string;
  lang: string;
  state: MessageState;
  accepted_at: number;
  event_at: number | null;
  refund_id: string | null;
  next_attempt_at: number | null;
  attempts: number;
  attempt_at: number | null;
  msgid: string | null;
  error: string | null;
  updated_at: number;
}

export function messageFromRow(row: MessageRow): MessageRecord {
  return {
    orderId: row.order_id,
    templateId: row.template_id,
    template: row.template,
    openId: row.open_id,
    acceptStatus: row.accept_status,
    lang: row.lang,
    state: row.state,
    acceptedAt: row.accepted_at,
    eventAt: row.event_at,
    refundId: row.refund_id,
    nextAttemptAt: row.next_attempt_at,
    attempts: row.attempts,
    attemptAt: row.attempt_at,
    msgid: row.msgid,
    error: row.error,
    updatedAt: row.updated_at,
  };
}

/**
 * Whether the event of a message of `template` for order `o` has happened, and its time and refund:
 * the order is paid; or one of its refunds succeeded (the earliest). SQL over the order row `o`,
 * the same in both dialects.
 */
export const EVENT_OF = {
  happened: `CASE WHEN x.template = 'paymentSucceeded' THEN o.status = 'paid' ELSE EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id AND r.status = 'succeeded') END`,
  refundId: `CASE WHEN x.template = 'refundSucceeded' THEN (SELECT r.id FROM refunds r WHERE r.order_id = o.id AND r.status = 'succeeded' ORDER BY r.updated_at, r.id LIMIT 1) END`,
  at: `CASE WHEN x.template = 'paymentSucceeded' THEN COALESCE(o.paid_at, o.updated_at)
    ELSE (SELECT r.updated_at FROM refunds r WHERE r.order_id = o.id AND r.status = 'succeeded' ORDER BY r.updated_at, r.id LIMIT 1) END`,
};
