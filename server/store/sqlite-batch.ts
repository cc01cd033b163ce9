// Group commit on SQLite: the writes asked for in one turn of the event loop run and commit together, before any of
// their callers hears back.
import type Database from 'better-sqlite3';

interface Unit {
  work(): unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/**
 * Runs the SQLite store's writes in batches. A write (`run`) is queued; in the turn's check phase
 * (setImmediate) the queue runs in one transaction, each write as a savepoint of its own, and
 * commits once; then each caller gets its answer. A commit costs per page it writes to the log,
 * and concurrent payments touch the same pages (the right edge of every index on time, the
 * tables' last pages), so several writes in one commit write far fewer pages than one commit each.
 * A write alone in its turn runs as its own transaction, as without batching. A write waits for
 * company at most until the end of the turn, or `maxWaitMs` if the turn is long.
 *
 * Nothing is acknowledged early: a write's promise settles after the commit that holds it. A write
 * that throws undoes only its own savepoint and rejects only its caller; if the commit fails, or an
 * error rolls back the whole transaction (SQLITE_FULL, SQLITE_IOERR …), every write of the batch
 * rejects, as if the process had stopped before the commit (callers retry idempotently). The lock
 * is held only while the batch runs, synchronously: never across I/O, so readers on the connection
 * see committed rows only, and another process (or connection) waits no longer than one batch.
 */
export class SqliteBatcher {
  private queue: Unit[] = [];
  /** When the oldest queued write was asked for (performance.now()). */
  private oldest = 0;
  /**
   * Runs `work` in a transaction that takes the write lock first (BEGIN IMMEDIATE: a deferred one that
   * reads then writes fails if another process, `npm run reconcile` on the same file, committed in
   * between), or in a savepoint when one is open (better-sqlite3 nests them so).
   */
  private readonly unit: (work: () => unknown) => unknown;

  /**
   * `maxWaitMs`: how long a write may wait for company. Under load one turn of the event loop runs
   * many callbacks (milliseconds of them); once the oldest queued write has waited this long, the
   * next write runs the batch at once rather than at the end of the turn.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly maxWaitMs = 0.5,
  ) {
    this.unit = db.transaction((work: () => unknown) => work()).immediate;
  }

  /** Queues `work` (synchronous, on this connection) for the turn's batch; resolves with its result after the commit. */
  run<R>(work: () => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const now = performance.now();
      if (this.queue.length === 0) {
        this.oldest = now;
        setImmediate(() => this.flush());
      }
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (now - this.oldest >= this.maxWaitMs) this.flush();
    });
  }

  /** Runs and commits what is queued now (the scheduled run then finds nothing to do). */
  flush(): void {
    const units = this.queue;
    this.queue = [];
    if (units.length === 0) return;
    if (units.length === 1) {
      const [only] = units;
      let value: unknown;
      try {
        value = this.unit(only.work);
      } catch (err) {
        only.reject(err);
        return;
      }
      only.resolve(value);
      return;
    }
    this.runTogether(units);
  }

  private runTogether(units: Unit[]): void {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const unit of units) {
        try {
          outcomes.push({ ok: true, value: this.unit(unit.work) });
        } catch (err) {
          outcomes.push({ ok: false, err });
        }
        if (!this.db.inTransaction) throw new Error('the SQLite transaction of a write batch was rolled back by an error in one of its writes');
      }
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      units.forEach((unit, index) => {
        const outcome = outcomes[index];
        unit.reject(outcome && !outcome.ok ? outcome.err : err);
      });
      return;
    }
    units.forEach((unit, index) => {
      const outcome = outcomes[index];
      if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.err);
    });
  }
}
