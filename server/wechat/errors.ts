// The WeChat adapter's own errors: each errcode of jscode2session and of the token and message APIs as a typed error whose
// message says what to fix. Not the HTTP app's AppError: services/upstream-errors.ts maps them to app errors in one place,
// as it does the Airwallex adapter's (docs/reference/wechat-subscribe-messages.md §2–§3).

/** The WeChat APIs this adapter calls, as named in its errors and logs. */
export type WechatApi = 'jscode2session' | 'stable_token' | 'send' | 'gettemplate';

export type WechatErrorKind =
  /** 40001, 40014, 42001: get a token again (normal mode) and retry once. */
  | 'token'
  /** jscode2session 40029, 40163: the wx.login code is invalid, expired or used; the shopper's app logs in again. */
  | 'code'
  /** jscode2session 40226: WeChat's risk control blocked this login. */
  | 'login_blocked'
  /** 40013, 40125, 40243, 41002, 41004: the AppID or the app secret this server is configured with. */
  | 'credentials'
  /** 40164: this server's address is not on the mini program's IP allow-list. */
  | 'ip_not_allowed'
  /** 45009, 45011: a quota is used up. */
  | 'quota'
  /** -1: WeChat is busy; the same call may work later. */
  | 'busy'
  /** 40003: the openid is not a user of this mini program. */
  | 'recipient'
  /** 40037: the template id is not one of this mini program's. */
  | 'template'
  /** 47003: a data value breaks its key's rule (`key` names it). */
  | 'data'
  /** 41030: the page is not in the released mini program. */
  | 'page'
  /** 43101: the shopper has no consent left for this template; never retry. */
  | 'not_subscribed'
  /** 40002, 41001, 47001: a request this adapter should never make. */
  | 'request'
  /** No answer, an HTTP error status, or an answer that is not WeChat's JSON. */
  | 'unreachable'
  | 'unknown';

export class WechatError extends Error {
  constructor(
    readonly kind: WechatErrorKind,
    readonly api: WechatApi,
    message: string,
    readonly errcode?: number,
    /** WeChat's request id from the errmsg, for a ticket with WeChat. */
    readonly rid?: string,
    /** For `data`: the key whose value was refused (`thing3`). */
    readonly key?: string,
  ) {
    super(message);
    this.name = 'WechatError';
  }

  /**
   * True when the request never reached WeChat (no connection could be made): nothing can have
   * happened there, so even a call that must not run twice (send) may be made again. A timeout or a
   * broken answer leaves it false: WeChat may have acted.
   */
  notDelivered = false;

  /** Whether the same call, unchanged, may succeed later (busy, unreachable, the per-minute limit). */
  get retryable(): boolean {
    return this.kind === 'busy' || this.kind === 'unreachable' || this.errcode === 45011;
  }
}

/** 40001 / 40014 / 42001: the caller gets a token again (stable_token, normal mode) and retries once. */
export class WechatTokenError extends WechatError {
  constructor(api: WechatApi, message: string, errcode: number, rid?: string) {
    super('token', api, message, errcode, rid);
    this.name = 'WechatTokenError';
  }
}

/** The rule of each key type, for the message of a 47003 (docs/reference/wechat-subscribe-messages.md §3). */
const KEY_RULES: Record<string, string> = {
  thing: 'at most 20 characters',
  number: 'digits only, at most 32, a decimal point allowed',
  letter: 'letters only, at most 32',
  symbol: 'symbols only, at most 5',
  character_string: 'digits, letters and symbols only, at most 32',
  time: 'a 24-hour HH:MM time, optionally after a date, no seconds',
  date: 'a date like 2019年10月1日 or 2019-10-01, optionally with HH:MM',
  amount: 'one currency symbol and at most 10 digits (¥12.50), or digits ending with 元',
  phone_number: 'digits and symbols only, at most 17',
  car_number: 'a plate of at most 8 characters',
  name: 'at most 10 Chinese characters or 20 letters',
  phrase: 'at most 5 Chinese characters, nothing else',
  enum: "one of the template's listed values",
};

const CONSOLE_DEV_SETTINGS = 'the MP console (mp.weixin.qq.com) → Development → Development settings';

