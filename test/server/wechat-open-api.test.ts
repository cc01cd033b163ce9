// The WeChat adapter for tokens and subscription messages over real HTTP against the simulator: answers, every errcode as a typed
// error that says what to fix, the token retry, the template check, and logs that never carry a secret or a token.
import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from '../../server/logger';
import { WechatError, WechatTokenError, splitErrmsg } from '../../server/wechat/errors';
import { WechatOpenApi, withTokenRetry, type WechatOpenApiOptions } from '../../server/wechat/open-api';
import { checkTemplates } from '../../server/wechat/templates';
import { call, CREDENTIALS, startSimulator, type Harness } from './simulator/helpers';
import { loggedIn, PAYMENT_TEMPLATE, REFUND_TEMPLATE, subscribe, switches } from './simulator/wechat-helpers';

let h: Harness;
let clock = Date.UTC(2026, 4, 12, 2, 0, 0);
const lines: string[] = [];
const logger = pino(loggerOptions('debug'), new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));

const api = (options: Partial<WechatOpenApiOptions> = {}) =>
  new WechatOpenApi({ baseUrl: `${h.base}/wechat`, appId: CREDENTIALS.wechatAppId, appSecret: CREDENTIALS.wechatAppSecret, logger, now: () => clock, ...options });

const data = { character_string1: 'ORD1', amount2: '¥12.50', thing3: '乌龙茶', time4: '2026年5月12日 14:05' };

beforeAll(async () => {
  h = await startSimulator({ now: () => clock });
});
afterAll(() => h.close());
afterEach(async () => {
  await call(`${h.base}/wechat/_switches`, { method: 'DELETE' });
  clock += 24 * 3600_000;
});

/** The rejection of `promise`, which must be a WechatError. */
async function failure(promise: Promise<unknown>): Promise<WechatError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WechatError);
  return error as WechatError;
}

