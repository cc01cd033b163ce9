// The shoppers' sessions: what the store keeps of a login, and its methods on them.

export interface SessionRecord {
  tokenHash: string;
  openId: string;
  createdAt: number;
  expiresAt: number;
}

export interface SessionStore {
  createSession(session: SessionRecord): Promise<void>;
  findSession(tokenHash: string, now: number): Promise<SessionRecord | undefined>;
}
