// Wakes long-polling requests the moment an order changes, and keeps Airwallex asked while anyone waits; LongPoll
// is one request's wait on it.
import { isFinal, type OrderStatus } from '../contract';
import type { OrderRecord, Store } from '../store/types';
import type { Telemetry } from '../telemetry';
import { timed, untimed } from '../timing';

/** Longest long poll a request may ask for. */
export const MAX_WAIT_SECONDS = 25;

type Waiter = (order: OrderRecord | null) => void;

/** How long a change heard for an order nobody waits on is remembered (see `recent`). */
const RECENT_CHANGE_MS = 2_000;

export class OrderWatch {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Per order someone waits on: how many hold it, its timer, and the order as last heard of (passed to each poll). */
  private readonly pollers = new Map<string, { count: number; timer: NodeJS.Timeout; latest: OrderRecord }>();
  /**
   * Changes heard (through `follow`) for orders nobody waited on, with when, oldest first. A long
   * poll reads the order, then waits: a change committed after its read but heard before it waits
   * would otherwise be lost until the periodic re-check, so `next` re-reads an order found here.
   */
  private readonly recent = new Map<string, number>();
  /**
   * Orders this process is writing (see `writing`), with how many writes, and whether the change feed
   * announced a change of one while a write was under way.
   */
  private readonly writes = new Map<string, { count: number; heard: boolean }>();
  private reload: ((orderId: string) => void) | undefined;

  /** Called after every stored change of an order's status or payment error. */
  notify(order: OrderRecord): void {
    const poller = this.pollers.get(order.id);
    if (poller) poller.latest = order;
    const set = this.waiters.get(order.id);
    if (!set) return;
    this.waiters.delete(order.id);
    for (const wake of set) wake(order);
  }

  /**
   * Wakes this process's long polls on changes stored by any process sharing the database (another
   * instance took the webhook): each change of a waited-on order is read and notified; after a
   * `resync` (the store's change feed reconnected), every waited-on order is. Spurious wakes are
   * harmless: a long poll re-checks and waits on. Returns the unsubscribe function.
   */
  follow(store: Pick<Store, 'subscribe' | 'getOrder'>, onError: (err: unknown) => void = () => undefined): () => void {
    const reload = (orderId: string) => {
      store.getOrder(orderId).then((order) => order && this.notify(order), onError);
    };
    this.reload = reload;
    // A change this process made is announced by its store before OrderChanges notifies the long polls with the
    // order as written: the read waits for that (setImmediate), and is skipped when it has woken them all.
    const unsubscribe = store.subscribe((change) => {
      if (change.kind === 'order') {
        const { orderId } = change;
        const write = this.writes.get(orderId);
        // PostgreSQL may announce a commit before the committing connection has heard that it committed:
        // decided when this process's write is settled (its long polls woken by then, or not).
        if (write) write.heard = true;
        else if (this.waitedOn(orderId)) setImmediate(() => this.waitedOn(orderId) && reload(orderId));
        else this.remember(orderId);
      } else {
        for (const orderId of this.waiters.keys()) reload(orderId);
      }
    });
    return () => {
      unsubscribe();
      if (this.reload === reload) this.reload = undefined;
      this.recent.clear();
    };
  }

  /**
   * Runs `write`, a change of the order by this process that notifies its long polls itself once stored
   * (OrderChanges' settle), so that the change feed's announcement of that very commit costs no read. A
   * change heard meanwhile is read once the write has settled, if someone still waits on the order then
   * (the change was another process's, or this write was no news).
   */
  async writing<T>(orderId: string, write: () => Promise<T>): Promise<T> {
    let entry = this.writes.get(orderId);
    if (!entry) this.writes.set(orderId, (entry = { count: 0, heard: false }));
    entry.count++;
    try {
      return await write();
    } finally {
      if (--entry.count === 0) {
        this.writes.delete(orderId);
        // Next turn: the long polls this write woke have let go of the order by then.
        if (entry.heard) setImmediate(() => (this.waitedOn(orderId) ? this.reload?.(orderId) : this.remember(orderId)));
      }
    }
  }

  /** Whether a long poll of this process waits on the order, or holds its poller. */
  private waitedOn(orderId: string): boolean {
    return this.waiters.has(orderId) || this.pollers.has(orderId);
  }

  private remember(orderId: string): void {
    const now = performance.now();
    this.recent.delete(orderId);
    this.recent.set(orderId, now);
    for (const [id, at] of this.recent) {
      if (now - at <= RECENT_CHANGE_MS) break;
      this.recent.delete(id);
    }
  }

