// GET /api/v1/webhooks of the simulated Airwallex: the one webhook subscription of the simulated account, listed as the API lists them.
//
// Shape from the official spec (components ApiWebhook / ApiWebhookPagination, operation listWebhooks,
// kept in airwallex-openapi-subset.yaml): every listed webhook carries its url, events, API version
// and its `secret`. The simulated account has one webhook when a webhook URL is set (the server's
// own /webhooks/airwallex in simulator mode; SIMULATOR_WEBHOOK_URL for the standalone simulator),
// none otherwise. Guessed, because the spec does not say: a `page` cursor the API never issued is
// 400 `invalid_argument`, and so is a page_size below 1 (no maximum is documented; one webhook fits
// any page anyway).
import { createHash } from 'node:crypto';
import { ApiError } from './api-error';
import { formatTimestamp } from './format';
import { REFUND_WEBHOOK_EVENTS } from './inferred';
import { WEBHOOK_VERSION } from './webhooks';

/** What the simulated account subscribed: where its events go, which ones, and the secret they are signed with. */
export interface WebhookSubscription {
  url: string | undefined;
  /** undefined: every event the simulator sends. */
  events: readonly string[] | undefined;
  secret: string;
}

/** Every event name the simulator sends (payment-intents.ts and refunds.ts), for a subscription to all of them. */
export const SIMULATOR_EVENT_NAMES: readonly string[] = [
  'payment_intent.created',
  'payment_intent.requires_customer_action',
  'payment_intent.requires_payment_method',
  'payment_intent.succeeded',
  'payment_intent.cancelled',
  'payment_attempt.authentication_redirected',
  'payment_attempt.capture_requested',
  'payment_attempt.failed_to_process',
  ...Object.values(REFUND_WEBHOOK_EVENTS),
];

export interface ListedWebhook {
  id: string;
  url: string;
  secret: string;
  version: string;
  events: string[];
  created_at: string;
  updated_at: string;
  request_id: string;
}

/**
 * The answer of GET /api/v1/webhooks for `subscription`, created at `createdAtMs`. The id and
 * request_id follow from the URL, so the same subscription keeps its id across restarts.
 */
export function listWebhooks(subscription: WebhookSubscription, createdAtMs: number, query: Record<string, unknown>): { items: ListedWebhook[] } {
  if (query.page !== undefined && query.page !== '') throw new ApiError(400, 'invalid_argument', 'page is not a cursor from a previous answer of this API', 'page');
  if (query.page_size !== undefined && Number(query.page_size) < 1) throw new ApiError(400, 'invalid_argument', 'page_size must be at least 1', 'page_size');
  if (!subscription.url) return { items: [] };
  const digest = createHash('sha256').update(subscription.url).digest();
  const hex = digest.toString('hex');
  const at = formatTimestamp(createdAtMs);
  return {
    items: [
      {
        id: `wh_${digest.toString('base64url').slice(0, 32)}`,
        url: subscription.url,
        secret: subscription.secret,
        version: WEBHOOK_VERSION,
        events: [...(subscription.events ?? SIMULATOR_EVENT_NAMES)],
        created_at: at,
        updated_at: at,
        request_id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`,
      },
    ],
  };
}
