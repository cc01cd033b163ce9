// The outbox of order events: each event written in the transaction that changed its order (order.paid, refund.succeeded …),
// its body frozen as sent; its delivery to the merchant's EVENTS_URL (claimed by one instance at a time, retried, given up);
// the feed that lists every event in a stable order.

/** pending: to deliver; delivered: a 2xx came back; failed: given up after the retry window; unsent: no EVENTS_URL when written. */
export type OutboxState = 'pending' | 'delivered' | 'failed' | 'unsent';

export const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'delivered', 'failed', 'unsent'];

/** An event as written with its order's change. */
export interface NewOutboxEvent {
  /** `evt_…`: the same on every delivery try, and in the feed. */
  id: string;
  orderId: string;
  /** order.paid, order.cancelled, order.expired, refund.succeeded, refund.failed */
  type: string;
  createdAt: number;
  /** The JSON body, exactly as delivered (and signed) and as the feed returns it. */
  body: string;
  /** pending when EVENTS_URL is set (delivered from now on), else unsent (recorded for the feed only). */
  state: 'pending' | 'unsent';
  /** Pending: when the deliverer gives up on it (failed). */
  giveUpAt: number | null;
}

/** An event with its delivery so far; times are epoch milliseconds. */
export interface OutboxEventRecord {
  /** The order of writing: one order's events in the order they happened. */
  seq: number;
  id: string;
  orderId: string;
  type: string;
  createdAt: number;
  body: string;
  state: OutboxState;
  /** Delivery tries so far (each claim counts one). */
  attempts: number;
  /** Failed tries in a row since it was (re)sent: the backoff's exponent. */
  retries: number;
  /** Pending: the next try, or the end of the claim of an instance trying it now. */
  nextAttemptAt: number | null;
  giveUpAt: number | null;
  lastAttemptAt: number | null;
  /** What the last failed try got: `HTTP 500`, `timeout after 10 s`, `connection refused` … */
  lastError: string | null;
  deliveredAt: number | null;
}

/** An event claimed for one try, with the claim's token (its outcome is recorded under it). */
export interface ClaimedOutboxEvent extends OutboxEventRecord {
  claim: string;
}

/** What one try came to. */
export type OutboxAttempt =
  | { kind: 'delivered'; at: number }
  /** Tried again at `nextAttemptAt`; `failedTry` false when the try never happened (the server stopped first). */
  | { kind: 'retry'; at: number; error: string; nextAttemptAt: number; failedTry: boolean }
  | { kind: 'failed'; at: number; error: string };

/** One entry of the feed: its position (the cursor after it) and its body. */
export interface OutboxFeedEntry {
  position: number;
  body: string;
}

export interface OutboxStore {
  /**
   * Events after `after` (a position from an earlier answer, 0 for the start), oldest first, at
   * most `limit`: positions grow in commit order, so a consumer resuming from its last position
   * never misses an event that committed later with a smaller seq (PostgreSQL, several instances).
   */
  outboxFeed(after: number, limit: number): Promise<OutboxFeedEntry[]>;
  /** An order's events, in the order they happened. */
  outboxOfOrder(orderId: string): Promise<OutboxEventRecord[]>;
  /** Events for the console, newest first, in one state or any, and how many match. */
  searchOutbox(query: { state?: OutboxState; limit: number; offset: number }): Promise<{ events: OutboxEventRecord[]; total: number }>;
  /** Events per state, for metrics. */
  countOutboxByState(): Promise<Record<string, number>>;
  /**
   * The deliverer's work: up to `limit` pending events due at `now`, each the oldest pending event
   * of its order (so one order's events go out in order, one at a time), claimed with `claim` until
   * `leaseUntil` in the same statement and their attempt counted: several instances never try one
   * event at once (PostgreSQL: FOR UPDATE SKIP LOCKED); a claim whose instance died lapses at `leaseUntil`.
   */
  claimOutbox(now: number, limit: number, leaseUntil: number, claim: string): Promise<ClaimedOutboxEvent[]>;
  /** Records a try's outcome, if `claim` still holds the event (else another instance took it over: false). */
  recordOutboxAttempt(id: string, claim: string, attempt: OutboxAttempt): Promise<boolean>;
  /**
   * Sends a delivered, failed or unsent event again: pending from `now`, retries from the first step,
   * until `giveUpAt`. A pending one is left as it is. Undefined when there is no such event.
   */
  resendOutbox(id: string, now: number, giveUpAt: number): Promise<{ event: OutboxEventRecord; resent: boolean } | undefined>;
  /** resendOutbox for every failed event at once (oldest first, so one order's go out in order); how many. */
  resendFailedOutbox(now: number, giveUpAt: number): Promise<number>;
}
