// The doctor's Airwallex section: which environment, the login, read calls that prove the key's permissions, and the webhook subscription that must point at PUBLIC_URL.
import { createHash, timingSafeEqual } from 'node:crypto';
import pino from 'pino';
import { AirwallexClient } from '../airwallex/client';
import { AirwallexApiError, AirwallexCredentialsError } from '../airwallex/errors';
import {
  airwallexEnvironment,
  isPermissionRefusal,
  WEB_APP_API_KEYS,
  WEB_APP_WEBHOOKS,
  WEBHOOK_LIST_MAX_PAGES,
  WEBHOOK_LIST_PAGE_SIZE,
  webhookListUnavailable,
} from '../airwallex/inferred-setup';
import { RECOMMENDED_WEBHOOK_EVENTS } from '../airwallex/webhook-events';
import { isLoopbackHost } from '../config-safety';
import { describeCause } from './network';
import { fail, ok, skip, type CheckResult, type DoctorContext } from './types';

const G = 'airwallex' as const;
const WEBHOOK_PATH = '/webhooks/airwallex';

/** A webhook as List all Webhooks answers it (official spec, ApiWebhook). */
interface ListedWebhook {
  id: string;
  url: string;
  secret: string;
  version: string;
  events: string[];
}

export async function airwallexChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const { config } = ctx;
  const results = [environmentCheck(config.airwallex.baseUrl)];
  const attempts: Array<{ operation: string; status: string }> = [];
  const client = new AirwallexClient({
    baseUrl: config.airwallex.baseUrl,
    clientId: config.airwallex.clientId,
    apiKey: config.airwallex.apiKey,
    apiVersion: config.airwallex.apiVersion,
    logger: pino({ level: 'silent' }),
    timeoutMs: Math.min(config.airwallex.timeoutMs, ctx.timeoutMs),
    maxAttempts: 2,
    retryBudgetMs: ctx.timeoutMs,
    backoffBaseMs: 200,
    onAttempt: (operation, status) => attempts.push({ operation, status }),
  });
  const loggedIn = () => attempts.some((a) => a.operation === 'login' && a.status.startsWith('2'));

  // The first read logs in: its failure before any login answered 2xx is the login's.
  const intents = await attempt(() => client.get('/api/v1/pa/payment_intents?page_num=0&page_size=1', 'doctor_list_intents'));
  if (!loggedIn()) {
    results.push(loginFailure(config.airwallex.baseUrl, intents.error));
    for (const [id, title] of [['airwallex.payment_intents', 'payment intents'], ['airwallex.refunds', 'refunds'], ['airwallex.webhooks', 'webhook subscription']]) {
      results.push(skip(G, id, title, 'skipped: the login must work first'));
    }
    return results;
  }
  results.push(ok(G, 'airwallex.login', 'login', `AIRWALLEX_CLIENT_ID and AIRWALLEX_API_KEY log in at ${config.airwallex.baseUrl}`));
  results.push(readCheck('airwallex.payment_intents', 'payment intents', 'GET /api/v1/pa/payment_intents', intents.error));
  const refunds = await attempt(() => client.get('/api/v1/pa/refunds?page_num=0&page_size=1', 'doctor_list_refunds'));
  results.push(readCheck('airwallex.refunds', 'refunds', 'GET /api/v1/pa/refunds', refunds.error));
  results.push(await webhookCheck(client, `${config.publicUrl ?? ''}${WEBHOOK_PATH}`, config.airwallex.webhookSecret));
  return results;
}

async function attempt<T>(call: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await call() };
  } catch (error) {
    return { error: error ?? new Error('failed') };
  }
}

function environmentCheck(baseUrl: string): CheckResult {
  const id = 'airwallex.environment';
  const host = new URL(baseUrl).host;
  switch (airwallexEnvironment(baseUrl)) {
    case 'production':
      return ok(G, id, 'environment', `production (${host}): real payments, with production API keys`);
    case 'demo':
      return ok(G, id, 'environment', `the sandbox (${host}): test payments only, no money moves; for real payments set AIRWALLEX_BASE_URL=https://api.airwallex.com and production keys`);
    default:
      if (isLoopbackHost(new URL(baseUrl).hostname)) return ok(G, id, 'environment', `a simulator on this machine (${host}): no money moves`);
      return fail(G, id, 'environment', `${host} is not one of Airwallex's API hosts (api.airwallex.com; api-demo.airwallex.com or api.sandbox.airwallex.com for the sandbox)`, 'set AIRWALLEX_BASE_URL=https://api.airwallex.com (or the sandbox host while testing)');
  }
}

function loginFailure(baseUrl: string, err: unknown): CheckResult {
  const id = 'airwallex.login';
  if (err instanceof AirwallexCredentialsError) {
    const environment = airwallexEnvironment(baseUrl);
    const account = environment === 'demo' ? 'of the sandbox account ' : environment === 'production' ? 'of the production account ' : '';
    return fail(
      G,
      id,
      'login',
      `Airwallex refused AIRWALLEX_CLIENT_ID / AIRWALLEX_API_KEY at ${baseUrl}`,
      `copy the client id and an API key from ${WEB_APP_API_KEYS} ${account}(sandbox keys work only on the sandbox host, production keys only on api.airwallex.com)`,
    );
  }
  if (err instanceof AirwallexApiError) {
    return fail(G, id, 'login', `the login at ${baseUrl} answered ${err.httpStatus}${err.airwallexCode ? ` ${err.airwallexCode}` : ''}`, 'check AIRWALLEX_BASE_URL (the API host, no path) and try again later if Airwallex is failing');
  }
  return fail(G, id, 'login', `could not reach ${baseUrl}: ${describeCause(err)}`, 'check that this machine reaches it (DNS, firewall, an outgoing proxy), and AIRWALLEX_BASE_URL itself');
}

