// Entry point of the embedded Airwallex + WeChat simulator: mounts every /simulator/* route on a fastify app.
import { randomInt } from 'node:crypto';
import type { FastifyBaseLogger, FastifyError, FastifyInstance } from 'fastify';
import { airwallexRoutes } from './airwallex-routes';
import { ApiError, errorBody } from './api-error';
import type { SimulatorContext } from './context';
import { createRandom, DEFAULT_FAULTS, faultPatchProblems, mergeFaults } from './faults';
import { Finance } from './finance';
import { financeControls, type SimulatorFinance } from './finance-controls';
import type { FinanceSettings } from './finance-settings';
import { PaymentIntents } from './payment-intents';
import { Refunds, type ExternalRefundInput } from './refunds';
import { emptyCounters, type Counters } from './stats';
import { SimulatorStore } from './store';
import type { FaultSettings, PaymentIntent, Refund, SimulatorStats } from './types';
import { WebhookDispatcher } from './webhooks';
import { WechatLogin } from './wechat';
import { WechatPlatform, type WechatPlatformOptions } from './wechat-platform';
import { wechatRoutes } from './wechat-routes';

export { ApiError } from './api-error';
export { financeFromEnv, type FinanceSettings } from './finance-settings';
export type { PlantInput, SimulatorFinance } from './finance-controls';
export { validateResponse } from './openapi';
export { faultsFromEnv, RECOMMENDED_WEBHOOK_EVENTS, SIMULATOR_CREDENTIALS, webhookEventsFromEnv } from './settings';
export { signWebhook } from './webhooks';
export { openIdFor } from './wechat';
export { templateIdFor } from './wechat-templates';
export type { WechatPlatform, WechatPlatformOptions, WechatSwitches } from './wechat-platform';
export type { SentMessage } from './wechat-messages';
export type { ExternalRefundInput } from './refunds';
export type { AirwallexEndpoint, EndpointFaults, FaultSettings, PaymentAttempt, PaymentIntent, Refund, SimulatorStats, WebhookEvent } from './types';

export interface SimulatorOptions {
  /** Login accepts only these (x-client-id / x-api-key). */
  clientId: string;
  apiKey: string;
  /** Signs webhooks (x-signature). */
  webhookSecret: string;
  /** Called at delivery time (the server's port is known only after listen); undefined keeps events queued. */
  webhookUrl: () => string | undefined;
  /** jscode2session accepts only these (40013 / 40125 otherwise). */
  wechatAppId: string;
  wechatAppSecret: string;
  /** Take wx.login codes the simulator never minted as the default shopper (DevTools' tourist mode); default true. */
  acceptUnknownCodes?: boolean;
  /** ':memory:' or a file; with a file, intents, refunds (and their pending status changes), financial transactions and batches, used request_ids, codes and queued webhooks survive a restart. */
  databasePath: string;
  faults?: Partial<FaultSettings>;
  /** Fee rate, settlement delay and the disputed wire shapes of financial transactions and settlements (SIMULATOR_FEE_RATE, …). */
  finance?: Partial<FinanceSettings>;
  /**
   * The event names this "account" subscribed to, as a merchant picks them in Airwallex's web app;
   * undefined sends every event. See RECOMMENDED_WEBHOOK_EVENTS.
   */
  webhookEvents?: readonly string[];
  logger?: FastifyBaseLogger;
  /** The simulated WeChat's tokens and subscription messages: IP allow-list, the app's pages, lowered quotas. */
  wechatPlatform?: WechatPlatformOptions;
  /**
   * Clock for what the simulator reports and checks (timestamps, token and code expiry), in ms.
   * Timers (latency, webhook retries, timeout holds) always use real time.
   */
  now?: () => number;
}

export interface Simulator {
  /** Merges `f` into the current settings (per-endpoint overrides merge per endpoint). */
  setFaults(f: Partial<FaultSettings>): void;
  getFaults(): FaultSettings;
  /** Back to the settings the simulator started with (SimulatorOptions.faults). */
  resetFaults(): void;
  stats(): SimulatorStats;
  resetStats(): void;
  /** Every intent, oldest first: the ground truth. */
  listIntents(): PaymentIntent[];
  /** Every refund, oldest first: the ground truth. */
  listRefunds(): Refund[];
  /**
   * A refund made in Airwallex's web app (not through the API), as POST /simulator/airwallex/_refunds:
   * the same rules and webhooks as POST /api/v1/pa/refunds/create. Throws the Airwallex error
   * (an Error with `statusCode` and `code`) when refused.
   */
  createExternalRefund(input: ExternalRefundInput): Refund;
  /** The simulated WeChat's tokens, subscription messages and their switches (what the /simulator/wechat/_* controls use). */
  wechat: WechatPlatform;
  /** Financial transactions and settlement batches: settings, ground truth, and the controls that plant discrepancies. */
  finance: SimulatorFinance;
  /** Stops webhook timers, drops held responses, closes the database. Also runs when the app closes. */
  close(): Promise<void>;
}

/**
 * Mounts /simulator/airwallex/*, /simulator/wechat/* and the /simulator controls on `app`, inside
 * an encapsulated plugin with its own body parsing and Airwallex-shaped errors, so the host app's
 * hooks and handlers are untouched. Call before `app.listen()` / `app.ready()`.
 */
