// What operators do, for the admin API and the merchant console alike: find, read, refund, re-check,
// resolve, reconcile, read and resend order events; every change written to the audit log with who asked for it.
import type { CreateRefundRequest, OrderEvent } from '../contract-admin';
import { AppError } from '../errors';
import type { AdminOrderQuery, AnomalyRecord, OrderEventRecord, OrderRecord, OutboxEventRecord, OutboxState, ReconciliationItem, ReconciliationRun, RefundRecord, Store } from '../store/types';
import { EVENT_RETRY_WINDOW_MS, type EventWriting } from './order-events';
import { overviewOf, type Overview } from './overview';
import type { ReconciliationService } from './reconciliation';
import type { RefundService } from './refunds';
import { appErrorOf } from './upstream-errors';

/** Who acts, and on behalf of which request (the audit log keeps both). */
export interface AdminContext {
  /** A fingerprint of the admin token (`admin:` + 8 hex digits), never the token. */
  actor: string;
  requestId: string;
  /** `api` (a bearer token) or `console` (a signed-in browser). */
  via: 'api' | 'console';
}

export interface AdminServiceDeps {
  store: Store;
  refunds: Pick<RefundService, 'refund' | 'recheck'>;
  reconciliation: Pick<ReconciliationService, 'run' | 'timeZone' | 'today'>;
  /** The shop's currency (the overview's chart when nothing was paid yet). */
  currency: string;
  /** The order events' deliverer (EVENTS_URL set), woken by a resend; absent: events are recorded, not sent. */
  events?: EventWriting & { wake(): void };
  now?: () => number;
}

export class AdminService {
  private readonly now: () => number;

