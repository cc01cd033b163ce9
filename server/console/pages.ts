// The console's pages, rendered on the server as plain HTML (no script): sign-in, orders, order, refund confirmation, anomalies.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ORDER_STATUSES, type AdminOrder, type Anomaly, type TimelineEntry } from '../contract';
import type { Language } from '../routes/presenters';
import { formatMoney, formatTime, majorText } from './format';
import { html, raw, type Html } from './html';
import { MESSAGES, type Messages } from './i18n';

const CSS = readFileSync(path.join(__dirname, 'console.css'), 'utf8');
/** The Content-Security-Policy of every console page: no script at all, only our inline stylesheet. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'`,
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** What every page needs to know about the request. */
export interface PageContext {
  language: Language;
  /** Path and query of this page (the language switch links back to it). */
  url: string;
  timeZone: string;
  /** Absent on the sign-in page. */
  session?: { csrf: string; openAnomalies: number };
  /** The simulator's counters, in simulator mode. */
  simulator?: unknown;
  active?: 'orders' | 'anomalies';
}

const t = (context: PageContext): Messages => MESSAGES[context.language];

function withQuery(url: string, changes: Record<string, string | undefined>): string {
  const parsed = new URL(url, 'http://console.invalid');
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') parsed.searchParams.delete(key);
    else parsed.searchParams.set(key, value);
  }
  return parsed.pathname + parsed.search;
}

const csrfField = (context: PageContext) => html`<input type="hidden" name="_csrf" value="${context.session?.csrf ?? ''}">`;

function languageSwitch(context: PageContext): Html {
  const link = (language: Language, label: string, tag: string) =>
    html`<li><a href="${withQuery(context.url, { lang: language })}" lang="${tag}" hreflang="${tag}"${context.language === language ? raw(' aria-current="true"') : ''}>${label}</a></li>`;
  return html`<nav aria-label="${t(context).languageLabel}"><ul>${link('zh_CN', '中文', 'zh-CN')}${link('en', 'English', 'en')}</ul></nav>`;
}

/** Counters that say little to a merchant trying the console (HTTP status codes, WeChat errcodes). */
const QUIET_COUNTERS = new Set(['statusCodes', 'errcodes']);

/** Flattens the simulator's counters to "group: name n" lists, whatever their exact shape. */
function simulatorBanner(context: PageContext): Html | null {
  if (context.simulator === undefined) return null;
  const m = t(context);
  const groups: Html[] = [];
  const numbers = (value: unknown, prefix: string): string[] => {
    if (typeof value === 'number') return [`${prefix} ${value}`];
    if (!value || typeof value !== 'object') return [];
    return Object.entries(value)
      .filter(([key]) => !QUIET_COUNTERS.has(key))
      .flatMap(([key, inner]) => numbers(inner, prefix ? `${prefix}.${key}` : key));
  };
  if (context.simulator && typeof context.simulator === 'object') {
    for (const [group, value] of Object.entries(context.simulator)) {
      const items = numbers(value, '').filter((item) => !item.endsWith(' 0'));
      if (items.length > 0) groups.push(html`<div><dt>${group}</dt><dd>${items.join(' · ')}</dd></div>`);
    }
  }
  return html`<section class="sim" aria-label="${m.simulatorBanner}"><p class="inline"><strong>${m.simulatorBanner}</strong>${m.simulatorText}</p>
<dl aria-label="${m.simulatorCounters}">${groups}</dl></section>`;
}

/** The page around `body`: head with the CSP-hashed style, header, simulator banner, main, footer. */
export function layout(context: PageContext, title: string, body: Html): string {
  const m = t(context);
  const navLink = (key: 'orders' | 'anomalies', href: string, label: string, extra: Html | null = null) =>
    html`<li><a href="${href}"${context.active === key ? raw(' aria-current="page"') : ''}>${label}${extra}</a></li>`;
  const session = context.session;
  const header = session
    ? html`<header class="top"><span class="brand">${m.consoleName}</span>
<nav aria-label="${m.navLabel}"><ul>${navLink('orders', '/admin/orders', m.orders)}${navLink(
        'anomalies',
        '/admin/anomalies',
        m.anomalies,
        session.openAnomalies > 0 ? html` <span class="count">${session.openAnomalies}</span>` : null,
      )}</ul></nav>
<div class="tools">${languageSwitch(context)}<form class="inline" method="post" action="/admin/sign-out">${csrfField(context)}<button type="submit" class="secondary">${m.signOut}</button></form></div></header>`
    : html`<header class="top"><span class="brand">${m.consoleName}</span><div class="tools">${languageSwitch(context)}</div></header>`;
  return html`<!doctype html>
<html lang="${m.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · ${m.consoleName}</title>
<style>${raw(CSS)}</style>
</head>
<body>
<a class="skip" href="#main">${m.skipToContent}</a>
${header}
${simulatorBanner(context)}
<main id="main" tabindex="-1">
${body}
</main>
<footer>${m.timesIn(context.timeZone)}</footer>
</body>
</html>
`.text;
}

