// buildApp(deps): the HTTP API (routes, validation, one error handler); no listen, no process.env.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Catalogue } from './catalogue';
import type {
  ConfigResponse,
  CreateSessionResponse,
  ErrorBody,
  OrderResponse,
  OrdersResponse,
  PaymentResponse,
  ProductsResponse,
} from './contract';
import { AppError, ERRORS, isAppError, type ErrorCode } from './errors';
import type { Logger } from './logger';
import { currencyPrecision } from './money';
import { languageOf, presentOrder, presentProducts } from './routes/presenters';
import { MAX_WAIT_SECONDS, type OrderService } from './services/orders';
import type { SessionService } from './services/sessions';
import type { WebhookService } from './services/webhooks';

export interface AppDeps {
  logger: Logger;
  mode: 'simulator' | 'live';
  catalogue: Catalogue;
  orderLifetimeSeconds: number;
  sessions: SessionService;
  orders: OrderService;
  webhooks: WebhookService;
}

/** Largest JSON body the API takes; an order of many lines is still far below it. */
const API_BODY_LIMIT = 16 * 1024;
const WEBHOOK_BODY_LIMIT = 512 * 1024;

const OrderStatusSchema = Type.Union(
  ['awaiting_payment', 'processing', 'paid', 'cancelled', 'expired'].map((status) => Type.Literal(status)),
);
const OrderParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated shopper's openid; set by the `authenticate` pre-handler. */
    openId: string;
  }
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: API_BODY_LIMIT,
    ajv: { customOptions: { removeAdditional: true, coerceTypes: true, allErrors: false } },
    // Long polls end by themselves within MAX_WAIT_SECONDS; shutdown releases them at once.
    connectionTimeout: 0,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('openId', '');
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(new AppError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`), request, reply),
  );

  const authenticate = async (request: FastifyRequest) => {
    request.openId = await deps.sessions.authenticate(request.headers.authorization);
  };

  app.get('/healthz', async () => ({ status: 'ok' as const }));

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

  app.post(
    '/api/sessions',
    { schema: { body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 128 }) }) } },
    async (request, reply): Promise<CreateSessionResponse> => {
      const session = await deps.sessions.createSession(request.body.code);
      reply.code(201);
      return { token: session.token, expiresAt: new Date(session.expiresAt).toISOString() };
    },
  );

  app.post(
    '/api/orders',
    {
      onRequest: authenticate,
      schema: {
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' })) }),
        body: Type.Object({
          items: Type.Array(
            Type.Object({
              sku: Type.String({ minLength: 1, maxLength: 64 }),
              quantity: Type.Integer({ minimum: 1, maximum: 99 }),
            }),
            { minItems: 1, maxItems: 50 },
          ),
        }),
      },
    },
    async (request, reply): Promise<OrderResponse> => {
      const order = await deps.orders.createOrder(request.openId, request.body.items, request.headers['idempotency-key']);
      reply.code(201);
      return { order: presentOrder(order, languageOf(request.headers['accept-language'])) };
    },
  );

  app.get('/api/orders', { onRequest: authenticate }, async (request): Promise<OrdersResponse> => {
    const language = languageOf(request.headers['accept-language']);
    return { orders: (await deps.orders.listOrders(request.openId)).map((order) => presentOrder(order, language)) };
  });

  app.get(
    '/api/orders/:id',
    {
      onRequest: authenticate,
      schema: {
        params: OrderParams,
        querystring: Type.Object({
          waitSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS })),
          unlessStatus: Type.Optional(OrderStatusSchema),
          refresh: Type.Optional(Type.Boolean()),
        }),
      },
    },
    async (request): Promise<OrderResponse> => {
      const { waitSeconds, unlessStatus, refresh } = request.query;
      const order = await deps.orders.getOrder(request.openId, request.params.id, {
        waitMs: (waitSeconds ?? 0) * 1000,
        unlessStatus: unlessStatus as OrderResponse['order']['status'] | undefined,
        refresh,
      });
      return { order: presentOrder(order, languageOf(request.headers['accept-language'])) };
    },
  );

  app.post(
    '/api/orders/:id/payment',
    { onRequest: authenticate, schema: { params: OrderParams } },
    async (request): Promise<PaymentResponse> => {
      const { order, requestPayment } = await deps.orders.startPayment(request.openId, request.params.id);
      return { order: presentOrder(order, languageOf(request.headers['accept-language'])), requestPayment };
    },
  );

  app.post(
    '/api/orders/:id/cancel',
    { onRequest: authenticate, schema: { params: OrderParams } },
    async (request): Promise<OrderResponse> => {
      const order = await deps.orders.cancelOrder(request.openId, request.params.id);
      return { order: presentOrder(order, languageOf(request.headers['accept-language'])) };
    },
  );

  // The webhook needs the exact bytes Airwallex signed, so its body is not parsed as JSON here.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));
    scope.post('/webhooks/airwallex', async (request, reply) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const outcome = await deps.webhooks.receive(body, { timestamp: header('x-timestamp'), signature: header('x-signature') });
      reply.code(200);
      return { received: true, outcome };
    });
  });

  return app;
}

/** The one error handler: every failure becomes `{error: {code, message, requestId}}` with its status. */
function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { code, message, status } = classify(error);
  if (status >= 500) request.log.error({ err: error }, message);
  else request.log.info({ code, status, reason: message }, 'request refused');
  const body: ErrorBody = { error: { code, message, requestId: request.id } };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

function classify(error: unknown): { code: ErrorCode; message: string; status: number } {
  if (isAppError(error)) return { code: error.code, message: error.message, status: error.status };
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown };
  const known = (code: ErrorCode, message?: string) => ({ code, message: message ?? ERRORS[code].message, status: ERRORS[code].status });
  if (fastifyError.validation) return known('VALIDATION_FAILED', fastifyError.message);
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return known('INVALID_JSON', fastifyError.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return known('BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return known('UNSUPPORTED_MEDIA_TYPE', fastifyError.message);
  }
  if (error instanceof SyntaxError) return known('INVALID_JSON');
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) return { code: 'VALIDATION_FAILED', message: fastifyError.message ?? 'Bad request.', status };
  return known('INTERNAL');
}
