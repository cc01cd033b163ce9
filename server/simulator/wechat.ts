// The simulated WeChat login side: wx.login codes (minted by the control route) and jscode2session.
import { createHash, randomBytes } from 'node:crypto';
import { randomMixed, wechatRid } from './format';
import type { SimulatorStore } from './store';

/** The shopper a code belongs to when nobody said otherwise (also DevTools' tourist-mode codes). */
export const DEFAULT_SHOPPER = 'default';
/** wx.login codes are valid for 5 minutes (docs/reference/wechat.md §A1). */
export const CODE_LIFETIME_MS = 5 * 60_000;

/** Codes we mint look like real 32-character wx.login codes, with a prefix so we can tell them apart. */
const MINTED_CODE = /^sim[0-9A-Za-z]{29}$/;

/** The stable openid of a test shopper: 28 characters starting with "o", like real openids. */
export function openIdFor(shopper: string): string {
  return `o${createHash('sha256').update(shopper).digest('base64url').slice(0, 27)}`;
}

export interface WechatOptions {
  store: SimulatorStore;
  now: () => number;
  appId: string;
  appSecret: string;
  /** True when this call should be answered with the "system error" fault. */
  busy: () => boolean;
  /**
   * Take a code we never minted (DevTools' tourist-mode wx.login) as the default shopper. Only
   * for development without real WeChat credentials: otherwise every unknown code would become
   * the same shopper, and everyone would see everyone's orders.
   */
  acceptUnknownCodes: boolean;
  /** Told of every successful login, so the rest of the simulated WeChat knows the shopper's openid. */
  onLogin?: (openId: string, shopper: string) => void;
}

export type Jscode2SessionAnswer = { openid: string; session_key: string } | { errcode: number; errmsg: string };

export class WechatLogin {
  constructor(private readonly opts: WechatOptions) {}

  /** What wx.login returns for `shopper`: a fresh, single-use code valid for 5 minutes. */
  mintCode(shopper: string): string {
    const code = `sim${randomMixed(29)}`;
    this.opts.store.putCode({ code, shopper, createdMs: this.opts.now(), used: false, minted: true });
    return code;
  }

  /** GET /sns/jscode2session, answered like WeChat: always a JSON body, errors as errcode/errmsg. */
  jscode2session(query: Record<string, unknown>): Jscode2SessionAnswer {
    const param = (key: string): string | undefined => (typeof query[key] === 'string' && query[key] !== '' ? (query[key] as string) : undefined);
    const appId = param('appid');
    const secret = param('secret');
    const code = param('js_code');
    const error = (errcode: number, text: string): Jscode2SessionAnswer => ({ errcode, errmsg: `${text}, rid: ${wechatRid()}` });

    // Order of checks as WeChat reports them: missing parameters, then credentials, then the code.
    if (!appId) return error(41002, 'appid missing');
    if (!secret) return error(41004, 'appsecret missing');
    if (!code) return error(41008, 'missing code');
    if (appId !== this.opts.appId) return error(40013, 'invalid appid');
    if (secret !== this.opts.appSecret) return error(40125, 'invalid appsecret');
    if (param('grant_type') !== 'authorization_code') return error(40002, 'invalid grant_type');

    const record = this.opts.store.getCode(code);
    let shopper: string;
    if (record) {
      if (record.used) return error(40163, 'code been used');
      if (this.opts.now() - record.createdMs > CODE_LIFETIME_MS) return error(40029, 'invalid code');
      shopper = record.shopper;
      this.opts.store.putCode({ ...record, used: true });
    } else {
      // Looks like ours but we never minted it (or a previous database): WeChat would not know it either.
      if (!this.opts.acceptUnknownCodes || MINTED_CODE.test(code) || code.length > 128) return error(40029, 'invalid code');
      // DevTools' tourist-mode wx.login returns codes we never saw: accept each once, as the default shopper.
      shopper = DEFAULT_SHOPPER;
      this.opts.store.putCode({ code, shopper, createdMs: this.opts.now(), used: true, minted: false });
    }
    // Checked after the code is spent: WeChat's advice is that a retry after -1 needs a new code.
    if (this.opts.busy()) return { errcode: -1, errmsg: 'system error' };
    this.opts.onLogin?.(openIdFor(shopper), shopper);
    return { openid: openIdFor(shopper), session_key: randomBytes(16).toString('base64') };
  }
}
