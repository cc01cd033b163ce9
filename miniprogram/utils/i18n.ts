// Every string a shopper reads, in English and Chinese, and the one function that picks one. Chinese
// is written once, in Simplified characters; Traditional (zh_TW, zh_HK) comes from a character map.

/** The languages the mini program speaks: Simplified and Traditional Chinese, and English. */
export type Language = 'zh_CN' | 'zh_TW' | 'en';

// (Exported for the tests.) One entry per key: [English, Chinese] or, where English has a singular, [English, Chinese, English
// for a count of 1]. Keys once, not twice, keeps the package small.
export const MESSAGES = {
  'shop.loading': ['Loading products…', '正在加载商品…'],
  'shop.empty': ['No products yet.', '暂无商品。'],
  'shop.checkout': ['Checkout', '去结算'],
  'shop.cart': ['Cart: {count} items', '购物车：{count} 件', 'Cart: 1 item'],
  'shop.share': ['Tea, mooncakes and more, paid with WeChat Pay', '好茶、月饼和更多好物，微信支付'],
  'shop.sandbox': ['Sandbox: payments are simulated, no money moves.', '沙箱模式：支付为模拟，不会扣款。'],
  'tab.shop': ['Shop', '商店'],
  'tab.orders': ['Orders', '订单'],
  'common.retry': ['Try again', '重试'],
  'common.loading': ['Loading…', '加载中…'],
  'common.total': ['Total', '合计'],
  'checkout.title': ['Checkout', '确认订单'],
  'checkout.empty': ['Your cart is empty.', '购物车是空的。'],
  'checkout.backToShop': ['Back to the shop', '返回商店'],
  'checkout.pay': ['Pay {amount}', '支付 {amount}'],
  'checkout.paying': ['Paying…', '支付中…'],
  'result.title': ['Order details', '订单详情'],
  'result.loading': ['Checking the order…', '正在查询订单…'],
  'result.waiting': ['Confirming your payment with WeChat Pay…', '正在向微信支付确认支付结果…'],
  'result.paid': ['Payment successful', '支付成功'],
  'result.paidHint': ['Thank you! Your order is paid.', '感谢购买！订单已支付。'],
  'result.paidEarlier': ['This order is paid', '订单已支付'],
  'result.refunded': ['This order was refunded', '订单已全额退款'],
  'result.payable': ['Payment not completed', '支付未完成'],
  'result.payableHint': ['The order is still open. You can pay whenever you are ready.', '订单仍然有效，您可以随时继续支付。'],
  'result.cancelledByShopper': ['You closed the payment. Nothing was charged; the order is still open.', '您已关闭支付，未扣款，订单仍然有效。'],
  'result.failed': ['Payment failed', '支付失败'],
  'result.pending': ["We're confirming your payment", '正在确认您的支付'],
  'result.pendingHint': [
    'This is taking longer than usual. Nothing more is needed from you; check again in a moment or find the order in My orders.',
    '确认时间比平时长，您无需再操作。请稍后再次查看，或在“我的订单”中找到此订单。',
  ],
  'result.cancelled': ['This order was cancelled.', '订单已取消。'],
  'result.expired': ['This order expired before it was paid.', '订单已过期，未支付。'],
  'result.closedHint': ['Nothing was charged.', '未产生扣款。'],
  'result.pay': ['Pay now', '立即支付'],
  'result.payAgain': ['Pay again', '重新支付'],
  'result.refresh': ['Check again', '再次查询'],
  'result.cancelOrder': ['Cancel order', '取消订单'],
  'result.cancelTitle': ['Cancel this order?', '取消此订单？'],
  'result.cancelConfirm': ['It cannot be paid afterwards.', '取消后将无法支付。'],
  'result.cancelYes': ['Yes', '取消订单'],
  'result.cancelNo': ['No', '暂不取消'],
  'result.orders': ['My orders', '我的订单'],
  'result.shop': ['Continue shopping', '继续购物'],
  'result.done': ['Done', '完成'],
  'result.orderNo': ['Order number', '订单编号'],
  'result.copy': ['Copy', '复制'],
  'result.created': ['Ordered', '下单时间'],
  'result.paidAt': ['Paid', '支付时间'],
  'result.payWithin': ['Pay within {time}', '请在 {time} 内支付'],
  'result.paymentRef': ['Payment reference', '支付单号'],
  'result.contact': ['Contact us', '联系客服'],
  'result.copyFailed': ['Not copied. Press and hold the number to copy it.', '未能复制，请长按单号复制。'],
  'privacy.title': ['Copy to the clipboard?', '复制到剪贴板？'],
  'privacy.body': ['Copying uses your clipboard. Please agree to the shop’s privacy guide first.', '复制需要使用剪贴板，请先同意本店的隐私保护指引。'],
  'privacy.guide': ['Read the privacy guide', '查看隐私保护指引'],
  'privacy.agree': ['Agree', '同意'],
  'privacy.disagree': ['Not now', '暂不同意'],
  'update.title': ['New version', '新版本'],
  'update.ready': ['A new version of the shop is ready. Restart to use it?', '新版本已准备好，是否重启使用？'],
  'update.required': ['This version of the shop is out of date. Restart to update it.', '当前版本已过期，请重启以更新。'],
  'update.restart': ['Restart', '重启'],
  'update.later': ['Later', '稍后'],
  'refund.done': ['Refunded {amount}', '已退款 {amount}'],
  'refund.pending': ['Refund in progress: {amount}', '退款处理中：{amount}'],
  'orders.title': ['My orders', '我的订单'],
  'orders.loading': ['Loading your orders…', '正在加载订单…'],
  'orders.empty': ['No orders yet.', '暂无订单。'],
  'orders.shop': ['Go shopping', '去逛逛'],
  'orders.itemCount': ['{count} items', '共 {count} 件', '1 item'],
  'orders.capped': ['Showing your {count} most recent orders.', '仅显示最近 {count} 个订单。'],
  'status.awaiting_payment': ['Awaiting payment', '待支付'],
  'status.processing': ['Processing', '处理中'],
  'status.paid': ['Paid', '已支付'],
  'status.cancelled': ['Cancelled', '已取消'],
  'status.expired': ['Expired', '已过期'],
  'status.refunded': ['Refunded', '已退款'],
  'stepper.decrease': ['One fewer {name}', '减少一件{name}'],
  'stepper.increase': ['One more {name}', '增加一件{name}'],
  'sandbox.pay': ['Pay {amount} (simulated)', '支付 {amount}（模拟）'],
  'sandbox.fail': ['Fail (simulated)', '支付失败（模拟）'],
  'sandbox.alert': ['Simulated WeChat Pay: no real money moves.', '模拟微信支付：不会产生真实扣款。'],
  'sandbox.notifyAlert': [
    'Notifications (simulated): may this shop tell you when your payment or a refund succeeds? On a phone WeChat asks this; here the simulator keeps your answer.',
    '订阅消息（模拟）：允许本店在支付成功、退款成功时通知你吗？真机上由微信询问，这里由模拟器记录你的选择。',
  ],
  'sandbox.notifyBoth': ['Allow both', '全部允许'],
  'sandbox.notifyPaidOnly': ['Only "payment succeeded"', '仅“支付成功”通知'],
  'sandbox.notifyRefundOnly': ['Only "refund succeeded"', '仅“退款成功”通知'],
  'sandbox.notifyNone': ['Deny both', '全部拒绝'],
  'sandbox.allow': ['Allow', '允许'],
  'sandbox.deny': ['Deny', '拒绝'],
  'error.VALIDATION_FAILED': ['Something in the request was not accepted. Please try again.', '请求未被接受，请重试。'],
  'error.INVALID_JSON': ['The app sent a malformed request. Please update the app and try again.', '请求格式有误，请更新小程序后重试。'],
  'error.UNAUTHENTICATED': ['Your login has expired. Please try again.', '登录已过期，请重试。'],
  'error.ORDER_NOT_FOUND': ['We could not find this order.', '找不到该订单。'],
  'error.UNKNOWN_PRODUCT': ['A product in your cart is no longer available. Please go back to the shop.', '购物车中有商品已下架，请返回商店。'],
  'error.IDEMPOTENCY_KEY_REUSED': [
    'Your cart changed during checkout. Please go back to the shop and check out again.',
    '结算过程中购物车发生了变化，请返回商店重新结算。',
  ],
  'error.ORDER_NOT_PAYABLE': ['This order can no longer be paid.', '该订单已无法支付。'],
  'error.RATE_LIMITED': ['Too many requests. Please wait a moment and try again.', '请求过于频繁，请稍候再试。'],
  'error.TOO_MANY_OPEN_ORDERS': ['You have too many unpaid orders. Pay or cancel one in My orders first.', '未支付的订单过多，请先在“我的订单”中支付或取消。'],
  'error.ORDER_NOT_CANCELLABLE': ['This order can no longer be cancelled.', '该订单已无法取消。'],
  'error.WECHAT_CODE_INVALID': ['WeChat login did not go through. Please try again.', '微信登录未成功，请重试。'],
  'error.WECHAT_RATE_LIMITED': ['Too many login attempts. Please wait a minute and try again.', '登录尝试过于频繁，请一分钟后再试。'],
  'error.WECHAT_LOGIN_BLOCKED': ['WeChat did not allow this login. Please contact the merchant.', '微信未允许本次登录，请联系商家。'],
  'error.PAYMENT_DECLINED': ['The payment was declined. Please try another payment method in WeChat Pay.', '支付被拒绝，请在微信支付中更换付款方式。'],
  'error.PAYMENT_FAILED': ['The payment did not go through. Please try again.', '支付未成功，请重试。'],
  'error.PAYMENT_EXPIRED': ['The payment request expired. Please pay again.', '支付请求已过期，请重新支付。'],
  'error.PAYMENT_NOT_AVAILABLE': ['WeChat Pay is not available for this shop right now.', '本店暂时无法使用微信支付。'],
  'error.UPSTREAM_REJECTED': ['The payment provider refused the request. Please try again later.', '支付服务拒绝了请求，请稍后再试。'],
  'error.UPSTREAM_UNAVAILABLE': ['The payment provider is busy. Please try again in a moment.', '支付服务繁忙，请稍后再试。'],
  'error.SERVICE_UNAVAILABLE': ['The service is busy. Please try again in a moment.', '服务繁忙，请稍后再试。'],
  'error.INTERNAL': ['Something went wrong on our side. Please try again.', '服务出了点问题，请重试。'],
  'error.NETWORK': ['No connection to the shop. Check your network and try again.', '无法连接商店，请检查网络后重试。'],
  'error.GENERIC': ['Something went wrong. Please try again.', '出了点问题，请重试。'],
};

