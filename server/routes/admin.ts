// The admin API (/admin/api/*): find orders, read their timeline, refund, re-check, see anomalies, reconcile a day, read the order
// events' feed.
// Every route needs the admin token (or the console's session); every change is audited.
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ORDER_STATUSES } from '../contract';
import type { AdminOrderResponse, AdminOrdersResponse, AnomaliesResponse, CreateRefundResponse, EventsFeedResponse, ReconciliationResponse, ReconciliationsResponse } from '../contract-admin';
import type { AdminAuth } from '../auth/admin';
import { AppError } from '../errors';
import type { AdminContext, AdminService } from '../services/admin';
import { languageOf, presentAdminOrder, presentAnomaly, presentTimeline } from './presenters';
import { presentItem, presentRun } from './reconciliation-presenters';
import type { AdminDeps, AppDeps, TypedApp } from './types';

const OrderParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' })),
});

export function registerAdminRoutes(app: TypedApp, deps: AppDeps, admin: AdminDeps, service: AdminService, auth: AdminAuth): void {
  const now = () => Date.now();
  app.decorateRequest('adminActor', '');
  app.decorateRequest('adminVia', 'api');
  const context = (request: FastifyRequest): AdminContext => ({ actor: request.adminActor, requestId: request.id, via: request.adminVia });
  const language = (request: FastifyRequest) => languageOf(request.headers['accept-language']);

  app.register(
    async (plugin) => {
      const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
      scope.addHook('onRequest', (request, reply) => auth.adminApi(request, reply, admin.token, now()));
      scope.addHook('onSend', async (_request, reply) => {
        reply.header('cache-control', 'no-store');
      });

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
          const { orders, total } = await service.searchOrders({
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
        const { order, events } = await service.orderWithTimeline(request.params.id);
        return { order: presentAdminOrder(order, language(request)), timeline: presentTimeline(events) };
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
          const result = await service.refund(request.params.id, request.body, idempotencyKey, context(request));
          // A replay answers exactly as the first request did.
          reply.code(201);
          const order = presentAdminOrder(result.order, language(request));
          return { refund: order.refunds.find((refund) => refund.id === result.refund.id)!, order };
        },
      );

      scope.post('/orders/:id/recheck', { schema: { params: OrderParams } }, async (request): Promise<AdminOrderResponse> => {
        const { order, events } = await service.recheck(request.params.id, context(request));
        return { order: presentAdminOrder(order, language(request)), timeline: presentTimeline(events) };
      });

      scope.get(
        '/anomalies',
        { schema: { querystring: Type.Object({ open: Type.Optional(Type.Boolean()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }) } },
        async (request): Promise<AnomaliesResponse> => {
          const anomalies = await service.listAnomalies({ openOnly: request.query.open ?? false, limit: request.query.limit ?? 100 });
          return { anomalies: anomalies.map(presentAnomaly) };
        },
      );

      scope.post(
        '/anomalies/:id/resolve',
        { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) } },
        async (request) => {
          const anomaly = await service.resolveAnomaly(request.params.id, context(request));
          return { anomaly: presentAnomaly(anomaly) };
        },
      );

      // The order events' feed: the same bodies EVENTS_URL gets, in a stable order, resumable from any cursor (docs/events.md).
      scope.get(
        '/events',
        {
          schema: {
            querystring: Type.Object({
              after: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            }),
          },
        },
        async (request): Promise<EventsFeedResponse> => {
          const { events, next } = await service.eventsFeed(Number(request.query.after ?? '0'), request.query.limit ?? 100);
          return { events, next: String(next) };
        },
      );

      scope.post('/events/:id/resend', { schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }) } }, async (request) => {
        const { event, resent } = await service.resendEvent(request.params.id, context(request));
        return { event: { id: event.id, type: event.type, orderId: event.orderId, state: event.state }, resent };
      });

      scope.get(
        '/audit',
        { schema: { querystring: Type.Object({ target: Type.Optional(Type.String({ maxLength: 64 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }) } },
        async (request) => {
          const entries = await deps.store.listAudit({ target: request.query.target, limit: request.query.limit ?? 100 });
          return { entries: entries.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })) };
        },
      );

      // Reconciliation (docs/reconciliation.md): run a day now, list the runs, read one with its items.
      scope.post(
        '/reconciliations',
        { schema: { body: Type.Object({ date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) }, { additionalProperties: false }) } },
        async (request, reply): Promise<ReconciliationResponse> => {
          // `npm run reconcile` names itself, so the run's trigger tells a shell's run from another API client's.
          const run = await service.reconcile(request.body.date, context(request), request.headers['x-reconcile-client'] === 'npm-run-reconcile');
          const { items } = await service.reconciliation(run.id);
          reply.code(201);
          return { run: presentRun(run), items: items.map(presentItem) };
        },
      );

      scope.get(
        '/reconciliations',
        {
          schema: {
            querystring: Type.Object({
              day: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
              offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
            }),
          },
        },
        async (request): Promise<ReconciliationsResponse> => {
          const runs = await service.listReconciliations({ day: request.query.day, limit: request.query.limit ?? 50, offset: request.query.offset });
          return { runs: runs.map(presentRun) };
        },
      );

      scope.get(
        '/reconciliations/:id',
        { schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }), querystring: Type.Object({ flagged: Type.Optional(Type.Boolean()) }) } },
        async (request): Promise<ReconciliationResponse> => {
          const { run, items } = await service.reconciliation(request.params.id, { flaggedOnly: request.query.flagged ?? false });
          return { run: presentRun(run), items: items.map(presentItem) };
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