const statusBadge = (status: string, label: string | undefined) => html`<span class="status status-${status}">${label ?? status}</span>`;
const money = (context: PageContext, value: { amount: number; currency: string }) => formatMoney(value.amount, value.currency, context.language);
const time = (context: PageContext, at: string | null) => (at ? formatTime(at, context.timeZone) : t(context).none);

// ---- sign-in ----

export function signInPage(context: PageContext, options: { next: string; error?: string; notice?: string; simulatorMode: boolean }): string {
  const m = t(context);
  const body = html`<div class="signin">
<h1>${m.signInTitle}</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : null}
${options.error ? html`<p class="error" role="alert" id="signin-error">${options.error}</p>` : null}
<form method="post" action="/admin/sign-in">
<input type="hidden" name="next" value="${options.next}">
<div class="field">
<label for="token">${m.adminToken}</label>
<input type="password" id="token" name="token" autocomplete="current-password" required autofocus spellcheck="false"${options.error ? raw(' aria-invalid="true" aria-describedby="signin-error"') : ''}>
<p class="hint">${m.signInIntro}${options.simulatorMode ? ` ${m.signInSimulatorHint}` : ''}</p>
</div>
<button type="submit">${m.signIn}</button>
</form>
</div>`;
  return layout(context, m.signInTitle, body);
}

// ---- orders ----

export interface OrdersView {
  orders: AdminOrder[];
  total: number;
  limit: number;
  offset: number;
  filters: { q: string; status: string; from: string; to: string };
  error?: string;
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
${previous || next ? html`<nav class="paging" aria-label="${m.paging}">${previous}<span>${m.showing(first, last, view.total)}</span>${next}</nav>` : null}`;
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
  const timeline = view.timeline.map(
    (entry) => html`<li><time class="when" datetime="${entry.at}">${time(context, entry.at)}</time><span class="what">${m.eventKinds[entry.kind] ?? entry.kind}</span>${entry.source ? html` <code>${entry.source}</code>` : null}<span class="data">${eventData(context, entry.data, currency)}</span></li>`,
  );
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
${view.timeline.length === 0 ? html`<p>${m.noTimeline}</p>` : html`<ol class="timeline">${timeline}</ol>`}</section>`;
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

// ---- anomalies ----

export function anomaliesPage(context: PageContext, view: { anomalies: Anomaly[]; openOnly: boolean; notice?: string; error?: string }): string {
  const m = t(context);
  const rows = view.anomalies.map(
    (anomaly) => html`<tr>
<td data-label="${m.created}">${time(context, anomaly.createdAt)}</td>
<td data-label="${m.kind}">${m.anomalyKinds[anomaly.kind] ?? anomaly.kind} <code>${anomaly.kind}</code></td>
<td data-label="${m.order}">${anomaly.orderId ? html`<a class="id" href="/admin/orders/${encodeURIComponent(anomaly.orderId)}">${anomaly.orderId}</a>` : m.noOrder}${anomaly.intentId ? html`<br><code>${anomaly.intentId}</code>` : null}</td>
<td data-label="${m.detail}"><code>${Object.entries(anomaly.detail).map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`).join(' · ')}</code></td>
<td data-label="${m.state}">${
      anomaly.resolvedAt
        ? m.resolvedAt(time(context, anomaly.resolvedAt))
        : html`<form class="inline" method="post" action="/admin/anomalies/${anomaly.id}/resolve">${csrfField(context)}<button type="submit" class="secondary" aria-label="${m.resolve}: ${m.anomalyKinds[anomaly.kind] ?? anomaly.kind} ${anomaly.orderId ?? ''}">${m.resolve}</button></form>`
    }</td>
</tr>`,
  );
  const body = html`<h1>${m.anomaliesTitle}</h1>
<p>${m.anomaliesIntro}</p>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : null}
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : null}
<nav aria-label="${m.show}"><p><a href="/admin/anomalies"${view.openOnly ? raw(' aria-current="page"') : ''}>${m.openOnly}</a> · <a href="/admin/anomalies?all=1"${view.openOnly ? '' : raw(' aria-current="page"')}>${m.all}</a></p></nav>
${
  view.anomalies.length === 0
    ? html`<p>${m.noAnomalies}</p>`
    : html`<table class="cards"><thead><tr><th scope="col">${m.created}</th><th scope="col">${m.kind}</th><th scope="col">${m.order}</th><th scope="col">${m.detail}</th><th scope="col">${m.state}</th></tr></thead><tbody>${rows}</tbody></table>`
}`;
  return layout(context, m.anomaliesTitle, body);
}

// ---- errors ----

export function messagePage(context: PageContext, title: string, message: string, link?: { href: string; label: string }): string {
  const body = html`<h1>${title}</h1><p class="error" role="alert">${message}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : null}`;
  return layout(context, title, body);
}