/** A key of the string table. */
export type MessageKey = keyof typeof MESSAGES;

let current: Language | null = null;

/** Maps a WeChat language tag ("zh_CN", "zh_TW", "zh_HK", "en", "en_US", ...) to one we speak. */
export function toLanguage(tag: string | undefined): Language {
  const lower = (tag || '').toLowerCase();
  if (lower.indexOf('zh') !== 0) return 'en';
  return /tw|hk|mo|hant/.test(lower) ? 'zh_TW' : 'zh_CN';
}

function systemLanguage(): string | undefined {
  try {
    // getAppBaseInfo is the newer API (base library 2.20.1+); getSystemInfoSync is deprecated there.
    if (typeof wx.getAppBaseInfo === 'function') return wx.getAppBaseInfo().language;
    return wx.getSystemInfoSync().language;
  } catch (err) {
    return undefined;
  }
}

/** The language in use: the system language on first use, unless `setLanguage` chose one. */
export function getLanguage(): Language {
  if (!current) current = toLanguage(systemLanguage());
  return current;
}

/** Overrides the language (tests, or a future in-app switch). `null` goes back to the system's. */
export function setLanguage(language: Language | null): void {
  current = language;
}

/** Whether `key` is in the string table. */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(MESSAGES, key);
}

// Each Simplified character of the table's Chinese that Traditional writes differently, and how it
// does (OpenCC cn → tw; test/miniprogram/utils.test.ts checks every string and prints what to add).
const SIMPLIFIED = '载暂无结购车饼为拟会订单试计确认详询谢买额随时继续关闭败间长请后过产将编号复制内联系贴隐护准备启当处仅显个减实误录该发变于频尝钟许绝换务点问题连检网络阅吗机这里记选择';
const TRADITIONAL = '載暫無結購車餅為擬會訂單試計確認詳詢謝買額隨時繼續關閉敗間長請後過產將編號複製內聯繫貼隱護準備啟當處僅顯個減實誤錄該發變於頻嘗鐘許絕換務點問題連檢網絡閱嗎機這裡記選擇';

