// Reconciliation runs: a day of the merchant's calendar compared with Airwallex's books (gather, then the pure rules),
// under a lease in the database so one instance at a time runs a day, written whole at the end (a run killed halfway
// leaves nothing half-written: its lease runs out and the day is run again); by hand (API, console, npm run reconcile)
// or by itself once a day after the day closes, and again when an item's grace ends.
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { ReconciliationRun, ReconciliationTrigger, Store } from '../store/types';
import type { Telemetry } from '../telemetry';
import { addBusinessDays, addDays, dayOf, dayWindow, isDay, minuteOfDay } from './merchant-day';
import { gatherDay, type GatherDeps } from './reconciliation-gather';
import { decideDay } from './reconciliation-rules';
import { appErrorOf } from './upstream-errors';

export interface ReconciliationSettings {
  /** The merchant's time zone: what a day is. */
  timeZone: string;
  /** Minutes after midnight (merchant's clock) when yesterday is reconciled by itself; null: never by itself. */
  runAtMinute: number | null;
  /** Business days a payment or refund may wait for its Airwallex transaction before it is missing. */
  graceBusinessDays: number;
  /** How long past its estimated settlement a batch may stay PENDING. */
  pendingGraceMs: number;
}

export interface ReconciliationDeps extends GatherDeps, ReconciliationSettings {
  store: Store;
  logger: Logger;
  telemetry: Pick<Telemetry, 'anomaly' | 'reconciliationRun' | 'reconciliationFlag'>;
  /** How long a run is its instance's without renewal (renewed every third of it while it runs). */
  leaseMs?: number;
  now?: () => number;
}

/** A run's lease: long enough for a day of many pages, renewed while it runs; a dead instance's run is taken over after it. */
export const LEASE_MS = 10 * 60_000;
/** After a failed scheduled run, the schedule tries the day again this much later. */
const RETRY_AFTER_MS = 30 * 60_000;
/** After an outage, the schedule reconciles the days it missed, back to at most this many days before today. */
const CATCH_UP_DAYS = 7;

export class ReconciliationService {
  private readonly now: () => number;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(private readonly deps: ReconciliationDeps) {
    this.now = deps.now ?? Date.now;
    this.leaseMs = deps.leaseMs ?? LEASE_MS;
  }

  get timeZone(): string {
    return this.deps.timeZone;
  }

  /** The merchant's day now. */
  today(): string {
    return dayOf(this.now(), this.deps.timeZone);
  }

  /**
   * Reconciles `day` now and answers the completed run. RECONCILIATION_DATE_INVALID for a day not
   * begun; RECONCILIATION_RUNNING while another run holds the day; Airwallex's failure (the run is
   * then marked failed) as the app's error.
   */
  async run(day: string, by: { trigger: ReconciliationTrigger; actor: string | null }): Promise<ReconciliationRun> {
    const { store, logger, timeZone } = this.deps;
    if (!isDay(day) || day > this.today()) throw new AppError('RECONCILIATION_DATE_INVALID', `No day ${JSON.stringify(day)} to reconcile: a day that has begun, YYYY-MM-DD in ${timeZone}.`);
    const now = this.now();
    const id = `rec_${randomBytes(12).toString('hex')}`;
    const claim = await store.claimReconciliation({ id, day, timeZone, trigger: by.trigger, actor: by.actor, now, leaseUntil: now + this.leaseMs });
    if (!claim.claimed) {
      throw new AppError('RECONCILIATION_RUNNING', `${day} is being reconciled by run ${claim.running.id} (started ${new Date(claim.running.startedAt).toISOString()}): wait for it to finish.`);
    }
    let lost = false;
    const renew = setInterval(() => {
      store.renewReconciliationLease(id, this.now() + this.leaseMs).then(
        (kept) => {
          if (!kept) lost = true;
        },
        (err: unknown) => logger.warn({ err, runId: id }, 'could not renew the reconciliation lease'),
      );
    }, Math.max(10, Math.floor(this.leaseMs / 3)));
    renew.unref();
    try {
      const window = dayWindow(day, timeZone);
      const gathered = await gatherDay(this.deps, window);
      const verdict = decideDay({
        ...gathered,
        runId: id,
        day,
        window,
        now: this.now(),
        missingAfter: (at) => addBusinessDays(at, this.deps.graceBusinessDays, timeZone),
        pendingGraceMs: this.deps.pendingGraceMs,
      });
      clearInterval(renew);
      const finishedAt = this.now();
      const written = lost ? { completed: false, newAnomalies: [] } : await store.completeReconciliation(id, { ...verdict, finishedAt });
      if (!written.completed) throw new Error(`the reconciliation of ${day} (run ${id}) lost its lease to another run; its result was not written`);
      for (const anomaly of written.newAnomalies) {
        logger.error({ anomaly: anomaly.kind, anomalyId: anomaly.id, orderId: anomaly.orderId, intentId: anomaly.intentId, detail: anomaly.detail }, 'reconciliation flag: needs an operator');
        this.deps.telemetry.anomaly(anomaly.kind);
        this.deps.telemetry.reconciliationFlag(anomaly.kind.replace(/^recon_/, ''));
      }
      const { summary } = verdict;
      this.deps.telemetry.reconciliationRun(summary.flagged > 0 ? 'flagged' : 'clean');
      logger[summary.flagged > 0 ? 'warn' : 'info'](
        { runId: id, day, trigger: by.trigger, ...summary, newAnomalies: written.newAnomalies.length, airwallexCalls: gathered.calls, ms: finishedAt - now },
        summary.flagged > 0 ? 'reconciliation found discrepancies' : 'reconciliation matched',
      );
      return (await store.getReconciliationRun(id))!;
    } catch (raised) {
      clearInterval(renew);
      const err = appErrorOf(raised);
      const reason = err instanceof Error ? err.message : String(err);
      await store.failReconciliation(id, reason, this.now()).catch((storeErr: unknown) => logger.error({ err: storeErr, runId: id }, 'could not mark the reconciliation failed'));
      this.deps.telemetry.reconciliationRun('failed');
      logger.error({ runId: id, day, err: raised }, 'reconciliation failed');
      throw err;
    }
  }

