// What the go-live doctor assumes about an Airwallex account's setup (hosts, API key permissions, webhook subscriptions), kept in one place beside inferred.ts.
// Each guess is marked [I] (inferred) or [?] (open), as in docs/reference/airwallex.md; when the sandbox shows otherwise, this is the file to change.
import { AirwallexApiError } from './errors';

export type AirwallexEnvironment = 'production' | 'demo' | 'other';

/**
 * Which Airwallex a base URL talks to. Production is api.airwallex.com; the sandbox ("demo") answers
 * at api-demo.airwallex.com and, under its newer name, api.sandbox.airwallex.com [V] (reference §1).
 */
export function airwallexEnvironment(baseUrl: string): AirwallexEnvironment {
  let host: string;
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    return 'other';
  }
  if (host === 'api.airwallex.com') return 'production';
  if (host === 'api-demo.airwallex.com' || host === 'api.sandbox.airwallex.com') return 'demo';
  return 'other';
}

/** Where the web app keeps webhooks: the docs say "Developer > Webhooks", and in newer pages "Settings > Developer > Webhooks" [V]. */
export const WEB_APP_WEBHOOKS = "Airwallex's web app → Settings → Developer → Webhooks";

/** Where the web app keeps API keys and their permissions (restricted keys) [V: "Manage API keys"]. */
export const WEB_APP_API_KEYS = "Airwallex's web app → Settings → Developer → API keys";

/**
 * [I] An answer that means "this API key may not do that": 403, or a 401 that survives a fresh login
 * (the client logs in again once on a 401). Airwallex documents restricted API keys with scopes but
 * not the answer to a call outside them.
 */
export function isPermissionRefusal(err: unknown): err is AirwallexApiError {
  return err instanceof AirwallexApiError && (err.httpStatus === 403 || err.httpStatus === 401);
}

/**
 * [?] List all Webhooks (GET /api/v1/webhooks, official spec 2026-08-21, `x-resourceLevel: account`)
 * answers the account's webhooks with their url, events and secret. That it also lists the webhooks
 * a merchant made in the web app (rather than only those made through the API) is assumed: the
 * spec and the docs do not say. If it does not, the doctor reports no webhook at PUBLIC_URL while one
 * exists; the web-app check it prints is then the one to follow. A 404 `not_found` (an environment
 * without this API) or a permission refusal makes the doctor fall back to that check at once [I].
 */
export function webhookListUnavailable(err: unknown): err is AirwallexApiError {
  return isPermissionRefusal(err) || (err instanceof AirwallexApiError && err.httpStatus === 404 && err.airwallexCode !== 'resource_not_found');
}

/** One page of List all Webhooks: `page_size` (default 20) and the `page_after` cursor [V, spec]. */
export const WEBHOOK_LIST_PAGE_SIZE = 50;
/** Pages read at most: an account with more than 500 webhooks is not this shop's. */
export const WEBHOOK_LIST_MAX_PAGES = 10;
