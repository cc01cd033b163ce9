// The admin API (/admin/api/*): find orders, read their timeline, refund, re-check, see anomalies.
// Every route needs the admin token (or the console's session); every change is audited.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AdminOrderResponse, AdminOrdersResponse, AnomaliesResponse, CreateRefundResponse, OrderStatus } from '../contract';
import { AppError } from '../errors';
import { languageOf, presentAdminOrder, presentAnomaly, presentTimeline } from './presenters';
import type { AdminDeps, AppDeps, TypedApp } from './types';

const ORDER_STATUSES: OrderStatus[] = ['awaiting_payment', 'processing', 'paid', 'cancelled', 'expired'];
const OrderParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' })),
});

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is acting on the admin API: a fingerprint of the token, never the token. */
    adminActor: string;
  }
}

/** `admin:` and 8 hex digits of the token's SHA-256: enough to tell tokens apart in the audit log. */
export function actorOf(token: string): string {
  return `admin:${sha256(token).slice(0, 8)}`;
}

/** Equal in constant time: both sides are hashed first, so their lengths cannot leak either. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(given), 'hex'), Buffer.from(sha256(expected), 'hex'));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function registerAdminRoutes(app: TypedApp, deps: AppDeps, admin: AdminDeps): void {
  app.decorateRequest('adminActor', '');
  const authenticate = async (request: FastifyRequest) => {
    const match = /^Bearer (\S{1,512})$/.exec(request.headers.authorization ?? '');
    // A shopper's session token is never an admin token: only ADMIN_TOKEN itself is compared.
    if (!match || !sameSecret(match[1], admin.token)) throw new AppError('ADMIN_UNAUTHENTICATED');
    request.adminActor = actorOf(match[1]);
  };
  const audit = (request: FastifyRequest, action: string, target: string | null, detail: Record<string, unknown>) =>
    deps.store.recordAudit({ at: Date.now(), actor: request.adminActor, action, target, detail: { requestId: request.id, ...detail } });
  const language = (request: FastifyRequest) => languageOf(request.headers['accept-language']);

  app.register(
    async (plugin) => {
      const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
      scope.addHook('onRequest', authenticate);

      scope.get(
        '/orders',
        {
          schema: {
            querystring: Type.Object({
              status: Type.Optional(Type.Union(ORDER_STATUSES.map((status) => Type.Literal(status)))),
              q: Type.Optional(Type.String({ maxLength: 128 })),
              from: Type.Optional(Type.String({ format: 'date-time' })),
              to: Type.Optional(Type.String({ format: 'date-time' })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
              offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
            }),
          },
        },
        async (request): Promise<AdminOrdersResponse> => {
          const { status, q, from, to } = request.query;
          const limit = request.query.limit ?? 50;
          const offset = request.query.offset ?? 0;
          const { orders, total } = await deps.store.searchOrders({
            status,
            q: q?.trim() || undefined,
            from: from ? Date.parse(from) : undefined,
            to: to ? Date.parse(to) : undefined,
            limit,
            offset,
          });
          return { orders: orders.map((order) => presentAdminOrder(order, language(request))), total, limit, offset };
        },
      );

      scope.get('/orders/:id', { schema: { params: OrderParams } }, async (request): Promise<AdminOrderResponse> => {
        const order = await deps.store.getOrder(request.params.id);
        if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${request.params.id}.`);
        return { order: presentAdminOrder(order, language(request)), timeline: presentTimeline(await deps.store.orderEvents(order.id)) };
      });

      scope.post(
        '/orders/:id/refunds',
        {
          schema: {
            params: OrderParams,
            headers: IdempotencyHeaders,
            body: Type.Object({
              amount: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
              reason: Type.Optional(Type.String({ maxLength: 128 })),
            }),
          },
        },
        async (request, reply): Promise<CreateRefundResponse> => {
          const idempotencyKey = request.headers['idempotency-key'];
          if (!idempotencyKey) throw new AppError('IDEMPOTENCY_KEY_REQUIRED');
          const { id } = request.params;
          try {
            const result = await deps.refunds.refund(id, request.body, { idempotencyKey, actor: request.adminActor });
            if (result.created) await audit(request, 'refund.create', id, { refundId: result.refund.id, amount: result.refund.amount, reason: result.refund.reason, status: result.refund.status });
            // A replay answers exactly as the first request did.
            reply.code(201);
            const order = presentAdminOrder(result.order, language(request));
            return { refund: order.refunds.find((refund) => refund.id === result.refund.id)!, order };
          } catch (err) {
            if (err instanceof AppError) await audit(request, 'refund.refused', id, { code: err.code, amount: request.body.amount ?? null });
            throw err;
          }
        },
      );

      scope.post('/orders/:id/recheck', { schema: { params: OrderParams } }, async (request): Promise<AdminOrderResponse> => {
        const order = await deps.refunds.recheck(request.params.id);
        await audit(request, 'order.recheck', order.id, { status: order.status });
        return { order: presentAdminOrder(order, language(request)), timeline: presentTimeline(await deps.store.orderEvents(order.id)) };
      });

      scope.get(
        '/anomalies',
        { schema: { querystring: Type.Object({ open: Type.Optional(Type.Boolean()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }) } },
        async (request): Promise<AnomaliesResponse> => {
          const anomalies = await deps.store.listAnomalies({ openOnly: request.query.open ?? false, limit: request.query.limit ?? 100, offset: 0 });
          return { anomalies: anomalies.map(presentAnomaly) };
        },
      );

      scope.post(
        '/anomalies/:id/resolve',
        { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) } },
        async (request) => {
          const anomaly = await deps.store.resolveAnomaly(request.params.id, Date.now());
          if (!anomaly) throw new AppError('NOT_FOUND', `No anomaly ${request.params.id}.`);
          await audit(request, 'anomaly.resolve', anomaly.orderId, { anomalyId: anomaly.id, kind: anomaly.kind });
          return { anomaly: presentAnomaly(anomaly) };
        },
      );

      scope.get(
        '/audit',
        { schema: { querystring: Type.Object({ target: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }) } },
        async (request) => {
          const entries = await deps.store.listAudit({ target: request.query.target, limit: request.query.limit ?? 100 });
          return { entries: entries.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })) };
        },
      );

      if (admin.simulatorStats) {
        const stats = admin.simulatorStats;
        scope.get('/simulator', async () => ({ stats: stats() }));
      }
    },
    { prefix: '/admin/api' },
  );
}
