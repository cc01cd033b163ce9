// The console's order pages: the list with its filters, one order with its timeline and refunds, the refund's confirmation.
import { ORDER_STATUSES } from '../../contract';
import type { AdminOrder, TimelineEntry } from '../../contract-admin';
import { formatMoney, formatTime, majorText } from '../format';
import { html, raw, type Html } from '../html';
import { messageHeadline } from '../i18n-messages';
import { MONEY_MESSAGES } from '../i18n-money';
import { csrfField, layout, money, statusBadge, t, time, withQuery, type PageContext } from './layout';

export interface OrdersView {
  orders: AdminOrder[];
  total: number;
  limit: number;
  offset: number;
  filters: { q: string; status: string; from: string; to: string };
  error?: string;
}

/** The CSV export of the list as filtered (every page of it). */
function ordersCsvUrl(filters: OrdersView['filters']): string {
  const search = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ''));
  return search.size > 0 ? `/admin/orders.csv?${search}` : '/admin/orders.csv';
}

export function ordersPage(context: PageContext, view: OrdersView): string {
  const m = t(context);
  const { filters } = view;
  const statusOptions = ORDER_STATUSES.map(
    (status) => html`<option value="${status}"${filters.status === status ? raw(' selected') : ''}>${m.statuses[status]}</option>`,
  );
  const rows = view.orders.map(
    (order) => html`<tr>
<td data-label="${m.order}"><a class="id" href="/admin/orders/${encodeURIComponent(order.id)}">${order.id}</a></td>
<td data-label="${m.created}">${time(context, order.createdAt)}</td>
<td data-label="${m.status}">${statusBadge(order.status, m.statuses[order.status])}</td>
<td data-label="${m.total}" class="num">${money(context, order.total)}</td>
<td data-label="${m.refunded}" class="num">${order.refundedTotal.amount > 0 ? money(context, order.refundedTotal) : ''}</td>
<td data-label="${m.shopper}"><code>${order.shopper}</code></td>
<td data-label="${m.paymentIntent}"><code>${order.paymentIntentId ?? m.none}</code></td>
</tr>`,
  );
  const first = view.total === 0 ? 0 : view.offset + 1;
  const last = view.offset + view.orders.length;
  const pageLink = (offset: number) => withQuery(context.url, { offset: offset > 0 ? String(offset) : undefined, lang: undefined });
  const previous = view.offset > 0 ? html`<a rel="prev" href="${pageLink(Math.max(0, view.offset - view.limit))}">${m.previous}</a>` : null;
  const next = last < view.total ? html`<a rel="next" href="${pageLink(view.offset + view.limit)}">${m.next}</a>` : null;
  const body = html`<h1>${m.ordersTitle}</h1>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : null}
<form class="filters" method="get" action="/admin/orders" role="search" aria-label="${m.filters}">
<div class="wide"><label for="q">${m.search}</label><input type="text" id="q" name="q" value="${filters.q}" aria-describedby="q-hint" spellcheck="false" autocomplete="off"><p class="hint" id="q-hint">${m.searchHint}</p></div>
<div><label for="status">${m.status}</label><select id="status" name="status"><option value="">${m.anyStatus}</option>${statusOptions}</select></div>
<div><label for="from">${m.from}</label><input type="date" id="from" name="from" value="${filters.from}"></div>
<div><label for="to">${m.to}</label><input type="date" id="to" name="to" value="${filters.to}"></div>
<div class="actions"><button type="submit">${m.apply}</button><a class="button secondary" href="/admin/orders">${m.clear}</a></div>
</form>
${
  view.orders.length === 0
    ? html`<p>${m.noOrders}</p>`
    : html`<table class="cards">
<caption>${m.showing(first, last, view.total)}</caption>
<thead><tr><th scope="col">${m.order}</th><th scope="col">${m.created}</th><th scope="col">${m.status}</th><th scope="col" class="num">${m.total}</th><th scope="col" class="num">${m.refunded}</th><th scope="col">${m.shopper}</th><th scope="col">${m.paymentIntent}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}
${previous || next ? html`<nav class="paging" aria-label="${m.paging}">${previous}<span>${m.showing(first, last, view.total)}</span>${next}</nav>` : null}
${view.total > 0 ? html`<p class="actions"><a class="button secondary" href="${ordersCsvUrl(filters)}" download>${MONEY_MESSAGES[context.language].downloadOrders}</a></p>` : null}`;
  return layout(context, m.ordersTitle, body);
}

// ---- order ----

export interface OrderView {
  order: AdminOrder;
  timeline: TimelineEntry[];
  notice?: string;
  error?: string;
  /** The refund form's values when it was refused. */
  refundForm?: { amount: string; reason: string; error?: string };
  /** The order's events to the merchant's system (pages/events.ts), merged into the timeline by time. */
  outbox?: Array<{ at: string; entry: Html }>;
}

/** One timeline entry's details: amounts formatted in the order's currency, the rest as `key: value`. */
function eventData(context: PageContext, data: Record<string, unknown>, currency: string): string {
  return Object.entries(data)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => {
      if ((key === 'amount' || key === 'total') && typeof value === 'number' && Number.isSafeInteger(value)) return `${key}: ${formatMoney(value, currency, context.language)}`;
      if (key.endsWith('At') && typeof value === 'number') return `${key}: ${formatTime(value, context.timeZone)}`;
      return `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`;
    })
    .join(' · ');
}

export function orderPage(context: PageContext, view: OrderView): string {
  const m = t(context);
  const { order } = view;
  const currency = order.total.currency;
  const lines = order.items.map(
    (item) => html`<tr><td data-label="${m.item}">${item.names[context.language] ?? item.name}</td><td data-label="${m.sku}"><code>${item.sku}</code></td><td data-label="${m.quantity}" class="num">${item.quantity}</td><td data-label="${m.unitPrice}" class="num">${money(context, item.unitPrice)}</td><td data-label="${m.lineTotal}" class="num">${formatMoney(item.unitPrice.amount * item.quantity, currency, context.language)}</td></tr>`,
  );
  const refunds = order.refunds.map(
    (refund) => html`<tr>
