// Subscription messages end to end on one server (simulator mode, its two shipped templates): accepts recorded per order,
// "payment succeeded" and "refund succeeded" sent once each to the shopper who accepted, with values WeChat takes, on the
// order's timeline; refusals, retries, interrupted attempts, the shared token refreshed once on 42001.
import { randomUUID } from 'node:crypto';
import { templateIdFor } from '../../server/simulator';
import type { SentMessage } from '../../server/simulator';
import { SIMULATOR_CREDENTIALS } from '../../server/simulator/settings';
import { CART, CART_TOTAL, eventually, manualClock, startTestServer, testConfig, type ManualClock, type TestServer } from './helpers';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const PAY = templateIdFor(SIMULATOR_CREDENTIALS.wechatAppId, 'paymentSucceeded');
const REFUND = templateIdFor(SIMULATOR_CREDENTIALS.wechatAppId, 'refundSucceeded');

let server: TestServer;
let clock: ManualClock;
beforeEach(async () => {
  clock = manualClock();
  server = await startTestServer(testConfig({ ADMIN_TOKEN }), { now: clock.now, messages: { retryBaseMs: 1000, interruptedAfterMs: 60_000 } });
});
afterEach(async () => {
  await server.close();
});

/** What the shopper's phone tells WeChat when they tap the panel (the simulator's stand-in for it). */
const phoneAnswers = (shopper: string, results: Record<string, string>) => server.request('POST', '/simulator/wechat/_subscriptions', { body: { shopper, results } });
/** What the mini program tells the server (POST /api/orders/{id}/subscriptions). */
const tellServer = (token: string, orderId: string, results: Record<string, string>, headers: Record<string, string> = {}) =>
  server.request('POST', `/api/orders/${orderId}/subscriptions`, { token, body: { results }, headers });
const sent = async (shopper: string): Promise<SentMessage[]> => (await server.request('GET', `/simulator/wechat/_messages?shopper=${shopper}`)).body.items;
const timeline = async (orderId: string) =>
  (await server.request('GET', `/admin/api/orders/${orderId}`, { token: ADMIN_TOKEN })).body.timeline.filter((e: { kind: string }) => e.kind === 'message').map((e: { data: Record<string, unknown> }) => e.data);
/** "2026年5月12日 14:05": the merchant's clock (Asia/Shanghai), by Intl's own Chinese format rather than the server's builder. */
const merchantTime = (at: number) =>
  `${new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'long' }).format(at)} ${new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at)}`;
const stableTokenCalls = () => server.simulator!.stats().wechat.apis.stable_token.calls;
/** A refund by the merchant; the simulated Airwallex accepts it once its (test) clock has moved on. */
async function refund(orderId: string, body: Record<string, unknown> = {}) {
  const answer = await server.request('POST', `/admin/api/orders/${orderId}/refunds`, { token: ADMIN_TOKEN, body, headers: { 'idempotency-key': randomUUID() } });
  clock.advance(2000);
  return answer;
}

/** Creates an order for CART; the Pay tap's answers are given (to WeChat and to the server) before it is paid, as the mini program does. */
async function payWithAnswers(shopper: string, token: string, results: Record<string, string> | null) {
  const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
  if (results) {
    await phoneAnswers(shopper, results);
    expect((await tellServer(token, order.id, results)).status).toBe(200);
  }
  const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
  expect(await server.pay(payment.body.requestPayment.package)).toBe('requestPayment:ok');
  const paid = await server.request('GET', `/api/orders/${order.id}?waitSeconds=5&unlessStatus=awaiting_payment`, { token });
  expect(paid.body.order.status).toBe('paid');
  return paid.body.order as { id: string };
}

