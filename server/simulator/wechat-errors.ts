// WeChat's error answer as the simulator gives it: HTTP 200, {errcode, errmsg}, the errmsg ending with " rid: …".
import { wechatRid } from './format';

/** Thrown by the simulated WeChat APIs; the route turns it into WeChat's error body. */
export class WechatFailure extends Error {
  constructor(
    readonly errcode: number,
    readonly text: string,
  ) {
    super(`${errcode} ${text}`);
    this.name = 'WechatFailure';
  }
}

export interface WechatErrorBody {
  errcode: number;
  errmsg: string;
}

/** `invalid appid rid: 6475d64d-0b5f2a47-2b0d3b12`: the rid follows after a space (docs/reference/wechat-subscribe-messages.md §2). */
export function wechatErrorBody(errcode: number, text: string): WechatErrorBody {
  return { errcode, errmsg: `${text} rid: ${wechatRid()}` };
}

/** The token errors every API shares (docs/reference/wechat-subscribe-messages.md §2). */
export const TOKEN_MISSING = (): WechatFailure => new WechatFailure(41001, 'access_token missing');
export const TOKEN_MALFORMED = (): WechatFailure => new WechatFailure(40014, 'invalid access_token');
export const TOKEN_NOT_LATEST = (): WechatFailure =>
  new WechatFailure(
    40001,
    'invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken, more details at https://mmbizurl.cn/s/JtxxFh33r',
  );
export const TOKEN_EXPIRED = (): WechatFailure => new WechatFailure(42001, 'access_token expired');
