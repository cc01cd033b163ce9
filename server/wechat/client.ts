// WeChat's jscode2session: trades a wx.login code for the shopper's openid. session_key is dropped here. Its refusals are
// the adapter's own WechatError (errors.ts), as the other WeChat APIs' are.
import { request } from 'undici';
import type { Logger } from '../logger';
import { timed } from '../timing';
import { WechatError, type WechatErrorKind } from './errors';
import { WECHAT_POOL } from './http';
import { deadline } from '../deadline';

export interface WechatClientOptions {
  /** https://api.weixin.qq.com, or a getter for the embedded simulator's /simulator/wechat. */
  baseUrl: string | (() => string);
  appId: string;
  appSecret: string;
  timeoutMs?: number;
  logger: Logger;
}

export interface WechatIdentity {
  openId: string;
  unionId?: string;
}

interface Code2SessionBody {
  openid?: string;
  session_key?: string;
  unionid?: string;
  errcode?: number;
  errmsg?: string;
}

export class WechatClient {
  constructor(private readonly options: WechatClientOptions) {}

  /** One call, never retried: a code works once, so a retry needs a new wx.login. */
  async code2Session(code: string): Promise<WechatIdentity> {
    return timed('upstream', () => this.exchange(code));
  }

  private async exchange(code: string): Promise<WechatIdentity> {
    const query = new URLSearchParams({
      appid: this.options.appId,
      secret: this.options.appSecret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    let body: Code2SessionBody;
    const limit = deadline(this.options.timeoutMs ?? 5_000);
    try {
      const baseUrl = typeof this.options.baseUrl === 'function' ? this.options.baseUrl() : this.options.baseUrl;
      const response = await request(`${baseUrl}/sns/jscode2session?${query}`, {
        dispatcher: WECHAT_POOL,
        signal: limit.signal,
      });
      // WeChat has been seen answering JSON as text/plain: parse the text ourselves.
      const text = await response.body.text();
      if (response.statusCode < 200 || response.statusCode > 299) throw new Error(`HTTP ${response.statusCode}`);
      body = JSON.parse(text) as Code2SessionBody;
    } catch (err) {
      // Never log the URL: it carries the app secret.
      this.options.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'jscode2session unreachable');
      throw new WechatError('unreachable', 'jscode2session', 'WeChat login service is unreachable; retry with a new wx.login code.');
    } finally {
      limit.clear();
    }
    const errcode = body.errcode ?? 0;
    if (errcode === 0 && typeof body.openid === 'string' && body.openid) {
      return body.unionid ? { openId: body.openid, unionId: body.unionid } : { openId: body.openid };
    }
    this.options.logger.warn({ errcode, errmsg: body.errmsg }, 'jscode2session refused the code');
    throw errorFor(errcode);
  }
}

/** jscode2session's errcodes as the adapter's errors, each message saying what to do. */
function errorFor(errcode: number): WechatError {
  const error = (kind: WechatErrorKind, message: string) => new WechatError(kind, 'jscode2session', message, errcode);
  switch (errcode) {
    case 40029:
    case 40163:
      return error('code', `The wx.login code is invalid, expired or already used (errcode ${errcode}): call wx.login again.`);
    case 45011:
      return error('quota', 'WeChat login is rate limited (errcode 45011); retry in a minute with a new code.');
    case 40226:
      return error('login_blocked', 'WeChat blocked this login (risk control, errcode 40226).');
    case -1:
      return error('busy', 'WeChat is busy (errcode -1); retry with a new wx.login code.');
    case 40013:
    case 40125:
    case 41002:
    case 41004:
    case 41008:
      // Our configuration, not the shopper: WECHAT_APPID / WECHAT_APP_SECRET do not match.
      return error('credentials', `WeChat rejected the server's mini program credentials (errcode ${errcode}); check WECHAT_APPID and WECHAT_APP_SECRET.`);
    default:
      return error('unknown', `WeChat login failed (errcode ${errcode}).`);
  }
}
