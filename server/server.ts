// The composition root: builds real dependencies from a Config, mounts the simulator in simulator mode (loaded then only), listens.
import type { FastifyInstance } from 'fastify';
import { AirwallexClient } from './airwallex/client';
import { AirwallexFinance } from './airwallex/finance';
import { buildApp } from './app';
import { createCatalogue } from './catalogue';
import type { Config } from './config';
import { createLogger, type Logger } from './logger';
import { SharedAccessToken } from './services/access-token';
import { MessageService, type MessageServiceDeps } from './services/messages';
import { EventsClient } from './merchant/events-client';
import { EventDelivery } from './services/event-delivery';
import { OrderChanges } from './services/order-changes';
import { OrderWatch } from './services/order-watch';
import { OrderService } from './services/orders';
import { ReconciliationService } from './services/reconciliation';
import { RefundService } from './services/refunds';
import { SessionService } from './services/sessions';
import { Sweeper } from './services/sweep';
import { WebhookService } from './services/webhooks';
import type { BannerMessage } from './routes/types';
import type { Simulator } from './simulator';
import { openStore } from './store/open';
import type { Store } from './store/types';
import { createTelemetry, type Telemetry } from './telemetry';
import { WechatClient } from './wechat/client';
import { WechatOpenApi } from './wechat/open-api';

