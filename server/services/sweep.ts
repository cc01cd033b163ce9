// The background sweep: finishes what requests and webhooks left open, so no order stays stuck,
// and one order that keeps failing can never hold up the others.
import { isFinal } from '../contract';
import type { Logger } from '../logger';
import type { OrderRecord, PruneResult, Store } from '../store/types';
import type { Telemetry } from '../telemetry';
import type { OrderChanges } from './order-changes';
import { expiryOf, nextCheckFor } from './order-rules';
import { RETRIEVE_INTERVAL_MS, type OrderService } from './orders';
import { hasPendingRefund } from './refund-rules';
import type { RefundService } from './refunds';
import { appErrorOf } from './upstream-errors';
import type { WebhookService } from './webhooks';

export interface SweepDeps {
  store: Store;
  orders: OrderService;
  refunds: RefundService;
  webhooks: WebhookService;
  changes: OrderChanges;
  logger: Logger;
  telemetry: Telemetry;
  /** An open order nothing told us about for this long is checked (order-rules.ts Schedule). */
  staleAfterMs: number;
  /** First retry delay after a failed check; doubles per failure up to MAX_BACKOFF_MS. */
  backoffBaseMs: number;
  /** Webhook events are kept this long (their ids deduplicate Airwallex's retries), then pruned. */
  webhookRetentionMs: number;
  now?: () => number;
}

export interface SweepReport {
  webhooksReplayed: number;
  /** Orders taken from the due list. */
  due: number;
  checked: number;
  expired: number;
  recovered: number;
  refundsReconciled: number;
  failures: number;
  /** Orders that reached REPORT_AFTER_FAILURES consecutive failures in this pass. */
  reported: number;
  pruned: PruneResult;
}

/** Orders claimed per batch, and batches per pass (the rest waits for the next pass). */
const BATCH = 50;
const MAX_BATCHES = 10;
/** Orders checked at once: Airwallex allows ~20 requests/s per endpoint for the whole account. */
const CONCURRENCY = 4;
/** A claimed order is the claimer's for this long; if it dies, another instance takes the order after. */
const LEASE_MS = 5 * 60_000;
export const MAX_BACKOFF_MS = 60 * 60_000;
/** After this many failures in a row an order is reported (error log, counter, anomaly) and checked hourly. */
export const REPORT_AFTER_FAILURES = 5;
const PRUNE_BATCH = 1000;

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepReport> | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: SweepDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** One pass; concurrent calls share the pass in progress. */
  sweepOnce(): Promise<SweepReport> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Runs a pass now and then every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    const tick = () => {
      this.sweepOnce()
        .then((report) => {
          const busy = report.webhooksReplayed + report.expired + report.recovered + report.failures + report.refundsReconciled > 0;
          if (busy) this.deps.logger.info(report, 'sweep');
        })
        .catch((err) => this.deps.logger.error({ err }, 'sweep failed'));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<SweepReport> {
    const report: SweepReport = {
      webhooksReplayed: 0,
      due: 0,
      checked: 0,
      expired: 0,
      recovered: 0,
      refundsReconciled: 0,
      failures: 0,
      reported: 0,
      pruned: { sessions: 0, webhookEvents: 0, adminSessions: 0, rateLimits: 0 },
    };
    report.webhooksReplayed = await this.deps.webhooks.replayUnapplied();
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const now = this.now();
      // Oldest due first; each order is leased, so other instances skip it and a crash frees it later.
      const orders = await this.deps.store.claimDueOrders(now, BATCH, now + LEASE_MS);
      report.due += orders.length;
      await forEachLimited(orders, CONCURRENCY, (order) => this.checkOne(order, report));
      if (orders.length < BATCH) break;
    }
    const now = this.now();
    report.pruned = await this.deps.store.prune({ now, webhookEventsBefore: now - this.deps.webhookRetentionMs, batch: PRUNE_BATCH });
    this.deps.telemetry.sweepRun(report);
    return report;
  }

  /** Does what a due order needs, then schedules its next check (or backs off after a failure). */
  private async checkOne(claimed: OrderRecord, report: SweepReport): Promise<void> {
    const { orders } = this.deps;
    const now = this.now();
    try {
      let order = claimed;
      if (hasPendingRefund(order)) {
        order = await this.deps.refunds.reconcile(order);
        report.refundsReconciled++;
      }
      if (!isFinal(order.status)) {
        if (!order.paymentIntentId) {
          if (now >= expiryOf(order)) {
            await orders.expireOrder(order);
            report.expired++;
          } else {
            // An intent create that never completed (answer lost, Airwallex down, process killed):
            // finish it with the order's stored request_id, so Airwallex either answers
            // duplicate_request (the intent exists: link it) or creates the one intent now.
            await orders.ensureIntent(order);
            report.recovered++;
          }
        } else if (order.status === 'awaiting_payment' && now >= expiryOf(order)) {
          await orders.expireOrder(order);
          report.expired++;
        } else if (order.status === 'processing' || order.confirmedAt !== null) {
          await orders.refreshOrder(order.id, RETRIEVE_INTERVAL_MS);
        }
        // Else a cart nobody tried to pay: nothing to ask Airwallex until it expires.
      }
      report.checked++;
      await this.deps.store.updateOrder(claimed.id, (current) => ({
        patch: { checkFailures: 0, nextCheckAt: nextCheckFor(current, this.now(), this.deps) },
      }));
    } catch (err) {
      report.failures++;
      await this.failed(claimed, err, report);
    }
  }

  /** Backs off exponentially; at REPORT_AFTER_FAILURES the order is reported instead of hammered. */
  private async failed(order: OrderRecord, err: unknown, report: SweepReport): Promise<void> {
    const now = this.now();
    // The app's words for an Airwallex failure, as the shopper and the operator read it elsewhere.
    const described = appErrorOf(err);
    const message = described instanceof Error ? described.message : String(described);
    const failures = order.checkFailures + 1;
    const step = Math.min(MAX_BACKOFF_MS, this.deps.backoffBaseMs * 2 ** (failures - 1));
    const nextCheckAt = now + Math.round(step * (0.8 + Math.random() * 0.4));
    const reportNow = failures === REPORT_AFTER_FAILURES;
    const result = await this.deps.store
      .updateOrder(order.id, () => ({
        patch: { checkFailures: failures, nextCheckAt },
        events: [{ kind: 'sweep', source: 'sweep', data: { error: message, failures, nextCheckAt }, at: now }],
        anomalies: reportNow
          ? [{ kind: 'sweep_failing', key: `sweep_failing:${order.id}`, orderId: order.id, intentId: order.paymentIntentId, detail: { failures, error: message }, at: now }]
          : [],
      }))
      .catch((storeErr: unknown) => {
        this.deps.logger.error({ orderId: order.id, err: storeErr }, 'sweep could not record a failed check');
        return undefined;
      });
    if (reportNow) {
      report.reported++;
      if (result) this.deps.changes.reportAnomalies(result);
      this.deps.logger.error({ orderId: order.id, failures, err: message }, 'sweep keeps failing on this order: reported as an anomaly, checked at most hourly from now on');
    } else {
      this.deps.logger.warn({ orderId: order.id, failures, retryInMs: nextCheckAt - now, err: message }, 'sweep could not check the order');
    }
  }
}

/** Runs `work` on every item, at most `limit` at a time. */
async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}
