// The simulated Refund API over real HTTP: create/retrieve/list, amounts, idempotency, limits, the status machine, faults, controls.
import { ApiError, faultsFromEnv, validateResponse } from '../../../server/simulator';
import {
  airwallex,
  call,
  confirmIntent,
  createIntent,
  createRefund,
  eventually,
  login,
  paidIntent,
  requestId,
  shopper,
  startSimulator,
  type Harness,
} from './helpers';

const CREATE = '/api/v1/pa/refunds/create';
const REFUND = '/api/v1/pa/refunds/{id}';
const LIST = '/api/v1/pa/refunds';
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+0000$/;

let h: Harness;
let token: string;

// Refunds stay RECEIVED in this harness unless a test asks for the timer (see the status machine tests).
beforeAll(async () => {
  h = await startSimulator({ faults: { refundAcceptDelayMs: 600_000 } });
  token = await login(h);
});
afterAll(() => h.close());

const retrieveIntent = async (id: string): Promise<any> => (await airwallex(h, token, 'GET', `/api/v1/pa/payment_intents/${id}`)).body;
const retrieveRefund = (id: string) => airwallex(h, token, 'GET', `/api/v1/pa/refunds/${id}`);

describe('create and retrieve', () => {
  it('creates a RECEIVED refund of part of a payment, shaped like the spec, and retrieves it', async () => {
    const intent = await paidIntent(h, token);
    const rid = requestId();
    const answer = await createRefund(h, token, { request_id: rid, payment_intent_id: intent.id, amount: 5, reason: 'Return goods', metadata: { orderId: '42' } });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.stringMatching(/^rfd_[a-z0-9]{19}_[a-z0-9]{6}$/),
      request_id: rid,
      payment_intent_id: intent.id,
      payment_attempt_id: intent.latest_payment_attempt.id,
      amount: 5,
      currency: 'CNY',
      reason: 'Return goods',
      metadata: { orderId: '42' },
      status: 'RECEIVED',
      created_at: expect.stringMatching(TIMESTAMP),
      updated_at: expect.stringMatching(TIMESTAMP),
    });
    expect(validateResponse('post', CREATE, 201, answer.body).errors).toEqual([]);

    const again = await retrieveRefund(answer.body.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(answer.body);
    expect(validateResponse('get', REFUND, 200, again.body).errors).toEqual([]);
  });

  it('keeps the intent SUCCEEDED, its captured_amount, and counts the refund in latest_payment_attempt.refunded_amount', async () => {
    const intent = await paidIntent(h, token);
    expect(intent.latest_payment_attempt.refunded_amount).toBe(0);
    await createRefund(h, token, { payment_intent_id: intent.id, amount: 2.5 });
    await createRefund(h, token, { payment_intent_id: intent.id, amount: 0.1 });
    const now = await retrieveIntent(intent.id);
    expect(now).toMatchObject({ status: 'SUCCEEDED', captured_amount: 12.5, latest_payment_attempt: { refunded_amount: 2.6, captured_amount: 12.5 } });
    expect(Date.parse(now.updated_at)).toBeGreaterThanOrEqual(Date.parse(intent.updated_at));
    expect(validateResponse('get', '/api/v1/pa/payment_intents/{id}', 200, now).errors).toEqual([]);
  });

  it('refunds what is left when no amount is given, then refuses any more with amount_above_limit', async () => {
    const intent = await paidIntent(h, token);
    expect((await createRefund(h, token, { payment_intent_id: intent.id, amount: 5 })).body.amount).toBe(5);
    const rest = await createRefund(h, token, { payment_intent_id: intent.id });
    expect(rest.status).toBe(201);
    expect(rest.body.amount).toBe(7.5);
    const more = await createRefund(h, token, { payment_intent_id: intent.id, amount: 0.01 });
    expect(more.status).toBe(400);
    expect(more.body).toMatchObject({ code: 'amount_above_limit', trace_id: expect.any(String) });
    const none = await createRefund(h, token, { payment_intent_id: intent.id });
    expect(none.body.code).toBe('amount_above_limit');
    expect(h.sim.listRefunds().filter((r) => r.payment_intent_id === intent.id)).toHaveLength(2);
  });

  it('refuses more than what is left with amount_above_limit and creates nothing', async () => {
    const intent = await paidIntent(h, token);
    await createRefund(h, token, { payment_intent_id: intent.id, amount: 10 });
    const answer = await createRefund(h, token, { payment_intent_id: intent.id, amount: 2.51 });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('amount_above_limit');
    expect(answer.body.message).toContain('2.5');
    expect((await retrieveIntent(intent.id)).latest_payment_attempt.refunded_amount).toBe(10);
  });

  it('refunds by payment_attempt_id too, naming the intent', async () => {
    const intent = await paidIntent(h, token);
    const answer = await createRefund(h, token, { payment_attempt_id: intent.latest_payment_attempt.id, amount: 1 });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ payment_intent_id: intent.id, payment_attempt_id: intent.latest_payment_attempt.id });
  });

  it('answers invalid_status_for_operation for an intent that is not SUCCEEDED, or an attempt that was not captured', async () => {
    const created = await createIntent(h, token);
    expect((await createRefund(h, token, { payment_intent_id: created.body.id })).body.code).toBe('invalid_status_for_operation');
    const first = await confirmIntent(h, token, created.body.id);
    await shopper(h, first.body.next_action.data.package, 'fail');
    const second = await confirmIntent(h, token, created.body.id);
    await shopper(h, second.body.next_action.data.package, 'pay');
    const failedAttempt = await createRefund(h, token, { payment_attempt_id: first.body.latest_payment_attempt.id });
    expect(failedAttempt.status).toBe(400);
    expect(failedAttempt.body.code).toBe('invalid_status_for_operation');
    expect((await createRefund(h, token, { payment_attempt_id: second.body.latest_payment_attempt.id })).status).toBe(201);

    const cancelled = await createIntent(h, token);
    await airwallex(h, token, 'POST', `/api/v1/pa/payment_intents/${cancelled.body.id}/cancel`, { request_id: requestId() });
    expect((await createRefund(h, token, { payment_intent_id: cancelled.body.id })).body.code).toBe('invalid_status_for_operation');
  });

  it('answers resource_not_found: 400 on create for an unknown intent or attempt, 404 on retrieve', async () => {
    const intent = await createRefund(h, token, { payment_intent_id: 'int_unknown' });
    expect(intent.status).toBe(400);
    expect(intent.body.code).toBe('resource_not_found');
    const attempt = await createRefund(h, token, { payment_attempt_id: 'att_unknown' });
    expect(attempt.status).toBe(400);
    expect(attempt.body.code).toBe('resource_not_found');
    const missing = await retrieveRefund('rfd_unknown');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('resource_not_found');
  });
});

