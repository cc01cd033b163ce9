// Promise wrappers for the wx callback APIs the services and pages use (the docs do not promise
// Promise style for all of them, e.g. wx.login: https://developers.weixin.qq.com/miniprogram/dev/api/wx.login.html),
// and navigation that a double tap cannot run twice.

/** A failed wx API call: an Error whose message is the call's `errMsg`, e.g. "login:fail ...". */
export interface WxError extends Error {
  errMsg: string;
}

function wxError(errMsg: string): WxError {
  const err = new Error(errMsg) as WxError;
  err.name = 'WxError';
  err.errMsg = errMsg;
  return err;
}

/** A fresh `wx.login` code; call it right before each exchange (codes are single-use, 5 minutes). */
export function login(): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    wx.login({
      timeout: 10000,
      success: (res) => (res.code ? resolve(res.code) : reject(wxError('login:fail no code'))),
      fail: (err) => reject(wxError(err && err.errMsg ? err.errMsg : 'login:fail')),
    });
  });
}

/**
 * Opens the WeChat Pay sheet and settles with its errMsg, whatever it is: "requestPayment:ok",
 * "requestPayment:fail cancel", "requestPayment:fail <detail>". Never rejects.
 */
export function requestPayment(params: {
  timeStamp: string;
  nonceStr: string;
  package: string;
  /** Passed only when the server sent one: WeChat applies its own default otherwise. */
  signType?: 'MD5' | 'HMAC-SHA256' | 'RSA';
  paySign: string;
}): Promise<string> {
  return new Promise<string>((resolve) => {
    const options: WechatMiniprogram.RequestPaymentOption = {
      timeStamp: params.timeStamp,
      nonceStr: params.nonceStr,
      package: params.package,
      paySign: params.paySign,
      success: (res) => resolve(res && res.errMsg ? res.errMsg : 'requestPayment:ok'),
      fail: (err) => resolve(err && err.errMsg ? err.errMsg : 'requestPayment:fail'),
    };
    // No object spread in the mini program: it pulls about 1.7 KB of Babel helpers into the package.
    if (params.signType) options.signType = params.signType;
    wx.requestPayment(options);
  });
}

/** Shows an action sheet; resolves with the tapped index, or -1 when the shopper dismissed it. */
export function showActionSheet(itemList: string[], alertText: string): Promise<number> {
  return new Promise<number>((resolve) => {
    wx.showActionSheet({ itemList, alertText, success: (res) => resolve(res.tapIndex), fail: () => resolve(-1) });
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
      confirmColor: '#fa5151',
      success: (res) => resolve(!!res.confirm),
      fail: () => resolve(false),
    });
  });
}

type Route = 'navigateTo' | 'redirectTo' | 'switchTab' | 'navigateBack';

let navigating = false;

/**
 * Goes to `url` with `route`, unless a navigation is still under way: a fast double tap would
 * otherwise open the page twice (WeChat pushes both). Failures (a full page stack, a tab page opened
 * with navigateTo) are reported, not thrown.
 */
function go(route: Route, url: string, onFail?: () => void): void {
  if (navigating) return;
  navigating = true;
  // WeChat always calls complete; the timer only keeps a lost callback from blocking navigation for good.
  const guard = setTimeout(() => (navigating = false), 2000);
  const open = wx[route] as (option: { url: string; fail: (err: { errMsg: string }) => void; complete: () => void }) => void;
  open.call(wx, {
    url,
    fail: (err: { errMsg: string }) => (onFail ? setTimeout(onFail, 0) : console.warn(`${route} failed`, url, err.errMsg)),
    complete: () => {
      clearTimeout(guard);
      navigating = false;
    },
  });
}

/**
 * Back to the page below (one page, even on a double tap); on the first page of the stack (opened
 * from a message or a share) the shop tab instead.
 */
export function back(): void {
  go('navigateBack', '', () => switchTab('/pages/shop/shop'));
}

/** Opens a page above this one. */
export function navigateTo(url: string): void {
  go('navigateTo', url);
}

/** Replaces the current page, so Back skips it (checkout → result). */
export function redirectTo(url: string): void {
  go('redirectTo', url);
}

/** Shows a tab page (shop, orders), closing the pages above the tab bar. */
export function switchTab(url: string): void {
  go('switchTab', url);
}

/** Sets the navigation bar title in the shopper's language (the json holds the Chinese one). */
export function setTitle(title: string): void {
  wx.setNavigationBarTitle({ title, fail: () => undefined });
}

/**
 * Copies `data`; WeChat shows its own "copied" toast. Resolves with the failure's errno (112: the
 * privacy guide does not declare the clipboard; 104: the shopper did not agree to it), 0 when copied.
 */
export function copy(data: string): Promise<number> {
  return new Promise<number>((resolve) => {
    wx.setClipboardData({ data, success: () => resolve(0), fail: (err) => resolve((err as { errno?: number }).errno || -1) });
  });
}
