// The shared counters on PostgreSQL: one upsert for all the hits of a turn of the event loop (and of the turns while the
// previous one was under way), so concurrent hits from any instance are each counted once.
import type { PostgresPart } from '../postgres-context';
import type { HitCount, RateLimitStore } from './types';

interface PendingHit {
  key: string;
  now: number;
  resolve: (count: HitCount) => void;
  reject: (err: unknown) => void;
}

/**
 * Every hit of a window's length counted in this turn of the event loop, in one statement: under load
 * (each shopper request is a hit, each login two) that is one round trip for many. At most one statement
 * per window length is under way: the hits that arrive meanwhile wait for it and go together in the next
 * (group commit: a hit waits at most one round trip more, and the busier the server the fuller each
 * statement). Hits on the same key are counted together and each caller gets its own count, as if they
 * had come one after the other. The window test uses the latest hit's time: the hits of one batch are
 * within a round trip or two. Keys are upserted in one order (COLLATE "C"), so two instances' statements
 * over the same keys wait on each other instead of deadlocking.
 */
const COUNT_HITS = `INSERT INTO rate_limits AS r (key, hits, resets_at)
  SELECT t.key, t.n, $2::bigint + $3::bigint FROM unnest($1::text[], $4::int[]) AS t(key, n) ORDER BY t.key COLLATE "C"
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN r.resets_at <= $2 THEN excluded.hits ELSE r.hits + excluded.hits END,
    resets_at = CASE WHEN r.resets_at <= $2 THEN excluded.resets_at ELSE r.resets_at END
  RETURNING key, hits, resets_at`;

export const rateLimits: PostgresPart<RateLimitStore> = {
  store({ rows }) {
    /** Hits waiting for the next statement, by window length. */
    const pending = new Map<number, PendingHit[]>();
    /** Window lengths with a statement under way (their next one waits for it). */
    const underWay = new Set<number>();
    const flush = (windowMs: number) => {
      const hits = pending.get(windowMs)!;
      pending.delete(windowMs);
      underWay.add(windowMs);
      const byKey = new Map<string, PendingHit[]>();
      for (const hit of hits) byKey.set(hit.key, [...(byKey.get(hit.key) ?? []), hit]);
      const keys = [...byKey.keys()];
      const now = Math.max(...hits.map((hit) => hit.now));
      rows<{ key: string; hits: number; resets_at: number }>(COUNT_HITS, [keys, now, windowMs, keys.map((key) => byKey.get(key)!.length)], 'count_hits')
        .then(
          (counted) => {
            for (const row of counted) {
              const waiting = byKey.get(row.key)!;
              byKey.delete(row.key);
              // The i-th of n hits on a key saw the count before the n − 1 − i after it.
              waiting.forEach((hit, i) => hit.resolve({ hits: row.hits - (waiting.length - 1 - i), resetAt: row.resets_at }));
            }
            for (const [key, waiting] of byKey) waiting.forEach((hit) => hit.reject(new Error(`rate_limits: no count returned for ${key}`)));
          },
          (err: unknown) => hits.forEach((hit) => hit.reject(err)),
        )
        .finally(() => {
          underWay.delete(windowMs);
          if (pending.has(windowMs)) flush(windowMs);
        });
    };
    return {
      countHit(key, now, windowMs) {
        const window = Math.ceil(windowMs);
        return new Promise<HitCount>((resolve, reject) => {
          let hits = pending.get(window);
          if (!hits) {
            pending.set(window, (hits = []));
            if (!underWay.has(window)) setImmediate(() => flush(window));
          }
          hits.push({ key, now, resolve, reject });
        });
      },
      async peekHits(key, now) {
        const [row] = await rows<{ hits: number; resets_at: number }>('SELECT hits, resets_at FROM rate_limits WHERE key = $1 AND resets_at > $2', [key, now], 'peek_hits');
        return row ? { hits: row.hits, resetAt: row.resets_at } : { hits: 0, resetAt: 0 };
      },
    };
  },
  prune: {
    // Counters whose window ended.
    rateLimits: ({ now, batch }) => `DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE resets_at <= ${now} LIMIT ${batch})`,
  },
};
