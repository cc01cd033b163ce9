// Counters shared by every instance (abuse limits, retrieve budgets): a window's hits, and their methods.

/** A counter's window after a hit (or a look): the hits in it, and when it ends (epoch ms; 0 when none is open). */
export interface HitCount {
  hits: number;
  resetAt: number;
}

export interface RateLimitStore {
  /**
   * Counts one hit on `key`: a window opens at the first hit and lasts `windowMs`; a hit at or after
   * its end opens the next one. Returns the hits of the window, this one included, and its end. One
   * atomic statement, so concurrent hits (from any instance) are each counted once.
   */
  countHit(key: string, now: number, windowMs: number): Promise<HitCount>;
  /** The hits of `key`'s open window, without counting one ({hits: 0, resetAt: 0} when none is open). */
  peekHits(key: string, now: number): Promise<HitCount>;
}
