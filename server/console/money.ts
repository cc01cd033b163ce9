// The console's money pages: the overview (the console's home), the reconciliation runs (list, run a day, one run,
// one Airwallex transaction) and the CSV exports (a run's items, the orders list with its filters). Reads and the run
// go through the admin service, which audits the run as it does the API's.
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ORDER_STATUSES } from '../contract';
import { isAppError } from '../errors';
import { decimalText } from '../money';
import type { TypedApp } from '../routes/types';
import { addDays } from '../services/merchant-day';
import type { OrderRecord, ReconciliationItem } from '../store/types';
import { attachment, csvDocument } from './csv';
import { dayEnd, dayStart, formatTime } from './format';
import { MONEY_MESSAGES } from './i18n-money';
import { Id, Text, type ConsoleKit } from './kit';
import { overviewPage } from './pages/overview';
import { runPage, runsPage, transactionPage } from './pages/reconciliations';

/** The orders export pages through the store this many at a time, and stops at EXPORT_LIMIT (a filter narrows it). */
const EXPORT_PAGE = 500;
const EXPORT_LIMIT = 100_000;

const sendCsv = (reply: FastifyReply, filename: string, text: string) =>
  reply.code(200).type('text/csv; charset=utf-8').header('content-disposition', attachment(filename)).send(text);

