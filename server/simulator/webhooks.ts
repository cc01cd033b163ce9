// Signs and delivers Airwallex webhooks from a persisted queue, with retries and injected drop/duplicate/reorder faults.
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import type { FastifyBaseLogger } from 'fastify';
import { airwallexId, formatTimestamp } from './format';
import type { Counters } from './stats';
import type { SimulatorStore, DeliveryRecord } from './store';
import type { FaultSettings, PaymentAttempt, PaymentIntent, Refund, WebhookEvent } from './types';

export const WEBHOOK_ACCOUNT_ID = 'acct_simulator';
export const WEBHOOK_VERSION = '2025-06-30';

const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 10_000;
/** A held-back event goes out once a later event of its intent has, or after this long at most. */
const REORDER_MAX_HOLD_MS = 2_000;
/** Gap between the two copies of a duplicated event (WeChat spaces its own duplicates ~1 s; tests want speed). */
const DUPLICATE_GAP_MS = 20;
const ATTEMPT_TIMEOUT_MS = 5_000;
/** How often to look again while webhookUrl() is still undefined (the server is not listening yet). */
const NO_URL_POLL_MS = 200;
const BATCH = 50;
/** Deliveries in flight at once, across intents; events of one intent still go one at a time, in queue order. */
const MAX_IN_FLIGHT = 32;

export interface WebhookDispatcherOptions {
  store: SimulatorStore;
  secret: string;
  url: () => string | undefined;
  faults: () => FaultSettings;
  random: () => number;
  counters: () => Counters;
  /** The simulator clock, for the event's created_at. Scheduling and x-timestamp use real time. */
  now: () => number;
  logger: FastifyBaseLogger;
  /** Event names to send; undefined sends all. */
  subscribed?: ReadonlySet<string>;
}

