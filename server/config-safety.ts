// Checks of the settings that decide who can reach what, read by loadConfig (config.ts): the proxies to trust,
// PUBLIC_URL, the operators' tokens, and the go-live footguns refused at boot. Pure functions of the environment.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Config, Mode } from './config-types';

type Env = Record<string, string | undefined>;

/** proxy-addr's names for address ranges, which TRUST_PROXY may use like a CIDR. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: empty/false/0, a hop count, or the load balancers' addresses/CIDRs (comma-separated).
 * `true` is refused, and so is a range of every address (0.0.0.0/0, ::/0): trusting every hop lets any
 * client choose its address with X-Forwarded-For.
 */
export function trustProxy(value: string, problems: string[]): false | string | number {
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true') {
    problems.push(
      'TRUST_PROXY=true would trust every hop, so any client could choose its address with X-Forwarded-For (escaping the abuse limits, forging the audit log): ' +
        'give the number of proxies in front of the server (e.g. TRUST_PROXY=1) or their addresses/CIDRs (e.g. TRUST_PROXY=10.0.0.0/8)',
    );
    return false;
  }
  if (/^\d+$/.test(value) && Number(value) <= 16) return Number(value);
  const parts = value.split(',').map((part) => part.trim());
  const bad = parts.filter((part) => !PROXY_RANGE_NAMES.has(part) && !isAddressOrCidr(part));
  const everyone = parts.filter((part) => /\/0+$/.test(part));
  if (bad.length === 0 && everyone.length > 0) {
    problems.push(
      `TRUST_PROXY=${everyone.join(',')} is every address, as TRUST_PROXY=true would be: any client could choose its address with X-Forwarded-For. ` +
        'Give the load balancers\' own addresses or subnet (e.g. TRUST_PROXY=10.0.0.0/8), or their number (e.g. TRUST_PROXY=1)',
    );
    return false;
  }
  if (bad.length === 0) return parts.join(',');
  problems.push(`TRUST_PROXY must be a number of hops (1 to 16) or comma-separated proxy addresses/CIDRs (e.g. 10.0.0.0/8,127.0.0.1), got "${value}"`);
  return false;
}

function isAddressOrCidr(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A loopback host: only this machine can reach a server listening there. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * PUBLIC_URL: the origin browsers use. Required in live mode, and https there, except on a loopback
 * host (trying live mode on one machine, the tests): plain HTTP that never leaves the machine.
 */
export function publicUrl(env: Env, mode: Mode, problems: string[]): string | undefined {
  const value = env.PUBLIC_URL?.trim();
  if (!value) {
    if (mode === 'live') {
      problems.push('PUBLIC_URL is required in live mode: the https origin browsers reach this server at (e.g. https://shop.example.com); the console checks Origin against it and marks its cookie Secure');
    }
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`PUBLIC_URL must be an origin like https://shop.example.com, got "${value}"`);
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    const shown = url.username || url.password ? '(not shown: it holds credentials)' : `"${value}"`;
    problems.push(`PUBLIC_URL must be an origin like https://shop.example.com (no path, query or credentials), got ${shown}`);
    return undefined;
  }
  if (mode === 'live' && url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) {
    problems.push(`PUBLIC_URL must be https:// in live mode (the console's session cookie must never travel in clear), got "${value}"`);
  }
  return url.origin;
}

/**
 * Fewest different characters a token may have. Hex has 16, and 48 random hex digits (openssl rand -hex 24) miss
 * one of them about half the time: 10 refuses words and short patterns, while a random token falls below it about
 * once in a hundred million.
 */
const MIN_DISTINCT_CHARACTERS = 10;

/** What a token of an operator must look like, or why it is refused (undefined: fine). */
export function weakTokenReason(token: string): string | undefined {
  if (token.length < 24 || /\s/.test(token)) return 'must be at least 24 characters without spaces';
  const distinct = new Set(token).size;
  if (distinct < MIN_DISTINCT_CHARACTERS) return `is too easy to guess: it has only ${distinct} different characters (a random one has at least ${MIN_DISTINCT_CHARACTERS})`;
  // Never quoted in the message: even a refused token may be a real one with a typo.
  if (hasRepeatedRun(token, 8)) return 'is too easy to guess: a run of 8 characters repeats in it (a repeated pattern)';
  return undefined;
}

/** Whether a run of `length` characters occurs twice in `text`: in 48 random hex digits, about once in 5 million tokens. */
function hasRepeatedRun(text: string, length: number): boolean {
  const seen = new Set<string>();
  for (let i = 0; i + length <= text.length; i++) {
    const run = text.slice(i, i + length);
    if (seen.has(run)) return true;
    seen.add(run);
  }
  return false;
}

const MAKE_A_TOKEN = 'make one with: openssl rand -hex 24';

/**
 * ADMIN_TOKEN and METRICS_TOKEN. A token is generated (and printed at start) only in simulator mode
 * on a loopback HOST, where nobody else can reach the console; anywhere else the admin API and the
 * console are off until ADMIN_TOKEN is set. Live mode needs METRICS_TOKEN (or METRICS_TOKEN=off).
 */