export function registerMoneyPages(scope: TypedApp, kit: ConsoleKit): void {
  const { deps, timeZone, contextOf, sendPage, contextFor, messageOf } = kit;
  const admin = deps.admin;

  scope.get('/overview', async (request, reply) => sendPage(reply, 200, overviewPage(await contextOf(request, 'overview'), await admin.overview())));

  const showRuns = async (request: FastifyRequest, reply: FastifyReply, status: number, extra: { date?: string; error?: string } = {}) => {
    const context = await contextOf(request, 'reconciliations');
    const calendar = admin.calendar();
    const runs = await admin.listReconciliations({ limit: 60 });
    return sendPage(reply, status, runsPage(context, { runs, timeZone: calendar.timeZone, today: calendar.today, date: extra.date ?? addDays(calendar.today, -1), error: extra.error }));
  };

  scope.get('/reconciliations', async (request, reply) => showRuns(request, reply, 200));

  // The Run button: the same run as POST /admin/api/reconciliations, audited as the console's operator.
  scope.post(
    '/reconciliations',
    { schema: { body: Type.Object({ _csrf: Text(128), date: Type.String({ maxLength: 10 }) }) } },
    async (request, reply) => {
      const date = request.body.date.trim();
      try {
        const run = await admin.reconcile(date, contextFor(request));
        return reply.redirect(`/admin/reconciliations/${encodeURIComponent(run.id)}?ran=1`, 303);
      } catch (err) {
        if (!isAppError(err)) throw err;
        const context = await contextOf(request, 'reconciliations');
        return showRuns(request, reply, err.status, { date, error: messageOf(context.language, err) });
      }
    },
  );

  scope.get(
    '/reconciliations/:id',
    { schema: { params: Type.Object({ id: Id }), querystring: Type.Object({ flagged: Text(8), ran: Text(8) }) } },
    async (request, reply) => {
      const context = await contextOf(request, 'reconciliations');
      const { run, items } = await admin.reconciliation(request.params.id);
      const notice = request.query.ran ? MONEY_MESSAGES[context.language].ran : undefined;
      return sendPage(reply, 200, runPage(context, { run, items, flaggedOnly: Boolean(request.query.flagged), notice }));
    },
  );

  scope.get('/reconciliations/transactions/:id', { schema: { params: Type.Object({ id: Id }) } }, async (request, reply) => {
    const context = await contextOf(request, 'reconciliations');
    return sendPage(reply, 200, transactionPage(context, { transactionId: request.params.id, entries: await admin.transactionItems(request.params.id) }));
  });

  scope.get('/reconciliations/:id/items.csv', { schema: { params: Type.Object({ id: Id }) } }, async (request, reply) => {
    const context = await contextOf(request);
    const mm = MONEY_MESSAGES[context.language];
    const { run, items } = await admin.reconciliation(request.params.id);
    const h = mm.csvItems;
    const header = [h.seq, h.state, h.flag, h.flagName, h.subject, h.order, h.refund, h.intent, h.source, h.transaction, h.batch, h.currency, h.shop, h.airwallex, h.difference, h.fee, h.anomaly];
    const money = (minor: number | null, item: ReconciliationItem) => (minor === null || item.currency === null ? '' : decimalText(minor, item.currency));
    const rows = items.map((item) => [
      item.seq,
      mm.itemStates[item.state] ?? item.state,
      item.flag ?? '',
      item.flag ? (mm.flags[item.flag] ?? item.flag) : '',
      mm.subjects[item.subject] ?? item.subject,
      item.orderId,
      item.refundId,
      item.intentId,
      item.sourceId,
      item.transactionId,
      item.batchId,
      item.currency,
      money(item.expected, item),
      money(item.actual, item),
      item.expected !== null && item.actual !== null ? money(item.actual - item.expected, item) : '',
      money(item.fee, item),
      item.anomalyKey,
    ]);
    return sendCsv(reply, `reconciliation-${run.day}-${run.id}.csv`, csvDocument(header, rows));
  });

  // The orders list as CSV, with the list's own filters: what a finance team opens in a spreadsheet.
  scope.get(
    '/orders.csv',
    { schema: { querystring: Type.Object({ q: Text(128), status: Text(32), from: Text(10), to: Text(10) }) } },
    async (request, reply) => {
      const context = await contextOf(request);
      const mm = MONEY_MESSAGES[context.language];
      const query = request.query;
      const status = ORDER_STATUSES.find((s) => s === query.status);
      const from = query.from ? dayStart(query.from, timeZone) : undefined;
      const to = query.to ? dayEnd(query.to, timeZone) : undefined;
      if ((query.from && from === undefined) || (query.to && to === undefined)) {
        return reply.code(400).type('text/plain; charset=utf-8').send(`from and to are days, YYYY-MM-DD (${timeZone}).`);
      }
      const orders: OrderRecord[] = [];
      for (let offset = 0; offset < EXPORT_LIMIT; offset += EXPORT_PAGE) {
        const page = await admin.searchOrders({ status, q: query.q?.trim() || undefined, from, to, limit: EXPORT_PAGE, offset });
        orders.push(...page.orders);
        if (page.orders.length < EXPORT_PAGE) break;
      }
      const h = mm.csvOrders;
      const header = [h.order, mm.inZone(h.created, timeZone), mm.inZone(h.paid, timeZone), h.status, h.currency, h.total, h.refunded, h.net, h.items, h.intent, h.attempt, h.shopper];
      const rows = orders.map((order) => {
        const refunded = order.refunds.filter((refund) => refund.status === 'succeeded').reduce((sum, refund) => sum + refund.amount, 0);
        const received = order.paidAt === null ? 0 : order.totalAmount - refunded;
        return [
          order.id,
          formatTime(order.createdAt, timeZone),
          order.paidAt === null ? '' : formatTime(order.paidAt, timeZone),
          order.status,
          order.currency,
          decimalText(order.totalAmount, order.currency),
          decimalText(refunded, order.currency),
          decimalText(received, order.currency),
          order.items.map((item) => `${item.names[context.language] ?? item.sku} × ${item.quantity}`).join('; '),
          order.paymentIntentId,
          order.paymentAttemptId,
          order.shopperRef,
        ];
      });
      const suffix = [query.from, query.to].filter(Boolean).join('_');
      return sendCsv(reply, `orders${suffix ? `-${suffix}` : ''}.csv`, csvDocument(header, rows));
    },
  );
}
