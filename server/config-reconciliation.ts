// The reconciliation's settings, read by loadConfig (config.ts): the merchant's time zone (what a day is), when yesterday
// is reconciled by itself, and the graces before a missing transaction or a late batch is flagged.
import type { ReconciliationConfig } from './config-types';

type Env = Record<string, string | undefined>;

/** Airwallex confirms a payment about 2 business days after capture (docs/reference/airwallex-reconciliation.md §6, §9). */
const DEFAULT_GRACE_BUSINESS_DAYS = 2;

/**
 * MERCHANT_TIME_ZONE (default Asia/Shanghai): what a day is for reconciliations and the overview, and the zone of the times
 * in subscription messages. An unknown zone is a problem; UTC stands in so the rest of the configuration can be checked.
 */
export function merchantTimeZone(env: Env, problems: string[]): string {
  const timeZone = env.MERCHANT_TIME_ZONE?.trim() || 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone }).format(0);
    return timeZone;
  } catch {
    problems.push(`MERCHANT_TIME_ZONE must be an IANA time zone such as Asia/Shanghai or UTC, got "${timeZone}"`);
    return 'UTC';
  }
}

/** The reconciliation's settings; `timeZone` is MERCHANT_TIME_ZONE, read once (merchantTimeZone). */
export function reconciliationConfig(env: Env, timeZone: string, problems: string[]): ReconciliationConfig {
  const runAt = env.RECONCILE_AT?.trim() || '02:00';
  let runAtMinute: number | null = null;
  if (runAt !== 'off') {
    const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(runAt);
    if (match) runAtMinute = Number(match[1]) * 60 + Number(match[2]);
    else problems.push(`RECONCILE_AT must be a time of day HH:MM (24-hour, in MERCHANT_TIME_ZONE) or "off", got "${runAt}"`);
  }
  const int = (key: string, fallback: number, max: number): number => {
    const raw = env[key]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > max) {
      problems.push(`${key} must be an integer between 0 and ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  return {
    timeZone,
    runAtMinute,
    graceBusinessDays: int('RECONCILE_GRACE_BUSINESS_DAYS', DEFAULT_GRACE_BUSINESS_DAYS, 30),
    pendingGraceHours: int('RECONCILE_PENDING_GRACE_HOURS', 24, 24 * 30),
  };
}
