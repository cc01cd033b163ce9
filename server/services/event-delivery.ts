// The background deliverer of order events to the merchant's EVENTS_URL (docs/events.md): woken when a change writes an
// event (and every second for retries and other instances' events), it claims due events from the outbox, one per order
// at a time and oldest first, POSTs each signed, and records the outcome. At least once, the same id every try: a 2xx
// is delivered; anything else is retried with backoff (within 5 s, doubling, at most an hour apart) for 72 h, then failed.
// Its work never runs in a request: the payment path only writes the outbox row, in its own transaction.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger';
import type { EventsClient } from '../merchant/events-client';
import type { ClaimedOutboxEvent, Store } from '../store/types';
import type { Telemetry } from '../telemetry';

export interface EventDeliveryDeps {
  store: Pick<Store, 'claimOutbox' | 'recordOutboxAttempt'>;
  client: Pick<EventsClient, 'send'>;
  logger: Logger;
  telemetry: Pick<Telemetry, 'eventDelivery'>;
  /** The client's timeout: a claim outlasts a try by far, so no other instance takes an event while it is being tried. */
  timeoutMs: number;
  /** The first retry's delay (5 s); each failure in a row doubles it, up to `retryMaxMs`. */
  retryFirstMs?: number;
  retryMaxMs?: number;
  /** How often to look for due events without being woken (retries, events another instance wrote). */
  pollMs?: number;
  now?: () => number;
}

export const RETRY_FIRST_MS = 5_000;
export const RETRY_MAX_MS = 3600_000;
/** Events claimed at once, and tried at once (different orders). */
const BATCH = 20;
const CONCURRENCY = 8;
/** Claim rounds per pass: after a delivery the order's next event is due at once, so a pass goes on while there is work. */
const MAX_ROUNDS = 50;

export class EventDelivery {
  /** Events written while this deliverer runs are pending (to deliver), not unsent. */
  readonly delivering = true;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly instance = randomBytes(6).toString('hex');
  private claims = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wanted = false;
  private stopped = false;
  private readonly stopping = new AbortController();

  constructor(private readonly deps: EventDeliveryDeps) {
    this.now = deps.now ?? Date.now;
    this.leaseMs = 2 * deps.timeoutMs + 1_000;
  }

  /** Delivers what is due now, then every `pollMs` and whenever woken, until stop(). */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.wake(), this.deps.pollMs ?? 1_000);
    this.timer.unref();
    this.wake();
  }

  /** Asks for a pass soon (a change just wrote an event, an operator resent one); passes never overlap. */
  wake(): void {
    this.wanted = true;
    if (!this.running && !this.stopped) this.running = this.loop();
  }

  /** Stops: tries in flight are abandoned (not counted: another instance, or the next start, sends them again). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.running;
  }

  /** One pass, for tests: everything due now, until nothing is. */
  async deliverDue(): Promise<void> {
    this.wanted = true;
    await (this.running ??= this.loop());
  }

  private async loop(): Promise<void> {
    try {
      while (this.wanted && !this.stopped) {
        this.wanted = false;
        await this.pass().catch((err: unknown) => this.deps.logger.warn({ err }, 'order events: could not claim due events; trying again shortly'));
      }
    } finally {
      this.running = undefined;
    }
  }

  private async pass(): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS && !this.stopped; round++) {
      const now = this.now();
      const claimed = await this.deps.store.claimOutbox(now, BATCH, now + this.leaseMs, `${this.instance}.${++this.claims}`);
      if (claimed.length === 0) return;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, claimed.length) }, async () => {
          while (next < claimed.length) await this.deliver(claimed[next++]);
        }),
      );
    }
  }

  /** One try of one claimed event, and its outcome recorded under the claim. */
  private async deliver(event: ClaimedOutboxEvent): Promise<void> {
    const { logger, telemetry } = this.deps;
    const outcome = await this.deps.client.send({ id: event.id, body: event.body }, this.stopping.signal);
    const at = this.now();
    const about = { eventId: event.id, type: event.type, orderId: event.orderId, attempt: event.attempts };
    let attempt: Parameters<Store['recordOutboxAttempt']>[2];
    if (outcome.ok) {
      attempt = { kind: 'delivered', at };
      telemetry.eventDelivery('delivered');
      logger.info({ ...about, status: outcome.status }, 'order event delivered');
    } else if (outcome.stopped) {
      attempt = { kind: 'retry', at, error: outcome.error, nextAttemptAt: at, failedTry: false };
    } else if (event.giveUpAt !== null && at >= event.giveUpAt) {
      attempt = { kind: 'failed', at, error: outcome.error };
      telemetry.eventDelivery('failed');
      logger.error({ ...about, error: outcome.error }, 'order event given up after its retry window: resend it from the console once EVENTS_URL answers 2xx');
    } else {
      const nextAttemptAt = at + this.delayAfter(event.retries);
      attempt = { kind: 'retry', at, error: outcome.error, nextAttemptAt, failedTry: true };
      telemetry.eventDelivery('retry');
      logger.warn({ ...about, error: outcome.error, retryInMs: nextAttemptAt - at }, 'order event not delivered; retrying');
    }
    const recorded = await this.deps.store.recordOutboxAttempt(event.id, event.claim, attempt).catch((err: unknown) => {
      // Its claim lapses and the event is tried again: at least once, never lost.
      logger.warn({ ...about, err }, 'order event: could not record the try; it will be tried again');
      return true;
    });
    if (!recorded) logger.warn(about, 'order event: the claim had lapsed (another instance took it over); this try is not recorded');
  }

  /** Backoff after `retries` failures in a row: the first within RETRY_FIRST_MS, doubling, at most RETRY_MAX_MS (jittered down by up to 20%). */
  private delayAfter(retries: number): number {
    const first = this.deps.retryFirstMs ?? RETRY_FIRST_MS;
    const step = Math.min(this.deps.retryMaxMs ?? RETRY_MAX_MS, first * 2 ** Math.min(retries, 30));
    return Math.max(1, Math.round(step * (0.8 + Math.random() * 0.2)));
  }
}