  /**
   * Resolves with the order at its next change, or null after `timeoutMs`, on `signal`'s abort, or on shutdown.
   * `readSince`: when the caller's read of the order started (performance.now()); a change heard before then is
   * in what it read, so only one heard since is read again.
   */
  next(orderId: string, timeoutMs: number, signal?: AbortSignal, readSince?: number): Promise<OrderRecord | null> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(null);
      let set = this.waiters.get(orderId);
      if (!set) this.waiters.set(orderId, (set = new Set()));
      const abort = () => wake(null);
      const wake: Waiter = (order) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        const waiting = this.waiters.get(orderId);
        waiting?.delete(wake);
        if (waiting?.size === 0) this.waiters.delete(orderId);
        resolve(order);
      };
      const timer = setTimeout(() => wake(null), Math.max(0, timeoutMs));
      signal?.addEventListener('abort', abort, { once: true });
      set.add(wake);
      const heardAt = this.recent.get(orderId);
      if (heardAt !== undefined) {
        this.recent.delete(orderId);
        if (performance.now() - heardAt <= RECENT_CHANGE_MS && (readSince === undefined || heardAt >= readSince)) this.reload?.(orderId);
      }
    });
  }

  /**
   * Runs `poll` every `intervalMs` while at least one holder keeps the poller for `order`, with the
   * order as last heard of (this holder's read, then every change notified); the first run comes
   * after one interval, which gives the webhook its chance to arrive first. Returns the release function.
   */
  hold(order: OrderRecord, intervalMs: number, poll: (latest: OrderRecord) => void): () => void {
    const orderId = order.id;
    const existing = this.pollers.get(orderId);
    if (existing) {
      existing.count++;
      existing.latest = order;
    } else {
      const poller = { count: 1, latest: order, timer: setInterval(() => poll(poller.latest), intervalMs) };
      poller.timer.unref();
      this.pollers.set(orderId, poller);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const poller = this.pollers.get(orderId);
      if (!poller) return;
      if (--poller.count === 0) {
        clearInterval(poller.timer);
        this.pollers.delete(orderId);
      }
    };
  }

  /** How many requests wait on this order right now. */
  waiting(orderId: string): number {
    return this.waiters.get(orderId)?.size ?? 0;
  }

  /** Answers every waiting request now (with its current state), e.g. on shutdown. */
  releaseAll(): void {
    for (const [orderId, set] of this.waiters) {
      this.waiters.delete(orderId);
      for (const wake of set) wake(null);
    }
    for (const { timer } of this.pollers.values()) clearInterval(timer);
    this.pollers.clear();
  }
}

export interface LongPollOptions {
  /** When the read of the order given to wait() started (performance.now()): see OrderWatch.next. */
  readSince?: number;
  waitMs?: number;
  unlessStatus?: OrderStatus;
  refundsSince?: number;
  signal?: AbortSignal;
}

export interface LongPollDeps {
  watch: OrderWatch;
  store: Pick<Store, 'getOrder'>;
  telemetry: Pick<Telemetry, 'longPollStarted' | 'longPollEnded'>;
  now: () => number;
  /** Between two checks of a waited-on order. */
  intervalMs: number;
  /** One check of a waited-on order, as last heard of: asks Airwallex, or reads the store again. */
  check: (latest: OrderRecord) => Promise<OrderRecord | undefined>;
}

/** One request's wait for a change of an order (see OrderService.getOrder). */
export class LongPoll {
  constructor(private readonly deps: LongPollDeps) {}

  /**
   * Answers as soon as the status differs from `unlessStatus` or is final (or a payment attempt
   * fails), or with `refundsSince` as soon as a refund was created or changed after that time; at
   * the latest after `waitMs`, or on `signal`'s abort.
   */
  async wait(order: OrderRecord, options: LongPollOptions): Promise<OrderRecord> {
    const waitMs = options.waitMs ?? 0;
    if (waitMs <= 0 || options.signal?.aborted) return order;
    const unless = options.unlessStatus ?? order.status;
    const deadline = this.deps.now() + waitMs;
    const release = untimed(() =>
      this.deps.watch.hold(order, this.deps.intervalMs, (latest) => {
        // Wake the waiters with what was read: another instance may have stored the change (its webhook),
        // which this instance hears of here when its change feed is down.
        this.deps.check(latest).then((current) => current && this.deps.watch.notify(current), () => undefined);
      }),
    );
    this.deps.telemetry.longPollStarted();
    // A failed attempt leaves the status as it is; it still ends the wait, so the page can say so.
    const errorAt = order.lastPaymentError?.at;
    const { refundsSince } = options;
    const waiting = (current: OrderRecord) =>
      current.status === unless &&
      current.lastPaymentError?.at === errorAt &&
      (refundsSince === undefined ? !isFinal(current.status) : latestRefundChange(current) <= refundsSince);
    // A change ends the wait with the order as stored by it (the result of the write, or a fresh read by
    // `follow`): read again only when the wait ended without one (timeout, abort, shutdown).
    let fresh = true;
    let readSince = options.readSince;
    try {
      while (waiting(order)) {
        const remaining = deadline - this.deps.now();
        if (remaining <= 0 || options.signal?.aborted) {
          fresh = false;
          break;
        }
        const changed = await timed('wait', () => this.deps.watch.next(order.id, remaining, options.signal, readSince));
        readSince = undefined; // waiting again on a notified order: a change heard meanwhile is read again
        if (!changed) {
          fresh = false;
          break;
        }
        order = changed;
      }
    } finally {
      release();
      this.deps.telemetry.longPollEnded();
    }
    return fresh ? order : ((await this.deps.store.getOrder(order.id)) ?? order);
  }
}

/** When a refund of the order was last created or changed (0: none). */
export function latestRefundChange(order: Pick<OrderRecord, 'refunds'>): number {
  return order.refunds.reduce((latest, refund) => Math.max(latest, refund.updatedAt), 0);
}
