// The webhook endpoint's rules, one by one: signature, replay window, exactly-once, order of events.
import { signWebhook } from '../../server/airwallex/webhooks';
import { AppError } from '../../server/errors';
import { CART, startTestServer, testConfig, type TestServer } from './helpers';

let server: TestServer;
let token: string;
let order: { id: string; paymentIntentId: string };
const SECRET = 'whsec_test_secret';

beforeEach(async () => {
  server = await startTestServer(testConfig({ AIRWALLEX_WEBHOOK_SECRET: SECRET }));
  token = await server.sessionFor('wendy');
  order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
});
afterEach(async () => {
  await server.close();
});

let sequence = 0;
function intentEvent(name: string, status: string, updatedAt: string, extra: Record<string, unknown> = {}) {
  sequence++;
  return {
    id: `evt_test_${sequence}_${Date.now()}`,
    name,
    account_id: 'acct_test',
    data: {
      object: {
        id: order.paymentIntentId,
        amount: 26.99,
        currency: 'CNY',
        merchant_order_id: order.id,
        status,
        created_at: '2026-01-01T00:00:00+0000',
        updated_at: updatedAt,
        ...extra,
      },
    },
    created_at: updatedAt,
    version: '2025-06-30',
  };
}

async function deliver(event: unknown, options: { secret?: string; timestamp?: number; body?: string; signature?: string } = {}) {
  const body = options.body ?? JSON.stringify(event);
  const timestamp = String(options.timestamp ?? Date.now());
  const signature = options.signature ?? signWebhook(options.secret ?? SECRET, timestamp, body);
  return server.request('POST', '/webhooks/airwallex', {
    rawBody: body,
    headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signature },
  });
}

const status = async () => (await server.request('GET', `/api/orders/${order.id}`, { token })).body.order.status;
const future = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString().replace('Z', '+0000').replace(/\.\d{3}/, '');

