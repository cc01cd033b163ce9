// The frame of every console page, rendered on the server as plain HTML (no script): the stylesheet and the CSP that
// admits only it, header, navigation, language switch, simulator banner, footer; the pieces pages share; the message page.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Language } from '../../routes/presenters';
import type { BannerMessage } from '../../routes/types';
import { formatMoney, formatTime } from '../format';
import { html, raw, type Html } from '../html';
import { MESSAGES, type Messages } from '../i18n';
import { MESSAGE_TEXTS } from '../i18n-messages';
import { MONEY_MESSAGES } from '../i18n-money';
import { EVENT_MESSAGES } from '../i18n-events';

const CSS = readFileSync(path.join(__dirname, '..', 'console.css'), 'utf8');
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
  /** The last subscription messages the simulated WeChat took, newest first (simulator mode). */
  simulatorMessages?: BannerMessage[];
  active?: 'overview' | 'orders' | 'reconciliations' | 'anomalies' | 'events';
}

export const t = (context: PageContext): Messages => MESSAGES[context.language];

export function withQuery(url: string, changes: Record<string, string | undefined>): string {
  const parsed = new URL(url, 'http://console.invalid');
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') parsed.searchParams.delete(key);
    else parsed.searchParams.set(key, value);
  }
  return parsed.pathname + parsed.search;
}

export const csrfField = (context: PageContext) => html`<input type="hidden" name="_csrf" value="${context.session?.csrf ?? ''}">`;

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
  // What a shopper's phone would show: the subscription messages WeChat took (no line until there is one).
  const sent = context.simulatorMessages ?? [];
  if (sent.length > 0) {
    const mt = MESSAGE_TEXTS[context.language];
    const items = sent.map((s) => html`<li><time datetime="${s.at}">${formatTime(s.at, context.timeZone)}</time> ${mt.bannerTo(s.shopper)} · <strong>${s.title}</strong> · ${s.values}</li>`);
    groups.push(html`<div class="sim-messages"><dt>${mt.bannerSent}</dt><dd><ul>${items}</ul></dd></div>`);
  }
  return html`<section class="sim" aria-label="${m.simulatorBanner}"><p class="inline"><strong>${m.simulatorBanner}</strong>${m.simulatorText}</p>
<dl aria-label="${m.simulatorCounters}">${groups}</dl></section>`;
}

/** The page around `body`: head with the CSP-hashed style, header, simulator banner, main, footer. */
export function layout(context: PageContext, title: string, body: Html): string {
  const m = t(context);
  const navLink = (key: NonNullable<PageContext['active']>, href: string, label: string, extra: Html | null = null) =>
    html`<li><a href="${href}"${context.active === key ? raw(' aria-current="page"') : ''}>${label}${extra}</a></li>`;
  const session = context.session;
  const header = session
    ? html`<header class="top"><span class="brand">${m.consoleName}</span>
<nav aria-label="${m.navLabel}"><ul>${navLink('overview', '/admin/overview', MONEY_MESSAGES[context.language].overview)}${navLink('orders', '/admin/orders', m.orders)}${navLink(
        'reconciliations',
        '/admin/reconciliations',
        MONEY_MESSAGES[context.language].reconciliation,
      )}${navLink(
        'anomalies',
        '/admin/anomalies',
        m.anomalies,
        session.openAnomalies > 0 ? html` <span class="count">${session.openAnomalies}</span>` : null,
      )}
${navLink('events', '/admin/events', EVENT_MESSAGES[context.language].events)}
</ul></nav>
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

export const statusBadge = (status: string, label: string | undefined) => html`<span class="status status-${status}">${label ?? status}</span>`;
export const money = (context: PageContext, value: { amount: number; currency: string }) => formatMoney(value.amount, value.currency, context.language);
export const time = (context: PageContext, at: string | null) => (at ? formatTime(at, context.timeZone) : t(context).none);

// ---- errors ----

export function messagePage(context: PageContext, title: string, message: string, link?: { href: string; label: string }): string {
  const body = html`<h1>${title}</h1><p class="error" role="alert">${message}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : null}`;
  return layout(context, title, body);
}
