// The shoppers' sessions on PostgreSQL.
import type { PostgresPart } from '../postgres-context';
import type { SessionStore } from './types';

export const sessions: PostgresPart<SessionStore> = {
  store({ pool, rows }) {
    return {
      async createSession(session) {
        await pool.query('INSERT INTO sessions (token_hash, open_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
          session.tokenHash,
          session.openId,
          session.createdAt,
          session.expiresAt,
        ]);
      },
      async findSession(tokenHash, now) {
        const [row] = await rows<{ token_hash: string; open_id: string; created_at: number; expires_at: number }>(
          'SELECT * FROM sessions WHERE token_hash = $1 AND expires_at > $2',
          [tokenHash, now],
          'find_session',
        );
        return row && { tokenHash: row.token_hash, openId: row.open_id, createdAt: row.created_at, expiresAt: row.expires_at };
      },
    };
  },
  prune: {
    sessions: ({ now, batch }) => `DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at <= ${now} LIMIT ${batch})`,
  },
};
