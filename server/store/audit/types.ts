// The admin audit log: who did what to which order, and its methods.

export interface AuditRecord {
  id: number;
  at: number;
  /** A fingerprint of the admin token used, never the token. */
  actor: string;
  action: string;
  /** What it acted on (an order id ...). */
  target: string | null;
  detail: Record<string, unknown>;
}

export interface AuditStore {
  recordAudit(entry: Omit<AuditRecord, 'id'>): Promise<void>;
  listAudit(options: { target?: string; limit: number }): Promise<AuditRecord[]>;
}
