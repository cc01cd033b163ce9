// Shopper sessions: a wx.login code becomes an opaque bearer token; only its hash is stored.
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors';
import type { Store } from '../store/types';
import type { WechatClient } from '../wechat/client';

export interface SessionServiceDeps {
  store: Store;
  wechat: WechatClient;
  ttlMs: number;
  now?: () => number;
}

/**
 * Sessions remembered by this process, least recently used out first. A shopper's session never changes
 * once stored and is never revoked (it only expires), so a remembered one answers as the database would:
 * three reads per payment saved (the order, the payment, the long poll), a round trip each on PostgreSQL.
 */
export const REMEMBERED_SESSIONS = 10_000;

export class SessionService {
  private readonly now: () => number;
  /** Token hash → the session's shopper and expiry, in least-recently-used order. */
  private readonly remembered = new Map<string, { openId: string; expiresAt: number }>();

  constructor(private readonly deps: SessionServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Trades the code with WeChat; the openid stays here, session_key is never kept. */
  async createSession(code: string): Promise<{ token: string; expiresAt: number }> {
    const identity = await this.deps.wechat.code2Session(code);
    const token = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const expiresAt = createdAt + this.deps.ttlMs;
    const tokenHash = hashToken(token);
    await this.deps.store.createSession({ tokenHash, openId: identity.openId, createdAt, expiresAt });
    this.remember(tokenHash, { openId: identity.openId, expiresAt });
    return { token, expiresAt };
  }

  /** The shopper's openid for an `Authorization: Bearer …` header; UNAUTHENTICATED otherwise. */
  async authenticate(authorization: string | undefined): Promise<string> {
    const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(authorization ?? '');
    if (!match) throw new AppError('UNAUTHENTICATED');
    const tokenHash = hashToken(match[1]);
    const now = this.now();
    const known = this.remembered.get(tokenHash);
    if (known && known.expiresAt > now) {
      this.remember(tokenHash, known);
      return known.openId;
    }
    const session = await this.deps.store.findSession(tokenHash, now);
    if (!session) {
      this.remembered.delete(tokenHash);
      throw new AppError('UNAUTHENTICATED', 'The session token is unknown or expired: POST /api/sessions with a fresh wx.login code.');
    }
    this.remember(tokenHash, session);
    return session.openId;
  }

  /** Remembers a session as the most recently used, forgetting the least recently used one past the bound. */
  private remember(tokenHash: string, session: { openId: string; expiresAt: number }): void {
    this.remembered.delete(tokenHash);
    this.remembered.set(tokenHash, { openId: session.openId, expiresAt: session.expiresAt });
    if (this.remembered.size > REMEMBERED_SESSIONS) this.remembered.delete(this.remembered.keys().next().value!);
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
