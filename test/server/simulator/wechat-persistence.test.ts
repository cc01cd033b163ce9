// The simulated WeChat's tokens, quotas, users, accept credits, templates and sent messages survive a simulator restart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, startSimulator } from './helpers';
import { basicToken, loggedIn, PAYMENT_TEMPLATE, paymentData, send, stableToken, subscribe } from './wechat-helpers';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulator-wechat-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

it('keeps tokens, force_refresh and daily quotas, users, credits, templates and messages across a restart', async () => {
  const databasePath = path.join(dir, 'simulator.sqlite');
  let clock = Date.UTC(2026, 4, 12, 2, 0, 0);
  const options = { databasePath, now: () => clock, wechatPlatform: { quotas: { tokenPerDay: 2 } } };
  const first = await startSimulator(options);
  const stable = (await stableToken(first)).body.access_token as string;
  const basic = (await basicToken(first)).body.access_token as string;
  await stableToken(first, { force_refresh: true }); // kills `stable`
  const forced = (await stableToken(first)).body.access_token as string;
  const openid = await loggedIn(first, 'erin');
  await subscribe(first, { shopper: 'erin', results: { [PAYMENT_TEMPLATE]: 'accept' } });
  await subscribe(first, { shopper: 'erin', results: { [PAYMENT_TEMPLATE]: 'accept' } });
  expect((await send(first, forced, { touser: openid, template_id: PAYMENT_TEMPLATE, data: paymentData() })).body.errcode).toBe(0);
  const added = await call(`${first.base}/wechat/_templates`, { method: 'POST', body: { title: '发货通知', content: '单号:{{character_string1.DATA}}\n' } });
  const shipped = (await call(`${first.base}/wechat/_templates`)).body.data as Array<{ priTmplId: string }>;
  expect((await call(`${first.base}/wechat/_templates/${shipped[1].priTmplId}`, { method: 'DELETE' })).status).toBe(204);
  const messages = (await call(`${first.base}/wechat/_messages`)).body.items;
  await first.close();

  clock += 10_000;
  const second = await startSimulator(options);
  try {
    // The same stable token, its life counted on; the basic token still good; the killed one still dead.
    expect((await stableToken(second)).body).toEqual({ access_token: forced, expires_in: 7190 });
    const use = async (token: string) => (await call(`${second.base}/wechat/wxaapi/newtmpl/gettemplate?access_token=${token}`)).body.errcode;
    expect([await use(basic), await use(stable)]).toEqual([0, 40001]);
    // force_refresh still within its 30 s; the daily quota of /cgi-bin/token still counted (1 of 2 used).
    expect((await stableToken(second, { force_refresh: true })).body.access_token).toBe(forced);
    expect((await basicToken(second)).body.expires_in).toBe(7200);
    expect((await basicToken(second)).body.errcode).toBe(45009);
    // The shopper is still known, with one credit left; the message log is whole.
    expect((await call(`${second.base}/wechat/_subscriptions?shopper=erin`)).body.templates[PAYMENT_TEMPLATE].credits).toBe(1);
    expect((await send(second, forced, { touser: openid, template_id: PAYMENT_TEMPLATE, data: paymentData() })).body.errcode).toBe(0);
    const after = (await call(`${second.base}/wechat/_messages`)).body.items;
    expect(after.slice(0, 1)).toEqual(messages);
    expect(after).toHaveLength(2);
    // The added template is there, the deleted shipped one did not come back.
    expect((await call(`${second.base}/wechat/_templates`)).body.data.map((t: { priTmplId: string }) => t.priTmplId)).toEqual([
      shipped[0].priTmplId,
      added.body.priTmplId,
    ]);
  } finally {
    await second.close();
  }
});
