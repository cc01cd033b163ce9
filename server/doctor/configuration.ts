// The doctor's first section: the server's own boot checks (loadConfig), then what the boot lets through but going live should not: the mode, NODE_ENV, the log level, the operators' tokens.
import { ConfigError, loadConfig, type Config } from '../config';
import { fail, ok, skip, type CheckResult } from './types';

const G = 'configuration' as const;
type Env = Record<string, string | undefined>;

/** pino's levels; LOG_LEVEL is not checked at boot, and pino throws at start on any other word. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Loads the configuration exactly as the server does. Each refusal becomes its own ✗ line (the
 * sentence loadConfig wrote names the variable and what to set); `config` is undefined then.
 */
export function configurationChecks(env: Env): { results: CheckResult[]; config: Config | undefined } {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const results = err.problems.map((problem, index) =>
      fail(G, `configuration.boot.${index + 1}`, 'boot check', problem, 'change that setting: the server refuses to start until every boot check passes (.env.example describes each one)'),
    );
    return { results, config: undefined };
  }
  const results = [ok(G, 'configuration.boot', 'boot checks', `the server would start with this environment (${config.mode} mode)`)];
  results.push(modeCheck(env, config), nodeEnvCheck(env), logLevelCheck(config.logLevel), adminTokenCheck(config), metricsTokenCheck(config));
  return { results, config };
}

function modeCheck(env: Env, config: Config): CheckResult {
  if (config.mode === 'live') return ok(G, 'configuration.mode', 'mode', 'live: the server talks to Airwallex and WeChat, and no /simulator route exists');
  const why = env.APP_MODE?.trim() === 'simulator' ? 'APP_MODE=simulator' : 'AIRWALLEX_CLIENT_ID and AIRWALLEX_API_KEY are not set';
  return fail(G, 'configuration.mode', 'mode', `simulator: the server would run the embedded simulator (${why}), where anyone may sign in as any shopper and mark any payment paid`, 'set AIRWALLEX_CLIENT_ID, AIRWALLEX_API_KEY, AIRWALLEX_WEBHOOK_SECRET, WECHAT_APPID and WECHAT_APP_SECRET (APP_MODE=live makes a missing one a refusal to start)');
}

function nodeEnvCheck(env: Env): CheckResult {
  const value = env.NODE_ENV?.trim() ?? '';
  if (value === 'production') return ok(G, 'configuration.node_env', 'NODE_ENV', 'production: a missing credential stops the server instead of starting the simulator, and plain-HTTP upstreams are refused');
  return fail(
    G,
    'configuration.node_env',
    'NODE_ENV',
    value ? `NODE_ENV is "${value}", not production` : 'NODE_ENV is not set',
    'set NODE_ENV=production in the server\'s environment (the systemd unit\'s EnvironmentFile): then a lost credential is a refusal to start, never a silent simulator, and ALLOW_INSECURE_UPSTREAM is refused',
  );
}

function logLevelCheck(level: string): CheckResult {
  const id = 'configuration.log_level';
  if (!LOG_LEVELS.includes(level)) return fail(G, id, 'LOG_LEVEL', `LOG_LEVEL "${level}" is not a level: the server would stop at start`, `set LOG_LEVEL to info (one of ${LOG_LEVELS.join(', ')})`);
  if (level === 'info' || level === 'warn') return ok(G, id, 'LOG_LEVEL', `${level}: payments, refusals and anomalies are logged, secrets redacted`);
  if (level === 'debug' || level === 'trace') return fail(G, id, 'LOG_LEVEL', `${level} logs every upstream call and retry: right while debugging, too much to keep in production`, 'set LOG_LEVEL=info (or warn)');
  return fail(G, id, 'LOG_LEVEL', `${level} hides the lines an operator needs (webhooks processed, orders changed, "not ready" and anomalies at info and warn)`, 'set LOG_LEVEL=info (or warn)');
}

/** The boot check already refused a weak token; this says what is on and how strong it is, never the token. */
function strength(token: string): string {
  return `${token.length} characters, ${new Set(token).size} different`;
}

function adminTokenCheck(config: Config): CheckResult {
  const id = 'configuration.admin_token';
  if (!config.adminToken) return skip(G, id, 'ADMIN_TOKEN', 'not set: the merchant console and the admin API are off (set one with openssl rand -hex 24 to find orders and refund from /admin)');
  return ok(G, id, 'ADMIN_TOKEN', `set and strong enough (${strength(config.adminToken)}): the console is at ${config.publicUrl ?? 'PUBLIC_URL'}/admin`);
}

function metricsTokenCheck(config: Config): CheckResult {
  const id = 'configuration.metrics_token';
  if (!config.metricsToken) return skip(G, id, 'METRICS_TOKEN', 'off: no /metrics (METRICS_TOKEN=off); set a token of its own to scrape the shop counters and alerts (docs/operating.md)');
  if (config.metricsToken === config.adminToken) return skip(G, id, 'METRICS_TOKEN', 'not set: /metrics takes the admin token (simulator mode only)');
  return ok(G, id, 'METRICS_TOKEN', `set, strong enough (${strength(config.metricsToken)}) and not the admin token: Prometheus scrapes /metrics with it`);
}
