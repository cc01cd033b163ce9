// What both dialects share for the WeChat access token: the row as the drivers return it, and its record.
import type { WechatTokenRecord } from './types';

export interface WechatTokenRow {
  app_id: string;
  access_token: string | null;
  expires_at: number | null;
  refreshed_at: number | null;
  lease_holder: string | null;
  lease_until: number | null;
}

export function tokenFromRow(row: WechatTokenRow): WechatTokenRecord {
  return {
    appId: row.app_id,
    accessToken: row.access_token,
    expiresAt: row.expires_at,
    refreshedAt: row.refreshed_at,
    leaseHolder: row.lease_holder,
    leaseUntil: row.lease_until,
  };
}