export function operatorTokens(env: Env, mode: Mode, host: string, problems: string[]): Pick<Config, 'adminToken' | 'adminTokenGenerated' | 'metricsToken'> {
  const adminSetting = env.ADMIN_TOKEN?.trim() ?? '';
  const adminWeak = adminSetting ? weakTokenReason(adminSetting) : undefined;
  if (adminWeak) problems.push(`ADMIN_TOKEN ${adminWeak}: ${MAKE_A_TOKEN}`);
  const generate = !adminSetting && mode === 'simulator' && isLoopbackHost(host);
  const adminToken = adminSetting || (generate ? randomBytes(18).toString('base64url') : undefined);

  const metricsSetting = env.METRICS_TOKEN?.trim() ?? '';
  let metricsToken: string | undefined;
  if (metricsSetting === 'off') metricsToken = undefined;
  else if (metricsSetting) {
    const weak = weakTokenReason(metricsSetting);
    if (weak) problems.push(`METRICS_TOKEN ${weak}: ${MAKE_A_TOKEN}`);
    if (metricsSetting === adminSetting) problems.push('METRICS_TOKEN must differ from ADMIN_TOKEN: the scraper only reads counts, and must not be able to refund');
    metricsToken = metricsSetting;
  } else if (mode === 'live') {
    problems.push(`METRICS_TOKEN is required in live mode: the bearer token Prometheus scrapes /metrics with (${MAKE_A_TOKEN}), or METRICS_TOKEN=off for no /metrics`);
  } else {
    metricsToken = adminToken; // simulator mode, on a laptop: said at start
  }
  return { adminToken, adminTokenGenerated: generate, metricsToken };
}

/**
 * The go-live footguns, refused at boot: the API key and the app secret sent in clear (http base
 * URLs in live mode), and the simulator's unauthenticated controls in production.
 */
export function checkGoingLive(env: Env, config: Pick<Config, 'mode' | 'airwallex' | 'wechat'>, production: boolean, problems: string[]): void {
  const insecureAllowed = env.ALLOW_INSECURE_UPSTREAM?.trim() === '1';
  if (insecureAllowed && production) {
    problems.push('ALLOW_INSECURE_UPSTREAM=1 is for tests against a local simulator and is refused with NODE_ENV=production');
  }
  if (config.mode === 'live' && !(insecureAllowed && !production)) {
    const upstreams = [
      ['AIRWALLEX_BASE_URL', config.airwallex.baseUrl, 'Airwallex API key'],
      ['WECHAT_BASE_URL', config.wechat.baseUrl, 'WeChat app secret'],
    ] as const;
    for (const [key, value, secret] of upstreams) {
      if (!value.toLowerCase().startsWith('https://')) {
        problems.push(
          `${key} must be https:// in live mode (the ${secret} would travel in clear), got "${value}"; ` +
            'for a local simulator in tests, set ALLOW_INSECURE_UPSTREAM=1 (refused with NODE_ENV=production)',
        );
      }
    }
  }
  if (config.mode === 'simulator' && production && env.APP_MODE?.trim() === 'simulator' && env.SIMULATOR_IN_PRODUCTION?.trim() !== '1') {
    problems.push(
      "APP_MODE=simulator with NODE_ENV=production: the simulator's unauthenticated /simulator/* routes would let anyone sign in as any shopper and mark any payment paid; " +
        'set the Airwallex and WeChat credentials for live mode, or SIMULATOR_IN_PRODUCTION=1 if this is really a demo',
    );
  }
}

/**
 * What an operator should know at start about the console, the metrics and the webhooks, given
 * this configuration; `url` is where the server listens. The generated admin token is said only
 * here, and only exists in simulator mode on a loopback HOST.
 */
export function operatorNotes(config: Pick<Config, 'mode' | 'host' | 'publicUrl' | 'adminToken' | 'adminTokenGenerated' | 'metricsToken'>, url: string): string[] {
  const base = config.publicUrl ?? url;
  const notes: string[] = [];
  if (config.adminTokenGenerated) {
    // A development convenience only: it changes at every start.
    notes.push(`Merchant console: ${base}/admin (admin token for this run: ${config.adminToken}; set ADMIN_TOKEN to choose one)`);
  } else if (config.adminToken) {
    notes.push(`Merchant console: ${base}/admin (sign in with ADMIN_TOKEN)`);
  } else if (config.mode === 'simulator') {
    notes.push(
      `The admin API and merchant console are off: HOST=${config.host} can be reached from other machines, so no admin token is generated; ` +
        `set ADMIN_TOKEN to turn them on (${MAKE_A_TOKEN})`,
    );
  } else {
    notes.push(`The admin API and merchant console are off: set ADMIN_TOKEN to turn them on (${MAKE_A_TOKEN})`);
  }
  if (config.mode === 'simulator' && !isLoopbackHost(config.host)) {
    notes.push(
      `The simulator's controls (/simulator/*: log in as any shopper, pay any order, change its faults) answer anyone who can reach HOST=${config.host}: ` +
        'keep it on a network you trust (a phone on your Wi-Fi), never on the internet',
    );
  }
  if (config.metricsToken === undefined) notes.push('GET /metrics is off (METRICS_TOKEN=off, or no token to guard it)');
  else if (config.metricsToken === config.adminToken) notes.push('GET /metrics takes the admin token (simulator mode only): set METRICS_TOKEN to give the scraper a token of its own');
  if (config.mode === 'live') notes.push(`Airwallex webhooks: the endpoint to set in Airwallex's web app is ${base}/webhooks/airwallex`);
  return notes;
}
