// The merchant console's sessions on SQLite.
import type { SqlitePart } from '../sqlite-context';
import type { AdminSessionStore } from './types';

export const adminSessions: SqlitePart<AdminSessionStore> = {
  store(ctx) {
    const stmt = {
      insertAdminSession: ctx.prepare(`INSERT INTO admin_sessions (token_hash, csrf_hash, actor, created_at, expires_at)
      VALUES (@tokenHash, @csrfHash, @actor, @createdAt, @expiresAt)`),
      findAdminSession: ctx.prepare('SELECT * FROM admin_sessions WHERE token_hash = ? AND expires_at > ?'),
      deleteAdminSession: ctx.prepare('DELETE FROM admin_sessions WHERE token_hash = ?'),
    };
    return {
      async createAdminSession(session) {
        await ctx.write(() => stmt.insertAdminSession.run(session));
      },
      async findAdminSession(tokenHash, now) {
        const row = stmt.findAdminSession.get(tokenHash, now) as
          | { token_hash: string; csrf_hash: string; actor: string; created_at: number; expires_at: number }
          | undefined;
        return row && { tokenHash: row.token_hash, csrfHash: row.csrf_hash, actor: row.actor, createdAt: row.created_at, expiresAt: row.expires_at };
      },
      async deleteAdminSession(tokenHash) {
        await ctx.write(() => stmt.deleteAdminSession.run(tokenHash));
      },
    };
  },
  prune: {
    adminSessions: (ctx, { now, batch }) =>
      ctx
        .prepare('DELETE FROM admin_sessions WHERE token_hash IN (SELECT token_hash FROM admin_sessions WHERE expires_at <= ? LIMIT ?)')
        .run(now, batch).changes,
  },
};
