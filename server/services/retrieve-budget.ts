// What a shopper's requests may ask of Airwallex: retrieves only for orders whose pay sheet opened (or whose payment
// is processing), and at most one per interval for all of a shopper's orders together, counted in the database so
// every instance spends the same budget. Airwallex allows about 20 requests per second per endpoint for the whole
// account: one shopper's twenty long polls must not spend it.
import type { OrderRecord, Store } from '../store/types';

/**
 * Whether a shopper's long poll or "check again" may ask Airwallex about this order: only once a
 * payment was attempted (the pay sheet opened) or is processing. A cart nobody tried to pay has
 * nothing to learn there; its news (if any) comes by webhook, and the sweep expires it.
 */
export function asksAirwallex(order: Pick<OrderRecord, 'status' | 'confirmedAt'>): boolean {
  return order.status === 'processing' || (order.status === 'awaiting_payment' && order.confirmedAt !== null);
}

export class RetrieveBudget {
  constructor(
    private readonly store: Pick<Store, 'countHit'>,
    /** The budget: one retrieve per this many milliseconds per shopper, all of its orders together. */
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  /** Takes this shopper's one retrieve of the current interval; false when another of its requests took it. */
  async claim(order: Pick<OrderRecord, 'shopperRef'>): Promise<boolean> {
    const { hits } = await this.store.countHit(`retrieve:${order.shopperRef}`, this.now(), this.intervalMs);
    return hits === 1;
  }
}