<td data-label="${m.refund}"><code>${refund.id}</code></td>
<td data-label="${m.amount}" class="num">${money(context, refund.amount)}</td>
<td data-label="${m.status}">${statusBadge(refund.status, m.refundStatuses[refund.status])}${refund.airwallexStatus ? html` <code>${refund.airwallexStatus}</code>` : null}</td>
<td data-label="${m.reason}">${refund.reason ?? m.none}</td>
<td data-label="${m.origin}">${refund.origin === 'admin' ? m.originAdmin(refund.createdBy) : m.originAirwallex}</td>
<td data-label="${m.created}">${time(context, refund.createdAt)}</td>
<td data-label="${m.airwallexRefund}"><code>${refund.airwallexRefundId ?? m.none}</code>${refund.failure ? html`<br>${m.failure}: ${refund.failure.code} ${refund.failure.message}` : null}</td>
</tr>`,
  );
  // A subscription message's entry says which message and what came of it, in the page's language, before its details.
  const headline = (entry: TimelineEntry) => (entry.kind === 'message' ? html` <span class="what">${messageHeadline(context.language, entry.data)}</span>` : null);
  const recorded = view.timeline.map((entry) => ({
    at: entry.at,
    entry: html`<li><time class="when" datetime="${entry.at}">${time(context, entry.at)}</time><span class="what">${m.eventKinds[entry.kind] ?? entry.kind}</span>${entry.source ? html` <code>${entry.source}</code>` : null}${headline(entry)}<span class="data">${eventData(context, entry.data, currency)}</span></li>`,
  }));
  // Stable: an event written with a change comes after the change's own entries of the same millisecond.
  const timeline = [...recorded, ...(view.outbox ?? [])].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).map((item) => item.entry);
  const refundable = order.refundable.amount;
  const form = view.refundForm;
  const refundPanel =
    refundable > 0
      ? html`<section class="panel" aria-labelledby="refund-title"><h2 id="refund-title">${m.refundTitle}</h2>
<form method="get" action="/admin/orders/${encodeURIComponent(order.id)}/refund" novalidate>
<div class="field"><label for="amount">${m.refundAmountLabel(currency)}</label>
<input type="text" id="amount" name="amount" inputmode="decimal" autocomplete="off" value="${form?.amount ?? majorText(refundable, currency)}" aria-describedby="amount-hint${form?.error ? ' amount-error' : ''}"${form?.error ? raw(' aria-invalid="true"') : ''}>
<p class="hint" id="amount-hint">${m.refundAmountHint(money(context, order.refundable))}</p>
${form?.error ? html`<p class="field-error" id="amount-error">${form.error}</p>` : null}</div>
<div class="field"><label for="reason">${m.reasonLabel}</label><input type="text" id="reason" name="reason" maxlength="128" value="${form?.reason ?? ''}"></div>
<button type="submit">${m.reviewRefund}</button>
</form></section>`
      : html`<p>${order.status === 'paid' ? m.fullyRefunded : m.notRefundable(m.statuses[order.status] ?? order.status)}</p>`;
  const body = html`<p><a href="/admin/orders">← ${m.backToOrders}</a></p>
