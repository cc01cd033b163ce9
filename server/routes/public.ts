// Routes anyone may call: health and readiness, public configuration, the catalogue; and /metrics with its token.
import type { ConfigResponse, HealthResponse, ProductsResponse, ReadyResponse } from '../contract';
import { AppError } from '../errors';
import { sameSecret } from './admin';
import { currencyPrecision } from '../money';
import { MAX_WAIT_SECONDS } from '../services/orders';
import { languageOf, presentProducts } from './presenters';
import type { AppDeps, TypedApp } from './types';

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
  }));

  app.get('/api/products', async (request): Promise<ProductsResponse> => ({
    products: presentProducts(deps.catalogue, languageOf(request.headers['accept-language'])),
  }));
}