describe('subscription messages', () => {
  test('/api/config hands the mini program the two templates', async () => {
    expect((await server.request('GET', '/api/config')).body.subscribeTemplates).toEqual({ paymentSucceeded: PAY, refundSucceeded: REFUND });
  });

  test("the simulated pay sheet carries the simulated panel's answers (sandbox): they are the payer's, recorded before the sheet's outcome", async () => {
    const token = await server.sessionFor('sam');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    expect((await tellServer(token, order.id, { [PAY]: 'accept', [REFUND]: 'reject' })).status).toBe(200);
    const pkg = (await server.request('POST', `/api/orders/${order.id}/payment`, { token })).body.requestPayment.package;
    // Bad answers are refused, and the sheet is not answered.
    for (const subscriptions of [{}, [PAY], { [PAY]: 1 }, { [PAY]: 'maybe' }, { tmpl_unknown: 'accept' }]) {
      expect((await server.request('POST', '/simulator/wechat/pay', { body: { package: pkg, outcome: 'pay', subscriptions } })).status).toBe(400);
    }
    expect((await server.request('GET', '/simulator/wechat/_subscriptions?shopper=sam')).body.templates).toEqual({});
    // The shopper closes the sheet: the answers count all the same (the panel came first); then pays.
    const closed = await server.request('POST', '/simulator/wechat/pay', { body: { package: pkg, outcome: 'cancel', subscriptions: { [PAY]: 'accept', [REFUND]: 'reject' } } });
    expect(closed.body.errMsg).toBe('requestPayment:fail cancel');
    expect((await server.request('GET', '/simulator/wechat/_subscriptions?shopper=sam')).body.templates).toEqual({
      [PAY]: { credits: 1, lastStatus: 'accept' },
      [REFUND]: { credits: 0, lastStatus: 'reject' },
    });
    expect(await server.pay(pkg)).toBe('requestPayment:ok');
    await eventually(async () => (await sent('sam')).length === 1);
    expect((await sent('sam'))[0]).toMatchObject({ template_id: PAY, data: { character_string1: { value: order.id } } });
  });

  test('paying then refunding sends exactly one "payment succeeded" and one "refund succeeded" to the shopper who accepted, on the timeline', async () => {
    const token = await server.sessionFor('amy');
    const paidAt = clock.now();
    const order = await payWithAnswers('amy', token, { [PAY]: 'accept', [REFUND]: 'acceptWithAudio' });
    await eventually(async () => (await sent('amy')).length === 1);
    const [payment] = await sent('amy');
    expect(payment).toMatchObject({
      template_id: PAY,
      page: `pages/result/result?id=${order.id}`,
      data: { character_string1: { value: order.id }, amount2: { value: '¥26.99' }, thing3: { value: '乌龙茶 ×2、明信片' }, time4: { value: merchantTime(paidAt) } },
      miniprogram_state: 'developer',
      lang: 'zh_CN',
    });

    clock.advance(3600_000);
    expect((await refund(order.id, { amount: 500 })).status).toBe(201);
    // Airwallex accepts it (the webhook is applied) at the clock's time after refund() moved it on.
    const refundedAt = clock.now();
    await eventually(async () => (await sent('amy')).length === 2, 5_000);
    // A second refund: the one accept was used; nothing more is sent.
    expect((await refund(order.id)).status).toBe(201);
    await eventually(async () => (await server.request('GET', `/api/orders/${order.id}`, { token })).body.order.refunds.every((r: { status: string }) => r.status === 'succeeded'), 5_000);
    await server.messages.sweep();
    const messages = await sent('amy');
    expect(messages.map((m) => m.template_id)).toEqual([PAY, REFUND]);
    expect(messages[1].data).toEqual({
      character_string1: { value: order.id },
      amount2: { value: '¥5.00' },
      thing3: { value: '乌龙茶 ×2、明信片' },
      time4: { value: merchantTime(refundedAt) },
      phrase5: { value: '已退款' },
    });
    expect(messages[1].lang).toBe('zh_CN');
    expect(await timeline(order.id)).toEqual([
      { template: 'paymentSucceeded', templateId: PAY, outcome: 'accepted', status: 'accept', waiting: true },
      { template: 'refundSucceeded', templateId: REFUND, outcome: 'accepted', status: 'acceptWithAudio', waiting: true },
      { template: 'paymentSucceeded', templateId: PAY, outcome: 'sent', attempt: 1, msgid: messages[0].msgid },
      { template: 'refundSucceeded', templateId: REFUND, outcome: 'sent', attempt: 1, msgid: messages[1].msgid },
    ]);
    // One token for both sends.
    expect(stableTokenCalls()).toBe(1);
  });

  test('a shopper who refused gets nothing and pays normally; repeats change nothing', async () => {
    const token = await server.sessionFor('ben');
    const order = await payWithAnswers('ben', token, { [PAY]: 'reject', [REFUND]: 'ban' });
    const again = await tellServer(token, order.id, { [PAY]: 'reject', [REFUND]: 'filter' });
    expect(again).toMatchObject({ status: 200, body: { accepted: [] } });
    expect((await refund(order.id)).status).toBe(201);
    await eventually(async () => (await server.request('GET', `/api/orders/${order.id}`, { token })).body.order.refundedTotal.amount === CART_TOTAL, 5_000);
    await server.messages.sweep();
    expect(await sent('ben')).toEqual([]);
    expect(await timeline(order.id)).toEqual([]);
    expect(stableTokenCalls()).toBe(0);
  });

  test('records each accept once: a repeated report, or one naming templates the shop does not send, changes nothing', async () => {
    const token = await server.sessionFor('cat');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    const first = await tellServer(token, order.id, { [PAY]: 'accept', other_template: 'accept' });
    expect(first).toMatchObject({ status: 200, body: { accepted: [PAY] } });
    expect((await tellServer(token, order.id, { [PAY]: 'acceptWithAlert', [REFUND]: 'reject' })).body).toEqual({ accepted: [PAY] });
    expect(await timeline(order.id)).toEqual([{ template: 'paymentSucceeded', templateId: PAY, outcome: 'accepted', status: 'accept', waiting: true }]);
  });

  test("answers 404 for another shopper's order or none, 401 without a session, 400 for a malformed body", async () => {
    const token = await server.sessionFor('dan');
    const other = await server.sessionFor('eve');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    for (const results of [{ [PAY]: 'accept' }, { [PAY]: 'reject' }]) {
      expect((await tellServer(other, order.id, results)).body.error.code).toBe('ORDER_NOT_FOUND');
      expect((await tellServer(token, 'ord_none', results)).body.error.code).toBe('ORDER_NOT_FOUND');
    }
    expect((await server.request('POST', `/api/orders/${order.id}/subscriptions`, { body: { results: {} } })).status).toBe(401);
    for (const body of [{}, { results: [] }, { results: { [PAY]: 1 } }, { results: { [PAY]: '' } }, { results: { [PAY]: 'a'.repeat(33) } }, { results: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'accept'])) }]) {
      const answer = await server.request('POST', `/api/orders/${order.id}/subscriptions`, { token, body });
      expect([JSON.stringify(body).slice(0, 40), answer.status, answer.body.error.code]).toEqual([JSON.stringify(body).slice(0, 40), 400, 'VALIDATION_FAILED']);
    }
    expect(await timeline(order.id)).toEqual([]);
  });

  test('an accept reported after the payment is sent at once, in the language of the report', async () => {
    const token = await server.sessionFor('fay');
    const order = await payWithAnswers('fay', token, null);
    await phoneAnswers('fay', { [PAY]: 'accept' });
    expect((await tellServer(token, order.id, { [PAY]: 'accept' }, { 'accept-language': 'en-US,en;q=0.9' })).body).toEqual({ accepted: [PAY] });
    await eventually(async () => (await sent('fay')).length === 1);
    // In the shopper's language where WeChat lets it be (the frame, the item names; a thing cut at 20 characters); the labels stay the template's.
    expect((await sent('fay'))[0]).toMatchObject({ lang: 'en_US', data: { thing3: { value: 'Oolong tea ×2, Post…' } } });
    expect((await timeline(order.id)).map((e: { outcome: string; waiting?: boolean }) => [e.outcome, e.waiting])).toEqual([['accepted', false], ['sent', undefined]]);
  });

  test('an accept WeChat never got (the shopper refused there): 43101 on the timeline, never retried, the order paid all the same', async () => {
    const token = await server.sessionFor('gus');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    await tellServer(token, order.id, { [PAY]: 'accept' });
    const payment = await server.request('POST', `/api/orders/${order.id}/payment`, { token });
    await server.pay(payment.body.requestPayment.package);
    const entries = await eventually(async () => {
      const found = await timeline(order.id);
      return found.length === 2 && found;
    });
    expect(entries[1]).toMatchObject({ outcome: 'refused', errcode: 43101, attempt: 1, error: expect.stringMatching(/no consent left/) });
    expect((await server.request('GET', `/api/orders/${order.id}`, { token })).body.order.status).toBe('paid');
    clock.advance(3600_000);
    await server.messages.sweep();
    expect(await sent('gus')).toEqual([]);
    expect(server.simulator!.stats().wechat.apis.send.calls).toBe(1);
  });

  test('WeChat busy: the message is tried again later, and sent once', async () => {
    const token = await server.sessionFor('hal');
    await server.request('POST', '/simulator/wechat/_switches', { body: { systemErrorRate: 1 } });
    const order = await payWithAnswers('hal', token, { [PAY]: 'accept' });
    await eventually(async () => (await timeline(order.id)).length === 2);
    expect((await timeline(order.id))[1]).toMatchObject({ outcome: 'retry', errcode: -1, nextAttemptAt: clock.now() + 1000 });
    await server.request('DELETE', '/simulator/wechat/_switches');
    await server.messages.sweep();
    expect(await sent('hal')).toEqual([]);
    clock.advance(1000);
    await server.messages.sweep();
    expect((await sent('hal')).map((m) => m.template_id)).toEqual([PAY]);
    expect((await timeline(order.id)).map((e: { outcome: string }) => e.outcome)).toEqual(['accepted', 'retry', 'sent']);
    await server.messages.sweep();
    expect(await sent('hal')).toHaveLength(1);
  });

  test('an attempt interrupted after it was recorded (a crash while calling WeChat) is never made again: unknown on the timeline', async () => {
    const token = await server.sessionFor('ida');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    await phoneAnswers('ida', { [PAY]: 'accept' });
    await tellServer(token, order.id, { [PAY]: 'accept' });
    // Another instance records the attempt, then dies before WeChat answers (or before it records the answer).
    await server.store.updateOrder(order.id, () => ({ patch: { status: 'paid', paidAt: clock.now() } }));
    expect(await server.store.claimDueMessages(clock.now(), 10)).toHaveLength(1);
    await server.messages.sweep();
    clock.advance(60_001);
    await server.messages.sweep();
    await server.messages.sweep();
    expect(await sent('ida')).toEqual([]);
    expect((await timeline(order.id)).map((e: { outcome: string }) => e.outcome)).toEqual(['accepted', 'unknown']);
    expect((await server.store.orderMessages(order.id))[0]).toMatchObject({ state: 'unknown', attempts: 1 });
  });

  test('a token WeChat says expired (42001) is refreshed once, shared, and the message sent', async () => {
    const token = await server.sessionFor('jon');
    await payWithAnswers('jon', token, { [PAY]: 'accept', [REFUND]: 'accept' });
    await eventually(async () => (await sent('jon')).length === 1);
    expect(stableTokenCalls()).toBe(1);
    await server.request('POST', '/simulator/wechat/_tokens/expire');
    const order = (await server.request('GET', '/api/orders', { token })).body.orders[0];
    expect((await refund(order.id)).status).toBe(201);
    await eventually(async () => (await sent('jon')).length === 2, 5_000);
    expect(server.simulator!.stats().wechat.apis.send.errcodes).toEqual({ 0: 2, 42001: 1 });
    expect(stableTokenCalls()).toBe(2);
    expect((await timeline(order.id)).map((e: { outcome: string }) => e.outcome)).toEqual(['accepted', 'accepted', 'sent', 'sent']);
    // The token is a credential: never in the log.
    const stored = await server.store.getWechatToken(SIMULATOR_CREDENTIALS.wechatAppId);
    expect(stored?.accessToken).toMatch(/^\d+_/);
    expect(server.logs.join('\n')).not.toContain(stored!.accessToken!);
  });

  test('the shared token is renewed in its last minutes, before WeChat would refuse it: no send meets 42001', async () => {
    const token = await server.sessionFor('max');
    const order = await payWithAnswers('max', token, { [PAY]: 'accept', [REFUND]: 'accept' });
    await eventually(async () => (await sent('max')).length === 1);
    // 200 s of its 7200 left: inside the 240 s the server renews in (WeChat hands out a new one in the last 300 s).
    clock.advance(7_000_000);
    expect((await refund(order.id)).status).toBe(201);
    await eventually(async () => (await sent('max')).length === 2, 5_000);
    expect(stableTokenCalls()).toBe(2);
    expect(server.simulator!.stats().wechat.apis.send.errcodes).toEqual({ 0: 2 });
  });

  test('counts accepts and sends in /metrics', async () => {
    const token = await server.sessionFor('kim');
    await payWithAnswers('kim', token, { [PAY]: 'accept' });
    await eventually(async () => (await sent('kim')).length === 1);
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(text).toContain('shop_subscription_messages_total{template="paymentSucceeded",outcome="accepted"} 1');
    expect(text).toContain('shop_subscription_messages_total{template="paymentSucceeded",outcome="sent"} 1');
    expect(text).toContain('shop_subscription_messages{state="sent"} 1');
    expect(text).toContain('shop_wechat_token_refreshes_total{outcome="refreshed"} 1');
  });
});

