// Settings of the simulated money side: the fee rate, when batches settle, and the wire shapes the sources disagree on.
import {
  DEFAULT_CASING,
  DEFAULT_FEE_RATE,
  DEFAULT_SETTLEMENT_DAYS,
  DEFAULT_SETTLEMENT_ID_FIELD,
  DEFAULT_SIGNS,
} from './inferred-finance';

export interface FinanceSettings {
  /** Share of each payment taken as a fee, as an exact decimal ("0.006" is 0.6%); rounded half up to the minor unit. */
  feeRate: string;
  /** The batch of the (UTC) day D settles at the start of day D + settlementDays: 1 is the midnight that ends the day of booking. */
  settlementDays: number;
  /** `negative`: refunds and fees carry a minus sign; `positive`: every amount is a magnitude, the direction is the transaction_type. */
  signs: 'negative' | 'positive';
  /** Field names of financial transactions: `snake` (batch_id, has_more) or `camel` (batchId, hasMore). */
  casing: 'snake' | 'camel';
  /** Where a settlement carries its batch id: `id` (S) or `settlement_id` (the latest retrieve page). */
  settlementIdField: 'id' | 'settlement_id';
  /** Which Financial Transactions paths answer: `both`, `v1` (/api/v1/financial_transactions) or `pa` (/api/v1/pa/financial/transactions); the other answers 404. */
  paths: 'both' | 'v1' | 'pa';
}

export const DEFAULT_FINANCE: FinanceSettings = {
  feeRate: DEFAULT_FEE_RATE,
  settlementDays: DEFAULT_SETTLEMENT_DAYS,
  signs: DEFAULT_SIGNS,
  casing: DEFAULT_CASING,
  settlementIdField: DEFAULT_SETTLEMENT_ID_FIELD,
  paths: 'both',
};

const CHOICES = {
  signs: ['negative', 'positive'],
  casing: ['snake', 'camel'],
  settlementIdField: ['id', 'settlement_id'],
  paths: ['both', 'v1', 'pa'],
} as const;

/** A fee rate: a decimal share from 0 up to (not including) 1, at most 6 decimals ("0.006"). */
const FEE_RATE = /^0(\.\d{1,6})?$/;

/*
 * Env vars (read by server/config.ts and server/simulator/main.ts through financeFromEnv):
 *
 *   SIMULATOR_FEE_RATE             share of each payment taken as a fee      (default 0.006, i.e. 0.6%)
 *   SIMULATOR_SETTLEMENT_DAYS      the batch of day D settles at the start of day D + this (default 1, 1..30)
 *   SIMULATOR_FINANCE_SIGNS        negative (default) | positive
 *   SIMULATOR_FINANCE_CASING       snake (default) | camel
 *   SIMULATOR_SETTLEMENT_ID_FIELD  id (default) | settlement_id
 *   SIMULATOR_FINANCE_PATHS        both (default) | v1 | pa
 */
const ENV_KEYS: Record<string, keyof FinanceSettings> = {
  SIMULATOR_FEE_RATE: 'feeRate',
  SIMULATOR_SETTLEMENT_DAYS: 'settlementDays',
  SIMULATOR_FINANCE_SIGNS: 'signs',
  SIMULATOR_FINANCE_CASING: 'casing',
  SIMULATOR_SETTLEMENT_ID_FIELD: 'settlementIdField',
  SIMULATOR_FINANCE_PATHS: 'paths',
};

/** One setting's problem, or null when `value` is valid for `key`. Numbers are accepted for feeRate (a JSON body). */
function problemOf(key: keyof FinanceSettings, value: unknown): string | null {
  switch (key) {
    case 'feeRate': {
      const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
      return typeof text === 'string' && FEE_RATE.test(text) ? null : 'must be a decimal share from 0 to below 1 with at most 6 decimals, e.g. 0.006 for 0.6%';
    }
    case 'settlementDays':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 30 ? null : 'must be an integer number of days from 1 to 30';
    default:
      return (CHOICES[key] as readonly string[]).includes(value as string) ? null : `must be one of ${CHOICES[key].join(', ')}`;
  }
}

/** Checks an untrusted patch (from the control route); the list of problems, empty when it is valid. */
export function financePatchProblems(patch: unknown): string[] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return ['the body must be a JSON object'];
  const known = Object.keys(DEFAULT_FINANCE);
  return Object.entries(patch).flatMap(([key, value]) => {
    if (!known.includes(key)) return [`unknown setting "${key}" (one of ${known.join(', ')})`];
    const problem = problemOf(key as keyof FinanceSettings, value);
    return problem ? [`${key} ${problem}`] : [];
  });
}

/** `patch` over `base`, with a numeric feeRate kept as its exact decimal text. */
export function mergeFinance(base: FinanceSettings, patch: Partial<FinanceSettings> | Record<string, unknown>): FinanceSettings {
  const merged = { ...base, ...(patch as Partial<FinanceSettings>) };
  merged.feeRate = String(merged.feeRate);
  return merged;
}

/**
 * Finance settings from env vars (see the list above). Pure: reads only `env`. Unset or empty vars
 * are left out; invalid values throw a RangeError naming every bad variable, or, given `problems`
 * (server/config.ts collects every problem before it refuses to start), are added to it.
 */
export function financeFromEnv(env: Record<string, string | undefined>, collected?: string[]): Partial<FinanceSettings> {
  const patch: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = key === 'settlementDays' && /^\d+$/.test(raw) ? Number(raw) : raw;
    const problem = problemOf(key, value);
    if (problem) problems.push(`${name} ${problem}, got "${raw}"`);
    else patch[key] = value;
  }
  if (collected) collected.push(...problems);
  else if (problems.length > 0) throw new RangeError(`Invalid simulator finance settings:\n  - ${problems.join('\n  - ')}`);
  return patch as Partial<FinanceSettings>;
}
