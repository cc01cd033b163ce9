// The merchant console's sessions on PostgreSQL.
import type { PostgresPart } from '../postgres-context';
import type { AdminSessionStore } from './types';

export const adminSessions: PostgresPart<AdminSessionStore> = {
  store({ pool, rows }) {
    return {
      async createAdminSession(session) {
        await pool.query('INSERT INTO admin_sessions (token_hash, csrf_hash, actor, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
          session.tokenHash,
          session.csrfHash,
          session.actor,
          session.createdAt,
          session.expiresAt,
        ]);
      },
      async findAdminSession(tokenHash, now) {
        const [row] = await rows<{ token_hash: string; csrf_hash: string; actor: string; created_at: number; expires_at: number }>(
          'SELECT * FROM admin_sessions WHERE token_hash = $1 AND expires_at > $2',
          [tokenHash, now],
          'find_admin_session',
        );
        return row && { tokenHash: row.token_hash, csrfHash: row.csrf_hash, actor: row.actor, createdAt: row.created_at, expiresAt: row.expires_at };
      },
      async deleteAdminSession(tokenHash) {
        await pool.query('DELETE FROM admin_sessions WHERE token_hash = $1', [tokenHash]);
      },
    };
  },
  prune: {
    adminSessions: ({ now, batch }) =>
      `DELETE FROM admin_sessions WHERE token_hash IN (SELECT token_hash FROM admin_sessions WHERE expires_at <= ${now} LIMIT ${batch})`,
  },
};
