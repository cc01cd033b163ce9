// The simulated subscription messages over real HTTP: gettemplate, send with every errcode, accept credits, and the controls.
import { openIdFor } from '../../../server/simulator';
import { call, startSimulator, type Harness } from './helpers';
import { loggedIn, PAYMENT_TEMPLATE, paymentData, REFUND_TEMPLATE, send, subscribe, switches, token, withRid } from './wechat-helpers';

let h: Harness;
let accessToken: string;
let alice: string;
let shopperCount = 0;

beforeAll(async () => {
  h = await startSimulator();
  accessToken = await token(h);
  alice = await loggedIn(h, 'alice');
});
afterAll(() => h.close());
afterEach(async () => {
  await call(`${h.base}/wechat/_switches`, { method: 'DELETE' });
});

/** A new logged-in shopper with `credits` accepts of the payment template. */
async function subscribed(credits = 1): Promise<string> {
  shopperCount += 1;
  const name = `shopper-${shopperCount}`;
  const openid = await loggedIn(h, name);
  for (let i = 0; i < credits; i++) expect((await subscribe(h, { shopper: name, results: { [PAYMENT_TEMPLATE]: 'accept' } })).status).toBe(200);
  return openid;
}

const message = (touser: string, fields: Record<string, unknown> = {}) => ({ touser, template_id: PAYMENT_TEMPLATE, data: paymentData(), ...fields });

