// The console's home page: how the shop is doing today, over 7 and 30 days (paid, payments, refunds, conversion), what
// needs attention (open anomalies, the last reconciliation), and the paid amount per day as a chart.
import type { Overview, PeriodFigures } from '../../services/overview';
import { formatMoney } from '../format';
import { html } from '../html';
import { MONEY_MESSAGES } from '../i18n-money';
import { paidChart } from './chart';
import { layout, t, type PageContext } from './layout';

const percent = (value: number, language: PageContext['language']) =>
  new Intl.NumberFormat(language === 'en' ? 'en-GB' : 'zh-CN', { style: 'percent', maximumFractionDigits: 1 }).format(value);

function amounts(context: PageContext, list: Array<{ currency: string; amount: number }>, none: string): string {
  return list.length === 0 ? none : list.map((entry) => formatMoney(entry.amount, entry.currency, context.language)).join(' · ');
}

function periodCard(context: PageContext, period: PeriodFigures) {
  const mm = MONEY_MESSAGES[context.language];
  const id = `period-${period.key}`;
  return html`<section class="figure" aria-labelledby="${id}">
<h2 id="${id}">${mm.periods[period.key]}</h2>
<p class="since">${period.key === 'today' ? period.since : mm.since(period.since)}</p>
<dl>
<div><dt>${mm.paid}</dt><dd class="big" data-figure="paid">${amounts(context, period.paid, mm.nothingPaid)}</dd></div>
<div><dt>${mm.payments}</dt><dd data-figure="payments">${period.payments}</dd></div>
<div><dt>${mm.refunds}</dt><dd data-figure="refunds">${period.refunds}${period.refunded.length ? ` (${amounts(context, period.refunded, '')})` : ''}</dd></div>
<div><dt>${mm.conversion}</dt><dd data-figure="conversion">${period.conversion === null ? mm.noSheets : html`${percent(period.conversion, context.language)} <span class="muted">${mm.conversionOf(period.openedPaid, period.opened)}</span>`}</dd></div>
</dl>
</section>`;
}

export function overviewPage(context: PageContext, overview: Overview): string {
  const m = t(context);
  const mm = MONEY_MESSAGES[context.language];
  const run = overview.lastRun;
  const runText = run
    ? html`<a href="/admin/reconciliations/${encodeURIComponent(run.id)}">${run.day}</a>: ${mm.runStatuses[run.status] ?? run.status}${
        run.summary ? html`, ${run.summary.flagged > 0 ? html`<strong class="bad">${mm.flaggedCount(run.summary.flagged)}</strong>` : mm.clean}${run.summary.waiting > 0 ? `, ${mm.waitingCount(run.summary.waiting)}` : ''}` : null
      }`
    : html`${mm.noReconciliation} · <a href="/admin/reconciliations">${mm.reconcileTitle}</a>`;
  const body = html`<h1>${mm.overview}</h1>
<p class="muted">${mm.overviewIntro(overview.timeZone)}</p>
<div class="figures">${overview.periods.map((period) => periodCard(context, period))}</div>
<section class="panel" aria-labelledby="attention-title">
<h2 id="attention-title">${mm.attention}</h2>
<dl class="summary">
<dt>${mm.openAnomalies}</dt><dd data-figure="anomalies"><a href="/admin/anomalies">${overview.openAnomalies}</a></dd>
<dt>${mm.lastReconciliation}</dt><dd data-figure="reconciliation">${runText}</dd>
</dl>
</section>
<section aria-labelledby="chart-heading">
<h2 id="chart-heading">${mm.chartTitle(overview.chartCurrency)}</h2>
${paidChart(context, { days: overview.days, currency: overview.chartCurrency, today: overview.today })}
</section>`;
  void m;
  return layout(context, mm.overview, body);
}
