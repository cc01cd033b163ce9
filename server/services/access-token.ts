// The WeChat access token of this AppID, shared by every instance through the store: read from the database, refreshed
// (stable_token, normal mode) shortly before it expires by the one instance holding the refresh lease, the others waiting
// for its result (docs/reference/wechat-subscribe-messages.md §2). The token is a credential: it is never logged.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../logger';
import type { Store, WechatTokenRecord } from '../store/types';
import type { Telemetry } from '../telemetry';
import type { AccessToken, WechatOpenApi } from '../wechat/open-api';

export interface SharedAccessTokenDeps {
  store: Pick<Store, 'getWechatToken' | 'leaseWechatTokenRefresh' | 'saveWechatToken' | 'releaseWechatTokenLease'>;
  api: Pick<WechatOpenApi, 'stableToken'>;
  appId: string;
  logger: Logger;
  telemetry: Pick<Telemetry, 'wechatToken'>;
  now?: () => number;
  /**
   * Renew when less than this is left: WeChat renews a stable token (normal mode) only in its last
   * 300 s, so anything shorter gets a new token, not the same one (default 240 s).
   */
  refreshBeforeMs?: number;
  /** How long a refresh may take before another instance may try (default 15 s: a WeChat call and its timeout). */
  leaseMs?: number;
  /** How often an instance waiting for another's refresh looks again (default 100 ms). */
  pollMs?: number;
}

/** A token just fetched is used even when WeChat gave it with little life left, rather than asking again within this. */
const MIN_REFRESH_INTERVAL_MS = 30_000;

export class SharedAccessToken {
  private readonly now: () => number;
  private readonly refreshBeforeMs: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  /** Who this instance is in the lease (never a secret). */
  private readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  /** The last token this instance saw, so a send does not read the database each time. */
  private cached: WechatTokenRecord | undefined;
  /** This instance's own refresh in progress: its callers share it. */
  private obtaining: Promise<string> | undefined;

  constructor(private readonly deps: SharedAccessTokenDeps) {
    this.now = deps.now ?? Date.now;
    this.refreshBeforeMs = deps.refreshBeforeMs ?? 240_000;
    this.leaseMs = deps.leaseMs ?? 15_000;
    this.pollMs = deps.pollMs ?? 100;
  }

  /**
   * A token to call WeChat with. `stale`: the token WeChat just refused (40001, 40014, 42001): another
   * one is wanted, the one another instance stored since if there is one, else a refresh.
   */
  async get(stale?: string): Promise<string> {
    if (this.usable(this.cached, stale)) return this.cached!.accessToken!;
    this.obtaining ??= this.obtain(stale).finally(() => {
      this.obtaining = undefined;
    });
    const token = await this.obtaining;
    // Joined a refresh that started before WeChat refused `stale`, and it came back with the same: once more.
    return token === stale ? this.obtain(stale) : token;
  }

  private usable(record: WechatTokenRecord | undefined, stale: string | undefined): record is WechatTokenRecord {
    if (!record?.accessToken || record.expiresAt === null || record.accessToken === stale) return false;
    const now = this.now();
    if (record.expiresAt - this.refreshBeforeMs > now) return true;
    // Just fetched with little life left (WeChat did not renew it yet): use it while it lasts rather than ask again at once.
    return record.refreshedAt !== null && now - record.refreshedAt < MIN_REFRESH_INTERVAL_MS && record.expiresAt - 5_000 > now;
  }

  /** The stored token if it is usable, else a refresh: by this instance if it takes the lease, else by whoever holds it. */
  private async obtain(stale: string | undefined): Promise<string> {
    const { store, appId } = this.deps;
    const giveUpAt = this.now() + this.leaseMs + 5 * this.pollMs;
    for (;;) {
      const stored = await store.getWechatToken(appId);
      if (this.usable(stored, stale)) {
        this.cached = stored;
        return stored.accessToken!;
      }
      if (await store.leaseWechatTokenRefresh(appId, this.holder, this.now(), this.now() + this.leaseMs)) return this.refresh(stale);
      // Another instance is refreshing: its token will be in the store. A holder that died loses its lease after leaseMs.
      if (this.now() > giveUpAt) throw new Error(`the WeChat access token of ${appId} is being refreshed by another instance that has not finished in ${this.leaseMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  /** Holding the lease: the token another holder may have saved just before, else stable_token (normal mode, never force_refresh). */
  private async refresh(stale: string | undefined): Promise<string> {
    const { store, appId } = this.deps;
    try {
      const stored = await store.getWechatToken(appId);
      if (this.usable(stored, stale)) {
        await store.releaseWechatTokenLease(appId, this.holder);
        this.cached = stored;
        return stored.accessToken!;
      }
      const fresh: AccessToken = await this.deps.api.stableToken();
      const now = this.now();
      await store.saveWechatToken(appId, this.holder, fresh, now);
      this.cached = { appId, accessToken: fresh.accessToken, expiresAt: fresh.expiresAt, refreshedAt: now, leaseHolder: null, leaseUntil: null };
      this.deps.telemetry.wechatToken('refreshed');
      this.deps.logger.info({ appId, expiresInSeconds: Math.round((fresh.expiresAt - now) / 1000), replaced: stale !== undefined }, 'WeChat access token refreshed');
      return fresh.accessToken;
    } catch (err) {
      this.deps.telemetry.wechatToken('failed');
      await store.releaseWechatTokenLease(appId, this.holder).catch(() => undefined);
      throw err;
    }
  }
}