describe('validation', () => {
  it('needs exactly one of payment_intent_id and payment_attempt_id', async () => {
    const intent = await paidIntent(h, token);
    const neither = await createRefund(h, token, { amount: 1 });
    expect(neither.status).toBe(400);
    expect(neither.body).toMatchObject({ code: 'validation_error', source: 'payment_intent_id' });
    const both = await createRefund(h, token, { payment_intent_id: intent.id, payment_attempt_id: intent.latest_payment_attempt.id });
    expect(both.body).toMatchObject({ code: 'validation_error', source: 'payment_attempt_id' });
  });

  it('checks request_id, amount, reason and metadata like the spec and the intents do', async () => {
    const intent = await paidIntent(h, token);
    const id = intent.id;
    const noRequestId = await airwallex(h, token, 'POST', CREATE, { payment_intent_id: id });
    expect(noRequestId.body).toMatchObject({ code: 'validation_error', source: 'request_id' });
    expect((await createRefund(h, token, { request_id: 'x'.repeat(65), payment_intent_id: id })).body).toMatchObject({ code: 'validation_error', source: 'request_id' });
    expect((await createRefund(h, token, { payment_intent_id: id, amount: '1.00' })).body).toMatchObject({ code: 'validation_error', source: 'amount' });
    expect((await createRefund(h, token, { payment_intent_id: id, amount: 0 })).body).toMatchObject({ code: 'validation_error', source: 'amount' });
    expect((await createRefund(h, token, { payment_intent_id: id, amount: -1 })).body).toMatchObject({ code: 'validation_error', source: 'amount' });
    expect((await createRefund(h, token, { payment_intent_id: id, amount: 1.234 })).body).toMatchObject({ code: 'validation_error', source: 'amount' });
    expect((await createRefund(h, token, { payment_intent_id: id, reason: 'r'.repeat(129) })).body).toMatchObject({ code: 'validation_error', source: 'reason' });
    expect((await createRefund(h, token, { payment_intent_id: id, reason: 42 })).body).toMatchObject({ code: 'validation_error', source: 'reason' });
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect((await createRefund(h, token, { payment_intent_id: id, metadata: tooMany })).body).toMatchObject({ code: 'validation_error', source: 'metadata' });
    expect((await createRefund(h, token, { payment_intent_id: id, metadata: { n: 1 } })).body).toMatchObject({ code: 'validation_error', source: 'metadata.n' });
    expect((await airwallex(h, token, 'POST', CREATE, '{bad json')).body.code).toBe('validation_error');
    expect(h.sim.listRefunds().filter((r) => r.payment_intent_id === id)).toHaveLength(0);
    // A reason of exactly 128 characters and a JPY whole amount are fine.
    expect((await createRefund(h, token, { payment_intent_id: id, amount: 1, reason: 'r'.repeat(128) })).status).toBe(201);
    const yen = await paidIntent(h, token, { amount: 1000, currency: 'JPY' });
    expect((await createRefund(h, token, { payment_intent_id: yen.id, amount: 0.5 })).body).toMatchObject({ code: 'validation_error', source: 'amount' });
    expect((await createRefund(h, token, { payment_intent_id: yen.id, amount: 300 })).body).toMatchObject({ amount: 300, currency: 'JPY' });
  });

  it('requires a valid token', async () => {
    expect((await call(`${h.airwallex}${CREATE}`, { method: 'POST', body: { request_id: requestId() } })).status).toBe(401);
    expect((await airwallex(h, 'nope', 'GET', LIST)).status).toBe(401);
  });
});

