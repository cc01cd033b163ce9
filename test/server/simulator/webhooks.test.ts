// Webhook delivery from the simulator to a local receiver: signature, event order and names, retries, faults, refund events.
import { createHmac } from 'node:crypto';
import { RECOMMENDED_WEBHOOK_EVENTS as SERVER_RECOMMENDED } from '../../../server/airwallex/webhook-events';
import { RECOMMENDED_WEBHOOK_EVENTS, webhookEventsFromEnv } from '../../../server/simulator';
import {
  airwallex,
  call,
  confirmIntent,
  createIntent,
  createRefund,
  CREDENTIALS,
  login,
  paidIntent,
  requestId,
  shopper,
  sleep,
  startReceiver,
  startSimulator,
  waitFor,
  type Harness,
  type Receiver,
} from './helpers';

let h: Harness;
let receiver: Receiver;
let token: string;

beforeEach(async () => {
  receiver = await startReceiver();
  h = await startSimulator({ webhookUrl: () => receiver.url });
  token = await login(h);
});
afterEach(async () => {
  await h.close();
  await receiver.close();
});

const names = (intentId: string): string[] =>
  receiver.received
    .filter((r) => (r.event.data.object.payment_intent_id ?? r.event.data.object.id) === intentId)
    .map((r) => r.event.name as string);

