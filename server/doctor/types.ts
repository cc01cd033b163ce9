// What every check of the go-live doctor answers, and what the checks share (the environment, the loaded configuration, the options).
import type { Config } from '../config';

/** ✓ passed, ✗ failed (the doctor exits 1), – skipped (could not or need not run; says why). */
export type CheckStatus = 'ok' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable, for machines: `airwallex.login`, `public_url.certificate`, … */
  id: string;
  /** The section of the walk-through it belongs to (docs/going-live.md follows the same order). */
  group: DoctorGroup;
  /** Short name, for the human output's first column. */
  title: string;
  status: CheckStatus;
  /** What was found, in a sentence (never a secret). */
  detail: string;
  /** For ✗: what to do about it, in a sentence. */
  fix?: string;
}

export type DoctorGroup = 'configuration' | 'database' | 'airwallex' | 'wechat' | 'public_url' | 'miniprogram';

export interface DoctorOptions {
  /** The environment the server would get (process.env for `npm run doctor`). */
  env: Record<string, string | undefined>;
  /** The repository checkout holding project.config.json and miniprogram/ (default: this code's project root). */
  projectRoot: string;
  /** Extra CA certificates (PEM text) to trust for PUBLIC_URL, beside the system's (the --ca option). */
  ca?: string;
  /** Each network call gives up after this (default 10 s). */
  timeoutMs?: number;
  /** Clock, for certificate expiry (tests move it). */
  now?: () => number;
}

/** What a group of checks gets: the options, and the configuration once it loaded. */
export interface DoctorContext extends Required<Omit<DoctorOptions, 'ca'>> {
  ca: string | undefined;
  config: Config;
}

export const ok = (group: DoctorGroup, id: string, title: string, detail: string): CheckResult => ({ id, group, title, status: 'ok', detail });
export const fail = (group: DoctorGroup, id: string, title: string, detail: string, fix: string): CheckResult => ({ id, group, title, status: 'fail', detail, fix });
export const skip = (group: DoctorGroup, id: string, title: string, detail: string): CheckResult => ({ id, group, title, status: 'skip', detail });