describe('POST /webhooks/airwallex', () => {
  test('applies a correctly signed payment_intent.succeeded', async () => {
    const response = await deliver(intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10)));
    expect(response.status).toBe(200);
    expect(await status()).toBe('paid');
  });

  test('rejects a webhook whose signature does not match, and changes nothing', async () => {
    const response = await deliver(intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10)), { secret: 'wrong' });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(await status()).toBe('awaiting_payment');
  });

  test('rejects a missing signature and a signature over a re-serialised body', async () => {
    const event = intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10));
    const missing = await server.request('POST', '/webhooks/airwallex', {
      rawBody: JSON.stringify(event),
      headers: { 'content-type': 'application/json', 'x-timestamp': String(Date.now()) },
    });
    expect(missing.status).toBe(401);
    const timestamp = String(Date.now());
    const pretty = JSON.stringify(event, null, 2);
    const signedCompact = signWebhook(SECRET, timestamp, JSON.stringify(event));
    const reserialised = await server.request('POST', '/webhooks/airwallex', {
      rawBody: pretty,
      headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signedCompact },
    });
    expect(reserialised.status).toBe(401);
    expect(await status()).toBe('awaiting_payment');
  });

  test('takes a correctly signed delivery an hour old: Airwallex retries for days, and events are deduplicated by id', async () => {
    const response = await deliver(intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10)), { timestamp: Date.now() - 3600_000 });
    expect(response.status).toBe(200);
    expect(await status()).toBe('paid');
  });

  test('refuses a correctly signed delivery four days old, or stamped in the future, and changes nothing', async () => {
    const old = await deliver(intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10)), { timestamp: Date.now() - 4 * 24 * 3600_000 });
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('WEBHOOK_TIMESTAMP_STALE');
    const ahead = await deliver(intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10)), { timestamp: Date.now() + 3600_000 });
    expect(ahead.status).toBe(401);
    expect(ahead.body.error.code).toBe('WEBHOOK_TIMESTAMP_STALE');
    expect(await status()).toBe('awaiting_payment');
  });

  test('answers 200 to a duplicate and applies it once', async () => {
    const event = intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10));
    const first = await deliver(event);
    const second = await deliver(event);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body.outcome).toBe('applied');
    expect(second.body.outcome).toBe('duplicate');
    const applied = server.logs.filter((line) => line.includes(event.id) && line.includes('"outcome":"applied"'));
    expect(applied).toHaveLength(1);
  });

  test('a delivery whose transaction fails once (a connection cut by a database restart) is applied before its 200, not left for the sweep', async () => {
    // The pool hands out a connection whose backend was just terminated: the first query on it fails.
    const cut = new AppError('SERVICE_UNAVAILABLE', undefined, { cause: new Error('terminating connection due to administrator command') });
    const recordWebhookEvent = jest.spyOn(server.store, 'recordWebhookEvent').mockRejectedValueOnce(cut);
    try {
      const event = intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10));
      const first = await deliver(event); // the 200 ends Airwallex's retries: nothing else brings this event again
      expect(recordWebhookEvent).toHaveBeenCalledTimes(1);
      expect(first.status).toBe(200);
      expect(first.body.outcome).toBe('applied');
      expect(await status()).toBe('paid'); // no sweep runs in these tests, and nothing retrieves the intent
      // Stored once: a later copy is a duplicate, and the sweep finds nothing left to apply.
      expect((await deliver(event)).body.outcome).toBe('duplicate');
      expect(await server.store.unappliedWebhookEvents(10)).toEqual([]);
    } finally {
      recordWebhookEvent.mockRestore();
    }
  });

  test('answers 200 to an unknown event name and ignores it', async () => {
    const response = await deliver({ id: 'evt_unknown_1', name: 'refund.settled', data: { object: { id: 'rfd_1' } } });
    expect(response.status).toBe(200);
    expect(response.body.outcome).toBe('ignored');
    expect(await status()).toBe('awaiting_payment');
  });

  test('never moves a final status backwards when events arrive out of order', async () => {
    await deliver(intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(20)));
    const late = await deliver(intentEvent('payment_intent.requires_customer_action', 'REQUIRES_CUSTOMER_ACTION', future(10)));
    expect(late.status).toBe(200);
    const newerButBackwards = await deliver(intentEvent('payment_intent.requires_payment_method', 'REQUIRES_PAYMENT_METHOD', future(30)));
    expect(newerButBackwards.status).toBe(200);
    expect(await status()).toBe('paid');
  });

  test('ignores an older snapshot of a still-open intent', async () => {
    await deliver(intentEvent('payment_intent.pending', 'PENDING', future(20)));
    expect(await status()).toBe('processing');
    await deliver(intentEvent('payment_intent.requires_customer_action', 'REQUIRES_CUSTOMER_ACTION', future(10)));
    expect(await status()).toBe('processing');
  });

  test('refuses an event whose amount differs from the order total, and records the anomaly once', async () => {
    const event = intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10), { amount: 0.01 });
    const response = await deliver(event);
    expect(response.status).toBe(200);
    await deliver({ ...event, id: `${event.id}_again` });
    expect(await status()).toBe('awaiting_payment');
    const anomalies = await server.store.listAnomalies({ openOnly: true, limit: 10, offset: 0 });
    expect(anomalies).toEqual([expect.objectContaining({ kind: 'amount_mismatch', orderId: order.id, intentId: order.paymentIntentId })]);
    expect(server.logs.filter((line) => line.includes('"level":50') && line.includes('amount_mismatch'))).toHaveLength(1);
  });

  test('money taken for a cancelled order is an anomaly, and the order stays cancelled', async () => {
    expect((await server.request('POST', `/api/orders/${order.id}/cancel`, { token })).body.order.status).toBe('cancelled');
    await deliver(intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(3600)));
    expect(await status()).toBe('cancelled');
    const anomalies = await server.store.listAnomalies({ openOnly: true, limit: 10, offset: 0 });
    expect(anomalies).toEqual([expect.objectContaining({ kind: 'paid_after_final', orderId: order.id })]);
  });

  test('a payment for an order of ours we do not have is an anomaly; one from another integration is not', async () => {
    const lost = intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10), { id: 'int_lost', merchant_order_id: 'ord_AAAAAAAAAAAAAAAA' });
    expect((await deliver(lost)).body.outcome).toBe('unknown_order');
    const website = intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10), { id: 'int_web', merchant_order_id: 'WEB-2026-0001' });
    expect((await deliver(website)).body.outcome).toBe('unknown_order');
    const anomalies = await server.store.listAnomalies({ openOnly: true, limit: 10, offset: 0 });
    expect(anomalies).toEqual([expect.objectContaining({ kind: 'unknown_order', intentId: 'int_lost', orderId: null })]);
  });

  describe('snapshots stamped in the same second (Airwallex timestamps have whole seconds)', () => {
    // A second after the intent's creation (stamped when the test's order was made).
    let second: string;
    beforeEach(() => {
      second = future(5);
    });

    test('PENDING then REQUIRES_PAYMENT_METHOD: the order stays processing', async () => {
      await deliver(intentEvent('payment_intent.pending', 'PENDING', second));
      await deliver(intentEvent('payment_intent.requires_payment_method', 'REQUIRES_PAYMENT_METHOD', second));
      expect(await status()).toBe('processing');
    });

    test('REQUIRES_PAYMENT_METHOD then PENDING: the order moves on to processing', async () => {
      await deliver(intentEvent('payment_intent.requires_payment_method', 'REQUIRES_PAYMENT_METHOD', second));
      await deliver(intentEvent('payment_intent.pending', 'PENDING', second));
      expect(await status()).toBe('processing');
    });

    test('a failed attempt and its confirm, in either order, leave the failure reported', async () => {
      const failed = { latest_payment_attempt: { id: 'att_1', status: 'FAILED', failure_code: 'provider_declined' } };
      const confirmed = { latest_payment_attempt: { id: 'att_1', status: 'AUTHENTICATION_REDIRECTED' } };
      await deliver(intentEvent('payment_intent.requires_payment_method', 'REQUIRES_PAYMENT_METHOD', second, failed));
      await deliver(intentEvent('payment_intent.requires_customer_action', 'REQUIRES_CUSTOMER_ACTION', second, confirmed));
      const read = (await server.request('GET', `/api/orders/${order.id}`, { token })).body.order;
      expect(read.status).toBe('awaiting_payment');
      expect(read.lastPaymentError.code).toBe('PAYMENT_FAILED');
    });

    test('a retrieve still converges to Airwallex, even when the webhook ranking guessed wrong', async () => {
      // The simulator's intent is REQUIRES_PAYMENT_METHOD; a forged-but-signed PENDING of the same second wins over it as a webhook…
      const truth = server.simulator!.listIntents().find((intent) => intent.id === order.paymentIntentId)!;
      await deliver(intentEvent('payment_intent.pending', 'PENDING', truth.updated_at));
      expect(await status()).toBe('processing');
      // …but a fresh read of the truth is applied on a tie.
      const refreshed = await server.request('GET', `/api/orders/${order.id}?refresh=true`, { token });
      expect(refreshed.body.order.status).toBe('awaiting_payment');
    });
  });

  test('answers 400 to a signed body that is not an event', async () => {
    const response = await deliver(undefined, { body: '{"hello":' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('WEBHOOK_PAYLOAD_INVALID');
  });

  test('wakes a waiting long poll at once', async () => {
    const waiting = server.request('GET', `/api/orders/${order.id}?waitSeconds=10&unlessStatus=awaiting_payment`, { token });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await deliver(intentEvent('payment_intent.succeeded', 'SUCCEEDED', future(10)));
    const answer = await waiting;
    expect(answer.body.order.status).toBe('paid');
    expect(Date.now() - started).toBeLessThan(5_000); // not the 10 s wait
  });
});
