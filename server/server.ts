// The composition root: builds real dependencies from a Config, mounts the simulator in simulator mode (loaded then only), listens.
import type { FastifyInstance } from 'fastify';
import { AirwallexClient } from './airwallex/client';
import { buildApp } from './app';
import { createCatalogue } from './catalogue';
import type { Config } from './config';
import { createLogger, type Logger } from './logger';
import { EventsClient } from './merchant/events-client';
import { EventDelivery } from './services/event-delivery';
import { OrderChanges } from './services/order-changes';
import { OrderWatch } from './services/order-watch';
import { OrderService } from './services/orders';
import { RefundService } from './services/refunds';
import { SessionService } from './services/sessions';
import { Sweeper } from './services/sweep';
import { WebhookService } from './services/webhooks';
import type { Simulator } from './simulator';
import { openStore } from './store/open';
import type { Store } from './store/types';
import { createTelemetry, type Telemetry } from './telemetry';
import { WechatClient } from './wechat/client';

export interface RunningServer {
  app: FastifyInstance;
  /** http://host:port of the listening server. */
  url: string;
  store: Store;
  orders: OrderService;
  refunds: RefundService;
  sweeper: Sweeper;
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
  const changes = new OrderChanges({ store, watch, logger, telemetry, staleAfterMs, events, now });
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
    telemetry,
    store,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    limits: config.limits,
    metricsToken: config.metricsToken,
    events,
    admin: config.adminToken ? { token: config.adminToken, simulatorStats: config.mode === 'simulator' ? () => simulator?.stats() : undefined } : undefined,
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
  if (options.sweep !== false) sweeper.start(config.sweepIntervalSeconds * 1000);
  if (options.events?.start !== false) events?.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    store,
    orders,
    refunds,
    sweeper,
    telemetry,
    simulator,
    events,
    close() {
      closing ??= (async () => {
        await sweeper.stop();
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
