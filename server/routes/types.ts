// What every route module receives: the typed app and the services it calls.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Catalogue } from '../catalogue';
import type { Logger } from '../logger';
import type { OrderService } from '../services/orders';
import type { SessionService } from '../services/sessions';
import type { WebhookService } from '../services/webhooks';

export interface AppDeps {
  logger: Logger;
  mode: 'simulator' | 'live';
  catalogue: Catalogue;
  orderLifetimeSeconds: number;
  sessions: SessionService;
  orders: OrderService;
  webhooks: WebhookService;
  /** Readiness of what the instance depends on (the store); GET /readyz answers 503 while not ok. */
  ready?: () => Promise<{ ok: boolean; detail?: string }>;
}

/** The fastify instance with TypeBox schemas typing each route's input. */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;