describe('idempotency', () => {
  it('answers duplicate_request to a reused request_id and refunds once', async () => {
    const intent = await paidIntent(h, token);
    const rid = requestId();
    expect((await createRefund(h, token, { request_id: rid, payment_intent_id: intent.id, amount: 1 })).status).toBe(201);
    const again = await createRefund(h, token, { request_id: rid, payment_intent_id: intent.id, amount: 1 });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 'duplicate_request', source: 'request_id' });
    expect(h.sim.listRefunds().filter((r) => r.request_id === rid)).toHaveLength(1);
    expect((await retrieveIntent(intent.id)).latest_payment_attempt.refunded_amount).toBe(1);
  });

  it('records a request_id only when the refund is made, so a refused request can be sent again', async () => {
    const intent = await paidIntent(h, token);
    const rid = requestId();
    expect((await createRefund(h, token, { request_id: rid, payment_intent_id: intent.id, amount: 99 })).body.code).toBe('amount_above_limit');
    expect((await createRefund(h, token, { request_id: rid, payment_intent_id: intent.id, amount: 1 })).status).toBe(201);
  });
});

describe('limits', () => {
  it('lets concurrent refunds racing for the last amount never exceed what was captured', async () => {
    const intent = await paidIntent(h, token);
    const full = await Promise.all(Array.from({ length: 6 }, () => createRefund(h, token, { payment_intent_id: intent.id })));
    expect(full.filter((a) => a.status === 201)).toHaveLength(1);
    expect(full.filter((a) => a.status === 400).map((a) => a.body.code)).toEqual(Array(5).fill('amount_above_limit'));

    const other = await paidIntent(h, token);
    const parts = await Promise.all(Array.from({ length: 10 }, () => createRefund(h, token, { payment_intent_id: other.id, amount: 2 })));
    expect(parts.filter((a) => a.status === 201)).toHaveLength(6);
    const refunded = h.sim.listRefunds().filter((r) => r.payment_intent_id === other.id).reduce((sum, r) => sum + r.amount, 0);
    expect(refunded).toBe(12);
    expect((await retrieveIntent(other.id)).latest_payment_attempt.refunded_amount).toBe(12);
    expect((await createRefund(h, token, { payment_intent_id: other.id })).body.amount).toBe(0.5);
  });

  it('allows at most 50 refunds per payment (WeChat Pay), answered operation_not_supported', async () => {
    const intent = await paidIntent(h, token, { amount: 1 });
    for (let i = 0; i < 50; i++) {
      const answer = await createRefund(h, token, { payment_intent_id: intent.id, amount: 0.01 });
      expect(answer.status).toBe(201);
    }
    const fiftyFirst = await createRefund(h, token, { payment_intent_id: intent.id, amount: 0.01 });
    expect(fiftyFirst.status).toBe(400);
    expect(fiftyFirst.body.code).toBe('operation_not_supported');
  });

  it('refunds only within 365 days of the payment (WeChat Pay), answered operation_not_supported', async () => {
    let clock = Date.now();
    const timed = await startSimulator({ now: () => clock, faults: { refundAcceptDelayMs: 600_000 } });
    try {
      const intent = await paidIntent(timed, await login(timed));
      clock += 364 * 24 * 3600_000;
      const inTime = await createRefund(timed, await login(timed), { payment_intent_id: intent.id, amount: 1 });
      expect(inTime.status).toBe(201);
      clock += 2 * 24 * 3600_000;
      const late = await createRefund(timed, await login(timed), { payment_intent_id: intent.id, amount: 1 });
      expect(late.status).toBe(400);
      expect(late.body.code).toBe('operation_not_supported');
    } finally {
      await timed.close();
    }
  });
});

