// Subscription messages: the accepts shoppers gave for an order's messages, each sent at most once, and their methods.
import type { MessageTemplateName } from '../../config-notifications';
import type { NewOrderEvent } from '../timeline/types';

export type { MessageTemplateName } from '../../config-notifications';

/**
 * Where a message stands: `waiting` for its order's event (paid, a refund succeeded), `due` (to send,
 * not before nextAttemptAt), `sending` (an attempt is recorded: WeChat is being called), then `sent`,
 * `refused` (43101: no consent left at WeChat), `failed` (WeChat refused this message, or retries ran
 * out) or `unknown` (an attempt was interrupted; never tried again, so never sent twice).
 */
export type MessageState = 'waiting' | 'due' | 'sending' | 'sent' | 'refused' | 'failed' | 'unknown';

export const FINAL_MESSAGE_STATES: readonly MessageState[] = ['sent', 'refused', 'failed', 'unknown'];

/** One accept of a shopper for one message of one order. */
export interface MessageRecord {
  orderId: string;
  templateId: string;
  template: MessageTemplateName;
  openId: string;
  /** The status as WeChat answered the panel: accept, acceptWithAudio, … */
  acceptStatus: string;
  /** The message's language for WeChat (zh_CN, en_US), from the shopper's request. */
  lang: string;
  state: MessageState;
  acceptedAt: number;
  /** When the order's event happened (paid, refunded); null while waiting. */
  eventAt: number | null;
  /** The refund the refund message is about (the first that succeeded). */
  refundId: string | null;
  nextAttemptAt: number | null;
  /** Attempts recorded (each before calling WeChat). */
  attempts: number;
  attemptAt: number | null;
  /** WeChat's msgid of the sent message (a 64-bit integer, as text). */
  msgid: string | null;
  /** Why the last attempt did not send (for operators). */
  error: string | null;
  updatedAt: number;
}

export interface NewAccept {
  templateId: string;
  template: MessageTemplateName;
  acceptStatus: string;
  lang: string;
}

/** What an attempt came to: a final state, or `due` again (not sent for sure) with the time of the next attempt. */
export type MessageOutcome =
  | { state: 'sent'; msgid: string }
  | { state: 'refused' | 'failed' | 'unknown'; error: string }
  | { state: 'due'; error: string; nextAttemptAt: number };

export interface MessageStore {
  /**
   * Records the accepts of the shopper `openId` for order `orderId`'s messages, one row per (order,
   * template), each once: a repeat changes nothing. Under the order's row lock, so a row is `due` at
   * once when its event has happened already (the order is paid; one of its refunds succeeded) and
   * `waiting` otherwise (a trigger makes it due in the transaction that stores the event). Each new
   * row goes on the order's timeline. Undefined when the order is not this shopper's.
   */
  recordAccepts(orderId: string, openId: string, accepts: NewAccept[], now: number): Promise<{ recorded: MessageRecord[]; inserted: string[] } | undefined>;
  /**
   * Claims up to `limit` due messages (nextAttemptAt <= now), oldest first: each becomes `sending`
   * with its attempt counted, committed before the claimer calls WeChat. A message is claimed by one
   * instance at a time (SKIP LOCKED on PostgreSQL), and a `sending` one is never claimed again.
   */
  claimDueMessages(now: number, limit: number): Promise<MessageRecord[]>;
  /**
   * Records what the attempt came to, with its timeline event, if the message is still `sending`
   * (false otherwise: it was given up as interrupted meanwhile).
   */
  finishMessage(orderId: string, templateId: string, outcome: MessageOutcome, event: NewOrderEvent, now: number): Promise<boolean>;
  /**
   * Messages `sending` since before `before` (their sender died, or hung past any timeout) become
   * `unknown`, each with a timeline event made by `eventFor`: WeChat may or may not have sent them,
   * and they are never tried again. Returns them.
   */
  abandonInterruptedMessages(before: number, now: number, eventFor: (message: MessageRecord) => NewOrderEvent): Promise<MessageRecord[]>;
  /** An order's messages, oldest accept first. */
  orderMessages(orderId: string): Promise<MessageRecord[]>;
  /** How many messages are in each state (for /metrics). */
  countMessagesByState(): Promise<Partial<Record<MessageState, number>>>;
}
