// Routes anyone may call: health, public configuration, the catalogue and its pictures (/static/).
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { ConfigResponse, HealthResponse, ProductsResponse } from '../contract';
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
  app.get('/healthz', async (): Promise<HealthResponse> => ({ status: 'ok' }));

  app.get('/api/config', async (): Promise<ConfigResponse> => ({
    mode: deps.mode,
    currency: deps.catalogue.currency,
    currencyPrecision: currencyPrecision(deps.catalogue.currency),
    orderLifetimeSeconds: deps.orderLifetimeSeconds,
    maxWaitSeconds: MAX_WAIT_SECONDS,
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
