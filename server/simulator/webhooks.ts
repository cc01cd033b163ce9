// Signs and delivers Airwallex webhooks from a persisted queue, with retries and injected drop/duplicate/reorder faults.
import { createHmac } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { airwallexId, formatTimestamp } from './format';
import type { Counters } from './stats';
import type { SimulatorStore, DeliveryRecord } from './store';
import type { FaultSettings, PaymentAttempt, PaymentIntent, WebhookEvent } from './types';

export const WEBHOOK_ACCOUNT_ID = 'acct_simulator';
export const WEBHOOK_VERSION = '2025-06-30';

const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 10_000;
const REORDER_HOLD_MS = 300;
/** Gap between the two copies of a duplicated event (WeChat spaces its own duplicates ~1 s; tests want speed). */
const DUPLICATE_GAP_MS = 20;
const ATTEMPT_TIMEOUT_MS = 5_000;
/** How often to look again while webhookUrl() is still undefined (the server is not listening yet). */
const NO_URL_POLL_MS = 200;
const BATCH = 50;
/** Deliveries in flight at once, across intents; events of one intent still go one at a time, in queue order. */
const MAX_IN_FLIGHT = 8;

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
}

/** Lowercase hex HMAC-SHA256 over `timestamp + rawBody`, as Airwallex signs (airwallex.md §8). */
export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret).update(timestamp + rawBody).digest('hex');
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(private readonly opts: WebhookDispatcherOptions) {}

  /** Picks up deliveries left in the queue by a previous run. */
  start(): void {
    this.schedule();
  }

  /**
   * Queues one event. Called inside the transaction that changed the intent, so the event is
   * persisted with the change; the HTTP delivery happens later, off the request path.
   */
  emit(name: string, object: PaymentIntent | PaymentAttempt): void {
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
    if (this.opts.random() < faults.webhookReorderRate) {
      counters.reordered++;
      at += REORDER_HOLD_MS;
    }
    this.opts.store.addDelivery(event.id, body, at);
    if (this.opts.random() < faults.webhookDuplicateRate) {
      counters.duplicated++;
      this.opts.store.addDelivery(event.id, body, at + DUPLICATE_GAP_MS);
    }
  }

  /** Arms the timer for the earliest queued delivery. Call after the transaction that queued events commits. */
  schedule(): void {
    if (this.closed || this.running) return; // a running batch reschedules when it ends
    const next = this.opts.store.nextDeliveryAt();
    this.arm(next === undefined ? undefined : Math.max(0, next - Date.now()));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.arm(undefined);
    for (const controller of this.inFlight) controller.abort();
    await this.running;
  }

  private arm(delayMs: number | undefined): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (delayMs === undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runBatch()
        .catch((err: unknown) => {
          this.opts.logger.error({ err }, 'simulator: webhook batch failed');
          return 'retry' as const;
        })
        .then((next) => {
          this.running = undefined;
          if (next === 'poll' || next === 'retry') this.arm(NO_URL_POLL_MS);
          else this.schedule();
        });
    }, delayMs);
    this.timer.unref();
  }

  /** Delivers what is due; 'poll' when there is nowhere to deliver yet. */
  private async runBatch(): Promise<'poll' | 'done'> {
    let url: string | undefined;
    try {
      url = this.opts.url();
    } catch {
      url = undefined;
    }
    if (!url) return 'poll'; // keep everything queued until the receiver has a URL
    // One lane per intent, delivered in queue order, so only the injected reorder fault reorders an
    // intent's events; up to MAX_IN_FLIGHT lanes at once, so one slow receiver call does not hold up the rest.
    const lanes = new Map<string, DeliveryRecord[]>();
    for (const delivery of this.opts.store.dueDeliveries(Date.now(), BATCH)) {
      const key = laneOf(delivery);
      const lane = lanes.get(key);
      if (lane) lane.push(delivery);
      else lanes.set(key, [delivery]);
    }
    const queue = [...lanes.values()];
    const worker = async (): Promise<void> => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (const delivery of lane) {
          if (this.closed) return;
          await this.deliver(delivery, url);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_IN_FLIGHT, queue.length) }, worker));
    return 'done';
  }

  private async deliver(delivery: DeliveryRecord, url: string): Promise<void> {
    const counters = this.opts.counters().webhooks;
    const timestamp = String(Date.now()); // fresh per try, so a receiver's replay window keeps accepting retries
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), ATTEMPT_TIMEOUT_MS);
    timeout.unref();
    let outcome: string;
    counters.sent++;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-timestamp': timestamp,
          'x-signature': signWebhook(this.opts.secret, timestamp, delivery.body),
        },
        body: delivery.body,
        signal: controller.signal,
      });
      await response.arrayBuffer().catch(() => undefined); // drain, so the connection can be reused
      outcome = response.status === 200 ? 'ok' : `HTTP ${response.status}`;
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

/** The intent an event is about (an attempt names its intent), so one intent's events keep their order. */
function laneOf(delivery: DeliveryRecord): string {
  try {
    const object = (JSON.parse(delivery.body) as WebhookEvent).data.object as Partial<PaymentAttempt & PaymentIntent>;
    return object.payment_intent_id ?? object.id ?? delivery.eventId;
  } catch {
    return delivery.eventId;
  }
}