describe('stableToken', () => {
  it('answers the shared token and when it expires; forceRefresh replaces it', async () => {
    const first = await api().stableToken();
    expect(first).toEqual({ accessToken: expect.stringMatching(/^\d{2}_/), expiresAt: clock + 7200_000 });
    clock += 60_000;
    expect(await api().stableToken()).toEqual({ accessToken: first.accessToken, expiresAt: first.expiresAt });
    const forced = await api().stableToken({ forceRefresh: true });
    expect(forced.accessToken).not.toBe(first.accessToken);
    expect(forced.expiresAt).toBe(clock + 7200_000);
  });

  it('names what to fix for each credential error', async () => {
    const cases: Array<[Partial<WechatOpenApiOptions>, number, RegExp]> = [
      [{ appSecret: 'wrong' }, 40125, /^the app secret is wrong \(40125\): WECHAT_APP_SECRET/],
      [{ appId: 'wx0000000000000000' }, 40013, /^invalid appid \(40013\): WECHAT_APPID .* Development → Development settings/],
      [{ appId: '' }, 41002, /^the AppID is missing \(41002\): set WECHAT_APPID/],
      [{ appSecret: '' }, 41004, /^the app secret is missing \(41004\)/],
    ];
    for (const [options, errcode, message] of cases) {
      const error = await failure(api(options).stableToken());
      expect([errcode, error.kind, error.errcode, error.message]).toEqual([errcode, 'credentials', errcode, expect.stringMatching(message)]);
      expect(error.rid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
    }
  });

  it('says which address to add to the IP allow-list (40164)', async () => {
    await switches(h, { allowedIps: ['203.0.113.7'] });
    const error = await failure(api().stableToken());
    expect(error.kind).toBe('ip_not_allowed');
    expect(error.message).toBe(
      "this server's IP is not on the mini program's IP allow-list (40164): add 127.0.0.1 in the MP console (mp.weixin.qq.com) → Development → Development settings → IP allow-list",
    );
  });

  it('tells busy (-1, retryable) from quota (45009, not retryable)', async () => {
    await switches(h, { systemErrorRate: 1 });
    const busy = await failure(api().stableToken());
    expect([busy.kind, busy.errcode, busy.retryable]).toEqual(['busy', -1, true]);
    await switches(h, { systemErrorRate: 0, quotaReached: ['stable_token'] });
    const quota = await failure(api().stableToken());
    expect([quota.kind, quota.errcode, quota.retryable, quota.message]).toEqual(['quota', 45009, false, expect.stringMatching(/daily quota for stable_token .*midnight/)]);
  });

  it('answers unreachable when WeChat cannot be reached or answers something else', async () => {
    const down = await failure(api({ baseUrl: 'http://127.0.0.1:9' }).stableToken());
    expect([down.kind, down.retryable]).toEqual(['unreachable', true]);
    const elsewhere = await failure(api({ baseUrl: `${h.base}/airwallex` }).stableToken());
    expect(elsewhere.kind).toBe('unreachable');
  });
});

describe('sendSubscribeMessage', () => {
  let openid: string;
  beforeAll(async () => {
    openid = await loggedIn(h, 'client-alice');
  });
  const accept = () => subscribe(h, { openid, results: { [PAYMENT_TEMPLATE]: 'accept' } });

  it('sends, and keeps the 64-bit msgid exact (the simulator logged the same)', async () => {
    await accept();
    const { accessToken } = await api().stableToken();
    const sent = await api().sendSubscribeMessage({ accessToken, toUser: openid, templateId: PAYMENT_TEMPLATE, data, page: 'pages/orders/orders', miniprogramState: 'developer', lang: 'zh_CN' });
    const logged = (await call(`${h.base}/wechat/_messages?openid=${openid}`)).body.items.at(-1);
    expect(sent.msgid).toBe(logged.msgid);
    expect(BigInt(sent.msgid) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(logged).toMatchObject({ page: 'pages/orders/orders', miniprogram_state: 'developer', lang: 'zh_CN', data: { thing3: { value: '乌龙茶' } } });
  });

  it('maps each refusal to its kind, with the key for 47003', async () => {
    await accept();
    const { accessToken } = await api().stableToken();
    const base = { accessToken, toUser: openid, templateId: PAYMENT_TEMPLATE, data };
    const cases: Array<[object, string, number, RegExp]> = [
      [{ toUser: 'oNotAShopperOfThisAppAtAll00' }, 'recipient', 40003, /openid is not a user of this mini program/],
      [{ templateId: REFUND_TEMPLATE.replace(/^./, 'x') }, 'template', 40037, /template id is not one of this mini program's/],
      [{ data: { ...data, thing3: '一二三四五六七八九十一二三四五六七八九十一' } }, 'data', 47003, /^data\.thing3 breaks the rule of thing keys: at most 20 characters \(47003\)$/],
      [{ data: { ...data, time4: '' } }, 'data', 47003, /^data\.time4 is empty or missing \(47003\)$/],
      [{ page: '/pages/shop/shop' }, 'page', 41030, /without a leading \//],
      [{ templateId: REFUND_TEMPLATE, data: { ...data, phrase5: '已退款' } }, 'not_subscribed', 43101, /do not retry/],
    ];
    for (const [change, kind, errcode, message] of cases) {
      const error = await failure(api().sendSubscribeMessage({ ...base, ...change }));
      expect([kind, error.kind, error.errcode, error.message]).toEqual([kind, kind, errcode, expect.stringMatching(message)]);
    }
    const keyed = await failure(api().sendSubscribeMessage({ ...base, data: { ...data, amount2: '12.50 CNY' } }));
    expect(keyed.key).toBe('amount2');
  });

  it('raises a WechatTokenError for 40001, 40014 and 42001', async () => {
    const stale = (await api().stableToken()).accessToken;
    await api().stableToken({ forceRefresh: true });
    const message = (accessToken: string) => api().sendSubscribeMessage({ accessToken, toUser: openid, templateId: PAYMENT_TEMPLATE, data });
    const notLatest = await failure(message(stale));
    expect(notLatest).toBeInstanceOf(WechatTokenError);
    expect([notLatest.kind, notLatest.errcode]).toEqual(['token', 40001]);
    expect((await failure(message('short'))).errcode).toBe(40014);
    const current = (await api().stableToken()).accessToken;
    clock += 7200_000;
    const expired = await failure(message(current));
    expect([expired instanceof WechatTokenError, expired.errcode]).toEqual([true, 42001]);
  });
});

describe('withTokenRetry', () => {
  it('gets a token again and retries once when another instance forced a refresh', async () => {
    const openid = await loggedIn(h, 'retry-bob');
    await subscribe(h, { openid, results: { [PAYMENT_TEMPLATE]: 'accept' } });
    const cached = (await api().stableToken()).accessToken;
    await api().stableToken({ forceRefresh: true }); // another instance, after a leak
    const asked: Array<string | undefined> = [];
    const token = async (stale?: string) => {
      asked.push(stale);
      return stale === undefined ? cached : (await api().stableToken()).accessToken;
    };
    const sent = await withTokenRetry(token, (accessToken) => api().sendSubscribeMessage({ accessToken, toUser: openid, templateId: PAYMENT_TEMPLATE, data }));
    expect(sent.msgid).toMatch(/^\d{19}$/);
    expect(asked).toEqual([undefined, cached]);
  });

  it('retries only once, and never on other errors', async () => {
    let calls = 0;
    const always = async () => {
      calls++;
      throw new WechatTokenError('send', 'stale', 40001);
    };
    await expect(withTokenRetry(async () => 't', always)).rejects.toBeInstanceOf(WechatTokenError);
    expect(calls).toBe(2);
    calls = 0;
    const other = async () => {
      calls++;
      throw new WechatError('not_subscribed', 'send', 'no', 43101);
    };
    await expect(withTokenRetry(async () => 't', other)).rejects.toMatchObject({ errcode: 43101 });
    expect(calls).toBe(1);
  });
});

describe('getTemplates and checkTemplates', () => {
  it('lists the templates with their keys, and checks the configured ones (the go-live doctor)', async () => {
    const { accessToken } = await api().stableToken();
    const templates = await api().getTemplates(accessToken);
    expect(templates.map((t) => [t.title, t.type, t.keys])).toEqual([
      ['支付成功通知', 2, ['character_string1', 'amount2', 'thing3', 'time4']],
      ['退款成功通知', 2, ['character_string1', 'amount2', 'thing3', 'time4', 'phrase5']],
    ]);
    const payment = { name: 'paymentSucceeded', templateId: PAYMENT_TEMPLATE, keys: ['character_string1', 'amount2', 'thing3', 'time4'] };
    expect(checkTemplates(templates, [payment])).toEqual([]);
    const longTerm = await call(`${h.base}/wechat/_templates`, { method: 'POST', body: { title: '长期', type: 3, content: '{{thing1.DATA}}' } });
    const problems = checkTemplates(await api().getTemplates(accessToken), [
      { name: 'refundSucceeded', templateId: REFUND_TEMPLATE, keys: ['character_string1', 'amount2', 'thing3', 'time9'] },
      { name: 'gone', templateId: 'nope', keys: [] },
      { name: 'longTerm', templateId: longTerm.body.priTmplId, keys: ['thing1'] },
      payment,
    ]);
    expect(problems.map((p) => [p.name, p.problem])).toEqual([
      ['refundSucceeded', 'keys_differ'],
      ['gone', 'missing'],
      ['longTerm', 'not_one_time'],
    ]);
    expect(problems[0].message).toMatch(/the template also needs time4, phrase5; the template has no time9$/);
  });
});

describe('errmsg and logs', () => {
  it('splits the rid off both of WeChat\'s errmsg shapes', () => {
    expect(splitErrmsg('invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist rid: 60196b9b-4c5ba79c-066b49c8')).toEqual({
      text: 'invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist',
      rid: '60196b9b-4c5ba79c-066b49c8',
    });
    expect(splitErrmsg('invalid code, rid: 6475d64d-0b5f2a47-2b0d3b12')).toEqual({ text: 'invalid code', rid: '6475d64d-0b5f2a47-2b0d3b12' });
    expect(splitErrmsg('system error')).toEqual({ text: 'system error' });
  });

  it('never log the app secret or a token', async () => {
    const { accessToken } = await api().stableToken();
    await failure(api().sendSubscribeMessage({ accessToken, toUser: 'oNobody', templateId: PAYMENT_TEMPLATE, data }));
    await failure(api({ appSecret: 'a-wrong-secret-value' }).stableToken());
    const text = lines.join('');
    expect(text).toMatch(/WeChat refused the call/);
    for (const secret of [CREDENTIALS.wechatAppSecret, 'a-wrong-secret-value', accessToken]) expect(text).not.toContain(secret);
  });
});