/** `text` in Traditional characters, for the characters the string table uses. */
export function toTraditional(text: string): string {
  return text.replace(/[\u4e00-\u9fff]/g, (ch) => {
    const at = SIMPLIFIED.indexOf(ch);
    return at < 0 ? ch : TRADITIONAL.charAt(at);
  });
}

/**
 * The string for `key` in the current language, with `{name}` placeholders filled from `params`;
 * English takes the entry's singular when `params.count` is 1.
 */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const entry: readonly string[] = MESSAGES[key];
  const language = getLanguage();
  let text = language === 'en' ? (params && params.count === 1 && entry[2]) || entry[0] : entry[1];
  if (language === 'zh_TW') text = toTraditional(text);
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** A list for reading: "a, b, c" in English, "a、b、c" in Chinese. */
export function listOf(items: string[]): string {
  return items.join(getLanguage() === 'en' ? ', ' : '、');
}

/**
 * Picks the text for the current language from a server `LocalizedText` ({zh_CN, en}). Traditional
 * Chinese readers get the Chinese as the merchant wrote it: the catalogue has no Traditional text.
 */
export function localize(text: { zh_CN: string; en: string } | undefined, fallback?: string): string {
  if (!text) return fallback || '';
  return (getLanguage() === 'en' ? text.en : text.zh_CN) || text.en || text.zh_CN || fallback || '';
}
