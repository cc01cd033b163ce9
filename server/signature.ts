// The one signature scheme of the webhooks this server takes and sends: Airwallex's to us (airwallex/webhooks.ts) and ours to
// the merchant's EVENTS_URL (merchant/events-client.ts): hex HMAC-SHA256 with a shared secret over the x-timestamp string
// followed by the raw body, so a merchant verifies both with one function (docs/events.md).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** hex HMAC-SHA256(secret, timestamp + raw body): the x-signature header. */
export function signPayload(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(timestamp).update(rawBody).digest('hex');
}

/** Whether `signature` (the x-signature header) is the signature of these exact bytes; compared in constant time. */
export function signatureMatches(secret: string, timestamp: string, rawBody: string | Buffer, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signPayload(secret, timestamp, rawBody), 'hex'), Buffer.from(signature, 'hex'));
}
