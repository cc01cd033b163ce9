// The store contract for the shared counters (abuse limits, retrieve budgets), run against both dialects by test/server/store/contract.ts.
import type { Store } from '../../../../server/store/types';
import { type ContractSubject, T0 } from '../fixtures';

export function describeRateLimitsContract(subject: ContractSubject): void {
  const { peer } = subject;
  describe('countHit', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });

    test('counts hits in a window that opens at the first hit, and opens the next one at its end', async () => {
      expect(await store.peekHits('address:198.51.100.7', T0)).toEqual({ hits: 0, resetAt: 0 });
      expect(await store.countHit('address:198.51.100.7', T0, 60_000)).toEqual({ hits: 1, resetAt: T0 + 60_000 });
      expect(await store.countHit('address:198.51.100.7', T0 + 10, 60_000)).toEqual({ hits: 2, resetAt: T0 + 60_000 });
      expect(await store.peekHits('address:198.51.100.7', T0 + 20)).toEqual({ hits: 2, resetAt: T0 + 60_000 });
      expect(await store.countHit('shopper:abc', T0 + 10, 1000)).toEqual({ hits: 1, resetAt: T0 + 1010 });
      expect(await store.countHit('address:198.51.100.7', T0 + 60_000, 60_000)).toEqual({ hits: 1, resetAt: T0 + 120_000 });
      expect(await store.peekHits('shopper:abc', T0 + 1010)).toEqual({ hits: 0, resetAt: 0 });
      // A fractional window (0.9 × an odd re-check interval) works as its whole milliseconds, rounded up.
      expect(await store.countHit('retrieve:x', T0, 299.7)).toEqual({ hits: 1, resetAt: T0 + 300 });
    });

    test('counts every one of many concurrent hits from two processes once', async () => {
      const other = await peer();
      const counts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).countHit('address:203.0.113.1', T0, 60_000)));
      expect(counts.map((count) => count.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await store.peekHits('address:203.0.113.1', T0 + 1)).toEqual({ hits: 20, resetAt: T0 + 60_000 });
    });
  });
}
