// The shopper's orders: quote (public), create, list, read (long poll), pay, cancel, the subscription messages accepted (Bearer token).
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../errors';
import type { Limits } from '../limits';
import { ORDER_STATUSES, type OrderResponse, type OrdersResponse, type OrderStatus, type PaymentResponse, type QuoteResponse, type SubscriptionsResponse } from '../contract';
import { MAX_WAIT_SECONDS } from '../services/order-watch';
import { languageOf, presentItems, presentOrder } from './presenters';
import type { AppDeps, TypedApp } from './types';

const OrderStatusSchema = Type.Union(ORDER_STATUSES.map((status) => Type.Literal(status)));
const WAIT_SECONDS_PATTERN = `^(?:${Array.from({ length: MAX_WAIT_SECONDS + 1 }, (_, n) => n).join('|')})$`;
const OrderParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const ItemsBody = Type.Object({
  items: Type.Array(
    Type.Object({
      sku: Type.String({ minLength: 1, maxLength: 64 }),
      quantity: Type.Integer({ minimum: 1, maximum: 99 }),
    }),
    { minItems: 1, maxItems: 50 },
  ),
});

const CreateOrderSchema = {
  headers: Type.Object({
    'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' })),
  }),
  body: ItemsBody,
};

const GetOrderSchema = {
  params: OrderParams,
  querystring: Type.Object({
    // A string pattern, not an integer: Ajv's type coercion turns "Infinity" into a number that
    // slips past `maximum`, while this admits exactly 0..25.
    waitSeconds: Type.Optional(Type.String({ pattern: WAIT_SECONDS_PATTERN })),
    unlessStatus: Type.Optional(OrderStatusSchema),
    refundsSince: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })),
    refresh: Type.Optional(Type.Boolean()),
  }),
};

/** WeChat's answers per template id: a few ids (it asks for at most 3, or 5), each status a short word (accept, reject, acceptWithAudio…). */
const SubscriptionsSchema = {
  params: OrderParams,
  body: Type.Object({
    results: Type.Unsafe<Record<string, string>>({
      type: 'object',
      maxProperties: 10,
      propertyNames: { minLength: 1, maxLength: 128 },
      additionalProperties: { type: 'string', minLength: 1, maxLength: 32 },
    }),
  }),
};

export function registerOrderRoutes(app: TypedApp, deps: AppDeps, limits: Limits): void {
  app.decorateRequest('openId', '');
  // onRequest, so an unauthenticated request is refused before its body is even read. Shopper first, address
  // second: a valid session counts against its shopper only, so one shopper flooding from behind a carrier's NAT
  // never spends the budget of the others there; a missing or unknown token counts against the address.
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      request.openId = await deps.sessions.authenticate(request.headers.authorization);
    } catch (err) {
      if (isAppError(err) && err.code === 'UNAUTHENTICATED') await limits.address(request, reply);
      throw err;
    }
    await limits.shopper(request, reply);
  };
  const shopperSession = { shopperSession: true };
  const language = (request: FastifyRequest) => languageOf(request.headers['accept-language']);

  // Public, like the catalogue: it prices a cart and creates nothing.
  app.post('/api/quote', { schema: { body: ItemsBody } }, async (request): Promise<QuoteResponse> => {
    const { lines, totalAmount, currency } = deps.orders.quote(request.body.items);
    return { items: presentItems(lines, currency, language(request)), total: { amount: totalAmount, currency } };
  });

  app.post('/api/orders', { onRequest: authenticate, config: shopperSession, schema: CreateOrderSchema }, async (request, reply): Promise<OrderResponse> => {
    const order = await deps.orders.createOrder(request.openId, request.body.items, request.headers['idempotency-key']);
    reply.code(201);
    return { order: presentOrder(order, language(request)) };
  });

  app.get('/api/orders', { onRequest: authenticate, config: shopperSession }, async (request): Promise<OrdersResponse> => {
    const orders = await deps.orders.listOrders(request.openId);
    return { orders: orders.map((order) => presentOrder(order, language(request))) };
  });

  app.get('/api/orders/:id', { onRequest: authenticate, config: shopperSession, schema: GetOrderSchema }, async (request, reply): Promise<OrderResponse> => {
    const { waitSeconds, unlessStatus, refundsSince, refresh } = request.query;
    // A client that goes away ends its long poll, and the retrieves made while it waited.
    const gone = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) gone.abort();
    };
    reply.raw.once('close', onClose);
    try {
      const order = await deps.orders.getOrder(request.openId, request.params.id, {
        waitMs: Number(waitSeconds ?? 0) * 1000,
        unlessStatus: unlessStatus as OrderStatus | undefined,
        refundsSince: refundsSince === undefined ? undefined : Number(refundsSince),
        refresh,
        signal: gone.signal,
      });
      return { order: presentOrder(order, language(request)) };
    } finally {
      reply.raw.off('close', onClose);
    }
  });

  app.post('/api/orders/:id/payment', { onRequest: authenticate, config: shopperSession, schema: { params: OrderParams } }, async (request): Promise<PaymentResponse> => {
    const { order, requestPayment } = await deps.orders.startPayment(request.openId, request.params.id);
    return { order: presentOrder(order, language(request)), requestPayment };
  });

  // What the shopper answered in WeChat's subscription panel for this order: each accept of a configured template, once.
  app.post('/api/orders/:id/subscriptions', { onRequest: authenticate, config: shopperSession, schema: SubscriptionsSchema }, async (request): Promise<SubscriptionsResponse> => {
    const accepted = await deps.messages.recordAnswers(request.openId, request.params.id, request.body.results, language(request));
    return { accepted };
  });

  app.post('/api/orders/:id/cancel', { onRequest: authenticate, config: shopperSession, schema: { params: OrderParams } }, async (request): Promise<OrderResponse> => {
    const order = await deps.orders.cancelOrder(request.openId, request.params.id);
    return { order: presentOrder(order, language(request)) };
  });
}
