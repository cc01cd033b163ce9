// The shoppers' sessions on SQLite.
import type { SqlitePart } from '../sqlite-context';
import type { SessionStore } from './types';

export const sessions: SqlitePart<SessionStore> = {
  store(ctx) {
    const stmt = {
      insertSession: ctx.prepare(
        'INSERT INTO sessions (token_hash, open_id, created_at, expires_at) VALUES (@tokenHash, @openId, @createdAt, @expiresAt)',
      ),
      findSession: ctx.prepare('SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?'),
    };
    return {
      async createSession(session) {
        await ctx.write(() => stmt.insertSession.run(session));
      },
      async findSession(tokenHash, now) {
        const row = stmt.findSession.get(tokenHash, now) as
          | { token_hash: string; open_id: string; created_at: number; expires_at: number }
          | undefined;
        return row && { tokenHash: row.token_hash, openId: row.open_id, createdAt: row.created_at, expiresAt: row.expires_at };
      },
    };
  },
  prune: {
    sessions: (ctx, { now, batch }) =>
      ctx.prepare('DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at <= ? LIMIT ?)').run(now, batch).changes,
  },
};
