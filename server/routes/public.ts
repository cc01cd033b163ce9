// Routes anyone may call: health, public configuration, the catalogue.
import type { ConfigResponse, HealthResponse, ProductsResponse } from '../contract';
import { currencyPrecision } from '../money';
import { MAX_WAIT_SECONDS } from '../services/orders';
import { languageOf, presentProducts } from './presenters';
import type { AppDeps, TypedApp } from './types';

export function registerPublicRoutes(app: TypedApp, deps: AppDeps): void {
  app.get('/healthz', async (): Promise<HealthResponse> => ({ status: 'ok' }));

  // For a load balancer: 503 while the database is unreachable or the change feed is down, so
  // traffic goes to instances that can serve it. /healthz stays the liveness check.
  app.get('/readyz', async (_request, reply) => {
    const readiness = deps.ready ? await deps.ready() : { ok: true };
    return reply.code(readiness.ok ? 200 : 503).send(readiness.ok ? { status: 'ready' } : { status: 'not_ready', detail: readiness.detail });
  });

  app.get('/api/config', async (): Promise<ConfigResponse> => ({
    mode: deps.mode,
    currency: deps.catalogue.currency,
    currencyPrecision: currencyPrecision(deps.catalogue.currency),
    orderLifetimeSeconds: deps.orderLifetimeSeconds,
    maxWaitSeconds: MAX_WAIT_SECONDS,
  }));

  app.get('/api/products', async (request): Promise<ProductsResponse> => ({
    products: presentProducts(deps.catalogue, languageOf(request.headers['accept-language'])),
  }));
}
