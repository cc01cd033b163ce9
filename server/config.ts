// The only reader of process.env: parses and validates the configuration once, at boot.
import path from 'node:path';
import { notificationSettings } from './config-notifications';
import { merchantTimeZone, reconciliationConfig } from './config-reconciliation';
import { checkGoingLive, operatorTokens, publicUrl, trustProxy } from './config-safety';
import { eventsSettings } from './config-events';
import { catalogueSettings } from './catalogue-file';
import type { Config, Mode } from './config-types';

export type { Config, Mode } from './config-types';

export const DEFAULT_AIRWALLEX_BASE_URL = 'https://api-demo.airwallex.com';
export const DEFAULT_WECHAT_BASE_URL = 'https://api.weixin.qq.com';
const PROJECT_ROOT = path.resolve(__dirname, '..');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every setting.`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads the configuration from `env` (process.env by default). Without Airwallex credentials the
 * server runs in simulator mode, except in production (NODE_ENV=production) or with real WeChat
 * credentials, where that is refused; APP_MODE=live forces live mode and requires every
 * credential, APP_MODE=simulator forces the simulator.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  // One reading of MERCHANT_TIME_ZONE for reconciliations, the overview and messages (a bad one is one problem, said once).
  const timeZone = merchantTimeZone(env, problems);
  const str = (key: string, fallback: string): string => {
    const value = env[key]?.trim();
    return value ? value : fallback;
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const raw = env[key]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const url = (key: string, fallback: string): string => {
    const value = str(key, fallback);
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
    } catch {
      problems.push(`${key} must be an http(s) URL, got "${value}"`);
    }
    return value.replace(/\/+$/, '');
  };

  const clientId = str('AIRWALLEX_CLIENT_ID', '');
  const apiKey = str('AIRWALLEX_API_KEY', '');
  const webhookSecret = str('AIRWALLEX_WEBHOOK_SECRET', '');
  const appId = str('WECHAT_APPID', '');
  const appSecret = str('WECHAT_APP_SECRET', '');
  const production = str('NODE_ENV', '') === 'production';
  const requested = str('APP_MODE', 'auto');
  let mode: Mode;
  if (requested === 'live') mode = 'live';
  else if (requested === 'simulator') mode = 'simulator';
  else if (requested === 'auto') {
    mode = clientId || apiKey ? 'live' : 'simulator';
    // Modes that cannot surprise: a production server, or one given real WeChat credentials, never
    // falls back to the simulator because the Airwallex variables are missing or mistyped.
    if (mode === 'simulator' && production) {
      problems.push(
        'NODE_ENV=production but AIRWALLEX_CLIENT_ID and AIRWALLEX_API_KEY are not set: set them to take real payments (or, for a demo on purpose, APP_MODE=simulator with SIMULATOR_IN_PRODUCTION=1)',
      );
    } else if (mode === 'simulator' && (appId || appSecret)) {
      problems.push(
        'WECHAT_APPID / WECHAT_APP_SECRET are set but AIRWALLEX_CLIENT_ID and AIRWALLEX_API_KEY are not: set the Airwallex credentials for live mode, or set APP_MODE=simulator to simulate on purpose',
      );
    }
  } else {
    problems.push(`APP_MODE must be "auto", "simulator" or "live", got "${requested}"`);
    mode = 'simulator';
  }
  if (mode === 'live') {
    const required: Array<[string, string]> = [
      ['AIRWALLEX_CLIENT_ID', clientId],
      ['AIRWALLEX_API_KEY', apiKey],
      ['AIRWALLEX_WEBHOOK_SECRET', webhookSecret],
      ['WECHAT_APPID', appId],
      ['WECHAT_APP_SECRET', appSecret],
    ];
    for (const [key, value] of required) {
      if (!value) problems.push(`${key} is required in live mode (set it, or unset AIRWALLEX_CLIENT_ID/AIRWALLEX_API_KEY to use the simulator)`);
    }
  }

  const logFormatSetting = str('LOG_FORMAT', 'auto');
  if (!['auto', 'json', 'pretty'].includes(logFormatSetting)) problems.push(`LOG_FORMAT must be "auto", "json" or "pretty", got "${logFormatSetting}"`);
  // auto: pretty on a terminal (a developer running npm start), JSON everywhere else.
  const logFormat = logFormatSetting === 'pretty' || (logFormatSetting === 'auto' && process.stdout.isTTY === true) ? 'pretty' : 'json';

  const currency = str('CURRENCY', 'CNY').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) problems.push(`CURRENCY must be a 3-letter ISO 4217 code, got "${currency}"`);

  const catalogue = catalogueSettings(env, problems);

  const host = str('HOST', '127.0.0.1');
  const operators = operatorTokens(env, mode, host, problems);

  const dataDir = path.join(PROJECT_ROOT, 'data');
  const databasePath = str('DATABASE_PATH', path.join(dataDir, 'app.sqlite'));
  const databaseUrl = postgresUrl(env.DATABASE_URL, problems);
  // Loaded in simulator mode only (a require, not an import), so a live server never loads simulator code.
  const simulator =
    mode === 'simulator' ? (require('./simulator/settings') as typeof import('./simulator/settings')).simulatorSettings(env, problems, databasePath) : undefined;
  const config: Config = {
    mode,
    host,
    port: int('PORT', 3000, 0, 65535),
    databasePath,
    databaseUrl,
    databasePoolSize: int('DATABASE_POOL_SIZE', 10, 1, 1000),
    databaseStatementTimeoutMs: int('DATABASE_STATEMENT_TIMEOUT_MS', 15_000, 100, 600_000),
    logLevel: str('LOG_LEVEL', 'info'),
    logFormat,
    currency: catalogue?.currency ?? currency,
    catalogue,
    orderLifetimeSeconds: int('ORDER_LIFETIME_SECONDS', 30 * 60, 60, 7 * 24 * 3600),
    sessionTtlSeconds: int('SESSION_TTL_SECONDS', 7 * 24 * 3600, 60, 90 * 24 * 3600),
    sweepIntervalSeconds: int('SWEEP_INTERVAL_SECONDS', 30, 1, 3600),
    longPollRecheckMs: int('LONG_POLL_RECHECK_MS', 1_000, 100, 600_000),
    webhookRetentionDays: int('WEBHOOK_EVENT_RETENTION_DAYS', 30, 7, 3650),
    trustProxy: trustProxy(str('TRUST_PROXY', ''), problems),
    publicUrl: publicUrl(env, mode, problems),
    limits: {
      shopperPerMinute: int('RATE_LIMIT_SHOPPER_PER_MINUTE', 300, 1, 1_000_000),
      addressPerMinute: int('RATE_LIMIT_ADDRESS_PER_MINUTE', 1200, 1, 1_000_000),
      sessionsPerMinute: int('RATE_LIMIT_SESSIONS_PER_MINUTE', 60, 1, 1_000_000),
      adminSignInsPerMinute: int('RATE_LIMIT_ADMIN_SIGN_INS_PER_MINUTE', 10, 1, 1_000_000),
      maxOpenOrders: int('MAX_OPEN_ORDERS_PER_SHOPPER', 20, 1, 10_000),
      clientErrorsPerMinute: int('RATE_LIMIT_CLIENT_ERRORS_PER_MINUTE', 10, 1, 1_000_000),
    },
    ...operators,
    airwallex: {
      baseUrl: url('AIRWALLEX_BASE_URL', DEFAULT_AIRWALLEX_BASE_URL),
      clientId: simulator ? simulator.credentials.clientId : clientId,
      apiKey: simulator ? simulator.credentials.apiKey : apiKey,
      apiVersion: env.AIRWALLEX_API_VERSION?.trim() || undefined,
      webhookSecret: webhookSecret || (simulator?.credentials.webhookSecret ?? ''),
      webhookToleranceSeconds: int('WEBHOOK_TOLERANCE_SECONDS', 72 * 3600, 60, 7 * 24 * 3600),
      timeoutMs: int('AIRWALLEX_TIMEOUT_MS', 10_000, 100, 120_000),
    },
    wechat: {
      baseUrl: url('WECHAT_BASE_URL', DEFAULT_WECHAT_BASE_URL),
      appId: appId || (simulator?.credentials.wechatAppId ?? ''),
      appSecret: appSecret || (simulator?.credentials.wechatAppSecret ?? ''),
      timeoutMs: int('WECHAT_TIMEOUT_MS', 5_000, 100, 60_000),
    },
    notifications: notificationSettings(env, mode, production, simulator?.templates, timeZone, problems),
    reconciliation: reconciliationConfig(env, timeZone, problems),
    events: eventsSettings(env, { mode, production, ...operators }, problems, int),
    simulator,
  };
  checkGoingLive(env, config, production, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** DATABASE_URL, checked without ever echoing it (it holds the password). */
function postgresUrl(raw: string | undefined, problems: string[]): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    problems.push('DATABASE_URL must be a URL like postgres://user:password@host:5432/database (value not shown: it may hold a password)');
    return undefined;
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    problems.push(`DATABASE_URL must start with postgres:// or postgresql://, got "${parsed.protocol}//…"`);
  } else if (!parsed.pathname || parsed.pathname === '/') {
    problems.push('DATABASE_URL must name a database: postgres://user:password@host:5432/DATABASE');
  }
  return value;
}

/** Which database this configuration uses, safe to log: PostgreSQL without its password, or the SQLite file. */
export function describeDatabase(config: Pick<Config, 'databaseUrl' | 'databasePath'>): string {
  if (!config.databaseUrl) return `sqlite:${config.databasePath}`;
  try {
    const url = new URL(config.databaseUrl);
    if (url.password) url.password = '***';
    url.search = ''; // query options may carry a password too (e.g. sslpassword)
    return url.toString();
  } catch {
    return 'postgres://(unparsable)';
  }
}
