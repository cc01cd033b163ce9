// The simulator's own settings: its credentials, and what it reads from the environment (faults, delays, webhook events, its database, unknown codes).
//
// server/config.ts asks for them through simulatorSettings(), in simulator mode only, so a live server
// never loads simulator code; server/simulator/main.ts (the standalone simulator) uses the same parsers.
import path from 'node:path';
import { MS_KEYS } from './faults';
import { financeFromEnv, type FinanceSettings } from './finance-settings';
import { REFUND_WEBHOOK_EVENTS } from './inferred';
import { AIRWALLEX_ENDPOINTS, type AirwallexEndpoint, type EndpointFaults, type FaultSettings } from './types';
import { templateIdFor } from './wechat-templates';

/** Credentials the simulator accepts; they mean nothing anywhere else. */
export const SIMULATOR_CREDENTIALS = {
  clientId: 'sim-client',
  apiKey: 'sim-key',
  webhookSecret: 'whsec_simulator_only',
  wechatAppId: 'wxsimulator000000',
  wechatAppSecret: 'simulator-app-secret',
} as const;

/**
 * The part of a live server's environment that points it at a simulator process at `simulatorUrl` (its origin,
 * e.g. http://127.0.0.1:4010) with the simulator's credentials: the code path a merchant runs, over plain HTTP
 * that never leaves the machine (which the server allows only outside production). Scripts and tests add the rest.
 */
export function liveEnvForSimulator(simulatorUrl: string): Record<string, string> {
  return {
    APP_MODE: 'live',
    AIRWALLEX_CLIENT_ID: SIMULATOR_CREDENTIALS.clientId,
    AIRWALLEX_API_KEY: SIMULATOR_CREDENTIALS.apiKey,
    AIRWALLEX_WEBHOOK_SECRET: SIMULATOR_CREDENTIALS.webhookSecret,
    AIRWALLEX_BASE_URL: `${simulatorUrl}/simulator/airwallex`,
    WECHAT_APPID: SIMULATOR_CREDENTIALS.wechatAppId,
    WECHAT_APP_SECRET: SIMULATOR_CREDENTIALS.wechatAppSecret,
    WECHAT_BASE_URL: `${simulatorUrl}/simulator/wechat`,
    ALLOW_INSECURE_UPSTREAM: '1',
  };
}

/** What the server's configuration holds for the embedded simulator (Config.simulator). */
export interface SimulatorSettings {
  /** The credentials the server uses where the environment sets none. */
  credentials: typeof SIMULATOR_CREDENTIALS;
  /** Where the simulator keeps its state; it lives beside the server's database. */
  databasePath: string;
  /** Faults to inject from the start (SIMULATOR_* variables, see faultsFromEnv). */
  faults: Partial<FaultSettings>;
  /** Webhook events the simulator sends (SIMULATOR_WEBHOOK_EVENTS); undefined = all. */
  webhookEvents: readonly string[] | undefined;
  /** Fee rate, settlement delay and wire shapes of the simulated money side (SIMULATOR_FEE_RATE, …: finance-settings.ts). */
  finance: Partial<FinanceSettings>;
  /**
   * Let jscode2session take codes it never minted (DevTools' tourist-mode wx.login) as the
   * default test shopper. Off when real WeChat credentials are set: then every unknown code is
   * refused, as WeChat would, instead of making every shopper the same one.
   */
  acceptUnknownCodes: boolean;
  /** The ids of the two templates the simulated account ships (wechat-templates.ts): the server sends them unless told otherwise. */
  templates: { paymentSucceeded: string; refundSucceeded: string };
}

type Env = Record<string, string | undefined>;

/**
 * The embedded simulator's settings from `env`, beside a server whose database is
 * `serverDatabasePath`. Each invalid variable adds a sentence to `problems` (the server's boot
 * check reports them all at once) instead of throwing.
 */
export function simulatorSettings(env: Env, problems: string[], serverDatabasePath: string): SimulatorSettings {
  const collect = <T>(parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
      return fallback;
    }
  };
  return {
    credentials: SIMULATOR_CREDENTIALS,
    databasePath: serverDatabasePath === ':memory:' ? ':memory:' : path.join(path.dirname(serverDatabasePath), 'simulator.sqlite'),
    faults: collect(() => faultsFromEnv(env), {}),
    webhookEvents: collect(() => webhookEventsFromEnv(env.SIMULATOR_WEBHOOK_EVENTS), undefined),
    finance: financeFromEnv(env, problems),
    acceptUnknownCodes: !env.WECHAT_APPID?.trim() && !env.WECHAT_APP_SECRET?.trim(),
    templates: {
      paymentSucceeded: templateIdFor(env.WECHAT_APPID?.trim() || SIMULATOR_CREDENTIALS.wechatAppId, 'paymentSucceeded'),
      refundSucceeded: templateIdFor(env.WECHAT_APPID?.trim() || SIMULATOR_CREDENTIALS.wechatAppId, 'refundSucceeded'),
    },
  };
}

/**
 * What the simulated account is subscribed to by default: the events docs/going-live.md tells merchants to pick.
 * The simulator keeps its own list (it imports nothing of the server's); a test holds it equal to the one the
 * server and the doctor use (server/airwallex/webhook-events.ts).
 */
export const RECOMMENDED_WEBHOOK_EVENTS: readonly string[] = [
  'payment_intent.succeeded',
  'payment_intent.requires_payment_method',
  'payment_intent.cancelled',
  'payment_intent.pending',
  'payment_intent.pending_review',
  ...Object.values(REFUND_WEBHOOK_EVENTS),
];

/**
 * SIMULATOR_WEBHOOK_EVENTS: unset → the recommended subscription; "*" → every event; otherwise a
 * comma-separated list of event names.
 */
export function webhookEventsFromEnv(value: string | undefined): readonly string[] | undefined {
  const text = value?.trim();
  if (!text) return RECOMMENDED_WEBHOOK_EVENTS;
  if (text === '*') return undefined;
  const names = text.split(',').map((name) => name.trim()).filter(Boolean);
  const bad = names.filter((name) => !/^[a-z_]+\.[a-z_]+$/.test(name));
  if (bad.length > 0) throw new RangeError(`SIMULATOR_WEBHOOK_EVENTS: not event names: ${bad.join(', ')}`);
  return names;
}

/*
 * Fault env vars (read through faultsFromEnv by simulatorSettings and by main.ts):
 *
 *   SIMULATOR_LATENCY_MS              ms added to every Airwallex/WeChat API answer        (default 0)
 *   SIMULATOR_ERROR_RATE_5XX          share of Airwallex calls answered 500/502/503, not applied (0..1)
 *   SIMULATOR_ERROR_RATE_429          share of Airwallex calls answered 429, not applied   (0..1)
 *   SIMULATOR_TIMEOUT_RATE            share of Airwallex calls applied, then never answered (0..1)
 *   SIMULATOR_TIMEOUT_HOLD_MS         how long such a call holds the connection            (default 30000)
 *   SIMULATOR_<RATE>_<ENDPOINT>       per-endpoint override of the three rates above, e.g.
 *                                     SIMULATOR_TIMEOUT_RATE_CONFIRM=0.5; endpoints LOGIN, CREATE,
 *                                     CONFIRM, RETRIEVE, CANCEL, LIST, REFUND_CREATE, REFUND_RETRIEVE,
 *                                     REFUND_LIST, FT_LIST, FT_RETRIEVE, SETTLEMENT_LIST, SETTLEMENT_RETRIEVE,
 *                                     WEBHOOK_LIST
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
