// The shared counters on PostgreSQL: one upsert per hit, so concurrent hits from any instance are each counted once.
import type { PostgresPart } from '../postgres-context';
import type { RateLimitStore } from './types';

export const rateLimits: PostgresPart<RateLimitStore> = {
  store({ rows }) {
    return {
      async countHit(key, now, windowMs) {
        const [row] = await rows<{ hits: number; resets_at: number }>(
          `INSERT INTO rate_limits AS r (key, hits, resets_at) VALUES ($1, 1, $2::bigint + $3::bigint)
           ON CONFLICT (key) DO UPDATE SET
             hits = CASE WHEN r.resets_at <= $2 THEN 1 ELSE r.hits + 1 END,
             resets_at = CASE WHEN r.resets_at <= $2 THEN $2::bigint + $3::bigint ELSE r.resets_at END
           RETURNING hits, resets_at`,
          [key, now, Math.ceil(windowMs)],
          'count_hit',
        );
        return { hits: row.hits, resetAt: row.resets_at };
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
