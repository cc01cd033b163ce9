// The simulated WeChat over real HTTP: jscode2session with its errcodes, and the shopper's pay/cancel/fail controls.
import { createVerify } from 'node:crypto';
import { openIdFor } from '../../../server/simulator';
import { paySignPublicKeyPem } from '../../../server/simulator/inferred';
import { airwallex, call, confirmIntent, createIntent, CREDENTIALS, login, shopper, startSimulator, type Harness } from './helpers';

let h: Harness;
let token: string;
let clock = Date.now();

beforeAll(async () => {
  h = await startSimulator({ now: () => clock });
  token = await login(h);
});
afterAll(() => h.close());
// Each test starts on the real time again, whatever an earlier one did to the clock.
beforeEach(() => {
  clock = Date.now();
});

async function mintCode(shopperName?: string): Promise<string> {
  const answer = await call(`${h.base}/wechat/login`, { method: 'POST', body: shopperName === undefined ? {} : { shopper: shopperName } });
  expect(answer.status).toBe(200);
  return answer.body.code as string;
}

function exchange(params: Record<string, string | undefined>) {
  const defaults = { appid: CREDENTIALS.wechatAppId, secret: CREDENTIALS.wechatAppSecret, grant_type: 'authorization_code' };
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...defaults, ...params })) if (value !== undefined) query.set(key, value);
  return call(`${h.base}/wechat/sns/jscode2session?${query.toString()}`);
}

describe('jscode2session', () => {
  it('exchanges a fresh code for the shopper\'s stable openid and a session_key', async () => {
    const answer = await exchange({ js_code: await mintCode('alice') });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ openid: openIdFor('alice'), session_key: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/) });
    expect(answer.body.errcode).toBeUndefined();
    expect(openIdFor('alice')).toMatch(/^o[\w-]{27}$/);
    const again = await exchange({ js_code: await mintCode('alice') });
    expect(again.body.openid).toBe(openIdFor('alice'));
  });

  it('gives the default shopper to a login without a name', async () => {
    const answer = await exchange({ js_code: await mintCode() });
    expect(answer.body.openid).toBe(openIdFor('default'));
  });

  it('answers 40163 to a code used twice', async () => {
    const code = await mintCode('bob');
    expect((await exchange({ js_code: code })).body.openid).toBe(openIdFor('bob'));
    const second = await exchange({ js_code: code });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ errcode: 40163, errmsg: expect.stringMatching(/^code been used, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/) });
  });

  it('accepts a code it never minted (DevTools tourist mode) once, as the default shopper', async () => {
    const first = await exchange({ js_code: '123456789' });
    expect(first.body.openid).toBe(openIdFor('default'));
    expect((await exchange({ js_code: '123456789' })).body.errcode).toBe(40163);
  });

  it('answers 40029 to a code that looks minted but is unknown', async () => {
    const answer = await exchange({ js_code: `sim${'A'.repeat(29)}` });
    expect(answer.body).toEqual({ errcode: 40029, errmsg: expect.stringMatching(/^invalid code, rid: /) });
  });

  it('answers 40029 to a code older than 5 minutes', async () => {
    const code = await mintCode('carol');
    clock += 5 * 60_000 + 1;
    const answer = await exchange({ js_code: code });
    expect(answer.body.errcode).toBe(40029);
  });

  it('answers 40013 for a wrong appid and 40125 for a wrong secret', async () => {
    const code = await mintCode();
    expect((await exchange({ js_code: code, appid: 'wxwrong' })).body.errcode).toBe(40013);
    expect((await exchange({ js_code: code, secret: 'wrong' })).body.errcode).toBe(40125);
    // Neither attempt spent the code.
    expect((await exchange({ js_code: code })).body.openid).toBe(openIdFor('default'));
  });

  it('answers 41002, 41004 and 41008 when appid, secret or code is missing', async () => {
    expect((await exchange({ js_code: 'x', appid: undefined })).body.errcode).toBe(41002);
    expect((await exchange({ js_code: 'x', secret: undefined })).body.errcode).toBe(41004);
    expect((await exchange({})).body.errcode).toBe(41008);
  });

  it('answers errcode -1 system error under the busy fault', async () => {
    h.sim.setFaults({ wechatBusyRate: 1 });
    try {
      const answer = await exchange({ js_code: await mintCode() });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ errcode: -1, errmsg: 'system error' });
    } finally {
      h.sim.resetFaults();
    }
  });
});

