// Routes anyone may call: health and readiness, public configuration, the catalogue and its pictures
// (/static/); and /metrics with its token.
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { CONTRACT_VERSION } from '../contract';
import type { ConfigResponse, HealthResponse, ProductsResponse, ReadyResponse } from '../contract';
import { AppError } from '../errors';
import { sameSecret } from './admin';
import { currencyPrecision } from '../money';
import { MAX_WAIT_SECONDS } from '../services/orders';
import { languageOf, presentProducts } from './presenters';
import type { AppDeps, TypedApp } from './types';

/** Files served under /static/ (product pictures); the catalogue refers to them by path. */
export const STATIC_ROOT = path.join(__dirname, '..', 'static');

/**
 * How long phones may keep a static file without asking again. A week, with ETag / Last-Modified
 * for the revalidation after it: a changed picture should get a new file name to show at once.
 */
export const STATIC_MAX_AGE_SECONDS = 7 * 24 * 3600;

export function registerPublicRoutes(app: TypedApp, deps: AppDeps): void {
  // Liveness: the process answers. Cheap, and never touches the database.
  app.get('/healthz', async (): Promise<HealthResponse> => ({ status: 'ok' }));

  // Readiness: the database answers with this code's schema (and, on PostgreSQL, the change listener is up).
  app.get('/readyz', async (_request, reply): Promise<ReadyResponse> => {
    const ready = await deps.ready();
    if (!ready.ok) reply.code(503);
    return ready.ok ? { status: 'ready' } : { status: 'not_ready', detail: ready.detail ?? 'not ready' };
  });

  // Prometheus: behind its own read-only token (METRICS_TOKEN), never the admin token in production.
  if (deps.metricsToken) {
    const token = deps.metricsToken;
    app.get('/metrics', async (request, reply) => {
      const match = /^Bearer (\S{1,512})$/.exec(request.headers.authorization ?? '');
      if (!match || !sameSecret(match[1], token)) throw new AppError('ADMIN_UNAUTHENTICATED', 'GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`.');
      reply.type(deps.telemetry.registry.contentType);
      return deps.telemetry.registry.metrics();
    });
  }

  app.get('/api/config', async (): Promise<ConfigResponse> => ({
    mode: deps.mode,
    currency: deps.catalogue.currency,
    currencyPrecision: currencyPrecision(deps.catalogue.currency),
    orderLifetimeSeconds: deps.orderLifetimeSeconds,
    maxWaitSeconds: MAX_WAIT_SECONDS,
    contractVersion: CONTRACT_VERSION,
  }));

  app.register(fastifyStatic, {
    root: STATIC_ROOT,
    prefix: '/static/',
    decorateReply: false,
    index: false,
    list: false,
    cacheControl: false,
    setHeaders: (res) => res.setHeader('cache-control', `public, max-age=${STATIC_MAX_AGE_SECONDS}`),
  });

  app.get('/api/products', async (request): Promise<ProductsResponse> => ({
    products: presentProducts(deps.catalogue, languageOf(request.headers['accept-language'])),
  }));
}