function readCheck(id: string, title: string, call: string, err: unknown): CheckResult {
  if (err === undefined) return ok(G, id, title, `the API key may read ${title} (${call} answered 200)`);
  if (isPermissionRefusal(err)) {
    return fail(G, id, title, `the API key may not read ${title}: ${call} answered ${err.httpStatus}${err.airwallexCode ? ` ${err.airwallexCode}` : ''}`, `give the key the Payments permissions (payment intents and refunds, read and write) in ${WEB_APP_API_KEYS}, or use an unrestricted key`);
  }
  if (err instanceof AirwallexApiError) return fail(G, id, title, `${call} answered ${err.httpStatus}${err.airwallexCode ? ` ${err.airwallexCode}` : ''}`, 'check AIRWALLEX_BASE_URL, and try again later if Airwallex is failing');
  return fail(G, id, title, `${call} failed: ${describeCause(err)}`, 'check that this machine reaches Airwallex, then try again');
}

/** Reads every page of List all Webhooks (official spec: `page_size`, then `page` = the last `page_after`). */
async function listWebhooks(client: AirwallexClient): Promise<ListedWebhook[]> {
  const webhooks: ListedWebhook[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < WEBHOOK_LIST_MAX_PAGES; page++) {
    const query = new URLSearchParams({ page_size: String(WEBHOOK_LIST_PAGE_SIZE), ...(cursor ? { page: cursor } : {}) });
    const answer = await client.get<{ items?: ListedWebhook[]; page_after?: string | null }>(`/api/v1/webhooks?${query}`, 'doctor_list_webhooks');
    webhooks.push(...(answer.items ?? []));
    cursor = answer.page_after ?? undefined;
    if (!cursor) break;
  }
  return webhooks;
}

/** Same scheme, host and port (default ports dropped) and path (trailing slash dropped). */
function sameUrl(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    const strip = (path: string) => path.replace(/\/+$/, '');
    return x.protocol === y.protocol && x.host === y.host && strip(x.pathname) === strip(y.pathname);
  } catch {
    return false;
  }
}

function sameSecret(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}

async function webhookCheck(client: AirwallexClient, expected: string, secret: string): Promise<CheckResult> {
  const id = 'airwallex.webhooks';
  const title = 'webhook subscription';
  const events = RECOMMENDED_WEBHOOK_EVENTS.join(', ');
  const webAppCheck = `in ${WEB_APP_WEBHOOKS}, a webhook at ${expected} must be subscribed to ${events}, and its secret must be AIRWALLEX_WEBHOOK_SECRET`;
  let webhooks: ListedWebhook[];
  try {
    webhooks = await listWebhooks(client);
  } catch (err) {
    if (webhookListUnavailable(err)) return skip(G, id, title, `skipped: this API key cannot list webhooks (GET /api/v1/webhooks answered ${err.httpStatus}); check by hand: ${webAppCheck}`);
    return fail(G, id, title, `could not list webhooks: ${err instanceof AirwallexApiError ? `${err.httpStatus} ${err.airwallexCode ?? ''}`.trim() : describeCause(err)}`, `try again later; meanwhile check by hand: ${webAppCheck}`);
  }
  const candidates = webhooks.filter((webhook) => sameUrl(webhook.url, expected));
  if (candidates.length === 0) {
    const elsewhere = [...new Set(webhooks.map((webhook) => webhook.url))].slice(0, 3);
    return fail(
      G,
      id,
      title,
      `no webhook points at ${expected} (${elsewhere.length > 0 ? `the account's point at ${elsewhere.join(', ')}` : 'the account has none'})`,
      `in ${WEB_APP_WEBHOOKS}, add a webhook at ${expected} with the events ${events}; set its secret in AIRWALLEX_WEBHOOK_SECRET and restart the server`,
    );
  }
  const judged = candidates.map((webhook) => ({
    webhook,
    missing: RECOMMENDED_WEBHOOK_EVENTS.filter((event) => !(webhook.events ?? []).includes(event)),
    secretMatches: typeof webhook.secret === 'string' && sameSecret(webhook.secret, secret),
  }));
  const good = judged.find((j) => j.missing.length === 0 && j.secretMatches);
  if (good) {
    return ok(G, id, title, `${good.webhook.id} points at ${expected}, subscribed to the ${RECOMMENDED_WEBHOOK_EVENTS.length} events the server needs, signed with AIRWALLEX_WEBHOOK_SECRET (payload version ${good.webhook.version})`);
  }
  const { webhook, missing, secretMatches } = judged[0];
  const problems: string[] = [];
  const fixes: string[] = [];
  if (missing.length > 0) {
    problems.push(`is not subscribed to ${missing.join(', ')}`);
    fixes.push(`Airwallex fixes a webhook's events when it is made: add a new webhook at ${expected} with ${events}, switch AIRWALLEX_WEBHOOK_SECRET to its secret and restart the server, then delete ${webhook.id}`);
  }
  if (!secretMatches) {
    problems.push('signs its events with another secret than AIRWALLEX_WEBHOOK_SECRET (every delivery would be refused)');
    if (missing.length === 0) fixes.push(`copy the secret of ${webhook.id} from ${WEB_APP_WEBHOOKS} into AIRWALLEX_WEBHOOK_SECRET, and restart the server`);
  }
  return fail(G, id, title, `the webhook ${webhook.id} at ${expected} ${problems.join(', and ')}`, fixes.join('; '));
}
