// Wakes long-polling requests the moment an order changes, and keeps Airwallex asked while anyone waits.
import type { OrderRecord } from '../store/types';

type Waiter = (order: OrderRecord | null) => void;

export class OrderWatch {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly pollers = new Map<string, { count: number; timer: NodeJS.Timeout }>();

  /** Called after every stored change of an order's status or payment error. */
  notify(order: OrderRecord): void {
    const set = this.waiters.get(order.id);
    if (!set) return;
    this.waiters.delete(order.id);
    for (const wake of set) wake(order);
  }

  /** Resolves with the order at its next change, or null after `timeoutMs`, on `signal`'s abort, or on shutdown. */
  next(orderId: string, timeoutMs: number, signal?: AbortSignal): Promise<OrderRecord | null> {
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
    });
  }

  /**
   * Runs `poll` every `intervalMs` while at least one holder keeps the poller for `orderId`; the
   * first run comes after one interval, which gives the webhook its chance to arrive first.
   * Returns the release function.
   */
  hold(orderId: string, intervalMs: number, poll: () => void): () => void {
    const existing = this.pollers.get(orderId);
    if (existing) existing.count++;
    else {
      const timer = setInterval(poll, intervalMs);
      timer.unref();
      this.pollers.set(orderId, { count: 1, timer });
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
