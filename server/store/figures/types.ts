// Money figures for the console's overview: payments, refunds and opened pay sheets counted per time bucket, read
// from the orders and refunds (nothing stored of its own).

/** Payments (orders first paid) or refunds (made, that went through) in one bucket and currency; amounts in minor units. */
export interface MoneyBucket {
  /** The bucket's index from `from`: bucket n covers [from + n × bucketMs, from + (n + 1) × bucketMs). */
  bucket: number;
  currency: string;
  count: number;
  amount: number;
}

/** Orders created in one bucket whose pay sheet opened (confirmed), and how many of those are paid. */
export interface SheetBucket {
  bucket: number;
  opened: number;
  paid: number;
}

export interface MoneyFigures {
  payments: MoneyBucket[];
  refunds: MoneyBucket[];
  sheets: SheetBucket[];
}

export interface FigureStore {
  /**
   * Payments (by first paid time), refunds that went through (by creation time) and opened pay
   * sheets (by order creation time) in [from, to), counted per bucket of `bucketMs`: the caller maps
   * buckets to the merchant's days (15-minute buckets fit every time zone's offset).
   */
  moneyFigures(options: { from: number; to: number; bucketMs: number }): Promise<MoneyFigures>;
}
