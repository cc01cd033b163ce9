// The order events' settings (EVENTS_URL, EVENTS_SECRET, EVENTS_TIMEOUT_MS, EVENTS_FIRST_RETRY_MS), read by loadConfig (config.ts):
// where they are POSTed and signed with what, refused at boot when they would travel in clear or be signed with a weak secret.
import { isLoopbackHost, weakTokenReason } from './config-safety';
import type { EventsSettings, Mode } from './config-types';

type Env = Record<string, string | undefined>;

/** How loadConfig reads an integer setting (its bounds checked, a problem noted). */
type IntSetting = (key: string, fallback: number, min: number, max: number) => number;

/**
 * EVENTS_URL and its secret; undefined when EVENTS_URL is unset (events are then recorded for the
 * feed only). In live mode EVENTS_URL must be https, with the same escape hatch as the upstreams
 * (ALLOW_INSECURE_UPSTREAM=1, refused with NODE_ENV=production) for a receiver on this machine in tests.
 */
export function eventsSettings(
  env: Env,
  context: { mode: Mode; production: boolean; adminToken: string | undefined; metricsToken: string | undefined },
  problems: string[],
  int: IntSetting,
): EventsSettings | undefined {
  const raw = env.EVENTS_URL?.trim();
  const secret = env.EVENTS_SECRET?.trim() ?? '';
  const timeoutMs = int('EVENTS_TIMEOUT_MS', 10_000, 100, 60_000);
  const firstRetryMs = int('EVENTS_FIRST_RETRY_MS', 5_000, 10, 5_000);
  if (!raw) {
    if (secret) problems.push('EVENTS_SECRET is set but EVENTS_URL is not: set EVENTS_URL to the https address your system receives order events at (or unset EVENTS_SECRET)');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`EVENTS_URL must be an https URL like https://erp.example.com/hooks/shop, got "${raw}"`);
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`EVENTS_URL must be an https URL like https://erp.example.com/hooks/shop, got "${raw}"`);
    return undefined;
  }
  if (url.username || url.password) {
    problems.push('EVENTS_URL must not hold credentials (the events are signed with EVENTS_SECRET; the receiver checks x-signature instead)');
    return undefined;
  }
  const insecureAllowed = env.ALLOW_INSECURE_UPSTREAM?.trim() === '1' && !context.production;
  if (context.mode === 'live' && url.protocol !== 'https:' && !insecureAllowed) {
    problems.push(
      `EVENTS_URL must be https:// in live mode (order events, with the shopper's order, would travel in clear), got "${raw}"; ` +
        'for a receiver on this machine in tests, set ALLOW_INSECURE_UPSTREAM=1 (refused with NODE_ENV=production)',
    );
  }
  if (url.protocol === 'http:' && context.mode === 'live' && insecureAllowed && !isLoopbackHost(url.hostname)) {
    problems.push(`EVENTS_URL may be http:// only for a receiver on this machine (ALLOW_INSECURE_UPSTREAM=1), got "${raw}"`);
  }
  if (!secret) {
    problems.push('EVENTS_SECRET is required with EVENTS_URL: the key the events are signed with (x-signature), shared with your receiver; make one with: openssl rand -hex 32');
  } else {
    const weak = weakTokenReason(secret);
    if (weak) problems.push(`EVENTS_SECRET ${weak}: make one with: openssl rand -hex 32`);
    if (secret === context.adminToken || secret === context.metricsToken) {
      problems.push('EVENTS_SECRET must differ from ADMIN_TOKEN and METRICS_TOKEN: the receiving system holds it, and must not be able to refund or read the metrics');
    }
  }
  return { url: url.toString(), secret, timeoutMs, firstRetryMs };
}

/** What an operator should know at start about the order events (never the secret). */
export function eventsNotes(config: { events: EventsSettings | undefined }): string[] {
  if (!config.events) return ['Order events: recorded for the feed (GET /admin/api/events) and the console; set EVENTS_URL and EVENTS_SECRET to have them POSTed to your system (docs/events.md)'];
  return [`Order events: POSTed to ${config.events.url}, signed with EVENTS_SECRET (x-signature), retried for 72 h; see them in the console's Events page`];
}
