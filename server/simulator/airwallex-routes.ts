// HTTP routes of the simulated Airwallex API (mounted at /simulator/airwallex): auth, spec validation, faults.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './api-error';
import { guarded, type SimulatorContext } from './context';
import { financeRoutes } from './finance-routes';
import { base64url, formatTimestamp } from './format';
import { openApi } from './openapi';
import { listWebhooks } from './webhook-subscriptions';

/** Access tokens live 30 minutes (docs/reference/airwallex.md §1). */
export const TOKEN_LIFETIME_MS = 30 * 60_000;

type Params = { id?: string };

export function airwallexRoutes(ctx: SimulatorContext) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    const spec = openApi();

    // Counts answers per status; the control routes (/_intents, /_refunds, …) are not Airwallex endpoints, so they are left out.
    app.addHook('onSend', async (request, reply) => {
      if (request.routeOptions.url?.includes('/_')) return;
      const codes = ctx.counters().airwallex.statusCodes;
      const key = String(reply.statusCode);
      codes[key] = (codes[key] ?? 0) + 1;
    });

    /** Checks path, query and body against the spec, stripe-mock style; throws validation_error. */
    const validate = (request: FastifyRequest, method: 'get' | 'post', template: string): void => {
      const failure = spec.validateRequest(method, template, {
        params: request.params as Record<string, string>,
        query: request.query as Record<string, unknown>,
        body: request.body,
      });
      if (failure) throw new ApiError(400, 'validation_error', failure.message, failure.source);
    };

    const authenticate = (request: FastifyRequest): void => {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (!match) throw new ApiError(401, 'unauthorized', 'Access denied: the Authorization header must carry a Bearer token from /api/v1/authentication/login');
      const expires = ctx.store.tokenExpiry(match[1]);
      if (expires === undefined) throw new ApiError(401, 'unauthorized', 'Access denied: the access token is invalid');
      if (expires <= ctx.now()) throw new ApiError(401, 'unauthorized', 'Access denied: the access token has expired');
    };

    app.post('/api/v1/authentication/login', (request, reply) =>
      guarded(ctx, 'login', request, reply, () => {
        const clientId = request.headers['x-client-id'];
        const apiKey = request.headers['x-api-key'];
        if (clientId !== ctx.clientId || apiKey !== ctx.apiKey) {
          throw new ApiError(401, 'unauthorized', 'Access denied: x-client-id and x-api-key do not match');
        }
        const nowMs = ctx.now();
        const expiresMs = nowMs + TOKEN_LIFETIME_MS;
        const token = [
          base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })),
          base64url(JSON.stringify({ iat: Math.floor(nowMs / 1000), exp: Math.floor(expiresMs / 1000), sub: ctx.clientId })),
          base64url(randomBytes(32)),
        ].join('.');
        ctx.store.addToken(token, expiresMs);
        // Whole seconds, rounded down, so a client caching until expires_at never outlives the token.
        return { status: 201, body: { token, expires_at: formatTimestamp(expiresMs - (expiresMs % 1000)) } };
      }),
    );

    app.post('/api/v1/pa/payment_intents/create', (request, reply) =>
      guarded(ctx, 'create', request, reply, () => {
        authenticate(request);
        validate(request, 'post', '/api/v1/pa/payment_intents/create');
        return { status: 201, body: ctx.intents.create(request.body as Record<string, unknown>) };
      }),
    );

    app.get<{ Params: Params }>('/api/v1/pa/payment_intents/:id', (request, reply) =>
      guarded(ctx, 'retrieve', request, reply, () => {
        authenticate(request);
        validate(request, 'get', '/api/v1/pa/payment_intents/{id}');
        return { status: 200, body: ctx.intents.retrieve(request.params.id as string) };
      }),
    );

    // Not in the spec subset; its query parameters are checked by hand (PaymentIntents.list).
    app.get('/api/v1/pa/payment_intents', (request, reply) =>
      guarded(ctx, 'list', request, reply, () => {
        authenticate(request);
        return { status: 200, body: ctx.intents.list(request.query as Record<string, unknown>) };
      }),
    );

    app.post<{ Params: Params }>('/api/v1/pa/payment_intents/:id/confirm', (request, reply) =>
      guarded(ctx, 'confirm', request, reply, async () => {
        authenticate(request);
        validate(request, 'post', '/api/v1/pa/payment_intents/{id}/confirm');
        return { status: 200, body: await ctx.intents.confirm(request.params.id as string, request.body as Record<string, unknown>) };
      }),
    );

    app.post<{ Params: Params }>('/api/v1/pa/payment_intents/:id/cancel', (request, reply) =>
      guarded(ctx, 'cancel', request, reply, () => {
        authenticate(request);
        validate(request, 'post', '/api/v1/pa/payment_intents/{id}/cancel');
        return { status: 200, body: ctx.intents.cancel(request.params.id as string, request.body as Record<string, unknown>) };
      }),
    );

    app.post('/api/v1/pa/refunds/create', (request, reply) =>
      guarded(ctx, 'refund_create', request, reply, () => {
        authenticate(request);
        validate(request, 'post', '/api/v1/pa/refunds/create');
        return { status: 201, body: ctx.refunds.create(request.body as Record<string, unknown>) };
      }),
    );

    app.get<{ Params: Params }>('/api/v1/pa/refunds/:id', (request, reply) =>
      guarded(ctx, 'refund_retrieve', request, reply, () => {
        authenticate(request);
        validate(request, 'get', '/api/v1/pa/refunds/{id}');
        return { status: 200, body: ctx.refunds.retrieve(request.params.id as string) };
      }),
    );

    app.get('/api/v1/pa/refunds', (request, reply) =>
      guarded(ctx, 'refund_list', request, reply, () => {
        authenticate(request);
        validate(request, 'get', '/api/v1/pa/refunds');
        return { status: 200, body: ctx.refunds.list(request.query as Record<string, unknown>) };
      }),
    );

    // The one operation of the Webhooks API that the go-live doctor calls; this API's validation code is invalid_argument.
    app.get('/api/v1/webhooks', (request, reply) =>
      guarded(ctx, 'webhook_list', request, reply, () => {
        authenticate(request);
        const query = request.query as Record<string, unknown>;
        const failure = spec.validateRequest('get', '/api/v1/webhooks', { query });
        if (failure) throw new ApiError(400, 'invalid_argument', failure.message, failure.source);
        return { status: 200, body: listWebhooks(ctx.webhookSubscription(), ctx.startedAt, query) };
      }),
    );

    // Ground truth for tests and the chaos tool: no auth, no faults.
    app.get('/_intents', async () => ({ items: ctx.store.listIntents() }));
    app.get('/_refunds', async () => ({ items: ctx.refunds.all() }));
    /** A refund made in Airwallex's web app, not through the API: same rules, same webhooks. */
    app.post('/_refunds', async (request, reply) => reply.code(201).send(ctx.refunds.createExternal(request.body)));

    financeRoutes(app, ctx, { authenticate, validate });
  };
}
