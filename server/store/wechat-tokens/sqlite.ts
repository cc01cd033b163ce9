// The shared WeChat access token on SQLite: one process owns the file, so the lease only ever meets this process's own callers.
import type { SqlitePart } from '../sqlite-context';
import type { WechatTokenRecord, WechatTokenStore } from './types';
import { tokenFromRow, type WechatTokenRow } from './common';

export const wechatTokens: SqlitePart<WechatTokenStore> = {
  store(ctx) {
    const stmt = {
      get: ctx.prepare('SELECT * FROM wechat_tokens WHERE app_id = ?'),
      lease: ctx.prepare(
        `INSERT INTO wechat_tokens (app_id, lease_holder, lease_until) VALUES (@appId, @holder, @until)
         ON CONFLICT (app_id) DO UPDATE SET lease_holder = excluded.lease_holder, lease_until = excluded.lease_until
         WHERE wechat_tokens.lease_holder IS NULL OR wechat_tokens.lease_until <= @now OR wechat_tokens.lease_holder = @holder`,
      ),
      save: ctx.prepare(
        `INSERT INTO wechat_tokens (app_id, access_token, expires_at, refreshed_at) VALUES (@appId, @accessToken, @expiresAt, @now)
         ON CONFLICT (app_id) DO UPDATE SET access_token = excluded.access_token, expires_at = excluded.expires_at, refreshed_at = excluded.refreshed_at,
           lease_holder = CASE WHEN wechat_tokens.lease_holder = @holder THEN NULL ELSE wechat_tokens.lease_holder END,
           lease_until = CASE WHEN wechat_tokens.lease_holder = @holder THEN NULL ELSE wechat_tokens.lease_until END`,
      ),
      release: ctx.prepare('UPDATE wechat_tokens SET lease_holder = NULL, lease_until = NULL WHERE app_id = ? AND lease_holder = ?'),
    };
    return {
      async getWechatToken(appId): Promise<WechatTokenRecord | undefined> {
        const row = stmt.get.get(appId) as WechatTokenRow | undefined;
        return row && tokenFromRow(row);
      },
      async leaseWechatTokenRefresh(appId, holder, now, until) {
        return (await ctx.write(() => stmt.lease.run({ appId, holder, now, until }))).changes > 0;
      },
      async saveWechatToken(appId, holder, token, now) {
        await ctx.write(() => stmt.save.run({ appId, holder, accessToken: token.accessToken, expiresAt: token.expiresAt, now }));
      },
      async releaseWechatTokenLease(appId, holder) {
        await ctx.write(() => stmt.release.run(appId, holder));
      },
    };
  },
};
