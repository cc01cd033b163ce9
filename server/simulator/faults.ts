// Fault settings: defaults, merging, validation of patches, and the seedable PRNG (env vars: settings.ts).
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
export const MS_KEYS = ['latencyMs', 'timeoutHoldMs', 'webhookDelayMs', 'refundAcceptDelayMs', 'refundSettleDelayMs'] as const;
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
