// What every route module receives: the typed app and the services it calls.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Catalogue } from '../catalogue';
import type { Logger } from '../logger';
import type { OrderService } from '../services/orders';
import type { SessionService } from '../services/sessions';
import type { WebhookService } from '../services/webhooks';
import type { RefundService } from '../services/refunds';
import type { MessageService } from '../services/messages';
import type { ReconciliationService } from '../services/reconciliation';
import type { LimitSettings } from '../limits';
import type { Telemetry } from '../telemetry';
import type { Store } from '../store/types';

export interface AppDeps {
  logger: Logger;
  mode: 'simulator' | 'live';
  catalogue: Catalogue;
  /** CATALOGUE_PATH's pictures: the folder and the files in it the products name (served under /static/catalogue/, nothing else). */
  catalogueImages?: { root: string; files: string[] };
  orderLifetimeSeconds: number;
  sessions: SessionService;
  orders: OrderService;
  refunds: RefundService;
  webhooks: WebhookService;
  /** Subscription messages: the templates /api/config hands out, the shopper's answers. */
  messages: MessageService;
  /** Reconciliation runs (the admin API and console start them; the schedule is the composition root's). */
  reconciliation: ReconciliationService;
  telemetry: Telemetry;
  store: Store;
  /** fastify's trustProxy (TRUST_PROXY): never `true`. */
  trustProxy: false | string | number;
  /** PUBLIC_URL: the origin browsers reach the server at (the console's Origin check and Secure cookies). */
  publicUrl?: string;
  limits: LimitSettings;
  /** Bearer token of GET /metrics; absent: no /metrics route. */
  metricsToken?: string;
  /** The admin API and console; absent when ADMIN_TOKEN is not set in live mode. */
  admin?: AdminDeps;
  /** The order events' deliverer (EVENTS_URL set): the admin service wakes it on a resend. */
  events?: { readonly delivering: boolean; wake(): void };
  /** Whether the server takes traffic (GET /readyz): the store, and anything else the composition root adds. */
  ready: () => Promise<{ ok: boolean; detail?: string }>;
}

/** A subscription message the simulated WeChat took, as the console's simulator banner lists it. */
export interface BannerMessage {
  /** ISO time WeChat took it. */
  at: string;
  shopper: string;
  /** The template's title (as gettemplate names it). */
  title: string;
  /** Its values, "key: value" joined. */
  values: string;
}

export interface AdminDeps {
  token: string;
  /** The simulator's counters, shown on the console in simulator mode. */
  simulatorStats?: () => unknown;
  /** The last subscription messages the simulated WeChat took, shown on the console's banner in simulator mode. */
  simulatorMessages?: () => BannerMessage[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated shopper's openid; set by the `authenticate` hook. */
    openId: string;
  }
  interface FastifyContextConfig {
    /** A shopper's route: a valid session counts against its shopper, anything else against the client address. */
    shopperSession?: boolean;
    /** A route with a limit of its own (its onRequest checks it), outside the per-address budget of the other routes. */
    ownLimit?: boolean;
  }
}

/** The fastify instance with TypeBox schemas typing each route's input. */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
