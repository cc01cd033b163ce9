// The console's reconciliation pages: the runs with their totals and the form that runs a day, one run (totals per
// currency and per batch, each item linked to its order, refund or Airwallex transaction), and one transaction.
import type { ReconciliationItem, ReconciliationRun } from '../../store/types';
import { formatMoney } from '../format';
import { html, raw, type Html } from '../html';
import { MONEY_MESSAGES } from '../i18n-money';
import { csrfField, layout, statusBadge, t, time, type PageContext } from './layout';

const mmOf = (context: PageContext) => MONEY_MESSAGES[context.language];
const amount = (context: PageContext, minor: number | null, currency: string | null) =>
  minor === null || currency === null ? t(context).none : formatMoney(minor, currency, context.language);

function resultOf(context: PageContext, run: ReconciliationRun): Html {
  const mm = mmOf(context);
  if (run.status !== 'completed' || !run.summary) return html`${mm.runStatuses[run.status] ?? run.status}${run.error ? html`: ${run.error}` : null}`;
  const flagged = run.summary.flagged > 0 ? html`<strong class="bad">${mm.flaggedCount(run.summary.flagged)}</strong>` : html`<span class="good">${mm.clean}</span>`;
  return html`${flagged}${run.summary.waiting > 0 ? `, ${mm.waitingCount(run.summary.waiting)}` : ''}`;
}

function netText(context: PageContext, run: ReconciliationRun): string {
  return (run.totals?.currencies ?? []).map((totals) => formatMoney(totals.net, totals.currency, context.language)).join(' · ') || t(context).none;
}

export interface RunsView {
  runs: ReconciliationRun[];
  timeZone: string;
  /** The date field's value (yesterday by default). */
  date: string;
  today: string;
  error?: string;
}

export function runsPage(context: PageContext, view: RunsView): string {
  const mm = mmOf(context);
  const rows = view.runs.map(
    (run) => html`<tr>
<td data-label="${mm.run}"><a href="/admin/reconciliations/${encodeURIComponent(run.id)}">${run.day}</a></td>
<td data-label="${mm.status}">${statusBadge(run.status === 'completed' ? (run.summary?.flagged ? 'failed' : 'succeeded') : run.status === 'running' ? 'pending' : 'expired', mm.runStatuses[run.status])}</td>
<td data-label="${mm.result}">${resultOf(context, run)}</td>
<td data-label="${mm.net}" class="num">${netText(context, run)}</td>
<td data-label="${mm.started}">${time(context, new Date(run.startedAt).toISOString())}</td>
<td data-label="${mm.startedBy}">${mm.triggers[run.trigger] ?? run.trigger}${run.actor ? html` <code>${run.actor}</code>` : null}</td>
</tr>`,
  );
  const body = html`<h1>${mm.reconciliation}</h1>
<p>${mm.reconciliationIntro}</p>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : null}
<section class="panel" aria-labelledby="reconcile-title"><h2 id="reconcile-title">${mm.reconcileTitle}</h2>
<form method="post" action="/admin/reconciliations">${csrfField(context)}
<div class="field"><label for="date">${mm.dateLabel(view.timeZone)}</label><input type="date" id="date" name="date" value="${view.date}" max="${view.today}" required aria-describedby="date-hint"><p class="hint" id="date-hint">${mm.reconcileHint}</p></div>
<button type="submit">${mm.reconcile}</button>
</form></section>
<h2>${mm.runs}</h2>
${
  view.runs.length === 0
    ? html`<p>${mm.noRuns}</p>`
    : html`<table class="cards"><thead><tr><th scope="col">${mm.run}</th><th scope="col">${mm.status}</th><th scope="col">${mm.result}</th><th scope="col" class="num">${mm.net}</th><th scope="col">${mm.started}</th><th scope="col">${mm.startedBy}</th></tr></thead><tbody>${rows}</tbody></table>`
}`;
  return layout(context, mm.reconciliation, body);
}

/** An item's links: its order (the refund's row on the order page), its Airwallex transaction. */
function itemLinks(context: PageContext, item: ReconciliationItem): Html {
  const links: Html[] = [];
  if (item.orderId) links.push(html`<a class="id" href="/admin/orders/${encodeURIComponent(item.orderId)}">${item.orderId}</a>`);
  if (item.orderId && item.refundId) links.push(html`<a class="id" href="/admin/orders/${encodeURIComponent(item.orderId)}#refunds">${item.refundId}</a>`);
  if (item.transactionId) links.push(html`<a class="id" href="/admin/reconciliations/transactions/${encodeURIComponent(item.transactionId)}">${item.transactionId}</a>`);
  if (item.batchId) links.push(html`<code>${item.batchId}</code>`);
  if (links.length === 0 && item.sourceId) links.push(html`<code>${item.sourceId}</code>`);
  return links.length ? html`${links.map((link, i) => html`${i ? html`<br>` : null}${link}`)}` : html`${t(context).none}`;
}