export interface RunningServer {
  app: FastifyInstance;
  /** http://host:port of the listening server. */
  url: string;
  store: Store;
  orders: OrderService;
  refunds: RefundService;
  sweeper: Sweeper;
  /** Subscription messages: their background pass (sweep) and sending. */
  messages: MessageService;
  reconciliation: ReconciliationService;
  telemetry: Telemetry;
  /** The embedded simulator, in simulator mode. */
  simulator: Simulator | undefined;
  /** The deliverer of order events to EVENTS_URL; undefined without it. */
  events: EventDelivery | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Airwallex client tuning (tests shorten timeouts and backoff). */
  airwallex?: { timeoutMs?: number; maxAttempts?: number; retryBudgetMs?: number; backoffBaseMs?: number };
  /** Start the background sweep (default true). */
  sweep?: boolean;
  /** Start the daily reconciliation's schedule (default true; never with RECONCILE_AT=off). */
  reconcile?: boolean;
  /** How often the reconciliation's schedule looks for a day to run (default 5 minutes). */
  reconcileIntervalMs?: number;
  /** Order events' delivery (with EVENTS_URL): start the deliverer (default true), how often it looks for due events. */
  events?: { start?: boolean; pollMs?: number };
  /** The clock of the services and the simulator (tests move it); timers still use real time. */
  now?: () => number;
  /** Interval between a long poll's retrieves (tests shorten or lengthen it). */
  retrieveIntervalMs?: number;
  /**
   * On close, how long requests in flight may take to finish before every connection is cut
   * (default 5 s). Long polls are answered at once; this is for the rest, and for clients that
   * connected but never sent a request, which would otherwise hold the shutdown for a minute.
   */
  shutdownGraceMs?: number;
  /** Subscription messages' retry and give-up timings (tests shorten them). */
  messages?: Pick<MessageServiceDeps, 'retryBaseMs' | 'maxAttempts' | 'interruptedAfterMs'>;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel, config.logFormat);
  const now = options.now ?? Date.now;
  const store = await openStore(config, logger);
  const telemetry = createTelemetry(store);
  let url = '';
  const simulatorUrl = (path: string) => () => `${url}${path}`;

  const airwallex = new AirwallexClient({
    baseUrl: config.mode === 'simulator' ? simulatorUrl('/simulator/airwallex') : config.airwallex.baseUrl,
    clientId: config.airwallex.clientId,
    apiKey: config.airwallex.apiKey,
    apiVersion: config.airwallex.apiVersion,
    timeoutMs: config.airwallex.timeoutMs,
    logger: logger.child({ upstream: 'airwallex' }),
    onAttempt: telemetry.airwallexCall,
    now,
    ...options.airwallex,
  });
  const wechat = new WechatClient({
    baseUrl: config.mode === 'simulator' ? simulatorUrl('/simulator/wechat') : config.wechat.baseUrl,
    appId: config.wechat.appId,
    appSecret: config.wechat.appSecret,
    timeoutMs: config.wechat.timeoutMs,
    logger: logger.child({ upstream: 'wechat' }),
  });
  // Subscription messages: the token every instance shares (in the store), and the sender.
  const wechatOpenApi = new WechatOpenApi({
    baseUrl: config.mode === 'simulator' ? simulatorUrl('/simulator/wechat') : config.wechat.baseUrl,
    appId: config.wechat.appId,
    appSecret: config.wechat.appSecret,
    timeoutMs: config.wechat.timeoutMs,
    logger: logger.child({ upstream: 'wechat' }),
    now,
  });
  const accessToken = new SharedAccessToken({ store, api: wechatOpenApi, appId: config.wechat.appId, logger, telemetry, now, leaseMs: config.wechat.timeoutMs * 3 });
  const messages = new MessageService({ store, api: wechatOpenApi, token: accessToken, settings: config.notifications, logger, telemetry, now, ...options.messages });
  const catalogue = createCatalogue(config.currency, config.catalogue?.products);
  const watch = new OrderWatch();
  // Long polls here wake on changes any instance stores (through the store's change feed).
  const unfollow = watch.follow(store, (err) => logger.warn({ err }, 'could not read a changed order'));
  const staleAfterMs = config.sweepIntervalSeconds * 2000;
  // Order events to the merchant's EVENTS_URL, delivered in the background from the outbox the changes write.
  const events = config.events
    ? new EventDelivery({
        store,
        // x-timestamp is the wire's time (the receiver checks its age), not the services' clock.
        client: new EventsClient({ url: config.events.url, secret: config.events.secret, timeoutMs: config.events.timeoutMs }),
        logger: logger.child({ component: 'events' }),
        telemetry,
        timeoutMs: config.events.timeoutMs,
        retryFirstMs: config.events.firstRetryMs,
        pollMs: options.events?.pollMs,
        now,
      })
    : undefined;
  const changes = new OrderChanges({ store, watch, logger, telemetry, staleAfterMs, messages, events, now });
  const orders = new OrderService({
    store,
    airwallex,
    catalogue,
    watch,
    changes,
    logger,
    telemetry,
    orderLifetimeMs: config.orderLifetimeSeconds * 1000,
    maxOpenOrders: config.limits.maxOpenOrders,
    now,
    retrieveIntervalMs: options.retrieveIntervalMs ?? config.longPollRecheckMs,
  });
  const refunds = new RefundService({ store, airwallex, orders, changes, logger, telemetry, staleAfterMs, now });
  const sessions = new SessionService({ store, wechat, ttlMs: config.sessionTtlSeconds * 1000, now });
  const webhooks = new WebhookService({
    store,
    changes,
    logger,
    telemetry,
    secret: config.airwallex.webhookSecret,
    toleranceMs: config.airwallex.webhookToleranceSeconds * 1000,
    now,
  });
  const sweeper = new Sweeper({
    store,
    orders,
    refunds,
    webhooks,
    changes,
    logger,
    telemetry,
    staleAfterMs,
    backoffBaseMs: staleAfterMs,
    webhookRetentionMs: config.webhookRetentionDays * 24 * 3600_000,
    now,
  });

  const reconciliation = new ReconciliationService({
    store,
    finance: new AirwallexFinance({ client: airwallex, logger: logger.child({ upstream: 'airwallex' }) }),
    airwallex,
    changes,
    logger: logger.child({ component: 'reconciliation' }),
    telemetry,
    timeZone: config.reconciliation.timeZone,
    runAtMinute: config.reconciliation.runAtMinute,
    graceBusinessDays: config.reconciliation.graceBusinessDays,
    pendingGraceMs: config.reconciliation.pendingGraceHours * 3600_000,
    now,
  });

  let simulator: Simulator | undefined;
  const app = await buildApp({
    logger,
    mode: config.mode,
    catalogue,
    catalogueImages: config.catalogue && { root: config.catalogue.imageRoot, files: config.catalogue.images },
    orderLifetimeSeconds: config.orderLifetimeSeconds,
    sessions,
    orders,
    refunds,
    webhooks,
    messages,
    reconciliation,
    telemetry,
    store,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    limits: config.limits,
    metricsToken: config.metricsToken,
    events,
    admin: config.adminToken
      ? {
          token: config.adminToken,
          simulatorStats: config.mode === 'simulator' ? () => simulator?.stats() : undefined,
          simulatorMessages: config.mode === 'simulator' ? () => (simulator ? bannerMessages(simulator) : []) : undefined,
        }
      : undefined,
    ready: () => store.ready(),
  });
  if (config.mode === 'simulator') {
    if (!config.simulator) throw new Error('simulator mode without the simulator settings: build the Config with loadConfig()');
    // Loaded here and only here: a live server never loads the simulator's code.
    const { registerSimulator } = await import('./simulator');
    simulator = await registerSimulator(app, {
      clientId: config.airwallex.clientId,
      apiKey: config.airwallex.apiKey,
      webhookSecret: config.airwallex.webhookSecret,
      webhookUrl: () => (url ? `${url}/webhooks/airwallex` : undefined),
      wechatAppId: config.wechat.appId,
      wechatAppSecret: config.wechat.appSecret,
      acceptUnknownCodes: config.simulator.acceptUnknownCodes,
      databasePath: config.simulator.databasePath,
      faults: config.simulator.faults,
      webhookEvents: config.simulator.webhookEvents,
      finance: config.simulator.finance,
      logger: logger.child({ component: 'simulator' }),
      now: options.now,
    });
  }

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    unfollow();
    await events?.stop();
    await simulator?.close();
    await store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (options.sweep !== false) {
    sweeper.start(config.sweepIntervalSeconds * 1000);
    messages.start(config.sweepIntervalSeconds * 1000);
  }
  if (options.reconcile !== false && config.reconciliation.runAtMinute !== null) reconciliation.start(options.reconcileIntervalMs ?? 5 * 60_000);
  if (options.events?.start !== false) events?.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    store,
    orders,
    refunds,
    sweeper,
    messages,
    reconciliation,
    telemetry,
    simulator,
    events,
    close() {
      closing ??= (async () => {
        await sweeper.stop();
        await messages.stop();
        await reconciliation.stop();
        await events?.stop();
        watch.releaseAll();
        // A keep-alive connection whose request was still running when close began would stay open
        // until its keep-alive timeout (72 s): close each one as soon as it falls idle. Whatever is
        // still busy after the grace is cut.
        const closeIdle = setInterval(() => app.server.closeIdleConnections(), 20);
        const cut = setTimeout(() => app.server.closeAllConnections(), options.shutdownGraceMs ?? 5_000);
        await app.close().finally(() => {
          clearInterval(closeIdle);
          clearTimeout(cut);
        });
        await simulator?.close();
        unfollow();
        await store.close();
      })();
      return closing;
    },
  };
}

/** The banner's list: the last 5 messages the simulated WeChat took, newest first, titled by their template. */
function bannerMessages(simulator: Simulator): BannerMessage[] {
  const titles = new Map(simulator.wechat.messages.templateList().map((t) => [t.priTmplId, t.title]));
  return simulator.wechat.messages
    .messages()
    .slice(-5)
    .reverse()
    .map((m) => ({ at: m.sent_at, shopper: m.shopper || m.touser, title: titles.get(m.template_id) ?? m.template_id, values: Object.entries(m.data).map(([key, { value }]) => `${key}: ${value}`).join(' · ') }));
}