  constructor(private readonly deps: AdminServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  searchOrders(query: AdminOrderQuery): Promise<{ orders: OrderRecord[]; total: number }> {
    return this.deps.store.searchOrders(query);
  }

  /** The order, its timeline and the events told of it (the outbox); ORDER_NOT_FOUND when there is no such order. */
  async orderWithTimeline(id: string): Promise<{ order: OrderRecord; events: OrderEventRecord[]; outbox: OutboxEventRecord[] }> {
    const order = await this.deps.store.getOrder(id);
    if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${id}.`);
    const [events, outbox] = await Promise.all([this.deps.store.orderEvents(order.id), this.deps.store.outboxOfOrder(order.id)]);
    return { order, events, outbox };
  }

  /** The feed: order events after position `after`, oldest first, and the cursor to ask next (`after` again when none came). */
  async eventsFeed(after: number, limit: number): Promise<{ events: OrderEvent[]; next: number }> {
    const entries = await this.deps.store.outboxFeed(after, limit);
    return { events: entries.map((entry) => JSON.parse(entry.body) as OrderEvent), next: entries.length > 0 ? entries[entries.length - 1].position : after };
  }

  /** Order events with their delivery, newest first (the console's Events page). */
  searchEvents(query: { state?: OutboxState; limit: number; offset: number }): Promise<{ events: OutboxEventRecord[]; total: number }> {
    return this.deps.store.searchOutbox(query);
  }

  /** Whether order events are delivered (EVENTS_URL set), so a resend makes sense. */
  get eventsDelivered(): boolean {
    return this.deps.events?.delivering === true;
  }

  /**
   * Sends an order event again (failed, delivered or unsent), with a new retry window: audited, the
   * deliverer woken. A pending one is on its way already (resent: false). EVENTS_NOT_CONFIGURED without EVENTS_URL.
   */
  async resendEvent(id: string, context: AdminContext): Promise<{ event: OutboxEventRecord; resent: boolean }> {
    const events = this.requireDelivery();
    const now = this.now();
    const result = await this.deps.store.resendOutbox(id, now, now + EVENT_RETRY_WINDOW_MS);
    if (!result) throw new AppError('NOT_FOUND', `No order event ${id}.`);
    if (result.resent) {
      await this.audit(context, 'event.resend', result.event.orderId, { eventId: id, type: result.event.type });
      events.wake();
    }
    return result;
  }

  /** Sends every failed order event again (oldest first, so each order's go out in order); audited. */
  async resendFailedEvents(context: AdminContext): Promise<number> {
    const events = this.requireDelivery();
    const now = this.now();
    const count = await this.deps.store.resendFailedOutbox(now, now + EVENT_RETRY_WINDOW_MS);
    if (count > 0) {
      await this.audit(context, 'event.resend_failed', null, { count });
      events.wake();
    }
    return count;
  }

  private requireDelivery(): EventWriting & { wake(): void } {
    if (!this.deps.events?.delivering) throw new AppError('EVENTS_NOT_CONFIGURED');
    return this.deps.events;
  }

  /** Refunds through the refund service (idempotent by key); audits what was made and what was refused. */
  async refund(
    orderId: string,
    request: CreateRefundRequest,
    idempotencyKey: string,
    context: AdminContext,
  ): Promise<{ refund: RefundRecord; order: OrderRecord; created: boolean }> {
    try {
      const result = await this.deps.refunds.refund(orderId, request, { idempotencyKey, actor: context.actor });
      if (result.created) {
        const { refund } = result;
        await this.audit(context, 'refund.create', orderId, { refundId: refund.id, amount: refund.amount, reason: refund.reason, status: refund.status });
      }
      return result;
    } catch (raised) {
      const err = appErrorOf(raised);
      if (err instanceof AppError) await this.audit(context, 'refund.refused', orderId, { code: err.code, amount: request.amount ?? null });
      throw err;
    }
  }

  /** Asks Airwallex about the order now (within the per-order limit); audited. */
  async recheck(orderId: string, context: AdminContext): Promise<{ order: OrderRecord; events: OrderEventRecord[] }> {
    const order = await this.deps.refunds.recheck(orderId).catch((err: unknown) => {
      throw appErrorOf(err);
    });
    await this.audit(context, 'order.recheck', order.id, { status: order.status });
    return { order, events: await this.deps.store.orderEvents(order.id) };
  }

  listAnomalies(options: { openOnly: boolean; limit: number; offset?: number }): Promise<AnomalyRecord[]> {
    return this.deps.store.listAnomalies({ openOnly: options.openOnly, limit: options.limit, offset: options.offset ?? 0 });
  }

  /** Marks an anomaly handled; NOT_FOUND when there is no such anomaly. */
  async resolveAnomaly(id: number, context: AdminContext): Promise<AnomalyRecord> {
    const anomaly = await this.deps.store.resolveAnomaly(id, this.now());
    if (!anomaly) throw new AppError('NOT_FOUND', `No anomaly ${id}.`);
    await this.audit(context, 'anomaly.resolve', anomaly.orderId, { anomalyId: anomaly.id, kind: anomaly.kind });
    return anomaly;
  }

  /** Reconciles a day now (reconciliation.ts); audited, whether it completed or not. */
  /** `fromCli`: the API call is `npm run reconcile`'s (the run's trigger says so; the audit keeps `via: api`). */
  async reconcile(day: string, context: AdminContext, fromCli = false): Promise<ReconciliationRun> {
    try {
      const run = await this.deps.reconciliation.run(day, { trigger: fromCli ? 'cli' : context.via, actor: context.actor });
      await this.audit(context, 'reconciliation.run', run.id, { day, status: run.status, flagged: run.summary?.flagged ?? 0, waiting: run.summary?.waiting ?? 0 });
      return run;
    } catch (raised) {
      const err = appErrorOf(raised);
      await this.audit(context, 'reconciliation.refused', null, { day, code: err instanceof AppError ? err.code : 'INTERNAL' });
      throw err;
    }
  }

  listReconciliations(options: { day?: string; limit: number; offset?: number }): Promise<ReconciliationRun[]> {
    return this.deps.store.listReconciliationRuns({ day: options.day, limit: options.limit, offset: options.offset ?? 0 });
  }

  /** A run and its items (flagged ones only on request); RECONCILIATION_NOT_FOUND when there is no such run. */
  async reconciliation(id: string, options: { flaggedOnly?: boolean } = {}): Promise<{ run: ReconciliationRun; items: ReconciliationItem[] }> {
    const run = await this.deps.store.getReconciliationRun(id);
    if (!run) throw new AppError('RECONCILIATION_NOT_FOUND', `No reconciliation run ${id}.`);
    return { run, items: await this.deps.store.reconciliationItems(id, options) };
  }

  /** The items of every run that name an Airwallex transaction, newest first. */
  transactionItems(transactionId: string): Promise<Array<{ run: ReconciliationRun; item: ReconciliationItem }>> {
    return this.deps.store.transactionItems(transactionId, 50);
  }

  /** The console's overview, on the merchant's calendar. */
  overview(): Promise<Overview> {
    return overviewOf(this.deps.store, { now: this.now(), timeZone: this.deps.reconciliation.timeZone, currency: this.deps.currency });
  }

  /** The merchant's time zone and today there (the console's date fields). */
  calendar(): { timeZone: string; today: string } {
    return { timeZone: this.deps.reconciliation.timeZone, today: this.deps.reconciliation.today() };
  }

  /** Writes one audit entry; `detail` must never hold a secret. */
  audit(context: Pick<AdminContext, 'actor' | 'requestId'> & { via?: AdminContext['via'] }, action: string, target: string | null, detail: Record<string, unknown>): Promise<void> {
    return this.deps.store.recordAudit({
      at: this.now(),
      actor: context.actor,
      action,
      target,
      detail: { requestId: context.requestId, ...(context.via ? { via: context.via } : {}), ...detail },
    });
  }
}