describe('webhooks', () => {
  it('delivers signed events that verify with HMAC-SHA256 over x-timestamp + raw body', async () => {
    const created = await createIntent(h, token);
    await waitFor(() => receiver.received.length === 1, 2000, 'the created event');
    const [delivery] = receiver.received;
    expect(delivery.headers['content-type']).toBe('application/json');
    const timestamp = delivery.headers['x-timestamp'] as string;
    expect(timestamp).toMatch(/^\d{13}$/);
    expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(5000);
    const expected = createHmac('sha256', CREDENTIALS.webhookSecret).update(timestamp + delivery.rawBody).digest('hex');
    expect(delivery.headers['x-signature']).toBe(expected);
    expect(delivery.event).toEqual({
      id: expect.stringMatching(/^evt_/),
      name: 'payment_intent.created',
      account_id: 'acct_simulator',
      data: { object: created.body },
      created_at: expect.stringMatching(/\+0000$/),
      version: '2025-06-30',
    });
  });

  it('emits the events of a whole payment in order, intent snapshots stamped in whole seconds that never go back', async () => {
    const created = await createIntent(h, token);
    const confirmed = await confirmIntent(h, token, created.body.id);
    await shopper(h, confirmed.body.next_action.data.package, 'pay');
    await waitFor(() => names(created.body.id).length === 5, 2000, 'five events');
    expect(names(created.body.id)).toEqual([
      'payment_intent.created',
      'payment_attempt.authentication_redirected',
      'payment_intent.requires_customer_action',
      'payment_attempt.capture_requested',
      'payment_intent.succeeded',
    ]);
    const succeeded = receiver.received.find((r) => r.event.name === 'payment_intent.succeeded')!.event.data.object;
    expect(succeeded).toMatchObject({ status: 'SUCCEEDED', captured_amount: 12.5 });
    const capture = receiver.received.find((r) => r.event.name === 'payment_attempt.capture_requested')!.event.data.object;
    expect(capture).toMatchObject({ id: confirmed.body.latest_payment_attempt.id, status: 'CAPTURE_REQUESTED' });
    const intentTimes = receiver.received
      .filter((r) => r.event.name.startsWith('payment_intent.'))
      .map((r) => Date.parse(r.event.data.object.updated_at));
    expect([...intentTimes].sort((a, b) => a - b)).toEqual(intentTimes);
    // Like Airwallex: whole seconds, so a quick payment's snapshots share one updated_at.
    for (const time of intentTimes) expect(time % 1000).toBe(0);
  });

  it('emits failed_to_process then requires_payment_method for a failed payment, and cancelled for a cancel', async () => {
    const created = await createIntent(h, token);
    const confirmed = await confirmIntent(h, token, created.body.id);
    await shopper(h, confirmed.body.next_action.data.package, 'fail');
    await airwallex(h, token, 'POST', `/api/v1/pa/payment_intents/${created.body.id}/cancel`, { request_id: requestId() });
    await waitFor(() => names(created.body.id).length === 6, 2000, 'six events');
    expect(names(created.body.id).slice(3)).toEqual([
      'payment_attempt.failed_to_process',
      'payment_intent.requires_payment_method',
      'payment_intent.cancelled',
    ]);
  });

  it('retries with a fresh timestamp and signature until the receiver answers 200', async () => {
    receiver.respondWith((index) => (index < 2 ? 500 : 200));
    await createIntent(h, token);
    await waitFor(() => receiver.received.length === 3, 3000, 'two retries');
    const [first, , third] = receiver.received;
    expect(third.event.id).toBe(first.event.id);
    expect(third.rawBody).toBe(first.rawBody);
    const ts = third.headers['x-timestamp'] as string;
    expect(Number(ts)).toBeGreaterThan(Number(first.headers['x-timestamp']));
    expect(third.headers['x-signature']).toBe(createHmac('sha256', CREDENTIALS.webhookSecret).update(ts + third.rawBody).digest('hex'));
    await waitFor(() => h.sim.stats().webhooks.pending === 0, 1000, 'an empty queue');
    expect(h.sim.stats().webhooks).toMatchObject({ sent: 3, delivered: 1, failed: 2 });
  });

  it('treats a non-200 success status as a failure, like Airwallex', async () => {
    receiver.respondWith((index) => (index === 0 ? 204 : 200));
    await createIntent(h, token);
    await waitFor(() => receiver.received.length === 2, 3000, 'a retry after 204');
  });

  it('keeps events queued while there is no webhook URL, and delivers them once there is', async () => {
    let url: string | undefined;
    const late = await startSimulator({ webhookUrl: () => url });
    try {
      const lateToken = await login(late);
      await createIntent(late, lateToken);
      await sleep(100);
      expect(late.sim.stats().webhooks).toMatchObject({ sent: 0, pending: 1 });
      url = receiver.url;
      await waitFor(() => receiver.received.length === 1, 2000, 'the queued event');
    } finally {
      await late.close();
    }
  });

  it('drops every event under webhookDropRate 1, and counts them', async () => {
    h.sim.setFaults({ webhookDropRate: 1 });
    await createIntent(h, token);
    await sleep(100);
    expect(receiver.received).toHaveLength(0);
    expect(h.sim.stats().webhooks).toMatchObject({ dropped: 1, pending: 0 });
  });

  it('delivers every event twice with the same id under webhookDuplicateRate 1', async () => {
    h.sim.setFaults({ webhookDuplicateRate: 1 });
    await createIntent(h, token);
    await waitFor(() => receiver.received.length === 2, 2000, 'two copies');
    expect(receiver.received[1].event.id).toBe(receiver.received[0].event.id);
    expect(h.sim.stats().webhooks.duplicated).toBe(1);
  });

  it('lets a later event overtake a held-back one under webhookReorderRate', async () => {
    h.sim.setFaults({ webhookReorderRate: 1 });
    const created = await createIntent(h, token);
    h.sim.setFaults({ webhookReorderRate: 0 });
    await confirmIntent(h, token, created.body.id);
    await waitFor(() => names(created.body.id).length === 3, 2000, 'three events');
    expect(names(created.body.id)[2]).toBe('payment_intent.created');
  });
});

