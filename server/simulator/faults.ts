// Fault settings: defaults, merging, validation of patches, parsing from env vars, and the seedable PRNG.
import { AIRWALLEX_ENDPOINTS, type AirwallexEndpoint, type EndpointFaults, type FaultSettings } from './types';

export const DEFAULT_FAULTS: FaultSettings = {
  latencyMs: 0,
  errorRate5xx: 0,
  errorRate429: 0,
  timeoutRate: 0,
  timeoutHoldMs: 30_000,
  endpoints: {},
  webhookDropRate: 0,
  webhookDuplicateRate: 0,
  webhookReorderRate: 0,
  webhookDelayMs: 0,
  wechatBusyRate: 0,
  refundFailRate: 0,
  // Fast, but slow enough that a client sees RECEIVED first; the real ACCEPTED takes seconds to days.
  refundAcceptDelayMs: 200,
  refundSettleDelayMs: 1000,
  seed: undefined,
};

const RATE_KEYS = [
  'errorRate5xx', 'errorRate429', 'timeoutRate', 'webhookDropRate', 'webhookDuplicateRate', 'webhookReorderRate', 'wechatBusyRate',
  'refundFailRate',
] as const;
const MS_KEYS = ['latencyMs', 'timeoutHoldMs', 'webhookDelayMs', 'refundAcceptDelayMs', 'refundSettleDelayMs'] as const;
const ENDPOINT_RATE_KEYS = ['errorRate5xx', 'errorRate429', 'timeoutRate'] as const;

/** `patch` over `base`; per-endpoint overrides merge per endpoint, so one endpoint can be changed alone. */
export function mergeFaults(base: FaultSettings, patch: Partial<FaultSettings>): FaultSettings {
  const merged: FaultSettings = { ...base, endpoints: { ...base.endpoints } };
  for (const [key, value] of Object.entries(patch) as Array<[keyof FaultSettings, unknown]>) {
    if (key === 'endpoints' || value === undefined) continue;
    (merged as unknown as Record<string, unknown>)[key] = value;
  }
  for (const [endpoint, override] of Object.entries(patch.endpoints ?? {}) as Array<[AirwallexEndpoint, EndpointFaults]>) {
    merged.endpoints[endpoint] = { ...merged.endpoints[endpoint], ...override };
  }
  return merged;
}

/** The three error rates that apply to one endpoint, its overrides winning over the global rates. */
export function endpointRates(faults: FaultSettings, endpoint: AirwallexEndpoint): Required<EndpointFaults> {
  const override = faults.endpoints[endpoint] ?? {};
  return {
    errorRate5xx: override.errorRate5xx ?? faults.errorRate5xx,
    errorRate429: override.errorRate429 ?? faults.errorRate429,
    timeoutRate: override.timeoutRate ?? faults.timeoutRate,
  };
}

/**
 * Checks an untrusted patch (from the control route). Returns the list of problems, empty when
 * the patch is a valid Partial<FaultSettings>.
 */
export function faultPatchProblems(patch: unknown): string[] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return ['the body must be a JSON object'];
  const problems: string[] = [];
  const known = new Set<string>([...RATE_KEYS, ...MS_KEYS, 'endpoints', 'seed']);
  const isRate = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 1;
  const isMs = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  for (const [key, value] of Object.entries(patch)) {
    if (!known.has(key)) problems.push(`unknown setting "${key}"`);
    else if ((RATE_KEYS as readonly string[]).includes(key) && !isRate(value)) problems.push(`${key} must be a number between 0 and 1`);
    else if ((MS_KEYS as readonly string[]).includes(key) && !isMs(value)) problems.push(`${key} must be a number of milliseconds >= 0`);
    else if (key === 'seed' && !Number.isInteger(value)) problems.push('seed must be an integer');
    else if (key === 'endpoints') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push('endpoints must be an object keyed by endpoint');
        continue;
      }
      for (const [endpoint, override] of Object.entries(value)) {
        if (!(AIRWALLEX_ENDPOINTS as readonly string[]).includes(endpoint)) {
          problems.push(`endpoints.${endpoint}: unknown endpoint (one of ${AIRWALLEX_ENDPOINTS.join(', ')})`);
        } else if (typeof override !== 'object' || override === null || Array.isArray(override)) {
          problems.push(`endpoints.${endpoint} must be an object`);
        } else {
          for (const [k, v] of Object.entries(override)) {
            if (!(ENDPOINT_RATE_KEYS as readonly string[]).includes(k)) problems.push(`endpoints.${endpoint}.${k}: unknown setting`);
            else if (!isRate(v)) problems.push(`endpoints.${endpoint}.${k} must be a number between 0 and 1`);
          }
        }
      }
    }
  }
  return problems;
}

