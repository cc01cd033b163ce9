// The simulated WeChat access tokens over real HTTP: /cgi-bin/token and /cgi-bin/stable_token, their rotation with the clock,
// force_refresh limits, quotas, the IP allow-list, the switches, and the token check the other APIs make.
import { call, CREDENTIALS, startSimulator, type Harness } from './helpers';
import { basicToken, stableToken, switches, withRid } from './wechat-helpers';

let h: Harness;
let clock = Date.UTC(2026, 4, 12, 2, 0, 0);

beforeAll(async () => {
  h = await startSimulator({ now: () => clock, wechatPlatform: { quotas: { tokenPerDay: 5, forcedPerDay: 3, stablePerMinute: 50 } } });
});
afterAll(() => h.close());
// Every test starts a day later on the clock, with fresh daily quotas, and no switch on.
beforeEach(async () => {
  clock += 24 * 3600_000;
  await call(`${h.base}/wechat/_switches`, { method: 'DELETE' });
});

/** The errcode an API answers to this token (gettemplate: 0 when the token is good). */
async function use(token: string): Promise<number> {
  const answer = await call(`${h.base}/wechat/wxaapi/newtmpl/gettemplate?access_token=${encodeURIComponent(token)}`);
  expect(answer.status).toBe(200);
  return answer.body.errcode as number;
}

describe('GET /cgi-bin/token', () => {
  it('issues a new token of 7200 s at every call, like WeChat', async () => {
    const first = await basicToken(h);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ access_token: expect.stringMatching(/^\d{2}_[A-Za-z0-9_-]{150,}$/), expires_in: 7200 });
    const second = await basicToken(h);
    expect(second.body.access_token).not.toBe(first.body.access_token);
  });

  it('keeps the previous token usable for 300 s, and kills the ones before it at once', async () => {
    const a = (await basicToken(h)).body.access_token as string;
    const b = (await basicToken(h)).body.access_token as string;
    expect(await use(a)).toBe(0);
    clock += 299_000;
    expect(await use(a)).toBe(0);
    clock += 1_000;
    expect(await use(a)).toBe(40001);
    expect(await use(b)).toBe(0);
    const c = (await basicToken(h)).body.access_token as string;
    const d = (await basicToken(h)).body.access_token as string;
    // b was superseded twice: dead now; c lives 300 s more; d is current.
    expect([await use(b), await use(c), await use(d)]).toEqual([40001, 0, 0]);
  });

  it('answers 42001 once a token outlived its 7200 s', async () => {
    const a = (await basicToken(h)).body.access_token as string;
    clock += 7199_000;
    expect(await use(a)).toBe(0);
    clock += 1_000;
    expect(await use(a)).toBe(42001);
  });

  it('names the bad parameter: 40002, 41002, 41004, 40013, 40125, each with a rid', async () => {
    const cases: Array<[Record<string, string | undefined>, number, string]> = [
      [{ grant_type: 'authorization_code' }, 40002, 'invalid grant_type'],
      [{ appid: undefined }, 41002, 'appid missing'],
      [{ secret: undefined }, 41004, 'appsecret missing'],
      [{ appid: 'wx0000000000000000' }, 40013, 'invalid appid'],
      [{ secret: 'not-the-secret' }, 40125, 'invalid appsecret'],
    ];
    for (const [params, errcode, text] of cases) {
      const answer = await basicToken(h, params);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ errcode, errmsg: expect.stringMatching(withRid(text)) });
    }
  });

  it('answers 45009 once the daily quota is used, until midnight in Beijing', async () => {
    clock = Date.UTC(2026, 6, 1, 15, 0, 0); // 23:00 in Beijing
    for (let i = 0; i < 5; i++) expect((await basicToken(h)).body.expires_in).toBe(7200);
    expect((await basicToken(h)).body).toEqual({ errcode: 45009, errmsg: expect.stringMatching(withRid('reach max api daily quota limit')) });
    clock = Date.UTC(2026, 6, 1, 16, 0, 0); // midnight in Beijing
    expect((await basicToken(h)).body.expires_in).toBe(7200);
  });
});

