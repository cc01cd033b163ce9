// The overview's chart, drawn on the server as inline SVG: one bar per day of the paid amount, a rounded scale, a few
// day labels; no script and no style attribute (the console's CSP admits none), styled by console.css's classes only.
// Sized by its viewBox, so it scales to a 390 px phone; the same figures follow as a table for screen readers.
import { currencyPrecision } from '../../money';
import type { DayFigure } from '../../services/overview';
import { formatMoney } from '../format';
import { html, type Html } from '../html';
import { MONEY_MESSAGES } from '../i18n-money';
import type { PageContext } from './layout';

const WIDTH = 340;
const HEIGHT = 190;
const LEFT = 64;
const RIGHT = 6;
const TOP = 10;
const BOTTOM = 26;

/** The smallest 1, 2 or 5 × 10^k whole units of the currency at or above `maxMinor`, in minor units (at least one unit). */
export function niceMax(maxMinor: number, currency: string): number {
  const unit = 10 ** currencyPrecision(currency);
  const whole = Math.max(1, Math.ceil(maxMinor / unit));
  for (let power = 1; ; power *= 10) {
    for (const step of [1, 2, 5]) if (step * power >= whole) return step * power * unit;
  }
}

/** An axis label: the amount in whole units of the currency when it is whole, e.g. ¥1,000. */
function axisLabel(minor: number, currency: string, language: PageContext['language']): string {
  const unit = 10 ** currencyPrecision(currency);
  if (minor % unit !== 0) return formatMoney(minor, currency, language);
  try {
    return new Intl.NumberFormat(language === 'en' ? 'en-GB' : 'zh-CN', { style: 'currency', currency, maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(minor / unit);
  } catch {
    return `${minor / unit} ${currency}`;
  }
}

const round = (value: number) => Math.round(value * 10) / 10;

export function paidChart(context: PageContext, view: { days: DayFigure[]; currency: string; today: string }): Html {
  const mm = MONEY_MESSAGES[context.language];
  const { days, currency } = view;
  const top = niceMax(Math.max(0, ...days.map((day) => day.paid)), currency);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / days.length;
  const barWidth = round(slot * 0.7);
  const y = (minor: number) => round(TOP + plotHeight - (minor / top) * plotHeight);
  const total = days.reduce((sum, day) => sum + day.paid, 0);
  const grid = [0, top / 2, top].map(
    (value) => html`<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(value)}" y2="${y(value)}"/><text class="label" x="${LEFT - 4}" y="${y(value) + 4}" text-anchor="end">${axisLabel(value, currency, context.language)}</text>`,
  );
  const bars = days.map((day, i) => {
    if (day.paid <= 0) return null;
    const x = round(LEFT + i * slot + (slot - barWidth) / 2);
    const height = Math.max(1, round(TOP + plotHeight - y(day.paid)));
    const label = mm.chartDay(day.day, formatMoney(day.paid, currency, context.language), day.payments);
    return html`<rect class="bar${day.day === view.today ? ' today' : ''}" x="${x}" y="${round(TOP + plotHeight - height)}" width="${barWidth}" height="${height}"><title>${label}</title></rect>`;
  });
  // Four day labels: the first, two between, the last (today, ending at the plot's edge so it is never cut off).
  const last = days.length - 1;
  const ticks = [0, Math.round(last / 3), Math.round((2 * last) / 3), last].map((i) =>
    i === last
      ? html`<text class="label" x="${WIDTH - RIGHT}" y="${HEIGHT - 8}" text-anchor="end">${days[i].day.slice(5)}</text>`
      : html`<text class="label" x="${round(LEFT + i * slot + slot / 2)}" y="${HEIGHT - 8}" text-anchor="middle">${days[i].day.slice(5)}</text>`,
  );
  const summary = mm.chartSummary(formatMoney(total, currency, context.language), days.filter((day) => day.paid > 0).length);
  const rows = days.map(
    (day) => html`<tr><th scope="row">${day.day}</th><td class="num">${formatMoney(day.paid, currency, context.language)}</td><td class="num">${day.payments}</td></tr>`,
  );
  return html`<figure class="chart-box">
<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">${mm.chartTitle(currency)}</title>
<desc id="chart-desc">${summary}</desc>
${grid}
${bars}
<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(0)}" y2="${y(0)}"/>
${ticks}
</svg>
<figcaption>${summary}</figcaption>
</figure>
<details><summary>${mm.chartAsTable}</summary>
<table><thead><tr><th scope="col">${mm.day}</th><th scope="col" class="num">${mm.paid}</th><th scope="col" class="num">${mm.payments}</th></tr></thead><tbody>${rows}</tbody></table>
</details>`;
}