describe('refund webhooks', () => {
  const PAYMENT_EVENTS = [
    'payment_intent.created',
    'payment_attempt.authentication_redirected',
    'payment_intent.requires_customer_action',
    'payment_attempt.capture_requested',
    'payment_intent.succeeded',
  ];

  it('sends signed refund.received, refund.accepted and refund.settled in the intent\'s lane, each carrying the Refund', async () => {
    h.sim.setFaults({ refundAcceptDelayMs: 10, refundSettleDelayMs: 10 });
    const intent = await paidIntent(h, token);
    const refund = await createRefund(h, token, { payment_intent_id: intent.id, amount: 2 });
    await waitFor(() => names(intent.id).length === 8, 5000, 'eight events');
    expect(names(intent.id)).toEqual([...PAYMENT_EVENTS, 'refund.received', 'refund.accepted', 'refund.settled']);
    const refundEvents = receiver.received.filter((r) => r.event.name.startsWith('refund.'));
    expect(refundEvents[0].event.data.object).toEqual(refund.body);
    expect(refundEvents.map((r) => r.event.data.object.status)).toEqual(['RECEIVED', 'ACCEPTED', 'SETTLED']);
    const settled = await airwallex(h, token, 'GET', `/api/v1/pa/refunds/${refund.body.id}`);
    expect(refundEvents[2].event.data.object).toEqual(settled.body);
    for (const delivery of refundEvents) {
      const ts = delivery.headers['x-timestamp'] as string;
      expect(delivery.headers['x-signature']).toBe(createHmac('sha256', CREDENTIALS.webhookSecret).update(ts + delivery.rawBody).digest('hex'));
      expect(delivery.event).toMatchObject({ id: expect.stringMatching(/^evt_/), account_id: 'acct_simulator', version: '2025-06-30' });
    }
  });

  it('sends refund.failed for a refund that fails, and the same events for a refund made in the web app', async () => {
    h.sim.setFaults({ refundAcceptDelayMs: 10, refundFailRate: 1 });
    const intent = await paidIntent(h, token);
    const made = await call(`${h.airwallex}/_refunds`, { method: 'POST', body: { payment_intent_id: intent.id } });
    expect(made.status).toBe(201);
    await waitFor(() => names(intent.id).length === 7, 5000, 'seven events');
    expect(names(intent.id).slice(5)).toEqual(['refund.received', 'refund.failed']);
    const failed = receiver.received.find((r) => r.event.name === 'refund.failed')!.event.data.object;
    expect(failed).toMatchObject({ id: made.body.id, status: 'FAILED', failure_details: { code: expect.any(String) } });
  });

  it('applies the drop and duplicate faults to refund events too', async () => {
    h.sim.setFaults({ refundAcceptDelayMs: 600_000 });
    const intent = await paidIntent(h, token);
    await waitFor(() => names(intent.id).length === 5, 2000, 'the payment events');
    h.sim.setFaults({ webhookDropRate: 1 });
    await createRefund(h, token, { payment_intent_id: intent.id, amount: 1 });
    h.sim.setFaults({ webhookDropRate: 0, webhookDuplicateRate: 1 });
    await createRefund(h, token, { payment_intent_id: intent.id, amount: 1 });
    await waitFor(() => names(intent.id).length === 7, 2000, 'two copies of the second refund.received');
    await sleep(50);
    const received = receiver.received.filter((r) => r.event.name === 'refund.received');
    expect(received).toHaveLength(2);
    expect(received[1].event.id).toBe(received[0].event.id);
    expect(h.sim.stats().webhooks).toMatchObject({ dropped: 1, duplicated: 1 });
  });

  it('counts the refund events in the recommended subscription, and sends nothing else of a refund', async () => {
    expect(RECOMMENDED_WEBHOOK_EVENTS).toEqual(expect.arrayContaining(['refund.received', 'refund.accepted', 'refund.settled', 'refund.failed']));
    expect(webhookEventsFromEnv(undefined)).toEqual(RECOMMENDED_WEBHOOK_EVENTS);
    // The simulated account's default subscription is the one the server and the doctor ask merchants for.
    expect([...RECOMMENDED_WEBHOOK_EVENTS].sort()).toEqual([...SERVER_RECOMMENDED].sort());
    const subscribed = await startSimulator({
      webhookUrl: () => receiver.url,
      webhookEvents: RECOMMENDED_WEBHOOK_EVENTS,
      faults: { refundAcceptDelayMs: 10, refundSettleDelayMs: 10 },
    });
    try {
      const subscribedToken = await login(subscribed);
      const intent = await paidIntent(subscribed, subscribedToken);
      await createRefund(subscribed, subscribedToken, { payment_intent_id: intent.id });
      await waitFor(() => names(intent.id).length === 4, 5000, 'four events');
      expect(names(intent.id)).toEqual(['payment_intent.succeeded', 'refund.received', 'refund.accepted', 'refund.settled']);
    } finally {
      await subscribed.close();
    }
  });
});