describe('subscription messages in the console', () => {
  /** A signed-in console page, in `language` (by Accept-Language, as a browser asks). */
  async function consolePage(pathname: string, language: string): Promise<string> {
    const signIn = await fetch(`${server.url}/admin/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ token: ADMIN_TOKEN, next: '/admin/orders' }).toString(),
      redirect: 'manual',
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
    const page = await fetch(server.url + pathname, { headers: { cookie, 'accept-language': language } });
    expect(page.status).toBe(200);
    return page.text();
  }

  test("the order page shows each message's outcome, and the simulator banner the messages WeChat took, in zh_CN and en", async () => {
    expect(await consolePage('/admin/orders', 'en')).not.toContain('Messages sent');
    const token = await server.sessionFor('lea');
    const order = await payWithAnswers('lea', token, { [PAY]: 'accept' });
    await eventually(async () => (await timeline(order.id)).length === 2);
    const en = await consolePage(`/admin/orders/${order.id}`, 'en');
    expect(en).toContain('Subscription message');
    expect(en).toContain('Payment succeeded: accepted by the shopper (sent once the order is paid or refunded)');
    expect(en).toContain('Payment succeeded: sent');
    expect(en).toMatch(/Messages sent<\/dt><dd><ul><li><time[^>]*>[^<]+<\/time> to lea · <strong>[^<]+<\/strong> · character_string1: ord_/);
    const zh = await consolePage(`/admin/orders/${order.id}`, 'zh-CN');
    expect(zh).toContain('订阅消息');
    expect(zh).toContain('支付成功: 已发送');
    expect(zh).toContain('已发送的订阅消息</dt><dd><ul><li>');
    expect(zh).toContain('发给 lea');
  });
});
