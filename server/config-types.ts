// The configuration's shape, as loadConfig (config.ts) returns it: apart from its reading, so that config-safety.ts,
// which config.ts calls, can name it without an import circle.
import type { NotificationSettings } from './config-notifications';
import type { CatalogueFile } from './catalogue-file';
import type { SimulatorSettings } from './simulator/settings';

export type Mode = 'simulator' | 'live';

/** The daily reconciliation (config-reconciliation.ts; docs/reconciliation.md). */
export interface ReconciliationConfig {
  /** MERCHANT_TIME_ZONE: what a day is, for reconciliations and the console's overview. */
  timeZone: string;
  /** RECONCILE_AT: minutes after midnight when yesterday is reconciled by itself; null (`off`): only by hand. */
  runAtMinute: number | null;
  /** RECONCILE_GRACE_BUSINESS_DAYS: how long a payment or refund may wait for its Airwallex transaction. */
  graceBusinessDays: number;
  /** RECONCILE_PENDING_GRACE_HOURS: how long past its estimated settlement a batch may stay PENDING. */
  pendingGraceHours: number;
}

/** Order events to the merchant's system (EVENTS_URL …), as config-events.ts reads them. */
export interface EventsSettings {
  /** The merchant's endpoint: order events are POSTed here, signed. */
  url: string;
  /** The shared secret of x-signature (never logged). */
  secret: string;
  /** One try's limit: no complete answer within it is a failed try. */
  timeoutMs: number;
  /** The first retry's delay; each failure in a row doubles it, up to an hour. */
  firstRetryMs: number;
}


export interface Config {
  mode: Mode;
  host: string;
  port: number;
  /** SQLite file; ":memory:" for a throwaway database. Unused when `databaseUrl` is set. */
  databasePath: string;
  /**
   * postgres://user:password@host:port/database: selects PostgreSQL instead of SQLite. Holds the
   * password: log `describeDatabase(config)`, never this.
   */
  databaseUrl: string | undefined;
  /** Connections in this instance's PostgreSQL pool (the LISTEN connection comes on top). */
  databasePoolSize: number;
  /** PostgreSQL cancels a statement of this instance's pool that runs (or waits for a lock) longer than this. */
  databaseStatementTimeoutMs: number;
  logLevel: string;
  /** "pretty" for humans (pino-pretty), "json" for log shippers. */
  logFormat: 'json' | 'pretty';
  currency: string;
  /** The merchant's catalogue from CATALOGUE_PATH (checked at boot); undefined: the demo products. */
  catalogue: CatalogueFile | undefined;
  orderLifetimeSeconds: number;
  sessionTtlSeconds: number;
  sweepIntervalSeconds: number;
  /** While a long poll waits on an open order, the order is re-read (and retrieved from Airwallex) this often. */
  longPollRecheckMs: number;
  /** Webhook event ids are kept this long (at least 7 days: Airwallex retries for about 3). */
  webhookRetentionDays: number;
  /**
   * fastify's trustProxy: how to find the client's address behind a load balancer. false: the
   * socket's; a number: that many hops; a string: the proxies' addresses/CIDRs. Never `true`, which
   * would let any client choose its address with X-Forwarded-For.
   */
  trustProxy: false | string | number;
  /**
   * Where browsers reach this server (PUBLIC_URL, an origin such as https://shop.example.com):
   * the console's Origin check, its cookie's Secure flag and its absolute links come from it, never
   * from a client's header. Required in live mode; optional in simulator mode (then the Host header).
   */
  publicUrl: string | undefined;
  limits: {
    /** Requests per minute per shopper (by session), on every authenticated API route. */
    shopperPerMinute: number;
    /** Requests per minute per client address, on every API route. */
    addressPerMinute: number;
    /** POST /api/sessions per minute per client address (each one costs a WeChat call). */
    sessionsPerMinute: number;
    /**
     * Console sign-in attempts, plus refused bearer tokens on the admin API and /metrics, per minute
     * per client address (guessing the admin or metrics token).
     */
    adminSignInsPerMinute: number;
    /** Unpaid orders a shopper may have at once. */
    maxOpenOrders: number;
    /** POST /api/client-errors per minute per client address (a budget of its own). */
    clientErrorsPerMinute: number;
  };
  /** The admin API's bearer token; undefined: the admin API and console are off. */
  adminToken: string | undefined;
  /** True when ADMIN_TOKEN was generated at boot (simulator mode on a loopback HOST): print it for the developer. */
  adminTokenGenerated: boolean;
  /**
   * Bearer token of GET /metrics: METRICS_TOKEN (required in live mode; `off`: no /metrics); in
   * simulator mode without one, the admin token (said at boot). Undefined: no /metrics.
   */
  metricsToken: string | undefined;
  airwallex: {
    baseUrl: string;
    clientId: string;
    apiKey: string;
    /** Sent as x-api-version when set; otherwise the account's default version applies. */
    apiVersion: string | undefined;
    webhookSecret: string;
    webhookToleranceSeconds: number;
    timeoutMs: number;
  };
  wechat: {
    baseUrl: string;
    appId: string;
    appSecret: string;
    timeoutMs: number;
  };
  /** Subscription messages: templates, the merchant's time zone, the mini program version they open (config-notifications.ts). */
  notifications: NotificationSettings;
  reconciliation: ReconciliationConfig;
  /** Order events to the merchant's EVENTS_URL (config-events.ts); undefined: recorded for the feed only. */
  events: EventsSettings | undefined;
  /** Simulator mode only: the embedded simulator's own settings (server/simulator/settings.ts). */
  simulator: SimulatorSettings | undefined;
}
