// In-memory counters behind GET /simulator/stats (they restart at zero with the process).
import { AIRWALLEX_ENDPOINTS, WECHAT_APIS, type AirwallexEndpoint, type SimulatorStats, type WechatApi } from './types';

/** The in-memory part of SimulatorStats; `webhooks.pending` and `refunds` are read from the store. */
export type Counters = Omit<SimulatorStats, 'webhooks' | 'refunds'> & { webhooks: Omit<SimulatorStats['webhooks'], 'pending'> };

export function emptyCounters(): Counters {
  return {
    airwallex: {
      calls: Object.fromEntries(AIRWALLEX_ENDPOINTS.map((e) => [e, 0])) as Record<AirwallexEndpoint, number>,
      statusCodes: {},
      faults: { '5xx': 0, '429': 0, timeout: 0 },
    },
    wechat: {
      jscode2session: 0,
      errcodes: {},
      apis: Object.fromEntries(WECHAT_APIS.map((api) => [api, { calls: 0, errcodes: {} }])) as Record<WechatApi, { calls: number; errcodes: Record<string, number> }>,
      tokensIssued: { token: 0, stable_token: 0, forced: 0 },
    },
    webhooks: { sent: 0, delivered: 0, failed: 0, dropped: 0, duplicated: 0, reordered: 0 },
  };
}

export function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}