/*
 * Fault env vars (read by server/config.ts and server/simulator/main.ts through faultsFromEnv):
 *
 *   SIMULATOR_LATENCY_MS              ms added to every Airwallex/WeChat API answer        (default 0)
 *   SIMULATOR_ERROR_RATE_5XX          share of Airwallex calls answered 500/502/503, not applied (0..1)
 *   SIMULATOR_ERROR_RATE_429          share of Airwallex calls answered 429, not applied   (0..1)
 *   SIMULATOR_TIMEOUT_RATE            share of Airwallex calls applied, then never answered (0..1)
 *   SIMULATOR_TIMEOUT_HOLD_MS         how long such a call holds the connection            (default 30000)
 *   SIMULATOR_<RATE>_<ENDPOINT>       per-endpoint override of the three rates above, e.g.
 *                                     SIMULATOR_TIMEOUT_RATE_CONFIRM=0.5; endpoints LOGIN, CREATE,
 *                                     CONFIRM, RETRIEVE, CANCEL, LIST, REFUND_CREATE, REFUND_RETRIEVE,
 *                                     REFUND_LIST, FT_LIST, FT_RETRIEVE, SETTLEMENT_LIST, SETTLEMENT_RETRIEVE
 *   SIMULATOR_WEBHOOK_DROP_RATE       share of webhook events never delivered              (0..1)
 *   SIMULATOR_WEBHOOK_DUPLICATE_RATE  share of webhook events delivered twice              (0..1)
 *   SIMULATOR_WEBHOOK_REORDER_RATE    share of webhook events held back until a later event of the same intent overtakes them (0..1)
 *   SIMULATOR_WEBHOOK_DELAY_MS        delay before every webhook event's first delivery    (default 0)
 *   SIMULATOR_WECHAT_BUSY_RATE        share of jscode2session calls answered errcode -1    (0..1)
 *   SIMULATOR_REFUND_FAIL_RATE        share of refunds that end FAILED, not ACCEPTED       (0..1)
 *   SIMULATOR_REFUND_ACCEPT_DELAY_MS  typical wait RECEIVED -> ACCEPTED/FAILED (x0.5..1.5) (default 200)
 *   SIMULATOR_REFUND_SETTLE_DELAY_MS  typical wait ACCEPTED -> SETTLED (x0.5..1.5)         (default 1000)
 *   SIMULATOR_SEED                    integer seed for the fault PRNG (reproducible runs)
 */
const ENV_KEYS: Record<string, keyof FaultSettings> = {
  SIMULATOR_LATENCY_MS: 'latencyMs',
  SIMULATOR_ERROR_RATE_5XX: 'errorRate5xx',
  SIMULATOR_ERROR_RATE_429: 'errorRate429',
  SIMULATOR_TIMEOUT_RATE: 'timeoutRate',
  SIMULATOR_TIMEOUT_HOLD_MS: 'timeoutHoldMs',
  SIMULATOR_WEBHOOK_DROP_RATE: 'webhookDropRate',
  SIMULATOR_WEBHOOK_DUPLICATE_RATE: 'webhookDuplicateRate',
  SIMULATOR_WEBHOOK_REORDER_RATE: 'webhookReorderRate',
  SIMULATOR_WEBHOOK_DELAY_MS: 'webhookDelayMs',
  SIMULATOR_WECHAT_BUSY_RATE: 'wechatBusyRate',
  SIMULATOR_REFUND_FAIL_RATE: 'refundFailRate',
  SIMULATOR_REFUND_ACCEPT_DELAY_MS: 'refundAcceptDelayMs',
  SIMULATOR_REFUND_SETTLE_DELAY_MS: 'refundSettleDelayMs',
};
const ENDPOINT_ENV_PREFIXES: Record<string, keyof EndpointFaults> = {
  SIMULATOR_ERROR_RATE_5XX_: 'errorRate5xx',
  SIMULATOR_ERROR_RATE_429_: 'errorRate429',
  SIMULATOR_TIMEOUT_RATE_: 'timeoutRate',
};

/**
 * Fault settings from env vars (see the list above). Pure: reads only `env`. Unset or empty vars
 * are left out; invalid values throw a RangeError naming every bad variable.
 */
export function faultsFromEnv(env: Record<string, string | undefined>): Partial<FaultSettings> {
  const patch: Record<string, unknown> = {};
  const endpoints: Partial<Record<AirwallexEndpoint, EndpointFaults>> = {};
  const problems: string[] = [];
  const number = (name: string, raw: string, isRate: boolean): number | undefined => {
    const value = Number(raw);
    const ok = raw !== '' && Number.isFinite(value) && value >= 0 && (!isRate || value <= 1);
    if (!ok) problems.push(`${name} must be ${isRate ? 'a number between 0 and 1' : 'a number of milliseconds >= 0'}, got "${raw}"`);
    return ok ? value : undefined;
  };
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = number(name, raw, !(MS_KEYS as readonly string[]).includes(key));
    if (value !== undefined) patch[key] = value;
  }
  for (const [prefix, key] of Object.entries(ENDPOINT_ENV_PREFIXES)) {
    for (const endpoint of AIRWALLEX_ENDPOINTS) {
      const name = prefix + endpoint.toUpperCase();
      const raw = env[name]?.trim();
      if (!raw) continue;
      const value = number(name, raw, true);
      if (value !== undefined) endpoints[endpoint] = { ...endpoints[endpoint], [key]: value };
    }
  }
  const seed = env.SIMULATOR_SEED?.trim();
  if (seed) {
    if (/^-?\d+$/.test(seed)) patch.seed = Number(seed);
    else problems.push(`SIMULATOR_SEED must be an integer, got "${seed}"`);
  }
  if (problems.length > 0) throw new RangeError(`Invalid simulator fault settings:\n  - ${problems.join('\n  - ')}`);
  if (Object.keys(endpoints).length > 0) patch.endpoints = endpoints;
  return patch as Partial<FaultSettings>;
}

/** mulberry32: a tiny seedable PRNG, so a run with SIMULATOR_SEED injects the same faults again. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