  /**
   * The schedule: yesterday once the day has closed (at the configured minute), with the days it missed since its
   * last run (an outage over RECONCILE_AT; at most CATCH_UP_DAYS), and every day due again.
   */
  async tick(): Promise<void> {
    const { store, logger, timeZone, runAtMinute } = this.deps;
    const now = this.now();
    const days = new Set<string>();
    if (runAtMinute !== null && minuteOfDay(now, timeZone) >= runAtMinute) {
      const yesterday = addDays(dayOf(now, timeZone), -1);
      // Never before the schedule's own last day: a new install starts with yesterday, not with days before the shop
      // existed (whose transactions on the same Airwallex account would all be flagged as unknown).
      const lastScheduled = await store.lastScheduledDay();
      const oldest = addDays(yesterday, -(CATCH_UP_DAYS - 1));
      let day = lastScheduled && lastScheduled < yesterday ? addDays(lastScheduled, 1) : yesterday;
      if (day < oldest) day = oldest;
      for (; day <= yesterday; day = addDays(day, 1)) {
        const runs = await store.listReconciliationRuns({ day, limit: 20, offset: 0 });
        // Only a run begun after the day closed saw all of it: one made while it was open (a demo, an operator) does not count.
        const closedAt = dayWindow(day, timeZone).to;
        const done = runs.some((run) => (run.status === 'completed' || run.status === 'running') && run.startedAt >= closedAt);
        const failedLately = runs.some((run) => run.status === 'failed' && now - (run.finishedAt ?? run.startedAt) < RETRY_AFTER_MS);
        if (!done && !failedLately) days.add(day);
      }
    }
    for (const day of await store.dueReconciliationDays(now)) days.add(day);
    for (const day of [...days].sort()) {
      try {
        await this.run(day, { trigger: 'schedule', actor: null });
      } catch (err) {
        // Another instance has it (RECONCILIATION_RUNNING), or it failed (logged, retried later).
        if (!(err instanceof AppError && err.code === 'RECONCILIATION_RUNNING')) logger.warn({ day, err: (err as Error).message }, 'scheduled reconciliation did not complete');
      }
    }
  }

  /** Ticks now and every `intervalMs` until stop(); ticks never overlap. */
  start(intervalMs: number): void {
    const tick = () => {
      this.ticking ??= this.tick()
        .catch((err: unknown) => this.deps.logger.error({ err }, 'reconciliation schedule failed'))
        .finally(() => {
          this.ticking = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }
}
