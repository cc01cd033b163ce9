// The webhook events a merchant subscribes to in Airwallex, and the one event name of our own (the go-live doctor's ping).
//
// Shared by the simulator (what its "account" sends by default), the webhook service (which
// acknowledges the ping) and the doctor (which checks the subscription), so none of them imports
// another's code: a live server and the doctor never load the simulator.

/**
 * The events docs/going-live.md tells merchants to subscribe to: the ones that move an order or its
 * refunds. The server records and ignores the rest (payment_attempt.*, created,
 * requires_customer_action), so sending them only costs both sides work. The refund names are the
 * ones Airwallex's plugin library lists [V2] (airwallex/inferred.ts REFUND_WEBHOOK_EVENTS).
 */
export const RECOMMENDED_WEBHOOK_EVENTS: readonly string[] = [
  'payment_intent.succeeded',
  'payment_intent.requires_payment_method',
  'payment_intent.cancelled',
  'payment_intent.pending',
  'payment_intent.pending_review',
  'refund.received',
  'refund.accepted',
  'refund.settled',
  'refund.failed',
];

/**
 * The event `npm run doctor` signs with AIRWALLEX_WEBHOOK_SECRET and posts to PUBLIC_URL/webhooks/airwallex.
 * Not an Airwallex event (Airwallex's own "Test event" button sends a sample of a real event type,
 * docs/reference/airwallex.md §8): the server verifies it like any delivery, then acknowledges it
 * with the outcome `ping` and stores nothing (no event row, no order change, no anomaly).
 */
export const DOCTOR_PING_EVENT = 'doctor.ping';

/** What the webhook route answers to a verified ping: `{received: true, outcome: 'ping'}`. */
export const DOCTOR_PING_OUTCOME = 'ping';

/**
 * Whether a delivery that failed verification is the doctor's probe (its unsigned post, or a ping
 * signed with another secret): counted apart from real refusals, so running the doctor never trips
 * the "webhooks refused" alert. Read from the unverified body, which is fine for a metric label: a
 * real Airwallex event never carries this name, and a forger gains nothing by choosing it.
 */
export function isDoctorPing(rawBody: Buffer): boolean {
  if (rawBody.length > 1024) return false;
  try {
    return (JSON.parse(rawBody.toString('utf8')) as { name?: unknown } | null)?.name === DOCTOR_PING_EVENT;
  } catch {
    return false;
  }
}
