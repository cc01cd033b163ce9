// Promise wrappers for the wx callback APIs the services and pages use (the docs do not promise
// Promise style for all of them, e.g. wx.login: https://developers.weixin.qq.com/miniprogram/dev/api/wx.login.html).

/** The error a failed wx API call rejects with: its `errMsg`, e.g. "login:fail ..." */
export class WxError extends Error {
  constructor(readonly errMsg: string) {
    super(errMsg);
    this.name = 'WxError';
  }
}

type Callbacks<R> = { success?: (res: R) => void; fail?: (err: { errMsg: string }) => void };

function promisify<R>(call: (callbacks: Required<Callbacks<R>>) => void): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    call({ success: resolve, fail: (err) => reject(new WxError(err && err.errMsg ? err.errMsg : 'fail')) });
  });
}

/** A fresh `wx.login` code; call it right before each exchange (codes are single-use, 5 minutes). */
export function login(timeoutMs = 10000): Promise<string> {
  return promisify<WechatMiniprogram.LoginSuccessCallbackResult>((cb) => wx.login({ timeout: timeoutMs, ...cb })).then(
    (res) => {
      if (!res.code) throw new WxError('login:fail no code');
      return res.code;
    },
  );
}

/**
 * Opens the WeChat Pay sheet and settles with its errMsg, whatever it is: "requestPayment:ok",
 * "requestPayment:fail cancel", "requestPayment:fail <detail>". Never rejects.
 */
export function requestPayment(params: {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'MD5' | 'HMAC-SHA256' | 'RSA';
  paySign: string;
}): Promise<string> {
  return new Promise<string>((resolve) => {
    wx.requestPayment({
      timeStamp: params.timeStamp,
      nonceStr: params.nonceStr,
      package: params.package,
      signType: params.signType,
      paySign: params.paySign,
      success: (res) => resolve(res && res.errMsg ? res.errMsg : 'requestPayment:ok'),
      fail: (err) => resolve(err && err.errMsg ? err.errMsg : 'requestPayment:fail'),
    });
  });
}

/** Shows an action sheet; resolves with the tapped index, or -1 when the shopper dismissed it. */
export function showActionSheet(itemList: string[], alertText?: string): Promise<number> {
  return new Promise<number>((resolve) => {
    wx.showActionSheet({
      itemList,
      ...(alertText ? { alertText } : {}),
      success: (res) => resolve(res.tapIndex),
      fail: () => resolve(-1),
    });
  });
}

/**
 * Asks a yes/no question; resolves true when the shopper confirmed. WeChat refuses button texts
 * over 4 Chinese (about 8 Latin) characters: the call fails and no dialog appears.
 */
export function confirm(title: string, content: string, confirmText: string, cancelText: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    wx.showModal({
      title,
      content,
      confirmText,
      cancelText,
      success: (res) => resolve(!!res.confirm),
      fail: () => resolve(false),
    });
  });
}

/** Opens a page; failures (e.g. page stack full) are reported, not thrown. */
export function navigateTo(url: string): void {
  wx.navigateTo({ url, fail: (err) => console.warn('navigateTo failed', url, err.errMsg) });
}

/** Replaces the current page, so Back skips it (checkout → result). */
export function redirectTo(url: string): void {
  wx.redirectTo({ url, fail: (err) => console.warn('redirectTo failed', url, err.errMsg) });
}

/** Sets the navigation bar title (page json titles cannot be localised). */
export function setTitle(title: string): void {
  wx.setNavigationBarTitle({ title, fail: () => undefined });
}

/** Closes every page and opens `url` (e.g. back to the shop after a payment). */
export function reLaunch(url: string): void {
  wx.reLaunch({ url, fail: (err) => console.warn('reLaunch failed', url, err.errMsg) });
}