describe('shopper controls', () => {
  async function confirmed(): Promise<{ id: string; pkg: string; data: Record<string, string> }> {
    const created = await createIntent(h, token);
    const answer = await confirmIntent(h, token, created.body.id);
    return { id: created.body.id, pkg: answer.body.next_action.data.package, data: answer.body.next_action.data };
  }
  const retrieve = async (id: string) => (await airwallex(h, token, 'GET', `/api/v1/pa/payment_intents/${id}`)).body;

  it('signs the call_sdk data with RSA-SHA256 over the four WeChat Pay v3 lines', async () => {
    const { data } = await confirmed();
    const message = `${data.appId}\n${data.timeStamp}\n${data.nonceStr}\n${data.package}\n`;
    expect(createVerify('RSA-SHA256').update(message).verify(paySignPublicKeyPem(), data.paySign, 'base64')).toBe(true);
  });

  it('pays: requestPayment:ok, the intent succeeds and its attempt is settled', async () => {
    const { id, pkg } = await confirmed();
    expect((await shopper(h, pkg, 'pay')).body).toEqual({ errMsg: 'requestPayment:ok' });
    const intent = await retrieve(id);
    expect(intent).toMatchObject({ status: 'SUCCEEDED', captured_amount: 12.5 });
    expect(intent.latest_payment_attempt).toMatchObject({ status: 'SETTLED', captured_amount: 12.5 });
    expect(intent.next_action).toBeUndefined();
    expect((await shopper(h, pkg, 'pay')).body.errMsg).toBe('requestPayment:fail the order has already been paid');
  });

  it('cancels: requestPayment:fail cancel and the intent keeps waiting for the shopper', async () => {
    const { id, pkg } = await confirmed();
    const before = await retrieve(id);
    expect((await shopper(h, pkg, 'cancel')).body).toEqual({ errMsg: 'requestPayment:fail cancel' });
    expect(await retrieve(id)).toEqual(before);
    // The sheet can be opened again with the same package.
    expect((await shopper(h, pkg, 'pay')).body.errMsg).toBe('requestPayment:ok');
  });

  it('fails: the attempt fails and the intent goes back to REQUIRES_PAYMENT_METHOD, ready for a new confirm', async () => {
    const { id, pkg } = await confirmed();
    const answer = await shopper(h, pkg, 'fail');
    expect(answer.body.errMsg).toMatch(/^requestPayment:fail (?!cancel)/);
    const intent = await retrieve(id);
    expect(intent.status).toBe('REQUIRES_PAYMENT_METHOD');
    expect(intent.latest_payment_attempt).toMatchObject({ status: 'FAILED', failure_code: expect.any(String) });
    expect(intent.next_action).toBeUndefined();
    expect((await shopper(h, pkg, 'pay')).body.errMsg).toMatch(/^requestPayment:fail /);
    expect((await confirmIntent(h, token, id)).body.status).toBe('REQUIRES_CUSTOMER_ACTION');
  });

  it('answers a fail errMsg (still HTTP 200) for an unknown or cancelled package', async () => {
    const unknown = await shopper(h, 'prepay_id=wx_nope', 'pay');
    expect(unknown.status).toBe(200);
    expect(unknown.body.errMsg).toMatch(/^requestPayment:fail /);
    const { id, pkg } = await confirmed();
    await airwallex(h, token, 'POST', `/api/v1/pa/payment_intents/${id}/cancel`, { request_id: `cancel-${id}` });
    expect((await shopper(h, pkg, 'pay')).body.errMsg).toBe('requestPayment:fail the order is closed');
  });

  it('answers 400 with a clear message to a malformed control body', async () => {
    const noOutcome = await call(`${h.base}/wechat/pay`, { method: 'POST', body: { package: 'prepay_id=x' } });
    expect(noOutcome.status).toBe(400);
    expect(noOutcome.body).toMatchObject({ code: 'validation_error', source: 'outcome', message: expect.stringContaining('pay, cancel, fail') });
    expect((await call(`${h.base}/wechat/pay`, { method: 'POST', body: '[1,2]' })).status).toBe(400);
    expect((await call(`${h.base}/wechat/login`, { method: 'POST', body: { shopper: 42 } })).status).toBe(400);
  });
});