function itemRow(context: PageContext, item: ReconciliationItem): Html {
  const mm = mmOf(context);
  const badge = statusBadge(item.state === 'matched' ? 'succeeded' : item.state === 'flagged' ? 'failed' : 'pending', mm.itemStates[item.state]);
  return html`<tr id="item-${item.seq}"${item.flag ? raw(' class="flagged"') : ''}>
<td data-label="#" class="num">${item.seq}</td>
<td data-label="${mm.state}">${badge}${item.flag ? html`<br><strong>${mm.flags[item.flag] ?? item.flag}</strong> <code>${item.flag}</code>` : null}</td>
<td data-label="${mm.subject}">${mm.subjects[item.subject] ?? item.subject}</td>
<td data-label="${mm.shopAmount}" class="num">${amount(context, item.expected, item.currency)}</td>
<td data-label="${mm.airwallexAmount}" class="num">${amount(context, item.actual, item.currency)}</td>
<td data-label="${mm.fee}" class="num">${item.fee ? amount(context, item.fee, item.currency) : ''}</td>
<td data-label="${mm.links}">${itemLinks(context, item)}</td>
</tr>`;
}

export interface RunView {
  run: ReconciliationRun;
  items: ReconciliationItem[];
  flaggedOnly: boolean;
  notice?: string;
}