describe('list', () => {
  it('lists an intent\'s refunds newest first, paged with page_num and page_size, shaped like the spec', async () => {
    const intent = await paidIntent(h, token);
    const ids: string[] = [];
    for (const amount of [1, 2, 3]) ids.push((await createRefund(h, token, { payment_intent_id: intent.id, amount })).body.id);
    const all = await airwallex(h, token, 'GET', `${LIST}?payment_intent_id=${intent.id}`);
    expect(all.status).toBe(200);
    expect(all.body.has_more).toBe(false);
    expect(all.body.items.map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
    expect(validateResponse('get', LIST, 200, all.body).errors).toEqual([]);

    const first = await airwallex(h, token, 'GET', `${LIST}?payment_intent_id=${intent.id}&page_num=0&page_size=2`);
    expect(first.body).toMatchObject({ has_more: true });
    expect(first.body.items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    const second = await airwallex(h, token, 'GET', `${LIST}?payment_intent_id=${intent.id}&page_num=1&page_size=2`);
    expect(second.body).toEqual({ has_more: false, items: [expect.objectContaining({ id: ids[0] })] });
    const beyond = await airwallex(h, token, 'GET', `${LIST}?payment_intent_id=${intent.id}&page_num=5`);
    expect(beyond.body).toEqual({ has_more: false, items: [] });
    const byAttempt = await airwallex(h, token, 'GET', `${LIST}?payment_attempt_id=${intent.latest_payment_attempt.id}`);
    expect(byAttempt.body.items).toHaveLength(3);
    // page_size above 1000 is capped, not refused.
    expect((await airwallex(h, token, 'GET', `${LIST}?payment_intent_id=${intent.id}&page_size=5000`)).body.items).toHaveLength(3);
  });

  it('filters by status (one or a comma list), currency, created_at bounds and connected account', async () => {
    const intent = await paidIntent(h, token);
    const refund = (await createRefund(h, token, { payment_intent_id: intent.id, amount: 1 })).body;
    const q = (query: string) => airwallex(h, token, 'GET', `${LIST}?payment_intent_id=${intent.id}&${query}`);
    expect((await q('status=RECEIVED')).body.items).toHaveLength(1);
    expect((await q('status=SETTLED')).body.items).toHaveLength(0);
    expect((await q('status=SETTLED,RECEIVED')).body.items).toHaveLength(1);
    expect((await q('currency=CNY')).body.items).toHaveLength(1);
    expect((await q('currency=USD')).body.items).toHaveLength(0);
    const at = encodeURIComponent(refund.created_at.replace('+0000', '+00:00'));
    expect((await q(`from_created_at=${at}&to_created_at=${at}`)).body.items).toHaveLength(1);
    const later = encodeURIComponent(new Date(Date.parse(refund.created_at) + 60_000).toISOString());
    expect((await q(`from_created_at=${later}`)).body.items).toHaveLength(0);
    expect((await q('connected_account_id=acct_other')).body.items).toHaveLength(0);
  });

  it('refuses malformed query parameters with validation_error naming them', async () => {
    const bad = async (query: string, source: string) => {
      const answer = await airwallex(h, token, 'GET', `${LIST}?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'validation_error', source });
    };
    await bad('page_size=abc', 'page_size');
    await bad('page_size=0', 'page_size');
    await bad('page_num=-1', 'page_num');
    await bad('page_num=1.5', 'page_num');
    await bad('from_created_at=2026-01-01T00:00:00', 'from_created_at');
    await bad('to_created_at=yesterday', 'to_created_at');
  });
});

describe('status machine', () => {
  it('moves RECEIVED → ACCEPTED → SETTLED by itself', async () => {
    const fast = await startSimulator({ faults: { refundAcceptDelayMs: 20, refundSettleDelayMs: 40 } });
    try {
      const fastToken = await login(fast);
      const intent = await paidIntent(fast, fastToken);
      const created = await createRefund(fast, fastToken, { payment_intent_id: intent.id, amount: 3 });
      expect(created.body.status).toBe('RECEIVED');
      const seen = new Set<string>();
      const settled = await eventually(
        () => airwallex(fast, fastToken, 'GET', `/api/v1/pa/refunds/${created.body.id}`),
        (answer) => {
          seen.add(answer.body.status);
          return answer.body.status === 'SETTLED';
        },
        5000,
        'SETTLED',
      );
      expect(settled.body).toMatchObject({ id: created.body.id, amount: 3, status: 'SETTLED' });
      expect(settled.body.failure_details).toBeUndefined();
      expect(validateResponse('get', REFUND, 200, settled.body).errors).toEqual([]);
      expect([...seen].every((s) => ['RECEIVED', 'ACCEPTED', 'SETTLED'].includes(s))).toBe(true);
      // Settled refunds still count: nothing more than the rest can be refunded.
      const intentNow = (await airwallex(fast, fastToken, 'GET', `/api/v1/pa/payment_intents/${intent.id}`)).body;
      expect(intentNow.latest_payment_attempt.refunded_amount).toBe(3);
      expect((await createRefund(fast, fastToken, { payment_intent_id: intent.id })).body.amount).toBe(9.5);
      expect(fast.sim.stats().refunds.byStatus.SETTLED).toBe(1);
    } finally {
      await fast.close();
    }
  });

  it('ends a refund FAILED under refundFailRate, with failure_details, and gives its amount back', async () => {
    const failing = await startSimulator({ faults: { refundAcceptDelayMs: 10, refundFailRate: 1 } });
    try {
      const failingToken = await login(failing);
      const intent = await paidIntent(failing, failingToken);
      const created = await createRefund(failing, failingToken, { payment_intent_id: intent.id });
      expect(created.body).toMatchObject({ status: 'RECEIVED', amount: 12.5 });
      const failed = await eventually(
        () => airwallex(failing, failingToken, 'GET', `/api/v1/pa/refunds/${created.body.id}`),
        (answer) => answer.body.status === 'FAILED',
        5000,
        'FAILED',
      );
      expect(failed.body.failure_details).toEqual({ code: expect.any(String), message: expect.stringContaining('CNY') });
      expect(validateResponse('get', REFUND, 200, failed.body).errors).toEqual([]);
      const intentNow = (await airwallex(failing, failingToken, 'GET', `/api/v1/pa/payment_intents/${intent.id}`)).body;
      expect(intentNow.latest_payment_attempt.refunded_amount).toBe(0);

      failing.sim.setFaults({ refundFailRate: 0 });
      const retry = await createRefund(failing, failingToken, { payment_intent_id: intent.id });
      expect(retry.body).toMatchObject({ status: 'RECEIVED', amount: 12.5 });
      await eventually(() => airwallex(failing, failingToken, 'GET', `/api/v1/pa/refunds/${retry.body.id}`), (a) => a.body.status === 'ACCEPTED', 5000, 'ACCEPTED');
      expect(failing.sim.stats().refunds).toMatchObject({ total: 2, byStatus: { FAILED: 1 } });
    } finally {
      await failing.close();
    }
  });
});

describe('faults', () => {
  it('answers an injected 5xx on refund create without refunding, so a retry with the same request_id succeeds', async () => {
    const intent = await paidIntent(h, token);
    h.sim.setFaults({ endpoints: { refund_create: { errorRate5xx: 1 } } });
    try {
      const rid = requestId();
      const failed = await createRefund(h, token, { request_id: rid, payment_intent_id: intent.id, amount: 1 });
      expect([500, 502, 503]).toContain(failed.status);
      expect(failed.body.code).toBe('internal_error');
      expect(h.sim.listRefunds().filter((r) => r.payment_intent_id === intent.id)).toHaveLength(0);
      // Other endpoints are untouched.
      expect((await airwallex(h, token, 'GET', `${LIST}?payment_intent_id=${intent.id}`)).status).toBe(200);
      h.sim.setFaults({ endpoints: { refund_create: { errorRate5xx: 0 } } });
      expect((await createRefund(h, token, { request_id: rid, payment_intent_id: intent.id, amount: 1 })).status).toBe(201);
    } finally {
      h.sim.setFaults({ endpoints: { refund_create: { errorRate5xx: 0 } } });
    }
  });

  it('applies a refund whose answer is lost to a timeout; the retry gets duplicate_request and the list finds it', async () => {
    const intent = await paidIntent(h, token);
    h.sim.setFaults({ endpoints: { refund_create: { timeoutRate: 1 } }, timeoutHoldMs: 100 });
    const rid = requestId();
    try {
      await expect(createRefund(h, token, { request_id: rid, payment_intent_id: intent.id, amount: 1 })).rejects.toThrow();
    } finally {
      h.sim.setFaults({ endpoints: { refund_create: { timeoutRate: 0 } }, timeoutHoldMs: 30_000 });
    }
    expect((await createRefund(h, token, { request_id: rid, payment_intent_id: intent.id, amount: 1 })).body.code).toBe('duplicate_request');
    const listed = await airwallex(h, token, 'GET', `${LIST}?payment_intent_id=${intent.id}`);
    expect(listed.body.items).toEqual([expect.objectContaining({ request_id: rid, amount: 1 })]);
  });

  it('answers 429 on refund retrieve and list when asked, and counts calls per refund endpoint', async () => {
    const before = h.sim.stats().airwallex.calls;
    h.sim.setFaults({ endpoints: { refund_retrieve: { errorRate429: 1 }, refund_list: { errorRate429: 1 } } });
    try {
      expect((await retrieveRefund('rfd_x')).status).toBe(429);
      expect((await airwallex(h, token, 'GET', LIST)).body.code).toBe('too_many_requests');
    } finally {
      h.sim.setFaults({ endpoints: { refund_retrieve: { errorRate429: 0 }, refund_list: { errorRate429: 0 } } });
    }
    const after = h.sim.stats().airwallex.calls;
    expect(after.refund_retrieve).toBe(before.refund_retrieve + 1);
    expect(after.refund_list).toBe(before.refund_list + 1);
  });

  it('reads the refund settings and per-endpoint faults from env vars, and the fault control accepts them', async () => {
    expect(
      faultsFromEnv({
        SIMULATOR_REFUND_FAIL_RATE: '0.25',
        SIMULATOR_REFUND_ACCEPT_DELAY_MS: '50',
        SIMULATOR_REFUND_SETTLE_DELAY_MS: '500',
        SIMULATOR_TIMEOUT_RATE_REFUND_CREATE: '0.5',
        SIMULATOR_ERROR_RATE_5XX_REFUND_LIST: '0.1',
      }),
    ).toEqual({
      refundFailRate: 0.25,
      refundAcceptDelayMs: 50,
      refundSettleDelayMs: 500,
      endpoints: { refund_create: { timeoutRate: 0.5 }, refund_list: { errorRate5xx: 0.1 } },
    });
    expect(() => faultsFromEnv({ SIMULATOR_REFUND_FAIL_RATE: '2' })).toThrow(/SIMULATOR_REFUND_FAIL_RATE/);
    const patched = await call(`${h.base}/faults`, { method: 'POST', body: { refundFailRate: 0, refundSettleDelayMs: 1000, endpoints: { refund_retrieve: { errorRate5xx: 0 } } } });
    expect(patched.status).toBe(200);
    const refused = await call(`${h.base}/faults`, { method: 'POST', body: { refundFailRate: 1.5, refundAcceptDelayMs: -1 } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('refundFailRate');
    expect(refused.body.message).toContain('refundAcceptDelayMs');
  });
});

describe('controls', () => {
  it('makes a refund as Airwallex\'s web app would, with its own request_id, under the same rules', async () => {
    const intent = await paidIntent(h, token);
    const made = await call(`${h.airwallex}/_refunds`, { method: 'POST', body: { payment_intent_id: intent.id, amount: 2, reason: 'Made in the web app' } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ payment_intent_id: intent.id, amount: 2, reason: 'Made in the web app', status: 'RECEIVED' });
    expect(made.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(validateResponse('post', CREATE, 201, made.body).errors).toEqual([]);
    // The API sees it: it counts against what is left, and it is listed.
    expect((await createRefund(h, token, { payment_intent_id: intent.id })).body.amount).toBe(10.5);
    const listed = await airwallex(h, token, 'GET', `${LIST}?payment_intent_id=${intent.id}`);
    expect(listed.body.items.map((r: { id: string }) => r.id)).toContain(made.body.id);

    const over = await call(`${h.airwallex}/_refunds`, { method: 'POST', body: { payment_intent_id: intent.id, amount: 1 } });
    expect(over.status).toBe(400);
    expect(over.body.code).toBe('amount_above_limit');
    const unknown = await call(`${h.airwallex}/_refunds`, { method: 'POST', body: { payment_intent_id: 'int_nope' } });
    expect(unknown.body.code).toBe('resource_not_found');
    const noIntent = await call(`${h.airwallex}/_refunds`, { method: 'POST', body: { amount: 1 } });
    expect(noIntent.body).toMatchObject({ code: 'validation_error', source: 'payment_intent_id' });
    const extra = await call(`${h.airwallex}/_refunds`, { method: 'POST', body: { payment_intent_id: intent.id, request_id: 'mine' } });
    expect(extra.body).toMatchObject({ code: 'validation_error', source: 'request_id' });
    const wrongType = await call(`${h.airwallex}/_refunds`, { method: 'POST', body: { payment_intent_id: intent.id, amount: '1' } });
    expect(wrongType.body).toMatchObject({ code: 'validation_error', source: 'amount' });
  });

  it('exposes every refund on GET /_refunds and listRefunds(), counts them in stats, and leaves the controls out of the status counts', async () => {
    const intent = await paidIntent(h, token);
    const before = h.sim.stats();
    const refund = h.sim.createExternalRefund({ payment_intent_id: intent.id, amount: 1 });
    expect(refund).toMatchObject({ payment_intent_id: intent.id, amount: 1, status: 'RECEIVED' });
    expect(() => h.sim.createExternalRefund({ payment_intent_id: intent.id, amount: 100 })).toThrow(ApiError);
    const truth = await call(`${h.airwallex}/_refunds`);
    expect(truth.body.items).toEqual(h.sim.listRefunds());
    expect(truth.body.items.at(-1)).toEqual(refund);
    const stats = (await call(`${h.base}/stats`)).body;
    expect(stats.refunds.total).toBe(before.refunds.total + 1);
    expect(stats.refunds.byStatus.RECEIVED).toBe((before.refunds.byStatus.RECEIVED ?? 0) + 1);
    expect(stats.airwallex.statusCodes).toEqual(before.airwallex.statusCodes);
  });
});
