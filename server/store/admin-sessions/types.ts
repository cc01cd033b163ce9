// The merchant console's sessions (cookie and CSRF token hashes), and their methods.

export interface AdminSessionRecord {
  tokenHash: string;
  /** The CSRF token's hash; the console sends the token with every state-changing request. */
  csrfHash: string;
  actor: string;
  createdAt: number;
  expiresAt: number;
}

export interface AdminSessionStore {
  createAdminSession(session: AdminSessionRecord): Promise<void>;
  findAdminSession(tokenHash: string, now: number): Promise<AdminSessionRecord | undefined>;
  deleteAdminSession(tokenHash: string): Promise<void>;
}
