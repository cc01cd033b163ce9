// Runs the go-live doctor's checks in the order of the walk-through (docs/going-live.md): configuration, database, Airwallex, WeChat, PUBLIC_URL, mini program.
import path from 'node:path';
import { airwallexChecks } from './airwallex';
import { configurationChecks } from './configuration';
import { databaseChecks } from './database';
import { miniprogramChecks } from './miniprogram';
import { publicUrlChecks } from './public-url';
import { skip, type CheckResult, type DoctorContext, type DoctorGroup, type DoctorOptions } from './types';
import { configuredTemplates, wechatChecks } from './wechat';

/** The repository root when run from server/doctor/ (sources) or dist/doctor/ (the build). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface DoctorReport {
  /** No check failed. */
  ok: boolean;
  checks: CheckResult[];
  counts: { ok: number; fail: number; skip: number };
}

/** The groups after configuration, each skipped as a whole when the configuration does not load or is not live. */
const LIVE_GROUPS: Array<{ group: DoctorGroup; title: string; run: (ctx: DoctorContext) => Promise<CheckResult[]> | CheckResult[] }> = [
  { group: 'database', title: 'database', run: databaseChecks },
  { group: 'airwallex', title: 'Airwallex', run: airwallexChecks },
  { group: 'wechat', title: 'WeChat', run: (ctx) => wechatChecks(ctx, configuredTemplates(ctx)) },
  { group: 'public_url', title: 'PUBLIC_URL', run: publicUrlChecks },
  { group: 'miniprogram', title: 'mini program', run: miniprogramChecks },
];

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { results, config } = configurationChecks(options.env);
  const checks = [...results];
  if (!config || config.mode !== 'live') {
    const why = config ? 'skipped: the server is not in live mode (see mode)' : 'skipped: the configuration must pass the boot checks first';
    for (const { group, title } of LIVE_GROUPS) checks.push(skip(group, `${group}.all`, title, why));
    return report(checks);
  }
  const ctx: DoctorContext = {
    env: options.env,
    projectRoot: options.projectRoot,
    ca: options.ca,
    timeoutMs: options.timeoutMs ?? 10_000,
    now: options.now ?? Date.now,
    config,
  };
  // One group after the other: their lines come out in the walk-through's order, and no upstream sees a burst.
  for (const { run } of LIVE_GROUPS) checks.push(...(await run(ctx)));
  return report(checks);
}

function report(checks: CheckResult[]): DoctorReport {
  const count = (status: CheckResult['status']) => checks.filter((check) => check.status === status).length;
  const counts = { ok: count('ok'), fail: count('fail'), skip: count('skip') };
  return { ok: counts.fail === 0, checks, counts };
}
