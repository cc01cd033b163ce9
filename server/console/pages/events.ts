// The console's Events page: every order event with its delivery to EVENTS_URL (state, tries, last error, next try),
// filtered by state, each resendable; and an order's events as entries of its timeline.
import type { OutboxEventRecord, OutboxState } from '../../store/types';
import { html, raw, type Html } from '../html';
import { EVENT_MESSAGES } from '../i18n-events';
import { csrfField, layout, statusBadge, t, time, withQuery, type PageContext } from './layout';

export interface EventsView {
  events: OutboxEventRecord[];
  total: number;
  limit: number;
  offset: number;
  state: OutboxState | undefined;
  /** EVENTS_URL is set: events are sent, and can be resent. */
  delivering: boolean;
  failedCount: number;
  notice?: string;
}

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
/** A state's badge: its colour class shared with orders' (delivered green, failed red, pending amber). */
const STATE_CLASS: Record<OutboxState, string> = { pending: 'pending', delivered: 'succeeded', failed: 'failed', unsent: 'unsent' };

function stateBadge(context: PageContext, state: OutboxState): Html {
  return statusBadge(STATE_CLASS[state], EVENT_MESSAGES[context.language].states[state]);
}

function resendForm(context: PageContext, event: OutboxEventRecord): Html {
  const e = EVENT_MESSAGES[context.language];
  return html`<form class="inline" method="post" action="/admin/events/${encodeURIComponent(event.id)}/resend">${csrfField(context)}<button type="submit" class="secondary" aria-label="${e.resend}: ${event.type} ${event.id}">${e.resend}</button></form>`;
}

export function eventsPage(context: PageContext, view: EventsView): string {
  const e = EVENT_MESSAGES[context.language];
  const rows = view.events.map(
    (event) => html`<tr>
<td data-label="${e.event}"><code>${event.id}</code><br>${time(context, iso(event.createdAt))}</td>
<td data-label="${e.type}"><code>${event.type}</code></td>
<td data-label="${t(context).order}"><a class="id" href="/admin/orders/${encodeURIComponent(event.orderId)}#timeline">${event.orderId}</a></td>
<td data-label="${e.delivery}">${stateBadge(context, event.state)}${event.deliveredAt !== null && event.state === 'delivered' ? html`<br>${e.deliveredAt(time(context, iso(event.deliveredAt)))}` : null}</td>
<td data-label="${e.attempts}" class="num">${event.attempts}</td>
<td data-label="${e.lastError}">${event.lastError ? html`<code>${event.lastError}</code>` : t(context).none}</td>
<td data-label="${e.nextTry}">${event.state === 'pending' ? time(context, iso(event.nextAttemptAt)) : t(context).none}</td>
<td>${view.delivering && event.state !== 'pending' ? resendForm(context, event) : null}</td>
</tr>`,
  );
  const filter = (state: OutboxState | undefined, label: string) =>
    html`<a href="${withQuery('/admin/events', { state })}"${view.state === state ? raw(' aria-current="page"') : ''}>${label}</a>`;
  const first = view.total === 0 ? 0 : view.offset + 1;
  const last = view.offset + view.events.length;
  const pageLink = (offset: number) => withQuery(context.url, { offset: offset > 0 ? String(offset) : undefined, resent: undefined, lang: undefined });
  const previous = view.offset > 0 ? html`<a rel="prev" href="${pageLink(Math.max(0, view.offset - view.limit))}">${t(context).previous}</a>` : null;
  const next = last < view.total ? html`<a rel="next" href="${pageLink(view.offset + view.limit)}">${t(context).next}</a>` : null;
  const body = html`<h1>${e.eventsTitle}</h1>
<p>${e.eventsIntro(view.delivering)}</p>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : null}
<nav aria-label="${e.eventsFilter}"><p>${filter(undefined, e.anyState)} · ${filter('pending', e.states.pending)} · ${filter('failed', e.states.failed)} · ${filter('delivered', e.states.delivered)} · ${filter('unsent', e.states.unsent)}</p></nav>
${
  view.delivering && view.failedCount > 0
    ? html`<form method="post" action="/admin/events/resend-failed">${csrfField(context)}<button type="submit">${e.resendFailed(view.failedCount)}</button></form>`
    : null
}
${
  view.events.length === 0
    ? html`<p>${e.noEvents}</p>`
    : html`<table class="cards"><caption>${t(context).showing(first, last, view.total)}</caption>
<thead><tr><th scope="col">${e.event}</th><th scope="col">${e.type}</th><th scope="col">${t(context).order}</th><th scope="col">${e.delivery}</th><th scope="col" class="num">${e.attempts}</th><th scope="col">${e.lastError}</th><th scope="col">${e.nextTry}</th><th scope="col"><span class="skip">${e.resend}</span></th></tr></thead>
<tbody>${rows}</tbody></table>`
}
${previous || next ? html`<nav class="paging" aria-label="${t(context).paging}">${previous}<span>${t(context).showing(first, last, view.total)}</span>${next}</nav>` : null}`;
  return layout(context, e.eventsTitle, body);
}

/** An order's events as timeline entries: when each happened, its type, its delivery so far, and a resend button. */
export function outboxTimelineEntries(context: PageContext, events: OutboxEventRecord[], delivering: boolean): Array<{ at: string; entry: Html }> {
  const e = EVENT_MESSAGES[context.language];
  return events.map((event) => {
    const at = iso(event.createdAt)!;
    const detail = [
      `${e.attempts}: ${event.attempts}`,
      event.lastError ? `${e.lastError}: ${event.lastError}` : '',
      event.state === 'pending' && event.nextAttemptAt !== null ? `${e.nextTry}: ${time(context, iso(event.nextAttemptAt))}` : '',
      event.state === 'delivered' && event.deliveredAt !== null ? e.deliveredAt(time(context, iso(event.deliveredAt))) : '',
    ].filter(Boolean).join(' · ');
    const entry = html`<li><time class="when" datetime="${at}">${time(context, at)}</time><span class="what">${e.timelineEvent}</span> <code>${event.type}</code> ${stateBadge(context, event.state)}<span class="data"><code>${event.id}</code> · ${detail}</span>${delivering && event.state !== 'pending' ? resendForm(context, event) : null}</li>`;
    return { at, entry };
  });
}
