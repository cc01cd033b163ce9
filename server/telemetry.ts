// Operational metrics in Prometheus' format (prom-client), one registry per server instance.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from './store/types';

/** What the services report; the server's /metrics exposes it. */
export interface Telemetry {
  readonly registry: Registry;
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  orderCreated(): void;
  /** An order reached `status` (paid, processing, cancelled, expired …). */
  orderStatus(status: string): void;
  /** requested, succeeded, failed, rejected (refused by Airwallex at creation). */
  refund(outcome: string): void;
  /** One HTTP attempt to Airwallex; `status` is the HTTP status, or `network` when none came. */
  airwallexCall(operation: string, status: string, seconds: number): void;
  /** applied, duplicate, refused, deferred, ignored, unknown_order. */
  webhook(event: string, outcome: string): void;
  longPollStarted(): void;
  longPollEnded(): void;
  sweepRun(report: { checked: number; failures: number; due: number }): void;
  anomaly(kind: string): void;
  /**
   * An operator's token tried at a door: the console's sign-in form (ok, refused, limited), or a
   * bearer token refused (or limited) on the admin API or /metrics. Rightful bearer requests are not counted.
   */
  adminSignIn(outcome: 'ok' | 'refused' | 'limited', door: 'console' | 'api' | 'metrics'): void;
  /** A subscription message attempt came to `outcome` (sent, refused, failed, retry, unknown), or an accept was recorded (accepted). */
  subscriptionMessage(template: string, outcome: string): void;
  /** The shared WeChat access token: refreshed (stable_token called), or failed. */
  wechatToken(outcome: 'refreshed' | 'failed'): void;
  /** A script error the mini program reported (POST /api/client-errors), by kind and build (develop, trial, release). */
  clientError(kind: string, envVersion: string): void;
  /** A reconciliation run ended: clean (nothing flagged), flagged, or failed. */
  reconciliationRun(outcome: 'clean' | 'flagged' | 'failed'): void;
  /** A reconciliation flag opened a new anomaly (missing_in_airwallex, duplicate, …). */
  reconciliationFlag(flag: string): void;
  /** One try of an order event at EVENTS_URL: delivered, retry (a failed try, to retry), failed (given up after 72 h). */
  eventDelivery(outcome: 'delivered' | 'retry' | 'failed'): void;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The metrics of one server. Counters count in this process (sum them across instances); the
 * gauges of orders and anomalies are read from the database at scrape time, so every instance
 * reports the same shop-wide figures.
 */
export function createTelemetry(store: Pick<Store, 'countOrdersByStatus' | 'listAnomalies' | 'countMessagesByState' | 'listReconciliationRuns' | 'countOutboxByState'>, options: { defaultMetrics?: boolean } = {}): Telemetry {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const registers = [registry];

  const httpRequests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by route and status.', labelNames: ['method', 'route', 'status'], registers });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request (long polls included: see the route label).',
    labelNames: ['method', 'route', 'status'],
    buckets: SECONDS,
    registers,
  });
  const ordersCreated = new Counter({ name: 'shop_orders_created_total', help: 'Orders created.', registers });
  const orderStatus = new Counter({ name: 'shop_order_status_changes_total', help: 'Orders that reached a status.', labelNames: ['status'], registers });
  const refunds = new Counter({ name: 'shop_refunds_total', help: 'Refunds by outcome (requested, succeeded, failed, rejected).', labelNames: ['outcome'], registers });
  const airwallexCalls = new Counter({ name: 'airwallex_requests_total', help: 'HTTP attempts to Airwallex, by operation and status.', labelNames: ['operation', 'status'], registers });
  const airwallexDuration = new Histogram({
    name: 'airwallex_request_duration_seconds',
    help: 'Time of one HTTP attempt to Airwallex.',
    labelNames: ['operation'],
    buckets: SECONDS,
    registers,
  });
  const webhooks = new Counter({ name: 'shop_webhooks_total', help: 'Airwallex webhook deliveries, by event and outcome.', labelNames: ['event', 'outcome'], registers });
  const longPolls = new Gauge({ name: 'shop_long_polls_in_flight', help: 'Long polls waiting right now in this process.', registers });
  const sweepRuns = new Counter({ name: 'shop_sweep_runs_total', help: 'Sweep passes run.', registers });
  const sweepChecked = new Counter({ name: 'shop_sweep_orders_checked_total', help: 'Orders the sweep checked.', registers });
  const sweepFailures = new Counter({ name: 'shop_sweep_failures_total', help: 'Order checks the sweep could not finish (retried with backoff).', registers });
  const sweepDue = new Gauge({ name: 'shop_sweep_orders_due', help: 'Orders due in the last sweep pass.', registers });
  const sweepFailing = new Gauge({ name: 'shop_sweep_orders_failing', help: 'Orders whose check failed in the last sweep pass.', registers });
  const anomalies = new Counter({ name: 'shop_anomalies_total', help: 'Money anomalies found (each needs an operator).', labelNames: ['kind'], registers });
  const adminSignIns = new Counter({
    name: 'shop_admin_sign_ins_total',
    help: 'Operator tokens tried, by door (console: the sign-in form; api, metrics: refused bearer tokens) and outcome (ok, refused: wrong token, limited: too many attempts).',
    labelNames: ['door', 'outcome'],
    registers,
  });

  const messages = new Counter({
    name: 'shop_subscription_messages_total',
    help: 'Subscription messages, by template (paymentSucceeded, refundSucceeded) and outcome: accepted (a shopper accepted one for an order), sent, refused (43101), failed, retry, unknown (an interrupted attempt, not retried).',
    labelNames: ['template', 'outcome'],
    registers,
  });
  const wechatTokens = new Counter({ name: 'shop_wechat_token_refreshes_total', help: 'Refreshes of the shared WeChat access token (stable_token calls) made by this instance, by outcome.', labelNames: ['outcome'], registers });
  const clientErrors = new Counter({
    name: 'shop_client_errors_total',
    help: 'Script errors the mini program reported (POST /api/client-errors), by kind (error, rejection) and build (develop, trial, release, other).',
    labelNames: ['kind', 'build'],
    registers,
  });
  new Gauge({
    name: 'shop_subscription_messages',
    help: 'Subscription messages in the database, by state (waiting, due, sending, sent, refused, failed, unknown).',
    labelNames: ['state'],
    registers,
    async collect() {
      this.reset();
      for (const [state, count] of Object.entries(await store.countMessagesByState())) this.set({ state }, count);
    },
  });
  const reconciliationRuns = new Counter({ name: 'shop_reconciliation_runs_total', help: 'Reconciliation runs ended, by outcome (clean, flagged, failed).', labelNames: ['outcome'], registers });
  const reconciliationFlags = new Counter({
    name: 'shop_reconciliation_flags_total',
    help: 'Reconciliation flags that opened a new anomaly, by flag (a day run again counts none twice).',
    labelNames: ['flag'],
    registers,
  });
  new Gauge({
    name: 'shop_reconciliation_last_completed_timestamp_seconds',
    help: 'When the latest reconciliation run completed (any day, any instance); 0 when none has. Alert when it grows old.',
    registers,
    async collect() {
      const [latest] = (await store.listReconciliationRuns({ limit: 20, offset: 0 })).filter((run) => run.status === 'completed');
      this.set(latest?.finishedAt ? Math.floor(latest.finishedAt / 1000) : 0);
    },
  });

  const eventDeliveries = new Counter({
    name: 'shop_event_deliveries_total',
    help: 'Tries of order events at EVENTS_URL, by outcome (delivered; retry: a failed try, retried; failed: given up after 72 h, resend it from the console).',
    labelNames: ['outcome'],
    registers,
  });
  new Gauge({
    name: 'shop_events',
    help: 'Order events in the outbox, by delivery state (pending, delivered, failed, unsent: recorded without EVENTS_URL).',
    labelNames: ['state'],
    registers,
    async collect() {
      this.reset();
      for (const [state, count] of Object.entries(await store.countOutboxByState())) this.set({ state }, count);
    },
  });

  new Gauge({
    name: 'shop_orders',
    help: 'Orders in the database, by status.',
    labelNames: ['status'],
    registers,
    async collect() {
      this.reset();
      for (const [status, count] of Object.entries(await store.countOrdersByStatus())) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'shop_open_anomalies',
    help: 'Anomalies not yet marked resolved (at most 1000 counted).',
    registers,
    async collect() {
      this.set((await store.listAnomalies({ openOnly: true, limit: 1000, offset: 0 })).length);
    },
  });

  return {
    registry,
    httpRequest(method, route, status, seconds) {
      const labels = { method, route, status: String(status) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, seconds);
    },
    orderCreated: () => ordersCreated.inc(),
    orderStatus: (status) => orderStatus.inc({ status }),
    refund: (outcome) => refunds.inc({ outcome }),
    airwallexCall(operation, status, seconds) {
      airwallexCalls.inc({ operation, status });
      airwallexDuration.observe({ operation }, seconds);
    },
    webhook: (event, outcome) => webhooks.inc({ event, outcome }),
    longPollStarted: () => longPolls.inc(),
    longPollEnded: () => longPolls.dec(),
    sweepRun(report) {
      sweepRuns.inc();
      sweepChecked.inc(report.checked);
      sweepFailures.inc(report.failures);
      sweepDue.set(report.due);
      sweepFailing.set(report.failures);
    },
    anomaly: (kind) => anomalies.inc({ kind }),
    adminSignIn: (outcome, door) => adminSignIns.inc({ door, outcome }),
    subscriptionMessage: (template, outcome) => messages.inc({ template, outcome }),
    wechatToken: (outcome) => wechatTokens.inc({ outcome }),
    clientError: (kind, envVersion) => clientErrors.inc({ kind, build: ['develop', 'trial', 'release'].includes(envVersion) ? envVersion : 'other' }),
    reconciliationRun: (outcome) => reconciliationRuns.inc({ outcome }),
    reconciliationFlag: (flag) => reconciliationFlags.inc({ flag }),
    eventDelivery: (outcome) => eventDeliveries.inc({ outcome }),
  };
}