describe('POST /cgi-bin/stable_token', () => {
  it('answers the same token while it has more than 300 s left, with its remaining life', async () => {
    const first = await stableToken(h);
    expect(first.body).toEqual({ access_token: expect.stringMatching(/^\d{2}_[A-Za-z0-9_-]{150,}$/), expires_in: 7200 });
    clock += 1000_500;
    const again = await stableToken(h);
    expect(again.body).toEqual({ access_token: first.body.access_token, expires_in: 6199 });
  });

  it('renews in the last 300 s, the old token living out its life beside the new one', async () => {
    const old = (await stableToken(h)).body.access_token as string;
    clock += 6899_000;
    expect((await stableToken(h)).body).toEqual({ access_token: old, expires_in: 301 });
    clock += 1_000;
    const renewed = await stableToken(h);
    expect(renewed.body.access_token).not.toBe(old);
    expect(renewed.body.expires_in).toBe(7200);
    expect([await use(old), await use(renewed.body.access_token)]).toEqual([0, 0]);
    clock += 300_000;
    expect([await use(old), await use(renewed.body.access_token)]).toEqual([42001, 0]);
  });

  it('takes JSON only: a form body is answered 41002, as if it had no appid', async () => {
    const form = new URLSearchParams({ grant_type: 'client_credential', appid: CREDENTIALS.wechatAppId, secret: CREDENTIALS.wechatAppSecret });
    const response = await fetch(`${h.base}/wechat/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ errcode: 41002, errmsg: expect.stringMatching(withRid('appid missing')) });
    // JSON is read whatever the content type says.
    const asText = await call(`${h.base}/wechat/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: CREDENTIALS.wechatAppId, secret: CREDENTIALS.wechatAppSecret }),
    });
    expect(asText.body.expires_in).toBeGreaterThan(300);
  });

  it('checks its credentials like /cgi-bin/token', async () => {
    expect((await stableToken(h, { grant_type: undefined })).body.errcode).toBe(40002);
    expect((await stableToken(h, { appid: 'wx0000000000000000' })).body.errcode).toBe(40013);
    expect((await stableToken(h, { secret: 'nope' })).body.errcode).toBe(40125);
    expect((await stableToken(h, { secret: undefined })).body.errcode).toBe(41004);
  });

  it('force_refresh kills the current token at once; another within 30 s does not refresh', async () => {
    const old = (await stableToken(h)).body.access_token as string;
    const forced = await stableToken(h, { force_refresh: true });
    expect(forced.body.expires_in).toBe(7200);
    expect(forced.body.access_token).not.toBe(old);
    expect(await use(old)).toBe(40001);
    clock += 29_000;
    const tooSoon = await stableToken(h, { force_refresh: true });
    expect(tooSoon.body).toEqual({ access_token: forced.body.access_token, expires_in: 7171 });
    clock += 1_000;
    const refreshed = await stableToken(h, { force_refresh: true });
    expect(refreshed.body.access_token).not.toBe(forced.body.access_token);
    expect(await use(forced.body.access_token)).toBe(40001);
    expect(h.sim.stats().wechat.tokensIssued.forced).toBeGreaterThanOrEqual(2);
  });

  it('refuses force_refresh beyond its daily limit with 45009, normal mode still answering', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await stableToken(h, { force_refresh: true })).body.expires_in).toBe(7200);
      clock += 30_000;
    }
    expect((await stableToken(h, { force_refresh: true })).body.errcode).toBe(45009);
    expect((await stableToken(h)).body.expires_in).toBeGreaterThan(300);
  });

  it('answers 45011 beyond its per-minute limit', async () => {
    clock = Math.ceil(clock / 60_000) * 60_000;
    const answers = await Promise.all(Array.from({ length: 51 }, () => stableToken(h)));
    expect(answers.filter((a) => a.body.errcode === 45011)).toHaveLength(1);
    clock += 60_000;
    expect((await stableToken(h)).body.errcode).toBeUndefined();
  });
});

describe('the two kinds of token', () => {
  it('are independent: fetching or forcing one never invalidates the other', async () => {
    const stable = (await stableToken(h)).body.access_token as string;
    const basic = (await basicToken(h)).body.access_token as string;
    await basicToken(h);
    await basicToken(h);
    expect(await use(stable)).toBe(0);
    await stableToken(h, { force_refresh: true });
    expect(await use(basic)).toBe(40001); // superseded twice by /cgi-bin/token, not by the stable refresh
    const latest = (await basicToken(h)).body.access_token as string;
    await stableToken(h, { force_refresh: true });
    expect(await use(latest)).toBe(0);
  });

  it('are counted per kind in the stats: two callers of stable_token share one token', async () => {
    h.sim.resetStats();
    const [a, b] = await Promise.all([stableToken(h, {}), stableToken(h, {})]);
    expect(a.body.access_token).toBe(b.body.access_token);
    await basicToken(h);
    const { apis, tokensIssued } = h.sim.stats().wechat;
    expect(apis.stable_token).toEqual({ calls: 2, errcodes: { '0': 2 } });
    expect(apis.token).toEqual({ calls: 1, errcodes: { '0': 1 } });
    // A day passed since the last test: the old stable token is dead, and one new one was minted for both.
    expect(tokensIssued).toEqual({ token: 1, stable_token: 1, forced: 0 });
  });
});