/** Lowercase hex HMAC-SHA256 over `timestamp + rawBody`, as Airwallex signs (docs/reference/airwallex.md §8). */
export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret).update(timestamp + rawBody).digest('hex');
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<AbortController>();
  /** Deliveries being sent, by id, and the lanes (intents) they hold. */
  private readonly busyIds = new Set<number>();
  private readonly busyLanes = new Set<string>();
  /** laneOf() per queued delivery, so the queue is not re-parsed on every pump. */
  private readonly lanes = new Map<number, string>();
  private readonly sending = new Set<Promise<void>>();
  /** Whether emit() queued a delivery since the last schedule(): most changes emit only events nobody subscribed to. */
  private queued = false;
  private closed = false;

  constructor(private readonly opts: WebhookDispatcherOptions) {}

  /** Picks up deliveries left in the queue by a previous run. */
  start(): void {
    this.pump();
  }

  /**
   * Queues one event. Called inside the transaction that changed the intent (or refund), so the
   * event is persisted with the change; the HTTP delivery happens later, off the request path.
   */
  emit(name: string, object: PaymentIntent | PaymentAttempt | Refund): void {
    if (this.opts.subscribed && !this.opts.subscribed.has(name)) return;
    const faults = this.opts.faults();
    const counters = this.opts.counters().webhooks;
    const event: WebhookEvent = {
      id: airwallexId('evt'),
      name,
      account_id: WEBHOOK_ACCOUNT_ID,
      data: { object },
      created_at: formatTimestamp(this.opts.now()),
      version: WEBHOOK_VERSION,
    };
    if (this.opts.random() < faults.webhookDropRate) {
      counters.dropped++;
      this.opts.logger.info({ eventId: event.id, name }, 'simulator: webhook dropped (fault)');
      return;
    }
    const body = JSON.stringify(event);
    let at = Date.now() + faults.webhookDelayMs;
    let heldLane: string | null = null;
    if (this.opts.random() < faults.webhookReorderRate) {
      // Held back until the next event of the same intent has been delivered: that one overtakes it,
      // whatever the speed of the machine; alone, it goes out after REORDER_MAX_HOLD_MS.
      counters.reordered++;
      at += REORDER_MAX_HOLD_MS;
      heldLane = laneOfObject(object, event.id);
    }
    this.opts.store.addDelivery(event.id, body, at, heldLane);
    this.queued = true;
    if (this.opts.random() < faults.webhookDuplicateRate) {
      counters.duplicated++;
      this.opts.store.addDelivery(event.id, body, at + DUPLICATE_GAP_MS, heldLane);
    }
  }

  /** Starts what is due now. Call after the transaction that queued events commits. */
  schedule(): void {
    if (!this.queued) return;
    this.queued = false;
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.arm(undefined);
    for (const controller of this.inFlight) controller.abort();
    await Promise.all([...this.sending]);
  }

  private arm(delayMs: number | undefined): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (delayMs === undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delayMs);
    this.timer.unref();
  }

  /**
   * Keeps up to MAX_IN_FLIGHT deliveries going: one lane per intent, delivered in queue order, so
   * only the injected reorder fault reorders an intent's events, and a slow receiver call holds up
   * its own intent only. Runs again whenever a delivery ends, and on a timer for future ones.
   */
  private pump(): void {
    if (this.closed || !this.opts.store.isOpen) return;
    let url: string | undefined;
    try {
      url = this.opts.url();
    } catch {
      url = undefined;
    }
    if (!url) {
      this.arm(NO_URL_POLL_MS); // keep everything queued until the receiver has a URL
      return;
    }
    const now = Date.now();
    const seen = new Set<string>();
    if (this.busyIds.size < MAX_IN_FLIGHT) {
      for (const delivery of this.opts.store.dueDeliveries(now, BATCH)) {
        if (this.busyIds.size >= MAX_IN_FLIGHT) break;
        let lane = this.lanes.get(delivery.id);
        let body: string | undefined;
        if (lane === undefined) {
          body = this.opts.store.deliveryBody(delivery.id);
          this.lanes.set(delivery.id, (lane = laneOf(delivery.eventId, body)));
        }
        // The first due delivery of a lane is its oldest: later ones wait for it.
        if (seen.has(lane) || this.busyLanes.has(lane) || this.busyIds.has(delivery.id)) {
          seen.add(lane);
          continue;
        }
        seen.add(lane);
        body ??= this.opts.store.deliveryBody(delivery.id);
        if (body !== undefined) this.start_({ ...delivery, body }, lane, url);
      }
    }
    // Deliveries due later (retries, delays, held-back events) get a timer; due ones start when a lane frees up.
    const next = this.opts.store.nextDeliveryAfter(now);
    this.arm(next === undefined ? undefined : Math.max(1, next - now));
  }

  private start_(delivery: Sending, lane: string, url: string): void {
    this.busyIds.add(delivery.id);
    this.busyLanes.add(lane);
    const sending: Promise<void> = this.deliver(delivery, url)
      .catch((err: unknown) => this.opts.logger.error({ err }, 'simulator: webhook delivery crashed'))
      .finally(() => {
        this.busyIds.delete(delivery.id);
        this.busyLanes.delete(lane);
        this.sending.delete(sending);
        this.pump();
      });
    this.sending.add(sending);
  }

  private async deliver(delivery: Sending, url: string): Promise<void> {
    const counters = this.opts.counters().webhooks;
    const timestamp = String(Date.now()); // fresh per try, so a receiver's replay window keeps accepting retries
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), ATTEMPT_TIMEOUT_MS);
    timeout.unref();
    let outcome: string;
    counters.sent++;
    try {
      // undici's request rather than fetch: a tenth of the simulator's time under load went to fetch's web streams.
      const response = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-timestamp': timestamp,
          'x-signature': signWebhook(this.opts.secret, timestamp, delivery.body),
        },
        body: delivery.body,
        signal: controller.signal,
      });
      await response.body.dump().catch(() => undefined); // drain, so the connection can be reused
      outcome = response.statusCode === 200 ? 'ok' : `HTTP ${response.statusCode}`;
    } catch (err) {
      outcome = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    // After close() the database is gone; the delivery stays queued for the next run (at-least-once).
    if (this.closed || !this.opts.store.isOpen) return;
    if (outcome === 'ok') {
      counters.delivered++;
      this.opts.store.deleteDelivery(delivery.id);
      const lane = this.lanes.get(delivery.id);
      this.lanes.delete(delivery.id);
      if (lane !== undefined) this.opts.store.releaseHeld(lane, Date.now());
      return;
    }
    counters.failed++;
    const attempts = delivery.attempts + 1;
    // Exponential backoff with jitter (between half and all of the step), capped; retried until a 200.
    const step = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempts - 1));
    const delay = Math.round(step / 2 + (Math.random() * step) / 2);
    this.opts.store.rescheduleDelivery(delivery.id, attempts, Date.now() + delay);
    this.opts.logger.info({ eventId: delivery.eventId, attempts, outcome, retryInMs: delay }, 'simulator: webhook delivery failed');
  }
}

/** A delivery going out, with the event it sends. */
type Sending = DeliveryRecord & { body: string };

/** The intent an event is about (an attempt or a refund names its intent), so one intent's events keep their order. */
function laneOf(eventId: string, body: string | undefined): string {
  try {
    return body === undefined ? eventId : laneOfObject((JSON.parse(body) as WebhookEvent).data.object, eventId);
  } catch {
    return eventId;
  }
}

function laneOfObject(object: WebhookEvent['data']['object'], eventId: string): string {
  const fields = object as Partial<PaymentAttempt & PaymentIntent>;
  return fields.payment_intent_id ?? fields.id ?? eventId;
}