<h1>${m.orderTitle(order.id)} ${statusBadge(order.status, m.statuses[order.status])}</h1>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : null}
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : null}
<section aria-labelledby="summary-title"><h2 id="summary-title">${m.summary}</h2>
<dl class="summary">
<dt>${m.status}</dt><dd>${m.statuses[order.status] ?? order.status}</dd>
<dt>${m.airwallexStatus}</dt><dd><code>${order.intentStatus ?? m.none}</code></dd>
<dt>${m.total}</dt><dd>${money(context, order.total)}</dd>
<dt>${m.refunded}</dt><dd>${money(context, order.refundedTotal)}</dd>
<dt>${m.refundable}</dt><dd>${money(context, order.refundable)}</dd>
<dt>${m.created}</dt><dd>${time(context, order.createdAt)}</dd>
<dt>${m.paidAt}</dt><dd>${time(context, order.paidAt)}</dd>
<dt>${m.expiresAt}</dt><dd>${time(context, order.expiresAt)}</dd>
<dt>${m.updatedAt}</dt><dd>${time(context, order.updatedAt)}</dd>
<dt>${m.shopper}</dt><dd><a href="/admin/orders?q=${encodeURIComponent(order.shopper)}"><code>${order.shopper}</code></a></dd>
<dt>${m.paymentIntent}</dt><dd><code>${order.paymentIntentId ?? m.none}</code></dd>
${order.lastPaymentError ? html`<dt>${m.lastPaymentError}</dt><dd><code>${order.lastPaymentError.code}</code> ${order.lastPaymentError.message}</dd>` : null}
${order.nextCheckAt ? html`<dt>${m.nextCheck}</dt><dd>${time(context, order.nextCheckAt)}</dd>` : null}
${order.checkFailures > 0 ? html`<dt>${m.checkFailures}</dt><dd>${order.checkFailures}</dd>` : null}
</dl></section>
<section aria-labelledby="lines-title"><h2 id="lines-title">${m.lines}</h2>
<table class="cards"><thead><tr><th scope="col">${m.item}</th><th scope="col">${m.sku}</th><th scope="col" class="num">${m.quantity}</th><th scope="col" class="num">${m.unitPrice}</th><th scope="col" class="num">${m.lineTotal}</th></tr></thead>
<tbody>${lines}</tbody>
<tfoot><tr><th scope="row" colspan="4">${m.total}</th><td class="num" data-label="${m.total}"><strong>${money(context, order.total)}</strong></td></tr></tfoot></table></section>
<section aria-labelledby="refunds-title" id="refunds"><h2 id="refunds-title">${m.refunds}</h2>
${
  order.refunds.length === 0
    ? html`<p>${m.noRefunds}</p>`
    : html`<table class="cards"><thead><tr><th scope="col">${m.refund}</th><th scope="col" class="num">${m.amount}</th><th scope="col">${m.status}</th><th scope="col">${m.reason}</th><th scope="col">${m.origin}</th><th scope="col">${m.created}</th><th scope="col">${m.airwallexRefund}</th></tr></thead><tbody>${refunds}</tbody></table>`
}</section>
<div class="grid2">
${refundPanel}
<section class="panel" aria-labelledby="recheck-title"><h2 id="recheck-title">${m.recheckTitle}</h2><p>${m.recheckText}</p>
<form method="post" action="/admin/orders/${encodeURIComponent(order.id)}/recheck">${csrfField(context)}<button type="submit" class="secondary">${m.recheck}</button></form></section>
</div>
<section aria-labelledby="timeline-title" id="timeline"><h2 id="timeline-title">${m.timeline}</h2>
${timeline.length === 0 ? html`<p>${m.noTimeline}</p>` : html`<ol class="timeline">${timeline}</ol>`}</section>`;
  return layout(context, m.orderTitle(order.id), body);
}

// ---- refund confirmation ----

export interface ConfirmView {
  order: AdminOrder;
  /** Minor units. */
  amount: number;
  reason: string;
  /** Made once for this confirmation: submitting it twice (a double click) is one refund. */
  idempotencyKey: string;
  error?: string;
}

export function confirmRefundPage(context: PageContext, view: ConfirmView): string {
  const m = t(context);
  const { order } = view;
  const currency = order.total.currency;
  const amount = formatMoney(view.amount, currency, context.language);
  const left = formatMoney(Math.max(0, order.refundable.amount - view.amount), currency, context.language);
  const body = html`<p><a href="/admin/orders/${encodeURIComponent(order.id)}">← ${m.orderTitle(order.id)}</a></p>
<h1>${m.confirmTitle}</h1>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : null}
<section class="panel" aria-labelledby="confirm-question">
<p class="big" id="confirm-question"><strong>${m.confirmText(amount, order.id)}</strong></p>
<p>${m.confirmDetail(money(context, order.total), left)}</p>
${view.reason ? html`<p>${m.confirmReason(view.reason)}</p>` : null}
<form method="post" action="/admin/orders/${encodeURIComponent(order.id)}/refunds">
${csrfField(context)}
<input type="hidden" name="idempotencyKey" value="${view.idempotencyKey}">
<input type="hidden" name="amount" value="${view.amount}">
<input type="hidden" name="reason" value="${view.reason}">
<div class="actions"><button type="submit" class="danger">${m.confirmButton(amount)}</button><a class="button secondary" href="/admin/orders/${encodeURIComponent(order.id)}">${m.cancel}</a></div>
</form></section>`;
  return layout(context, m.confirmTitle, body);
}

