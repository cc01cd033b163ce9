// Routes anyone may call: health, public configuration, the catalogue.
import type { ConfigResponse, HealthResponse, ProductsResponse } from '../contract';
import { currencyPrecision } from '../money';
import { MAX_WAIT_SECONDS } from '../services/orders';
import { languageOf, presentProducts } from './presenters';
import type { AppDeps, TypedApp } from './types';

export function registerPublicRoutes(app: TypedApp, deps: AppDeps): void {
  app.get('/healthz', async (): Promise<HealthResponse> => ({ status: 'ok' }));

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