export function runPage(context: PageContext, view: RunView): string {
  const mm = mmOf(context);
  const { run } = view;
  const id = encodeURIComponent(run.id);
  const currencies = (run.totals?.currencies ?? []).map(
    (c) => html`<tr>
<th scope="row">${c.currency}</th>
<td data-label="${mm.gross}" class="num">${formatMoney(c.gross, c.currency, context.language)} (${c.payments})</td>
<td data-label="${mm.fees}" class="num">${formatMoney(c.fees, c.currency, context.language)}</td>
<td data-label="${mm.refunded}" class="num">${formatMoney(c.refunded, c.currency, context.language)} (${c.refunds})</td>
<td data-label="${mm.other}" class="num">${formatMoney(c.other, c.currency, context.language)}</td>
<td data-label="${mm.net}" class="num"><strong>${formatMoney(c.net, c.currency, context.language)}</strong></td>
<td data-label="${mm.shopPaid}" class="num">${formatMoney(c.shopPaid, c.currency, context.language)} (${c.shopPayments})</td>
<td data-label="${mm.shopRefunded}" class="num">${formatMoney(c.shopRefunded, c.currency, context.language)} (${c.shopRefunds})</td>
</tr>`,
  );
  const batches = (run.totals?.batches ?? []).map(
    (b) => html`<tr>
<th scope="row"><code>${b.batchId}</code></th>
<td data-label="${mm.status}">${b.status ?? t(context).none}</td>
<td data-label="${mm.transactions}" class="num">${b.transactions}</td>
<td data-label="${mm.batchNet}" class="num">${formatMoney(b.net, b.currency, context.language)}</td>
<td data-label="${mm.settled}" class="num">${amount(context, b.settlementAmount, b.currency)}</td>
<td data-label="${mm.fees}" class="num">${formatMoney(b.fees, b.currency, context.language)}</td>
<td data-label="${b.settledAt ? mm.settledAt : mm.estimated}">${time(context, b.settledAt ? new Date(b.settledAt).toISOString() : b.estimatedSettledAt ? new Date(b.estimatedSettledAt).toISOString() : null)}</td>
</tr>`,
  );
  const items = view.flaggedOnly ? view.items.filter((item) => item.flag) : view.items;
  const body = html`<p><a href="/admin/reconciliations">${mm.backToRuns}</a></p>
<h1>${mm.runTitle(run.day)}</h1>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : null}
${run.status === 'failed' ? html`<p class="error" role="alert">${mm.failedBecause(run.error ?? '')}</p>` : null}
<dl class="summary">
<dt>${mm.status}</dt><dd>${mm.runStatuses[run.status] ?? run.status}</dd>
<dt>${mm.result}</dt><dd data-figure="result">${resultOf(context, run)}</dd>
<dt>${mm.started}</dt><dd>${time(context, new Date(run.startedAt).toISOString())}</dd>
<dt>${mm.startedBy}</dt><dd>${mm.triggers[run.trigger] ?? run.trigger}${run.actor ? html` <code>${run.actor}</code>` : null}</dd>
<dt>${mm.transactions}</dt><dd>${run.summary?.transactions ?? t(context).none}</dd>
<dt>${mm.run}</dt><dd><code>${run.id}</code> · ${run.timeZone}</dd>
</dl>
${run.recheckAt ? html`<p class="hint">${mm.recheck(time(context, new Date(run.recheckAt).toISOString()))}</p>` : null}
<p class="actions"><a class="button secondary" href="/admin/reconciliations/${id}/items.csv" download>${mm.download}</a></p>
<h2>${mm.totals}</h2>
${
  currencies.length
    ? html`<table class="cards" id="totals"><thead><tr><th scope="col">${mm.currency}</th><th scope="col" class="num">${mm.gross}</th><th scope="col" class="num">${mm.fees}</th><th scope="col" class="num">${mm.refunded}</th><th scope="col" class="num">${mm.other}</th><th scope="col" class="num">${mm.net}</th><th scope="col" class="num">${mm.shopPaid}</th><th scope="col" class="num">${mm.shopRefunded}</th></tr></thead><tbody>${currencies}</tbody></table>`
    : html`<p>${t(context).none}</p>`
}
${
  batches.length
    ? html`<h2>${mm.batches}</h2><table class="cards" id="batches"><thead><tr><th scope="col">${mm.batch}</th><th scope="col">${mm.status}</th><th scope="col" class="num">${mm.transactions}</th><th scope="col" class="num">${mm.batchNet}</th><th scope="col" class="num">${mm.settled}</th><th scope="col" class="num">${mm.fees}</th><th scope="col">${mm.settledAt}</th></tr></thead><tbody>${batches}</tbody></table>`
    : null
}
<h2>${mm.items}</h2>
<nav aria-label="${mm.items}"><p><a href="/admin/reconciliations/${id}"${view.flaggedOnly ? '' : raw(' aria-current="page"')}>${mm.allItems}</a> · <a href="/admin/reconciliations/${id}?flagged=1"${view.flaggedOnly ? raw(' aria-current="page"') : ''}>${mm.flaggedOnly}</a></p></nav>
${
  items.length === 0
    ? html`<p>${mm.noItems}</p>`
    : html`<table class="cards" id="items"><thead><tr><th scope="col" class="num">#</th><th scope="col">${mm.state}</th><th scope="col">${mm.subject}</th><th scope="col" class="num">${mm.shopAmount}</th><th scope="col" class="num">${mm.airwallexAmount}</th><th scope="col" class="num">${mm.fee}</th><th scope="col">${mm.links}</th></tr></thead><tbody>${items.map((item) => itemRow(context, item))}</tbody></table>`
}`;
  return layout(context, mm.runTitle(run.day), body);
}

export function transactionPage(context: PageContext, view: { transactionId: string; entries: Array<{ run: ReconciliationRun; item: ReconciliationItem }> }): string {
  const mm = mmOf(context);
  const rows = view.entries.map(
    ({ run, item }) => html`<tr>
<td data-label="${mm.run}"><a href="/admin/reconciliations/${encodeURIComponent(run.id)}#item-${item.seq}">${run.day}</a></td>
<td data-label="${mm.state}">${mm.itemStates[item.state]}${item.flag ? html` · <strong>${mm.flags[item.flag] ?? item.flag}</strong>` : null}</td>
<td data-label="${mm.airwallexAmount}" class="num">${amount(context, item.actual, item.currency)}</td>
<td data-label="${mm.links}">${itemLinks(context, { ...item, transactionId: null })}</td>
<td data-label="${t(context).detail}"><code>${Object.entries(item.detail).map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`).join(' · ')}</code></td>
</tr>`,
  );
  const body = html`<p><a href="/admin/reconciliations">${mm.backToRuns}</a></p>
<h1>${mm.transactionTitle(view.transactionId)}</h1>
<p>${mm.transactionIntro}</p>
${
  rows.length === 0
    ? html`<p>${mm.noTransaction}</p>`
    : html`<table class="cards"><thead><tr><th scope="col">${mm.run}</th><th scope="col">${mm.state}</th><th scope="col" class="num">${mm.airwallexAmount}</th><th scope="col">${mm.links}</th><th scope="col">${t(context).detail}</th></tr></thead><tbody>${rows}</tbody></table>`
}`;
  return layout(context, mm.transactionTitle(view.transactionId), body);
}
