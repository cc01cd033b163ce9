// The doctor's WeChat section: the AppID and app secret are valid and this machine may use them (cgi-bin/stable_token), and the subscription message templates fit what the server sends.
import pino from 'pino';
import { WechatError } from '../wechat/errors';
import { WechatOpenApi } from '../wechat/open-api';
import { checkTemplates, type ExpectedTemplate } from '../wechat/templates';
import { fail, ok, skip, type CheckResult, type DoctorContext } from './types';

const G = 'wechat' as const;

/** The subscription message templates the server is configured to send (WECHAT_TEMPLATE_*), with the keys it fills. */
export function configuredTemplates(ctx: DoctorContext): ExpectedTemplate[] {
  return Object.entries(ctx.config.notifications.templates).map(([name, setting]) => ({ name, templateId: setting.templateId, keys: Object.keys(setting.keys) }));
}

/** `templates`: the subscription message templates the server is configured to send; each is checked against gettemplate (one call). */
export async function wechatChecks(ctx: DoctorContext, templates: readonly ExpectedTemplate[] = []): Promise<CheckResult[]> {
  const { wechat } = ctx.config;
  const api = new WechatOpenApi({ baseUrl: wechat.baseUrl, appId: wechat.appId, appSecret: wechat.appSecret, timeoutMs: Math.min(wechat.timeoutMs, ctx.timeoutMs), logger: pino({ level: 'silent' }) });
  let accessToken: string;
  try {
    // Normal mode: answers the token every caller shares, so the running server's token is not replaced.
    const token = await api.stableToken();
    accessToken = token.accessToken;
  } catch (err) {
    return [credentialsFailure(wechat.appId, wechat.baseUrl, err), skip(G, 'wechat.templates', 'message templates', 'skipped: needs an access token first')];
  }
  const results = [ok(G, 'wechat.credentials', 'AppID and secret', `WECHAT_APPID ${wechat.appId} and WECHAT_APP_SECRET get an access token (stable_token), from this machine's address`)];
  results.push(await templatesCheck(api, accessToken, templates));
  return results;
}

const CONSOLE_DEV_SETTINGS = 'the MP console (mp.weixin.qq.com) → Development → Development settings';

function credentialsFailure(appId: string, baseUrl: string, err: unknown): CheckResult {
  const id = 'wechat.credentials';
  const title = 'AppID and secret';
  if (!(err instanceof WechatError)) throw err;
  // The adapter's message names the errcode (server/wechat/errors.ts); the fix says which setting to change.
  if (err.kind === 'unreachable') return fail(G, id, title, `WeChat at ${baseUrl} cannot be reached from here: ${err.message}`, 'check that this machine reaches it (DNS, firewall, an outgoing proxy) and WECHAT_BASE_URL');
  const fix =
    err.errcode === 40013 || err.errcode === 41002
      ? `set WECHAT_APPID to the AppID shown in ${CONSOLE_DEV_SETTINGS} (the same mini program as project.config.json)`
      : err.errcode === 40125 || err.errcode === 40243 || err.errcode === 41004
        ? `set WECHAT_APP_SECRET to this AppID's AppSecret and restart the server (${CONSOLE_DEV_SETTINGS} shows it only when reset, and a reset stops the old one at once)`
        : (afterColon(err.message) ?? 'try again in a minute');
  return fail(G, id, title, `stable_token for ${appId}: ${err.message}`, fix);
}

/** "what happened (errcode): what to do" → what to do. */
function afterColon(message: string): string | undefined {
  const at = message.indexOf('): ');
  return at < 0 ? undefined : message.slice(at + 3);
}

async function templatesCheck(api: WechatOpenApi, accessToken: string, expected: readonly ExpectedTemplate[]): Promise<CheckResult> {
  const id = 'wechat.templates';
  const title = 'message templates';
  if (expected.length === 0) return skip(G, id, title, 'skipped: no subscription message template is configured, so the server sends none');
  let listed;
  try {
    listed = await api.getTemplates(accessToken);
  } catch (err) {
    if (!(err instanceof WechatError)) throw err;
    return fail(G, id, title, `gettemplate: ${err.message}`, afterColon(err.message) ?? 'try again in a minute');
  }
  const problems = checkTemplates(listed, expected);
  if (problems.length === 0) return ok(G, id, title, `${expected.map((t) => t.name).join(', ')}: each listed, one-time, with the keys the server fills`);
  return fail(G, id, title, problems.map((p) => p.message).join(' | '), "change the template in the MP console → Features → Subscription messages, or the template id in the server's settings, as each problem says");
}
