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

export class SessionService {
  private readonly now: () => number;

  constructor(private readonly deps: SessionServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Trades the code with WeChat; the openid stays here, session_key is never kept. */
  async createSession(code: string): Promise<{ token: string; expiresAt: number }> {
    const identity = await this.deps.wechat.code2Session(code);
    const token = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const expiresAt = createdAt + this.deps.ttlMs;
    await this.deps.store.createSession({ tokenHash: hashToken(token), openId: identity.openId, createdAt, expiresAt });
    return { token, expiresAt };
  }

  /** The shopper's openid for an `Authorization: Bearer …` header; UNAUTHENTICATED otherwise. */
  async authenticate(authorization: string | undefined): Promise<string> {
    const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(authorization ?? '');
    if (!match) throw new AppError('UNAUTHENTICATED');
    const session = await this.deps.store.findSession(hashToken(match[1]), this.now());
    if (!session) throw new AppError('UNAUTHENTICATED', 'The session token is unknown or expired: POST /api/sessions with a fresh wx.login code.');
    return session.openId;
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
