// The console's order pages: the list with its filters, one order with its timeline, the refund (a confirmation step,
// then the form), and the re-check with Airwallex. Reads and changes go through the admin service.
import { randomUUID } from 'node:crypto';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ORDER_STATUSES } from '../contract';
import { isAppError } from '../errors';
import { presentAdminOrder, presentTimeline } from '../routes/presenters';
import type { TypedApp } from '../routes/types';
import { dayEnd, dayStart, formatMoney, parseMajor } from './format';
import { languageOfRequest, MESSAGES } from './i18n';
import { Id, Text, type ConsoleKit } from './kit';
import { outboxTimelineEntries } from './pages/events';
import { confirmRefundPage, orderPage, ordersPage } from './pages/orders';

const PAGE_SIZE = 25;

export function registerOrderPages(scope: TypedApp, kit: ConsoleKit): void {
  const { deps, timeZone, contextOf, sendPage, contextFor, messageOf } = kit;

  scope.get(
    '/orders',
    { schema: { querystring: Type.Object({ q: Text(128), status: Text(32), from: Text(10), to: Text(10), offset: Text(9) }) } },
    async (request, reply) => {
      const context = await contextOf(request, 'orders');
      const m = MESSAGES[context.language];
      const query = request.query;
      const status = ORDER_STATUSES.find((s) => s === query.status);
      const from = query.from ? dayStart(query.from, timeZone) : undefined;
      const to = query.to ? dayEnd(query.to, timeZone) : undefined;
      const badDate = (query.from && from === undefined) || (query.to && to === undefined);
      const offset = /^\d{1,9}$/.test(query.offset ?? '') ? Number(query.offset) : 0;
      const { orders, total } = await deps.admin.searchOrders({ status, q: query.q?.trim() || undefined, from, to, limit: PAGE_SIZE, offset });
      return sendPage(
        reply,
        badDate ? 400 : 200,
        ordersPage(context, {
          orders: orders.map((order) => presentAdminOrder(order, context.language)),
          total,
          limit: PAGE_SIZE,
          offset,
          filters: { q: query.q ?? '', status: status ?? '', from: query.from ?? '', to: query.to ?? '' },
          error: badDate ? m.badDate : undefined,
        }),
      );
    },
  );

  const showOrder = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    status: number,
    extra: { notice?: (order: ReturnType<typeof presentAdminOrder>) => string | undefined; error?: string; refundForm?: { amount: string; reason: string; error?: string } } = {},
  ) => {
    const context = await contextOf(request, 'orders');
    const { order: record, events, outbox } = await deps.admin.orderWithTimeline(id);
    const order = presentAdminOrder(record, context.language);
    const told = outboxTimelineEntries(context, outbox, deps.admin.eventsDelivered);
    return sendPage(reply, status, orderPage(context, { order, timeline: presentTimeline(events), outbox: told, notice: extra.notice?.(order), error: extra.error, refundForm: extra.refundForm }));
  };

  scope.get(
    '/orders/:id',
    { schema: { params: Type.Object({ id: Id }), querystring: Type.Object({ refund: Text(64), rechecked: Text(8) }) } },
    async (request, reply) => {
      const m = MESSAGES[languageOfRequest(request)];
      const { refund, rechecked } = request.query;
      return showOrder(request, reply, request.params.id, 200, {
        notice: (order) => {
          const made = refund ? order.refunds.find((r) => r.id === refund) : undefined;
          if (made) return m.refundCreated(formatMoney(made.amount.amount, made.amount.currency, languageOfRequest(request)), made.id, made.status);
          if (rechecked) return m.rechecked(m.statuses[order.status] ?? order.status);
          return undefined;
        },
      });
    },
  );

  // The refund's confirmation step: states the amount, and carries an Idempotency-Key made once for it.
  scope.get(
    '/orders/:id/refund',
    { schema: { params: Type.Object({ id: Id }), querystring: Type.Object({ amount: Text(32), reason: Text(128) }) } },
    async (request, reply) => {
      const context = await contextOf(request, 'orders');
      const m = MESSAGES[context.language];
      const { order: record } = await deps.admin.orderWithTimeline(request.params.id);
      const order = presentAdminOrder(record, context.language);
      const amountText = request.query.amount ?? '';
      const reason = (request.query.reason ?? '').trim();
      const amount = parseMajor(amountText, order.total.currency);
      if (order.refundable.amount <= 0) {
        return showOrder(request, reply, order.id, 409, { error: order.status === 'paid' ? m.fullyRefunded : m.notRefundable(m.statuses[order.status] ?? order.status) });
      }
      if (amount === undefined || amount > order.refundable.amount) {
        const all = formatMoney(order.refundable.amount, order.refundable.currency, context.language);
        return showOrder(request, reply, order.id, 400, { refundForm: { amount: amountText, reason, error: m.badAmount(all) } });
      }
      return sendPage(reply, 200, confirmRefundPage(context, { order, amount, reason, idempotencyKey: randomUUID() }));
    },
  );

  scope.post(
    '/orders/:id/refunds',
    {
      schema: {
        params: Type.Object({ id: Id }),
        body: Type.Object({
          _csrf: Text(128),
          idempotencyKey: Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' }),
          amount: Type.String({ pattern: '^[1-9][0-9]{0,14}$' }),
          reason: Text(128),
        }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const amount = Number(request.body.amount);
      const reason = request.body.reason?.trim() || undefined;
      try {
        const { refund } = await deps.admin.refund(id, { amount, reason }, request.body.idempotencyKey, contextFor(request));
        return reply.redirect(`/admin/orders/${encodeURIComponent(id)}?refund=${encodeURIComponent(refund.id)}`, 303);
      } catch (err) {
        if (!isAppError(err) || err.code === 'ORDER_NOT_FOUND') throw err;
        // The same confirmation again, with the same key: trying again can never refund twice.
        const context = await contextOf(request, 'orders');
        const { order } = await deps.admin.orderWithTimeline(id);
        return sendPage(
          reply,
          err.status,
          confirmRefundPage(context, { order: presentAdminOrder(order, context.language), amount, reason: reason ?? '', idempotencyKey: request.body.idempotencyKey, error: messageOf(context.language, err) }),
        );
      }
    },
  );

  scope.post('/orders/:id/recheck', { schema: { params: Type.Object({ id: Id }), body: Type.Object({ _csrf: Text(128) }) } }, async (request, reply) => {
    const { id } = request.params;
    try {
      await deps.admin.recheck(id, contextFor(request));
    } catch (err) {
      if (!isAppError(err) || err.code === 'ORDER_NOT_FOUND') throw err;
      return showOrder(request, reply, id, err.status, { error: messageOf(languageOfRequest(request), err) });
    }
    return reply.redirect(`/admin/orders/${encodeURIComponent(id)}?rechecked=1`, 303);
  });
}