describe('the token check of the other APIs', () => {
  it('answers 41001 without a token, 40014 to a malformed one, 40001 to an unknown one', async () => {
    expect((await call(`${h.base}/wechat/wxaapi/newtmpl/gettemplate`)).body).toEqual({ errcode: 41001, errmsg: expect.stringMatching(withRid('access_token missing')) });
    expect(await use('not a token!')).toBe(40014);
    const unknown = await call(`${h.base}/wechat/wxaapi/newtmpl/gettemplate?access_token=86_${'A'.repeat(150)}`);
    expect(unknown.body).toEqual({
      errcode: 40001,
      errmsg: expect.stringMatching(/^invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken, .* rid: /),
    });
  });
});

describe('switches', () => {
  it('the IP allow-list answers 40164 with the address WeChat saw, in its message shape', async () => {
    expect((await switches(h, { allowedIps: ['10.1.2.3', '192.168.0.0/16'] })).status).toBe(200);
    for (const answer of [await basicToken(h), await stableToken(h)]) {
      expect(answer.body).toEqual({ errcode: 40164, errmsg: expect.stringMatching(withRid('invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist')) });
    }
    // Checked after the credentials: a wrong secret is still 40125.
    expect((await basicToken(h, { secret: 'nope' })).body.errcode).toBe(40125);
    await switches(h, { allowedIps: ['127.0.0.0/8'] });
    expect((await basicToken(h)).body.expires_in).toBe(7200);
    const bad = await switches(h, { allowedIps: ['1.2.3'] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/"1\.2\.3" is not an IP address/);
  });

  it('an allow-list given at start applies until the switches are reset to it', async () => {
    const strict = await startSimulator({ wechatPlatform: { allowedIps: ['203.0.113.7'] } });
    try {
      expect((await basicToken(strict)).body.errcode).toBe(40164);
      await switches(strict, { allowedIps: null });
      expect((await basicToken(strict)).body.expires_in).toBe(7200);
      await call(`${strict.base}/wechat/_switches`, { method: 'DELETE' });
      expect((await stableToken(strict)).body.errcode).toBe(40164);
    } finally {
      await strict.close();
    }
  });

  it('-1 system error replaces the answer, and nothing is issued', async () => {
    h.sim.resetStats();
    await switches(h, { systemErrorRate: 1 });
    expect((await stableToken(h)).body).toEqual({ errcode: -1, errmsg: expect.stringMatching(withRid('system error')) });
    expect((await basicToken(h)).body.errcode).toBe(-1);
    expect(h.sim.stats().wechat.tokensIssued).toEqual({ token: 0, stable_token: 0, forced: 0 });
    expect(h.sim.stats().wechat.apis.stable_token.errcodes).toEqual({ '-1': 1 });
  });

  it('45009 per API, as if its daily quota were used up', async () => {
    await switches(h, { quotaReached: ['stable_token'] });
    expect((await stableToken(h)).body.errcode).toBe(45009);
    expect((await basicToken(h)).body.expires_in).toBe(7200);
    expect((await switches(h, { quotaReached: ['jscode2session'] })).status).toBe(400);
  });

  it('"expire tokens" ends every token now: 42001 at its next use, and stable_token then issues a new one', async () => {
    const stable = (await stableToken(h)).body.access_token as string;
    const basic = (await basicToken(h)).body.access_token as string;
    const expired = await call(`${h.base}/wechat/_tokens/expire`, { method: 'POST' });
    expect(expired.body.expired).toBeGreaterThanOrEqual(2);
    expect([await use(stable), await use(basic)]).toEqual([42001, 42001]);
    const fresh = await stableToken(h);
    expect(fresh.body.access_token).not.toBe(stable);
    expect(await use(fresh.body.access_token)).toBe(0);
  });

  it('refuses an unknown switch, changing nothing', async () => {
    const answer = await switches(h, { systemErrorRate: 1, allowedIps: 'everyone' });
    expect(answer.status).toBe(400);
    expect((await call(`${h.base}/wechat/_switches`)).body).toEqual({ systemErrorRate: 0, quotaReached: [], allowedIps: null });
  });
});