export async function registerSimulator(app: FastifyInstance, opts: SimulatorOptions): Promise<Simulator> {
  const store = new SimulatorStore(opts.databasePath);
  const now = opts.now ?? Date.now;
  const logger = opts.logger ?? app.log.child({ module: 'simulator' });
  const initialFaults = mergeFaults(DEFAULT_FAULTS, opts.faults ?? {});
  let faults = initialFaults;
  let random = createRandom(faults.seed ?? randomInt(2 ** 31));
  let counters: Counters = emptyCounters();

  const webhooks = new WebhookDispatcher({
    store,
    secret: opts.webhookSecret,
    url: opts.webhookUrl,
    faults: () => faults,
    random: () => random(),
    counters: () => counters,
    now,
    logger,
    subscribed: opts.webhookEvents ? new Set(opts.webhookEvents) : undefined,
  });
  const finance = new Finance({ store, now, settings: opts.finance });
  const wechatPlatform = new WechatPlatform({
    store,
    appId: opts.wechatAppId,
    appSecret: opts.wechatAppSecret,
    now,
    random: () => random(),
    counters: () => counters,
    logger,
    options: opts.wechatPlatform ?? {},
  });
  const refunds = new Refunds({ store, webhooks, now, faults: () => faults, random: () => random(), logger, onAccepted: (r, ms) => finance.bookRefund(r, ms) });
  const ctx: SimulatorContext = {
    store,
    intents: new PaymentIntents({ store, webhooks, now, wechatAppId: opts.wechatAppId, onCaptured: (i, ms) => finance.bookPayment(i, ms) }),
    refunds,
    finance,
    wechat: new WechatLogin({
      store,
      now,
      appId: opts.wechatAppId,
      appSecret: opts.wechatAppSecret,
      busy: () => random() < faults.wechatBusyRate,
      acceptUnknownCodes: opts.acceptUnknownCodes ?? true,
      onLogin: (openId, shopper) => wechatPlatform.rememberUser(openId, shopper),
    }),
    wechatPlatform,
    faults: () => faults,
    random: () => random(),
    counters: () => counters,
    now,
    logger,
    clientId: opts.clientId,
    apiKey: opts.apiKey,
    webhookSubscription: () => ({ url: opts.webhookUrl(), events: opts.webhookEvents, secret: opts.webhookSecret }),
    startedAt: now(),
    holds: new Set(),
  };

  const setFaults = (patch: Partial<FaultSettings>): void => {
    faults = mergeFaults(faults, patch);
    if (patch.seed !== undefined) random = createRandom(patch.seed);
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const release of [...ctx.holds]) release();
      refunds.close();
      await webhooks.close();
      await store.close();
    })();
    return closing;
  };

  await app.register(
    async (instance) => {
      // Our own parsing: any content type, an empty body is "no body", bad JSON is Airwallex's validation_error.
      instance.removeAllContentTypeParsers();
      instance.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => {
        const text = String(body);
        if (text.trim() === '') return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch {
          done(new ApiError(400, 'validation_error', 'The request body is not valid JSON'), undefined);
        }
      });
      instance.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
        if (error instanceof ApiError) {
          return reply.code(error.statusCode).send(errorBody(error.code, error.message, error.source));
        }
        const status = error.statusCode ?? 500;
        if (status >= 400 && status < 500) return reply.code(status).send(errorBody('validation_error', error.message));
        request.log.error({ err: error }, 'simulator: unexpected error');
        return reply.code(500).send(errorBody('internal_error', 'Internal error in the simulator'));
      });
      instance.setNotFoundHandler((request, reply) =>
        reply.code(404).send(errorBody('not_found', `No such endpoint: ${request.method} ${request.url.split('?')[0]}`)),
      );
      // Held "timeout" responses would keep app.close() waiting for the whole hold.
      instance.addHook('preClose', (done) => {
        for (const release of [...ctx.holds]) release();
        done();
      });
      instance.addHook('onClose', async () => close());

      await instance.register(airwallexRoutes(ctx), { prefix: '/airwallex' });
      await instance.register(wechatRoutes(ctx), { prefix: '/wechat' });

      instance.get('/stats', async (): Promise<SimulatorStats> => simulator.stats());
      instance.post('/faults', async (request) => {
        const problems = faultPatchProblems(request.body ?? {});
        if (problems.length > 0) throw new ApiError(400, 'validation_error', problems.join('; '));
        setFaults((request.body ?? {}) as Partial<FaultSettings>);
        return faults;
      });
      instance.delete('/faults', async () => {
        simulator.resetFaults();
        return faults;
      });
    },
    { prefix: '/simulator' },
  );

  const simulator: Simulator = {
    setFaults,
    getFaults: () => faults,
    resetFaults: () => {
      faults = initialFaults;
      random = createRandom(faults.seed ?? randomInt(2 ** 31));
    },
    stats: () => {
      // A copy, so a caller comparing before/after snapshots is not handed live counters.
      const copy = structuredClone(counters);
      const byStatus = store.isOpen ? store.refundCounts() : {};
      return {
        ...copy,
        webhooks: { ...copy.webhooks, pending: store.isOpen ? store.pendingDeliveries() : 0 },
        refunds: { total: Object.values(byStatus).reduce((sum, n) => sum + n, 0), byStatus },
      };
    },
    resetStats: () => {
      counters = emptyCounters();
    },
    listIntents: () => store.listIntents(),
    listRefunds: () => refunds.all(),
    createExternalRefund: (input) => refunds.createExternal(input),
    wechat: wechatPlatform,
    finance: financeControls(finance, store, now),
    close,
  };
  webhooks.start();
  refunds.start();
  return simulator;
}
