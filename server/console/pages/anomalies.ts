// The console's anomalies page: what needs an operator, open or all, each resolvable.
import type { Anomaly } from '../../contract-admin';
import { html, raw } from '../html';
import { csrfField, layout, t, time, type PageContext } from './layout';

/** A reconciliation flag's run and Airwallex transaction, linked (an unknown transaction has no order to link). */
function reconciliationLinks(anomaly: Anomaly) {
  if (!anomaly.kind.startsWith('recon_')) return null;
  const { runId, transactionId } = anomaly.detail;
  return html`${typeof runId === 'string' ? html`<br><a class="id" href="/admin/reconciliations/${encodeURIComponent(runId)}">${runId}</a>` : null}${
    typeof transactionId === 'string' ? html`<br><a class="id" href="/admin/reconciliations/transactions/${encodeURIComponent(transactionId)}">${transactionId}</a>` : null
  }`;
}

export function anomaliesPage(context: PageContext, view: { anomalies: Anomaly[]; openOnly: boolean; notice?: string; error?: string }): string {
  const m = t(context);
  const rows = view.anomalies.map(
    (anomaly) => html`<tr>
<td data-label="${m.created}">${time(context, anomaly.createdAt)}</td>
<td data-label="${m.kind}">${m.anomalyKinds[anomaly.kind] ?? anomaly.kind} <code>${anomaly.kind}</code></td>
<td data-label="${m.order}">${anomaly.orderId ? html`<a class="id" href="/admin/orders/${encodeURIComponent(anomaly.orderId)}">${anomaly.orderId}</a>` : m.noOrder}${anomaly.intentId ? html`<br><code>${anomaly.intentId}</code>` : null}${reconciliationLinks(anomaly)}</td>
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

