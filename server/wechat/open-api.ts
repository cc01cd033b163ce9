// WeChat's server APIs for subscription messages: the stable access token, subscribeMessage.send and gettemplate
// (docs/reference/wechat-subscribe-messages.md §2–§4). No caching here: the caller keeps one token per AppID.
import type { Logger } from '../logger';
import { WechatError, WechatTokenError } from './errors';
import { callWechat, type WechatHttpOptions } from './http';
import { templateKeys } from './templates';

export interface WechatOpenApiOptions {
  /** https://api.weixin.qq.com, or a getter for the embedded simulator's /simulator/wechat. */
  baseUrl: string | (() => string);
  appId: string;
  appSecret: string;
  timeoutMs?: number;
  logger: Logger;
  /** Clock for expiresAt, in ms (tests move it). */
  now?: () => number;
}

export interface AccessToken {
  accessToken: string;
  /** When WeChat stops taking it (epoch ms), counted from before the request: renew before. */
  expiresAt: number;
}

export type MiniprogramState = 'developer' | 'trial' | 'formal';
export type MessageLang = 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW';

export interface SubscribeMessage {
  accessToken: string;
  /** The shopper's openid (from jscode2session of this AppID). */
  toUser: string;
  /** The template's priTmplId. */
  templateId: string;
  /** The page a tap on the message opens ("pages/result/result?id=…"); omitted = none. */
  page?: string;
  /** key → value, each value valid for its key type (build them with message-values.ts). */
  data: Record<string, string>;
  /** Which version of the mini program the tap opens; WeChat's default is `formal`. */
  miniprogramState?: MiniprogramState;
  /** The language of the message's frame (labels stay the template's); WeChat's default is `zh_CN`. */
  lang?: MessageLang;
}

/** A template as gettemplate lists it, with the keys read from its content. */
export interface MessageTemplate {
  priTmplId: string;
  title: string;
  /** 2 = one-time, 3 = long-term. */
  type: number;
  content: string;
  example: string;
  /** `character_string1`, `amount2`, … in the order of `content`. */
  keys: string[];
  keywordEnumValueList?: Array<{ keywordCode: string; enumValueList: string[] }>;
}

export class WechatOpenApi {
  private readonly http: WechatHttpOptions;
  private readonly now: () => number;

  constructor(private readonly options: WechatOpenApiOptions) {
    this.http = { baseUrl: options.baseUrl, timeoutMs: options.timeoutMs ?? 5_000, logger: options.logger };
    this.now = options.now ?? Date.now;
  }

  /**
   * POST /cgi-bin/stable_token. Normal mode answers the token every caller shares; `forceRefresh`
   * kills it everywhere (only after a leak: 20 a day, and not within 30 s of the last).
   */
  async stableToken({ forceRefresh = false }: { forceRefresh?: boolean } = {}): Promise<AccessToken> {
    const asked = this.now();
    const { body } = await callWechat(this.http, 'stable_token', {
      method: 'POST',
      path: '/cgi-bin/stable_token',
      body: { grant_type: 'client_credential', appid: this.options.appId, secret: this.options.appSecret, force_refresh: forceRefresh },
    });
    if (typeof body.access_token !== 'string' || body.access_token === '' || typeof body.expires_in !== 'number' || body.expires_in <= 0) {
      throw new WechatError('unknown', 'stable_token', 'WeChat answered stable_token without a token and its lifetime');
    }
    return { accessToken: body.access_token, expiresAt: asked + body.expires_in * 1000 };
  }

  /** POST /cgi-bin/message/subscribe/send; resolves with WeChat's msgid (a 64-bit integer, as a string). */
  async sendSubscribeMessage(message: SubscribeMessage): Promise<{ msgid: string }> {
    const { text } = await callWechat(this.http, 'send', {
      method: 'POST',
      path: '/cgi-bin/message/subscribe/send',
      query: { access_token: message.accessToken },
      body: {
        touser: message.toUser,
        template_id: message.templateId,
        ...(message.page ? { page: message.page } : {}),
        data: Object.fromEntries(Object.entries(message.data).map(([key, value]) => [key, { value }])),
        ...(message.miniprogramState ? { miniprogram_state: message.miniprogramState } : {}),
        ...(message.lang ? { lang: message.lang } : {}),
      },
    });
    // From the text: JSON.parse would round 3395159288267931652 to 3395159288267931600.
    const msgid = /"msgid"\s*:\s*"?(\d+)/.exec(text)?.[1];
    if (!msgid) throw new WechatError('unknown', 'send', 'WeChat answered send without a msgid');
    return { msgid };
  }

  /** GET /wxaapi/newtmpl/gettemplate: the mini program's templates, with their keys. */
  async getTemplates(accessToken: string): Promise<MessageTemplate[]> {
    const { body } = await callWechat(this.http, 'gettemplate', { method: 'GET', path: '/wxaapi/newtmpl/gettemplate', query: { access_token: accessToken } });
    if (!Array.isArray(body.data)) throw new WechatError('unknown', 'gettemplate', 'WeChat answered gettemplate without a data list');
    return (body.data as Array<Record<string, unknown>>).map((t) => ({
      priTmplId: String(t.priTmplId ?? ''),
      title: String(t.title ?? ''),
      type: Number(t.type),
      content: String(t.content ?? ''),
      example: String(t.example ?? ''),
      keys: templateKeys(String(t.content ?? '')),
      ...(Array.isArray(t.keywordEnumValueList) ? { keywordEnumValueList: t.keywordEnumValueList as MessageTemplate['keywordEnumValueList'] } : {}),
    }));
  }
}

/**
 * Runs `call` with `token()`; when WeChat says the token is stale (40001 / 40014 / 42001), asks
 * `token(stale)` for another one (normal mode: the one every instance shares) and retries once
 * (docs/reference/wechat-subscribe-messages.md §2). Any other error, or a second token error, is thrown.
 */
export async function withTokenRetry<T>(token: (stale?: string) => Promise<string>, call: (accessToken: string) => Promise<T>): Promise<T> {
  const first = await token();
  try {
    return await call(first);
  } catch (err) {
    if (!(err instanceof WechatTokenError)) throw err;
    return call(await token(first));
  }
}
