// The admin audit log on SQLite.
import type { SqlitePart } from '../sqlite-context';
import type { AuditRecord, AuditStore } from './types';

export const audit: SqlitePart<AuditStore> = {
  store(ctx) {
    const stmt = {
      insertAudit: ctx.prepare('INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)'),
      auditAll: ctx.prepare('SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ?'),
      auditOf: ctx.prepare('SELECT * FROM audit_log WHERE target = ? ORDER BY at DESC, id DESC LIMIT ?'),
    };
    return {
      async recordAudit(entry) {
        await ctx.write(() => stmt.insertAudit.run(entry.at, entry.actor, entry.action, entry.target, JSON.stringify(entry.detail)));
      },
      async listAudit({ target, limit }) {
        const rows = (target === undefined ? stmt.auditAll.all(limit) : stmt.auditOf.all(target, limit)) as Array<
          Omit<AuditRecord, 'detail'> & { detail: string }
        >;
        return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) }));
      },
    };
  },
};
