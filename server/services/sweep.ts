// The background sweep: finishes what requests and webhooks left open, so no order stays stuck.
import type { Logger } from '../logger';
import type { Store } from '../store/types';
import type { OrderService } from './orders';
import type { WebhookService } from './webhooks';

export interface SweepDeps {
  store: Store;
  orders: OrderService;
  webhooks: WebhookService;
  logger: Logger;
  /** An open order not checked for this long is retrieved from Airwallex. */
  staleAfterMs: number;
  /** An order whose intent creation has not completed for this long is looked up upstream. */
  creationGraceMs?: number;
  now?: () => number;
}

export interface SweepReport {
  webhooksReplayed: number;
  checked: number;
  expired: number;
  recovered: number;
  failures: number;
}

const BATCH = 50;

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
          if (report.webhooksReplayed + report.expired + report.recovered + report.failures > 0) this.deps.logger.info(report, 'sweep');
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
    const { store, orders, webhooks } = this.deps;
    const now = this.now();
    const report: SweepReport = { webhooksReplayed: 0, checked: 0, expired: 0, recovered: 0, failures: 0 };
    const attempt = async (what: string, orderId: string, work: () => Promise<unknown>) => {
      try {
        await work();
        return true;
      } catch (err) {
        report.failures++;
        this.deps.logger.warn({ orderId, err: err instanceof Error ? err.message : String(err) }, `sweep could not ${what}`);
        return false;
      }
    };

    report.webhooksReplayed = await webhooks.replayUnapplied();

    for (const order of await store.ordersPastExpiry(now, BATCH)) {
      if (await attempt('expire the order', order.id, () => orders.expireOrder(order))) report.expired++;
    }

    // An intent create that never completed (answer lost, Airwallex down, process killed) and was not
    // retried: finish it with the order's stored request_id, so Airwallex either answers
    // duplicate_request (the intent exists: link it) or creates the one intent now.
    const graceMs = this.deps.creationGraceMs ?? 60_000;
    for (const order of await store.ordersWithoutIntent(now - graceMs, BATCH)) {
      if (await attempt('recover the intent', order.id, () => orders.ensureIntent(order))) report.recovered++;
    }

    for (const order of await store.ordersToCheck(now - this.deps.staleAfterMs, BATCH)) {
      if (await attempt('retrieve the intent', order.id, () => orders.refreshOrder(order.id, { force: true }))) report.checked++;
    }
    return report;
  }
}
