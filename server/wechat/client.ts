// WeChat's jscode2session: trades a wx.login code for the shopper's openid. session_key is dropped here.
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { timed } from '../timing';

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
    try {
      const baseUrl = typeof this.options.baseUrl === 'function' ? this.options.baseUrl() : this.options.baseUrl;
      const response = await fetch(`${baseUrl}/sns/jscode2session?${query}`, {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      // WeChat has been seen answering JSON as text/plain: parse the text ourselves.
      body = JSON.parse(await response.text()) as Code2SessionBody;
    } catch (err) {
      // Never log the URL: it carries the app secret.
      this.options.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'jscode2session unreachable');
      throw new AppError('UPSTREAM_UNAVAILABLE', 'WeChat login service is unreachable; retry with a new wx.login code.');
    }
    const errcode = body.errcode ?? 0;
    if (errcode === 0 && typeof body.openid === 'string' && body.openid) {
      return body.unionid ? { openId: body.openid, unionId: body.unionid } : { openId: body.openid };
    }
    this.options.logger.warn({ errcode, errmsg: body.errmsg }, 'jscode2session refused the code');
    throw errorFor(errcode);
  }
}

function errorFor(errcode: number): AppError {
  switch (errcode) {
    case 40029:
    case 40163:
      return new AppError('WECHAT_CODE_INVALID');
    case 45011:
      return new AppError('WECHAT_RATE_LIMITED');
    case 40226:
      return new AppError('WECHAT_LOGIN_BLOCKED');
    case -1:
      return new AppError('UPSTREAM_UNAVAILABLE', 'WeChat is busy (errcode -1); retry with a new wx.login code.');
    case 40013:
    case 40125:
    case 41002:
    case 41004:
    case 41008:
      // Our configuration, not the shopper: WECHAT_APPID / WECHAT_APP_SECRET do not match.
      return new AppError('UPSTREAM_REJECTED', `WeChat rejected the server's mini program credentials (errcode ${errcode}); check WECHAT_APPID and WECHAT_APP_SECRET.`);
    default:
      return new AppError('UPSTREAM_REJECTED', `WeChat login failed (errcode ${errcode}).`);
  }
}
