// The console's Events page: order events and their delivery to EVENTS_URL, by state; resending one, or every failed
// one, audited through the admin service as the admin API's resend is.
import { Type } from '@fastify/type-provider-typebox';
import { OUTBOX_STATES } from '../store/outbox/types';
import type { TypedApp } from '../routes/types';
import { EVENT_MESSAGES } from './i18n-events';
import { Id, Text, type ConsoleKit } from './kit';
import { eventsPage } from './pages/events';

const PAGE_SIZE = 50;

export function registerEventPages(scope: TypedApp, kit: ConsoleKit): void {
  const { deps, contextOf, sendPage, contextFor } = kit;

  scope.get(
    '/events',
    { schema: { querystring: Type.Object({ state: Text(16), offset: Text(9), resent: Text(64), resentFailed: Text(9), already: Text(8) }) } },
    async (request, reply) => {
      const context = await contextOf(request, 'events');
      const e = EVENT_MESSAGES[context.language];
      const query = request.query;
      const state = OUTBOX_STATES.find((s) => s === query.state);
      const offset = /^\d{1,9}$/.test(query.offset ?? '') ? Number(query.offset) : 0;
      const [{ events, total }, failed] = await Promise.all([
        deps.admin.searchEvents({ state, limit: PAGE_SIZE, offset }),
        deps.admin.searchEvents({ state: 'failed', limit: 1, offset: 0 }),
      ]);
      let notice: string | undefined;
      if (query.resent) notice = query.already ? e.resentNothing(query.resent) : e.resent(query.resent);
      else if (query.resentFailed && /^\d+$/.test(query.resentFailed)) notice = e.resentFailed(Number(query.resentFailed));
      return sendPage(reply, 200, eventsPage(context, { events, total, limit: PAGE_SIZE, offset, state, delivering: deps.admin.eventsDelivered, failedCount: failed.total, notice }));
    },
  );

  scope.post('/events/:id/resend', { schema: { params: Type.Object({ id: Id }), body: Type.Object({ _csrf: Text(128) }) } }, async (request, reply) => {
    const { event, resent } = await deps.admin.resendEvent(request.params.id, contextFor(request));
    return reply.redirect(`/admin/events?resent=${encodeURIComponent(event.id)}${resent ? '' : '&already=1'}`, 303);
  });

  scope.post('/events/resend-failed', { schema: { body: Type.Object({ _csrf: Text(128) }) } }, async (request, reply) => {
    const count = await deps.admin.resendFailedEvents(contextFor(request));
    return reply.redirect(`/admin/events?resentFailed=${count}`, 303);
  });
}
