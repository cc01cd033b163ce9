// The shared counters on SQLite: one upsert per hit.
import type { SqlitePart } from '../sqlite-context';
import type { RateLimitStore } from './types';

export const rateLimits: SqlitePart<RateLimitStore> = {
  store(ctx) {
    const stmt = {
      countHit: ctx.prepare(`INSERT INTO rate_limits (key, hits, resets_at) VALUES (@key, 1, @now + @windowMs)
      ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN resets_at <= @now THEN 1 ELSE hits + 1 END,
        resets_at = CASE WHEN resets_at <= @now THEN @now + @windowMs ELSE resets_at END
      RETURNING hits, resets_at`),
      peekHits: ctx.prepare('SELECT hits, resets_at FROM rate_limits WHERE key = ? AND resets_at > ?'),
    };
    return {
      async countHit(key, now, windowMs) {
        const row = (await ctx.write(() => stmt.countHit.get({ key, now, windowMs: Math.ceil(windowMs) }))) as { hits: number; resets_at: number };
        return { hits: row.hits, resetAt: row.resets_at };
      },
      async peekHits(key, now) {
        const row = stmt.peekHits.get(key, now) as { hits: number; resets_at: number } | undefined;
        return row ? { hits: row.hits, resetAt: row.resets_at } : { hits: 0, resetAt: 0 };
      },
    };
  },
  prune: {
    // Counters whose window ended.
    rateLimits: (ctx, { now, batch }) =>
      ctx.prepare('DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE resets_at <= ? LIMIT ?)').run(now, batch).changes,
  },
};
