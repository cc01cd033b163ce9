// Routes anyone may call: health and readiness, public configuration, the catalogue and its pictures
// (/static/); and /metrics with its token.
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { CONTRACT_VERSION } from '../contract';
import type { ConfigResponse, HealthResponse, ProductsResponse, ReadyResponse } from '../contract';
import type { AdminAuth } from '../auth/admin';
import { AppError } from '../errors';
import { CATALOGUE_IMAGE_PREFIX } from '../catalogue-file';
import { currencyPrecision } from '../money';
import { MAX_WAIT_SECONDS } from '../services/order-watch';
import { languageOf, presentProducts } from './presenters';
import type { AppDeps, TypedApp } from './types';

/** Files served under /static/ (product pictures); the catalogue refers to them by path. */
export const STATIC_ROOT = path.join(__dirname, '..', 'static');

/**
 * How long phones may keep a static file without asking again. A week, with ETag / Last-Modified
 * for the revalidation after it: a changed picture should get a new file name to show at once.
 */
export const STATIC_MAX_AGE_SECONDS = 7 * 24 * 3600;

/** What GET /readyz says when not ready; the cause is in the server's log. */
export const NOT_READY_DETAIL = "not ready: the reason is in the server's log";

export function registerPublicRoutes(app: TypedApp, deps: AppDeps, auth: AdminAuth): void {
  // Liveness: the process answers. Cheap, and never touches the database.
  app.get('/healthz', async (): Promise<HealthResponse> => ({ status: 'ok' }));

  // Readiness: the database answers with this code's schema (and, on PostgreSQL, the change listener is up). Anyone
  // may ask, so the answer says only ready or not; why not (a host, a port, a role in an error text) goes to the log.
  app.get('/readyz', async (request, reply): Promise<ReadyResponse> => {
    const ready = await deps.ready();
    if (ready.ok) return { status: 'ready' };
    request.log.warn({ cause: ready.detail ?? 'not ready' }, 'not ready');
    reply.code(503);
    return { status: 'not_ready', detail: NOT_READY_DETAIL };
  });

  // Prometheus: behind its own read-only token (METRICS_TOKEN); a wrong one counts as a guess, like the admin token's.
  if (deps.metricsToken) {
    const token = deps.metricsToken;
    const refusal = 'GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`.';
    app.get('/metrics', async (request, reply) => {
      if ((await auth.bearer(request, reply, token, 'metrics', refusal)) === undefined) throw new AppError('ADMIN_UNAUTHENTICATED', refusal);
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
    ...(deps.messages.subscribeTemplates() ? { subscribeTemplates: deps.messages.subscribeTemplates() } : {}),
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

  // The pictures of CATALOGUE_PATH's products: the files they name, never the rest of the catalogue's folder.
  if (deps.catalogueImages) {
    const files = new Set(deps.catalogueImages.files);
    app.register(fastifyStatic, {
      root: deps.catalogueImages.root,
      prefix: CATALOGUE_IMAGE_PREFIX,
      decorateReply: false,
      index: false,
      list: false,
      cacheControl: false,
      allowedPath: (pathname) => files.has(pathname.replace(/^\/+/, '')),
      setHeaders: (res) => res.setHeader('cache-control', `public, max-age=${STATIC_MAX_AGE_SECONDS}`),
    });
  }

  app.get('/api/products', async (request): Promise<ProductsResponse> => ({
    products: presentProducts(deps.catalogue, languageOf(request.headers['accept-language'])),
  }));
}
