// The shared WeChat access token on PostgreSQL: the refresh lease is one conditional upsert, so of instances asking at once one gets it.
import type { PostgresPart } from '../postgres-context';
import { tokenFromRow, type WechatTokenRow } from './common';
import type { WechatTokenStore } from './types';

export const wechatTokens: PostgresPart<WechatTokenStore> = {
  store({ rows }) {
    return {
      async getWechatToken(appId) {
        const [row] = await rows<WechatTokenRow>('SELECT * FROM wechat_tokens WHERE app_id = $1', [appId], 'get_wechat_token');
        return row && tokenFromRow(row);
      },
      async leaseWechatTokenRefresh(appId, holder, now, until) {
        const taken = await rows<{ app_id: string }>(
          `INSERT INTO wechat_tokens AS t (app_id, lease_holder, lease_until) VALUES ($1, $2, $4)
           ON CONFLICT (app_id) DO UPDATE SET lease_holder = excluded.lease_holder, lease_until = excluded.lease_until
           WHERE t.lease_holder IS NULL OR t.lease_until <= $3 OR t.lease_holder = $2
           RETURNING app_id`,
          [appId, holder, now, until],
        );
        return taken.length > 0;
      },
      async saveWechatToken(appId, holder, token, now) {
        await rows(
          `INSERT INTO wechat_tokens AS t (app_id, access_token, expires_at, refreshed_at) VALUES ($1, $3, $4, $5)
           ON CONFLICT (app_id) DO UPDATE SET access_token = excluded.access_token, expires_at = excluded.expires_at, refreshed_at = excluded.refreshed_at,
             lease_holder = CASE WHEN t.lease_holder = $2 THEN NULL ELSE t.lease_holder END,
             lease_until = CASE WHEN t.lease_holder = $2 THEN NULL ELSE t.lease_until END`,
          [appId, holder, token.accessToken, token.expiresAt, now],
        );
      },
      async releaseWechatTokenLease(appId, holder) {
        await rows('UPDATE wechat_tokens SET lease_holder = NULL, lease_until = NULL WHERE app_id = $1 AND lease_holder = $2', [appId, holder]);
      },
    };
  },
};
