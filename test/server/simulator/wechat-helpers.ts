// Test helpers for the simulated WeChat token and message APIs: logged-in shoppers, token calls, sends, subscription answers.
import { templateIdFor } from '../../../server/simulator';
import { call, CREDENTIALS, type Harness, type JsonAnswer } from './helpers';

export const PAYMENT_TEMPLATE = templateIdFor(CREDENTIALS.wechatAppId, 'paymentSucceeded');
export const REFUND_TEMPLATE = templateIdFor(CREDENTIALS.wechatAppId, 'refundSucceeded');

/** A shopper who opened the mini program: wx.login, then the server's jscode2session. Answers their openid. */
export async function loggedIn(h: Harness, shopper: string): Promise<string> {
  const { code } = (await call(`${h.base}/wechat/login`, { method: 'POST', body: { shopper } })).body as { code: string };
  const query = new URLSearchParams({ appid: CREDENTIALS.wechatAppId, secret: CREDENTIALS.wechatAppSecret, js_code: code, grant_type: 'authorization_code' });
  const answer = await call(`${h.base}/wechat/sns/jscode2session?${query}`);
  if (typeof answer.body.openid !== 'string') throw new Error(`login failed: ${JSON.stringify(answer.body)}`);
  return answer.body.openid as string;
}

/** GET /cgi-bin/token with the right credentials unless `params` says otherwise (undefined drops one). */
export function basicToken(h: Harness, params: Record<string, string | undefined> = {}): Promise<JsonAnswer> {
  const query = new URLSearchParams();
  const all = { grant_type: 'client_credential', appid: CREDENTIALS.wechatAppId, secret: CREDENTIALS.wechatAppSecret, ...params };
  for (const [key, value] of Object.entries(all)) if (value !== undefined) query.set(key, value);
  return call(`${h.base}/wechat/cgi-bin/token?${query}`);
}

/** POST /cgi-bin/stable_token as JSON, with the right credentials unless `fields` says otherwise. */
export function stableToken(h: Harness, fields: Record<string, unknown> = {}): Promise<JsonAnswer> {
  const body = { grant_type: 'client_credential', appid: CREDENTIALS.wechatAppId, secret: CREDENTIALS.wechatAppSecret, ...fields };
  for (const key of Object.keys(body)) if ((body as Record<string, unknown>)[key] === undefined) delete (body as Record<string, unknown>)[key];
  return call(`${h.base}/wechat/cgi-bin/stable_token`, { method: 'POST', body });
}

/** A valid stable token. */
export async function token(h: Harness): Promise<string> {
  const answer = await stableToken(h);
  if (typeof answer.body.access_token !== 'string') throw new Error(`no token: ${JSON.stringify(answer.body)}`);
  return answer.body.access_token as string;
}

/** POST /cgi-bin/message/subscribe/send; `raw` is the body text (msgid does not survive JSON.parse). */
export async function send(h: Harness, accessToken: string | undefined, body: unknown): Promise<JsonAnswer & { raw: string }> {
  const query = accessToken === undefined ? '' : `?access_token=${encodeURIComponent(accessToken)}`;
  const response = await fetch(`${h.base}/wechat/cgi-bin/message/subscribe/send${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const raw = await response.text();
  return { status: response.status, body: JSON.parse(raw), raw };
}

/** Valid data for the shipped "payment succeeded" template. */
export function paymentData(overrides: Record<string, string> = {}): Record<string, { value: string }> {
  const values = { character_string1: 'ORD20260512A1B2', amount2: '¥12.50', thing3: '乌龙茶 ×2，月饼', time4: '2026年5月12日 14:05', ...overrides };
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value }]));
}

/** The shopper's answers in the subscription panel (POST /simulator/wechat/_subscriptions). */
export function subscribe(h: Harness, body: Record<string, unknown>): Promise<JsonAnswer> {
  return call(`${h.base}/wechat/_subscriptions`, { method: 'POST', body });
}

export function switches(h: Harness, body: Record<string, unknown>): Promise<JsonAnswer> {
  return call(`${h.base}/wechat/_switches`, { method: 'POST', body });
}

/** errmsg as WeChat writes it: the text, a space, then ` rid: xxxxxxxx-xxxxxxxx-xxxxxxxx`. */
export const withRid = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$`);
