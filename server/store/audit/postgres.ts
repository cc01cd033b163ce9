// The admin audit log on PostgreSQL.
import type { PostgresPart } from '../postgres-context';
import type { AuditRecord, AuditStore } from './types';

export const audit: PostgresPart<AuditStore> = {
  store({ pool, rows }) {
    return {
      async recordAudit(entry) {
        await pool.query('INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)', [
          entry.at,
          entry.actor,
          entry.action,
          entry.target,
          JSON.stringify(entry.detail),
        ]);
      },
      async listAudit({ target, limit }) {
        const found =
          target === undefined
            ? await rows<AuditRecord>('SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT $1', [limit])
            : await rows<AuditRecord>('SELECT * FROM audit_log WHERE target = $1 ORDER BY at DESC, id DESC LIMIT $2', [target, limit]);
        return found.map((row) => ({ id: row.id, at: row.at, actor: row.actor, action: row.action, target: row.target, detail: row.detail }));
      },
    };
  },
};