/** `invalid appid rid: 6475d64d-0b5f2a47-2b0d3b12` → { text: 'invalid appid', rid: '6475…' }. */
export function splitErrmsg(errmsg: string): { text: string; rid?: string } {
  const match = /^(.*?)[,\s]*rid:\s*([\w-]+)\s*$/s.exec(errmsg);
  return match ? { text: match[1], rid: match[2] } : { text: errmsg };
}

/** The error for a WeChat answer with a non-zero errcode. */
export function wechatErrorFor(api: WechatApi, errcode: number, errmsg: string): WechatError {
  const { text, rid } = splitErrmsg(errmsg);
  const error = (kind: WechatErrorKind, message: string, key?: string) => new WechatError(kind, api, message, errcode, rid, key);
  switch (errcode) {
    case 40001:
      return new WechatTokenError(api, 'the access token is not the latest (40001): a force refresh or /cgi-bin/token replaced it; get a token again (stable_token, normal mode) and retry once', errcode, rid);
    case 40014:
      return new WechatTokenError(api, 'the access token is malformed (40014): get a token again (stable_token, normal mode) and retry once; check nothing truncates it (keep 512 characters)', errcode, rid);
    case 42001:
      return new WechatTokenError(api, 'the access token expired (42001): get a token again (stable_token, normal mode) and retry once; renew before expiresAt', errcode, rid);
    case 40013:
      return error('credentials', `invalid appid (40013): WECHAT_APPID is not this mini program's AppID; copy it from ${CONSOLE_DEV_SETTINGS}`);
    case 40125:
      return error('credentials', `the app secret is wrong (40125): WECHAT_APP_SECRET does not belong to WECHAT_APPID; reset it in ${CONSOLE_DEV_SETTINGS} and set the new one`);
    case 40243:
      return error('credentials', `the app secret is frozen (40243): unfreeze or reset it in ${CONSOLE_DEV_SETTINGS}`);
    case 41002:
      return error('credentials', 'the AppID is missing (41002): set WECHAT_APPID');
    case 41004:
      return error('credentials', 'the app secret is missing (41004): set WECHAT_APP_SECRET');
    case 40164: {
      const ip = /invalid ip (\S+)/.exec(text)?.[1] ?? "this server's address";
      return error('ip_not_allowed', `this server's IP is not on the mini program's IP allow-list (40164): add ${ip} in ${CONSOLE_DEV_SETTINGS} → IP allow-list`);
    }
    case 45009:
      return error('quota', `WeChat's daily quota for ${api} is used up (45009): it resets at midnight (Beijing time); for tokens, share one stable_token per AppID instead of fetching per request`);
    case 45011:
      return error('quota', `WeChat's per-minute limit for ${api} is reached (45011): slow down and retry in the next minute`);
    case -1:
      return error('busy', `WeChat is busy (-1) on ${api}: retry later`);
    case 40003:
      return error('recipient', "the openid is not a user of this mini program (40003): send only to openids this AppID's jscode2session gave");
    case 40037:
      return error('template', 'the template id is not one of this mini program\'s (40037): check the priTmplId against the MP console → Features → Subscription messages → My templates');
    case 47003: {
      const key = /data\.(\w+)/.exec(text)?.[1];
      if (!key) return error('data', `WeChat refused an argument (47003: ${text})`);
      const type = /^([a-z_]+?)\d+$/.exec(key)?.[1] ?? '';
      const why = /is empty/.test(text) ? 'is empty or missing' : /not a keyword/.test(text) ? 'is not a key of the template' : `breaks the rule of ${type || 'its'} keys: ${KEY_RULES[type] ?? 'see the template'}`;
      return error('data', `data.${key} ${why} (47003)`, key);
    }
    case 47001:
      return error('request', `WeChat could not read the request body as JSON (47001) on ${api}`);
    case 41030:
      return error('page', 'the page is not a page of the released mini program (41030): use a path from app.json, without a leading /, and release the version that has it');
    case 43101:
      return error('not_subscribed', 'the shopper has no consent left for this template (43101): they refused, turned messages off, or every accept was used; do not retry');
    case 40002:
      return error('request', 'invalid grant_type (40002): this adapter must send client_credential');
    case 41001:
      return error('request', `the access token is missing (41001) on ${api}`);
    default:
      return error('unknown', `WeChat answered errcode ${errcode} on ${api}: ${text}`);
  }
}