describe('gettemplate', () => {
  it('lists the two one-time templates the simulator ships, with their keys in content', async () => {
    const answer = await call(`${h.base}/wechat/wxaapi/newtmpl/gettemplate?access_token=${accessToken}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      data: [
        { priTmplId: PAYMENT_TEMPLATE, title: '支付成功通知', type: 2, content: expect.stringContaining('{{amount2.DATA}}'), example: expect.any(String) },
        { priTmplId: REFUND_TEMPLATE, title: '退款成功通知', type: 2, content: expect.stringContaining('{{phrase5.DATA}}'), example: expect.any(String) },
      ],
    });
    expect(PAYMENT_TEMPLATE).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const keys = (content: string) => [...content.matchAll(/\{\{(\w+)\.DATA\}\}/g)].map((m) => m[1]);
    expect(keys(answer.body.data[0].content)).toEqual(['character_string1', 'amount2', 'thing3', 'time4']);
    expect(keys(answer.body.data[1].content)).toEqual(['character_string1', 'amount2', 'thing3', 'time4', 'phrase5']);
  });
});

describe('send', () => {
  it('sends once per accept, answering a 64-bit msgid, and logs the message', async () => {
    const openid = await subscribed(1);
    const sent = await send(h, accessToken, message(openid, { page: 'pages/result/result?id=ord_1', lang: 'en_US', miniprogram_state: 'trial' }));
    expect(sent.status).toBe(200);
    expect(sent.raw).toMatch(/^\{"errcode":0,"errmsg":"ok","msgid":\d{19}\}$/);
    const msgid = /"msgid":(\d+)/.exec(sent.raw)![1];
    const again = await send(h, accessToken, message(openid));
    expect(again.body).toEqual({ errcode: 43101, errmsg: expect.stringMatching(withRid('user refuse to accept the msg')) });
    const listed = await call(`${h.base}/wechat/_messages?openid=${openid}`);
    expect(listed.body.items).toEqual([
      {
        msgid,
        touser: openid,
        shopper: `shopper-${shopperCount}`,
        template_id: PAYMENT_TEMPLATE,
        page: 'pages/result/result?id=ord_1',
        data: paymentData(),
        miniprogram_state: 'trial',
        lang: 'en_US',
        sent_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });

  it('adds up accepts, one send each; a refusal adds nothing', async () => {
    const openid = await subscribed(2);
    await subscribe(h, { openid, results: { [PAYMENT_TEMPLATE]: 'reject' } });
    await subscribe(h, { openid, templateId: PAYMENT_TEMPLATE, status: 'acceptWithAlert' });
    const state = await call(`${h.base}/wechat/_subscriptions?openid=${openid}`);
    expect(state.body.templates[PAYMENT_TEMPLATE]).toEqual({ credits: 3, lastStatus: 'acceptWithAlert' });
    const errcodes = [];
    for (let i = 0; i < 4; i++) errcodes.push((await send(h, accessToken, message(openid))).body.errcode);
    expect(errcodes).toEqual([0, 0, 0, 43101]);
    // Credits are per template: the refund template was never accepted.
    const refund = await send(h, accessToken, { touser: openid, template_id: REFUND_TEMPLATE, data: {} });
    expect(refund.body.errcode).toBe(47003);
  });

  it('answers 43101 while the shopper has turned subscriptions off, keeping the credit for later', async () => {
    const openid = await subscribed(1);
    const off = await subscribe(h, { openid, mainSwitch: false });
    expect(off.body).toMatchObject({ openid, mainSwitch: false, templates: { [PAYMENT_TEMPLATE]: { credits: 1, lastStatus: 'accept' } } });
    expect((await send(h, accessToken, message(openid))).body.errcode).toBe(43101);
    await subscribe(h, { openid, mainSwitch: true });
    expect((await send(h, accessToken, message(openid))).body.errcode).toBe(0);
  });

  it('answers 40003 to an openid that is not a user of this mini program', async () => {
    for (const touser of [openIdFor('never-logged-in'), '', undefined, 42]) {
      const answer = await send(h, accessToken, { ...message(alice), touser });
      expect(answer.body).toEqual({ errcode: 40003, errmsg: expect.stringMatching(withRid('invalid openid')) });
    }
  });

  it('answers 40037 to a template id that is not one of this mini program', async () => {
    for (const templateId of ['9Aw5ZV1j9xdWTFEkqCpZ7mIBbSC34khK55OtzUPl0rU', '', undefined]) {
      const answer = await send(h, accessToken, message(alice, { template_id: templateId }));
      expect(answer.body).toEqual({ errcode: 40037, errmsg: expect.stringMatching(withRid('invalid template_id')) });
    }
  });

  it('answers 47003 naming the key whose value is empty, breaks its rule, or is not in the template', async () => {
    const openid = await subscribed(1);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ data: paymentData({ thing3: '' }) }, 'data.thing3.value is empty'],
      [{ data: paymentData({ thing3: '   ' }) }, 'data.thing3.value is empty'],
      [{ data: { ...paymentData(), time4: undefined } }, 'data.time4.value is empty'],
      [{ data: paymentData({ thing3: '一二三四五六七八九十一二三四五六七八九十一' }) }, 'data.thing3.value invalid'],
      [{ data: paymentData({ amount2: 'CNY 12.50' }) }, 'data.amount2.value invalid'],
      [{ data: paymentData({ time4: '2026-05-12 14:05:00' }) }, 'data.time4.value invalid'],
      [{ data: paymentData({ character_string1: 'ORD 1' }) }, 'data.character_string1.value invalid'],
      [{ data: { ...paymentData(), amount2: { value: 12.5 } } }, 'data.amount2.value invalid'],
      [{ data: { ...paymentData(), thing5: { value: 'extra' } } }, 'data.thing5 is not a keyword of the template'],
      [{ data: 'none' }, 'data is empty'],
      [{ miniprogram_state: 'release' }, 'miniprogram_state invalid'],
      [{ lang: 'en' }, 'lang invalid'],
    ];
    for (const [fields, text] of cases) {
      const answer = await send(h, accessToken, message(openid, fields));
      expect([text, answer.body]).toEqual([text, { errcode: 47003, errmsg: expect.stringMatching(withRid(`argument invalid! ${text}`)) }]);
    }
    // None of them spent the credit.
    expect((await send(h, accessToken, message(openid))).body.errcode).toBe(0);
  });

  it('answers 41030 to a page that is not one of the app.json pages; a query and subpackage pages are fine', async () => {
    const openid = await subscribed(3);
    for (const page of ['pages/index/index', '/pages/shop/shop', 'pages/result', 'pages/checkout/checkout/'] as const) {
      const answer = await send(h, accessToken, message(openid, { page }));
      expect([page, answer.body]).toEqual([page, { errcode: 41030, errmsg: expect.stringMatching(withRid('invalid page')) }]);
    }
    for (const page of ['pages/shop/shop', 'pages/checkout/checkout?from=msg', 'pages/orders/orders']) {
      expect([page, (await send(h, accessToken, message(openid, { page }))).body.errcode]).toEqual([page, 0]);
    }
  });

  it('checks the token first: 41001, 40014, 40001 and 42001 as the other APIs', async () => {
    const openid = await subscribed(1);
    expect((await send(h, undefined, message(openid))).body.errcode).toBe(41001);
    expect((await send(h, 'short', message(openid))).body.errcode).toBe(40014);
    expect((await send(h, `86_${'x'.repeat(150)}`, message(openid))).body.errcode).toBe(40001);
    await call(`${h.base}/wechat/_tokens/expire`, { method: 'POST' });
    expect((await send(h, accessToken, message(openid))).body.errcode).toBe(42001);
    accessToken = await token(h);
    expect((await send(h, accessToken, message(openid))).body.errcode).toBe(0);
  });

  it('answers 47001 to a body that is not JSON', async () => {
    expect((await send(h, accessToken, 'touser=o1&template_id=t')).body).toEqual({ errcode: 47001, errmsg: expect.stringMatching(withRid('data format error')) });
  });

  it('answers 45009 and -1 under their switches, spending no credit', async () => {
    const openid = await subscribed(1);
    await switches(h, { quotaReached: ['send'] });
    expect((await send(h, accessToken, message(openid))).body.errcode).toBe(45009);
    await switches(h, { quotaReached: [], systemErrorRate: 1 });
    expect((await send(h, accessToken, message(openid))).body).toEqual({ errcode: -1, errmsg: expect.stringMatching(withRid('system error')) });
    await switches(h, { systemErrorRate: 0 });
    expect((await send(h, accessToken, message(openid))).body.errcode).toBe(0);
  });

  it('counts sends per errcode in the stats', async () => {
    h.sim.resetStats();
    const openid = await subscribed(1);
    await send(h, accessToken, message(openid));
    await send(h, accessToken, message(openid));
    expect(h.sim.stats().wechat.apis.send).toEqual({ calls: 2, errcodes: { '0': 1, '43101': 1 } });
  });
});

describe('templates the merchant adds', () => {
  it('are served by gettemplate and checked by send; a long-term one keeps its consent', async () => {
    const added = await call(`${h.base}/wechat/_templates`, {
      method: 'POST',
      body: { title: '订单状态提醒', type: 3, content: '状态:{{enum1.DATA}}\n说明:{{thing2.DATA}}\n', keywordEnumValueList: [{ keywordCode: 'enum1', enumValueList: ['已发货', '已签收'] }] },
    });
    expect(added.status).toBe(201);
    const id = added.body.priTmplId as string;
    const list = await call(`${h.base}/wechat/wxaapi/newtmpl/gettemplate?access_token=${accessToken}`);
    expect(list.body.data.at(-1)).toEqual({ priTmplId: id, title: '订单状态提醒', type: 3, content: expect.any(String), example: '', keywordEnumValueList: [{ keywordCode: 'enum1', enumValueList: ['已发货', '已签收'] }] });
    const openid = await loggedIn(h, 'long-term');
    await subscribe(h, { openid, results: { [id]: 'accept' } });
    const body = (state: string) => ({ touser: openid, template_id: id, data: { enum1: { value: state }, thing2: { value: '顺丰 SF123' } } });
    expect((await send(h, accessToken, body('已发货'))).body.errcode).toBe(0);
    expect((await send(h, accessToken, body('已签收'))).body.errcode).toBe(0);
    expect((await send(h, accessToken, body('已取消'))).body.errmsg).toMatch(/^argument invalid! data\.enum1\.value invalid/);
    expect((await call(`${h.base}/wechat/_templates/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await send(h, accessToken, body('已发货'))).body.errcode).toBe(40037);
    expect((await call(`${h.base}/wechat/_templates/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('are refused with a clear 400 when malformed', async () => {
    const bad = async (body: unknown) => (await call(`${h.base}/wechat/_templates`, { method: 'POST', body })).body;
    expect(await bad({ title: 'x', content: 'no keys' })).toMatchObject({ code: 'validation_error', source: 'content' });
    expect(await bad({ title: 'x', content: '{{colour1.DATA}}' })).toMatchObject({ source: 'content', message: expect.stringContaining('colour1') });
    expect(await bad({ title: 'x', content: '{{thing1.DATA}}', type: 1 })).toMatchObject({ source: 'type' });
    expect(await bad({ title: 'x', content: '{{enum1.DATA}}' })).toMatchObject({ source: 'keywordEnumValueList' });
  });
});

describe('the _subscriptions control', () => {
  it('knows only shoppers who logged in, and templates of the app, and applies all or nothing', async () => {
    const stranger = await subscribe(h, { shopper: 'nobody-yet', results: { [PAYMENT_TEMPLATE]: 'accept' } });
    expect(stranger.status).toBe(400);
    expect(stranger.body.message).toMatch(/log the shopper in first/);
    const openid = await loggedIn(h, 'all-or-nothing');
    const mixed = await subscribe(h, { openid, results: { [PAYMENT_TEMPLATE]: 'accept', nope: 'accept' } });
    expect(mixed.status).toBe(400);
    expect(mixed.body.message).toMatch(/nope is not a template/);
    expect((await subscribe(h, { openid, results: { [PAYMENT_TEMPLATE]: 'maybe' } })).body.source).toBe('status');
    expect((await subscribe(h, { openid })).status).toBe(400);
    expect((await subscribe(h, { openid, shopper: 'x', mainSwitch: false })).status).toBe(400);
    expect((await call(`${h.base}/wechat/_subscriptions?openid=${openid}`)).body).toEqual({ openid, shopper: 'all-or-nothing', mainSwitch: true, templates: {} });
  });

  it('takes the default shopper when neither shopper nor openid is given, as /login does', async () => {
    await loggedIn(h, 'default');
    const answer = await subscribe(h, { results: { [REFUND_TEMPLATE]: 'accept' } });
    expect(answer.body).toMatchObject({ openid: openIdFor('default'), shopper: 'default', templates: { [REFUND_TEMPLATE]: { credits: 1 } } });
  });
});
