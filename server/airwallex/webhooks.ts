// Airwallex's webhook wire format, in the adapter as an SDK would carry it (Airwallex's Node SDK has none:
// docs/reference/airwallex.md §9): the signature (hex HMAC-SHA256 over x-timestamp and the raw body), the delivery's
// checks, and the event parsed from the body (§8). A delivery to refuse is an AirwallexWebhookError.
import { signatureMatches, signPayload } from '../signature';
import { unstorableTextIn } from '../text';
import { AirwallexWebhookError } from './errors';
import type { AirwallexWebhookEvent } from './types';

/** A delivery stamped this far in the future is refused: no honest clock is that far off. */
const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * Checks a delivery: the signature over the exact bytes received, and a timestamp within
 * `toleranceMs` of `now` (and not in the future). Throws when the delivery must be refused.
 */
export function verifyWebhook(rawBody: Buffer, headers: { timestamp?: string; signature?: string }, options: { secret: string; toleranceMs: number; now: number }): void {
  const { timestamp, signature } = headers;
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature)) throw new AirwallexWebhookError('webhook_signature', 'The webhook signature is missing or does not match.');
  if (!timestamp || !/^\d{1,16}$/.test(timestamp)) throw new AirwallexWebhookError('webhook_timestamp', 'The x-timestamp header is missing or not a number of milliseconds.');
  if (!signatureMatches(options.secret, timestamp, rawBody, signature)) throw new AirwallexWebhookError('webhook_signature', 'The webhook signature does not match.');
  // Events are deduplicated by id and snapshots never move an order backwards, so an old signed
  // event is harmless: accept Airwallex's whole retry window, refuse what is older than that.
  const age = options.now - Number(timestamp);
  if (age > options.toleranceMs || age < -FUTURE_SKEW_MS) {
    throw new AirwallexWebhookError('webhook_timestamp', `The x-timestamp is ${Math.round(age / 1000)} s old; deliveries older than ${Math.round(options.toleranceMs / 1000)} s are refused.`);
  }
}

/** The signature Airwallex sends: hex HMAC-SHA256(secret, x-timestamp + raw body), the scheme of ../signature.ts (our own events use it too). */
export const signWebhook = signPayload;

/** The event in a verified delivery: JSON with a string `id` and `name`, holding only text a store can keep. */
export function parseWebhookEvent(rawBody: Buffer): AirwallexWebhookEvent {
  let event: unknown;
  try {
    event = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new AirwallexWebhookError('webhook_payload', 'The webhook body is not JSON.');
  }
  const candidate = event as Partial<AirwallexWebhookEvent> | null;
  if (!candidate || typeof candidate !== 'object' || typeof candidate.id !== 'string' || !candidate.id || candidate.id.length > 128 || typeof candidate.name !== 'string' || !candidate.name || candidate.name.length > 128) {
    throw new AirwallexWebhookError('webhook_payload', 'The webhook body needs a string `id` and `name`.');
  }
  // Its ids and fields are stored (some in jsonb): refused whole, as no event Airwallex sends holds such text.
  const where = unstorableTextIn(candidate);
  if (where !== undefined) throw new AirwallexWebhookError('webhook_payload', `The webhook body holds text no database keeps (NUL or an unpaired surrogate) at ${where.slice(0, 64)}.`);
  return candidate as AirwallexWebhookEvent;
}
