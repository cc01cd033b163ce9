// The simulated Airwallex API over real HTTP: auth, the Payment Intent state machine, idempotency, validation.
import { validateResponse } from '../../../server/simulator';
import {
  airwallex,
  call,
  confirmIntent,
  createIntent,
  CREDENTIALS,
  login,
  requestId,
  shopper,
  startSimulator,
  type Harness,
} from './helpers';

const INTENT = '/api/v1/pa/payment_intents/{id}';
/** Whole seconds and a +0000 offset, as real Airwallex answers carry them. */
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/;

let h: Harness;
let token: string;

beforeAll(async () => {
  h = await startSimulator();
  token = await login(h);
});
afterAll(() => h.close());

describe('login', () => {
  it('answers 201 with a token that expires in 30 minutes, in the +0000 format', async () => {
    const answer = await call(`${h.airwallex}/api/v1/authentication/login`, {
      method: 'POST',
      headers: { 'x-client-id': CREDENTIALS.clientId, 'x-api-key': CREDENTIALS.apiKey },
    });
    expect(answer.status).toBe(201);
    expect(answer.body.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(answer.body.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    const minutes = (Date.parse(answer.body.expires_at) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);
    expect(validateResponse('post', '/api/v1/authentication/login', 201, answer.body)).toEqual({ valid: true, errors: [] });
  });

  it('answers 401 unauthorized when the api key does not match', async () => {
    const answer = await call(`${h.airwallex}/api/v1/authentication/login`, {
      method: 'POST',
      headers: { 'x-client-id': CREDENTIALS.clientId, 'x-api-key': 'wrong' },
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: 'unauthorized', message: expect.any(String), trace_id: expect.any(String) });
  });

  it('accepts a login that sends a JSON body, as some clients do', async () => {
    const answer = await call(`${h.airwallex}/api/v1/authentication/login`, {
      method: 'POST',
      headers: { 'x-client-id': CREDENTIALS.clientId, 'x-api-key': CREDENTIALS.apiKey },
      body: { referrer_data: { type: 'test' } },
    });
    expect(answer.status).toBe(201);
  });
});

describe('authorization', () => {
  it('refuses a call without a token with 401 unauthorized', async () => {
    const answer = await call(`${h.airwallex}/api/v1/pa/payment_intents/int_x`);
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('unauthorized');
  });

  it('refuses a call with an unknown token with 401 unauthorized', async () => {
    const answer = await airwallex(h, 'not-a-token', 'GET', '/api/v1/pa/payment_intents/int_x');
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('unauthorized');
  });

  it('refuses a token once it has expired', async () => {
    let clock = Date.now();
    const timed = await startSimulator({ now: () => clock });
    try {
      const expiring = await login(timed);
      expect((await airwallex(timed, expiring, 'GET', '/api/v1/pa/payment_intents/int_x')).status).toBe(404);
      clock += 30 * 60_000 + 1;
      const answer = await airwallex(timed, expiring, 'GET', '/api/v1/pa/payment_intents/int_x');
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('unauthorized');
    } finally {
      await timed.close();
    }
  });
});

describe('payment intents', () => {
  it('creates an intent awaiting a payment method and echoes what it was given', async () => {
    const rid = requestId();
    const answer = await createIntent(h, token, {
      request_id: rid,
      amount: 99.9,
      merchant_order_id: 'ORD-echo',
      descriptor: 'Test shop',
      metadata: { orderId: '42' },
      order: { products: [{ name: 'Tea', quantity: 2, unit_price: 49.95 }] },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      id: expect.stringMatching(/^int_[a-z0-9]+$/),
      request_id: rid,
      amount: 99.9,
      currency: 'CNY',
      merchant_order_id: 'ORD-echo',
      status: 'REQUIRES_PAYMENT_METHOD',
      captured_amount: 0,
      descriptor: 'Test shop',
      metadata: { orderId: '42' },
      order: { products: [{ name: 'Tea', quantity: 2, unit_price: 49.95 }] },
    });
    expect(answer.body.client_secret.split('.')).toHaveLength(3);
    expect(answer.body.created_at).toMatch(TIMESTAMP);
    expect(answer.body.updated_at).toMatch(TIMESTAMP);
    expect(validateResponse('post', '/api/v1/pa/payment_intents/create', 201, answer.body).errors).toEqual([]);
  });

  it('retrieves an intent, and answers 404 resource_not_found for an unknown id', async () => {
    const created = await createIntent(h, token);
    const answer = await airwallex(h, token, 'GET', `/api/v1/pa/payment_intents/${created.body.id}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(created.body);
    expect(validateResponse('get', INTENT, 200, answer.body).errors).toEqual([]);

    const missing = await airwallex(h, token, 'GET', '/api/v1/pa/payment_intents/int_doesnotexist');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('resource_not_found');
  });

  it('confirms a wechatpay mini_program payment with call_sdk data for wx.requestPayment', async () => {
    const created = await createIntent(h, token);
    const answer = await confirmIntent(h, token, created.body.id, 'oShopperOne');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('REQUIRES_CUSTOMER_ACTION');
    expect(answer.body.next_action).toEqual({
      type: 'call_sdk',
      data: {
        appId: CREDENTIALS.wechatAppId,
        timeStamp: expect.stringMatching(/^\d{10}$/),
        nonceStr: expect.stringMatching(/^\w{32}$/),
        package: expect.stringMatching(/^prepay_id=wx\w+$/),
        signType: 'RSA',
        paySign: expect.any(String),
      },
    });
    expect(answer.body.latest_payment_attempt).toMatchObject({
      id: expect.stringMatching(/^att_/),
      status: 'AUTHENTICATION_REDIRECTED',
      amount: 12.5,
      currency: 'CNY',
      payment_intent_id: created.body.id,
      merchant_order_id: created.body.merchant_order_id,
      payment_method: { type: 'wechatpay', wechatpay: { flow: 'mini_program' } },
    });
    expect(Date.parse(answer.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.body.updated_at));
    expect(answer.body.updated_at).toMatch(/:\d\d\+0000$/); // whole seconds, like Airwallex
    expect(validateResponse('post', '/api/v1/pa/payment_intents/{id}/confirm', 200, answer.body).errors).toEqual([]);
  });

  it('gives a re-confirm a new attempt and a new prepay id, and makes the old one stale', async () => {
    const created = await createIntent(h, token);
    const first = await confirmIntent(h, token, created.body.id);
    const second = await confirmIntent(h, token, created.body.id);
    expect(second.status).toBe(200);
    expect(second.body.latest_payment_attempt.id).not.toBe(first.body.latest_payment_attempt.id);
    expect(second.body.next_action.data.package).not.toBe(first.body.next_action.data.package);
    expect((await shopper(h, first.body.next_action.data.package, 'pay')).body.errMsg).toMatch(/^requestPayment:fail /);
    expect((await shopper(h, second.body.next_action.data.package, 'pay')).body.errMsg).toBe('requestPayment:ok');
  });

  it('cancels an intent, records when and why, and refuses to cancel or confirm it again', async () => {
    const created = await createIntent(h, token);
    await confirmIntent(h, token, created.body.id);
    const answer = await airwallex(h, token, 'POST', `/api/v1/pa/payment_intents/${created.body.id}/cancel`, {
      request_id: requestId(),
      cancellation_reason: 'Order expired',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'CANCELLED', cancellation_reason: 'Order expired', cancelled_at: expect.stringMatching(TIMESTAMP) });
    expect(answer.body.next_action).toBeUndefined();
    expect(validateResponse('post', '/api/v1/pa/payment_intents/{id}/cancel', 200, answer.body).errors).toEqual([]);

    const again = await airwallex(h, token, 'POST', `/api/v1/pa/payment_intents/${created.body.id}/cancel`, { request_id: requestId() });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('invalid_status_for_operation');
    const confirm = await confirmIntent(h, token, created.body.id);
    expect(confirm.status).toBe(400);
    expect(confirm.body.code).toBe('invalid_status_for_operation');
  });

  it('refuses to confirm or cancel a succeeded intent with invalid_status_for_operation', async () => {
    const created = await createIntent(h, token);
    const confirmed = await confirmIntent(h, token, created.body.id);
    await shopper(h, confirmed.body.next_action.data.package, 'pay');
    expect((await confirmIntent(h, token, created.body.id)).body.code).toBe('invalid_status_for_operation');
    const cancel = await airwallex(h, token, 'POST', `/api/v1/pa/payment_intents/${created.body.id}/cancel`, { request_id: requestId() });
    expect(cancel.status).toBe(400);
    expect(cancel.body.code).toBe('invalid_status_for_operation');
  });

  it('answers 404 resource_not_found when confirming an unknown intent', async () => {
    const answer = await confirmIntent(h, token, 'int_unknown');
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('resource_not_found');
  });

  it('lists intents by merchant_order_id, so a lost create answer can be recovered', async () => {
    const created = await createIntent(h, token, { merchant_order_id: 'ORD-list-1' });
    await createIntent(h, token, { merchant_order_id: 'ORD-list-other' });
    const answer = await airwallex(h, token, 'GET', '/api/v1/pa/payment_intents?merchant_order_id=ORD-list-1&page_num=0&page_size=10');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ has_more: false, items: [created.body] });

    const paged = await airwallex(h, token, 'GET', '/api/v1/pa/payment_intents?page_size=1');
    expect(paged.body.items).toHaveLength(1);
    expect(paged.body.has_more).toBe(true);

    const bad = await airwallex(h, token, 'GET', '/api/v1/pa/payment_intents?page_size=abc');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation_error', source: 'page_size' });
  });
});

describe('idempotency', () => {
  it('answers duplicate_request to a reused request_id and does not create a second intent', async () => {
    const rid = requestId();
    const first = await createIntent(h, token, { request_id: rid, merchant_order_id: 'ORD-dup' });
    expect(first.status).toBe(201);
    const second = await createIntent(h, token, { request_id: rid, merchant_order_id: 'ORD-dup' });
    expect(second.status).toBe(400);
    expect(second.body).toMatchObject({ code: 'duplicate_request', trace_id: expect.any(String) });
    expect(h.sim.listIntents().filter((i) => i.merchant_order_id === 'ORD-dup')).toHaveLength(1);
  });

  it('does not re-apply a confirm whose request_id was already used', async () => {
    const created = await createIntent(h, token);
    const rid = requestId();
    const body = { request_id: rid, payment_method: { type: 'wechatpay', wechatpay: { flow: 'mini_program', open_id: 'oX' } } };
    const first = await airwallex(h, token, 'POST', `/api/v1/pa/payment_intents/${created.body.id}/confirm`, body);
    const second = await airwallex(h, token, 'POST', `/api/v1/pa/payment_intents/${created.body.id}/confirm`, body);
    expect(second.status).toBe(400);
    expect(second.body.code).toBe('duplicate_request');
    const now = await airwallex(h, token, 'GET', `/api/v1/pa/payment_intents/${created.body.id}`);
    expect(now.body.latest_payment_attempt.id).toBe(first.body.latest_payment_attempt.id);
    expect(now.body.updated_at).toBe(first.body.updated_at);
  });

  it('echoes the request_id of the last call that changed the intent', async () => {
    const created = await createIntent(h, token);
    const cancelId = requestId();
    await airwallex(h, token, 'POST', `/api/v1/pa/payment_intents/${created.body.id}/cancel`, { request_id: cancelId });
    const now = await airwallex(h, token, 'GET', `/api/v1/pa/payment_intents/${created.body.id}`);
    expect(now.body.request_id).toBe(cancelId);
  });
});

describe('validation', () => {
  it('rejects an amount sent as an object, naming the field in source', async () => {
    const answer = await createIntent(h, token, { amount: { value: 12.5 } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'validation_error', source: 'amount' });
  });

  it('rejects a create without request_id', async () => {
    const answer = await airwallex(h, token, 'POST', '/api/v1/pa/payment_intents/create', { amount: 1, currency: 'CNY', merchant_order_id: 'x' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'validation_error', source: 'request_id' });
  });

  it('rejects a nested field of the wrong type with a dotted source', async () => {
    const answer = await createIntent(h, token, { order: { products: [{ quantity: 1.5 }] } });
    expect(answer.body).toMatchObject({ code: 'validation_error', source: 'order.products[0].quantity' });
  });

  it('rejects amounts that are not positive or have more decimals than the currency allows', async () => {
    expect((await createIntent(h, token, { amount: 0 })).body).toMatchObject({ code: 'validation_error', source: 'amount' });
    expect((await createIntent(h, token, { amount: 1.234 })).body).toMatchObject({ code: 'validation_error', source: 'amount' });
    expect((await createIntent(h, token, { amount: 100.5, currency: 'JPY' })).body).toMatchObject({ code: 'validation_error', source: 'amount' });
    expect((await createIntent(h, token, { amount: 100, currency: 'JPY' })).status).toBe(201);
  });

  it('rejects a descriptor longer than 32 characters', async () => {
    const answer = await createIntent(h, token, { descriptor: 'x'.repeat(33) });
    expect(answer.body).toMatchObject({ code: 'validation_error', source: 'descriptor' });
  });

  it('rejects a body that is not JSON', async () => {
    const answer = await airwallex(h, token, 'POST', '/api/v1/pa/payment_intents/create', '{not json');
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_error');
  });

  it('requires open_id for the mini_program flow', async () => {
    const created = await createIntent(h, token);
    const answer = await airwallex(h, token, 'POST', `/api/v1/pa/payment_intents/${created.body.id}/confirm`, {
      request_id: requestId(),
      payment_method: { type: 'wechatpay', wechatpay: { flow: 'mini_program' } },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'validation_error', source: 'payment_method.wechatpay.open_id' });
  });

  it('answers payment_method_not_allowed for payment methods and flows it does not simulate', async () => {
    const created = await createIntent(h, token);
    const path = `/api/v1/pa/payment_intents/${created.body.id}/confirm`;
    const card = await airwallex(h, token, 'POST', path, { request_id: requestId(), payment_method: { type: 'card' } });
    expect(card.body.code).toBe('payment_method_not_allowed');
    const qr = await airwallex(h, token, 'POST', path, { request_id: requestId(), payment_method: { type: 'wechatpay', wechatpay: { flow: 'qrcode' } } });
    expect(qr.body.code).toBe('payment_method_not_allowed');
    const bogus = await airwallex(h, token, 'POST', path, { request_id: requestId(), payment_method: { type: 'wechatpay', wechatpay: { flow: 'teleport' } } });
    expect(bogus.body).toMatchObject({ code: 'validation_error', source: 'payment_method.wechatpay.flow' });
  });

  it('answers 404 not_found for a path Airwallex does not have', async () => {
    const answer = await airwallex(h, token, 'GET', '/api/v1/pa/nothing');
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ code: 'not_found', trace_id: expect.any(String) });
  });
});

describe('ground truth and counters', () => {
  it('lists every intent on /_intents and counts calls per endpoint and status', async () => {
    const before = h.sim.stats().airwallex;
    const created = await createIntent(h, token);
    const truth = await call(`${h.airwallex}/_intents`);
    expect(truth.body.items.map((i: { id: string }) => i.id)).toContain(created.body.id);
    const after = (await call(`${h.base}/stats`)).body.airwallex;
    expect(after.calls.create).toBe(before.calls.create + 1);
    expect(after.statusCodes['201']).toBe((before.statusCodes['201'] ?? 0) + 1);
  });
});
