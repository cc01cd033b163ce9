// Every string a shopper reads, in Chinese (zh_CN) and English, and the one function that picks one.

/** The languages the mini program speaks. */
export type Language = 'zh_CN' | 'en';

const en = {
  'shop.title': 'Shop',
  'shop.loading': 'Loading products…',
  'shop.empty': 'No products yet.',
  'shop.total': 'Total',
  'shop.checkout': 'Checkout',
  'shop.orders': 'My orders',
  'shop.sandbox': 'Sandbox: payments are simulated, no money moves.',
  'common.retry': 'Try again',
  'common.loading': 'Loading…',
  'checkout.title': 'Checkout',
  'checkout.empty': 'Your cart is empty.',
  'checkout.backToShop': 'Back to the shop',
  'checkout.total': 'Total',
  'checkout.pay': 'Pay {amount}',
  'checkout.paying': 'Paying…',
  'result.title': 'Payment',
  'result.loading': 'Checking the order…',
  'result.waiting': 'Confirming your payment with the bank…',
  'result.paid': 'Payment successful',
  'result.paidHint': 'Thank you! Your order is paid.',
  'result.payable': 'Payment not completed',
  'result.payableHint': 'The order is still open. You can pay whenever you are ready.',
  'result.cancelledByShopper': 'You closed the payment. Nothing was charged; the order is still open.',
  'result.failed': 'Payment failed',
  'result.failedDetail': 'WeChat says: {detail}',
  'result.pending': "We're confirming your payment",
  'result.pendingHint': 'This is taking longer than usual. Nothing more is needed from you; check again in a moment or find the order in My orders.',
  'result.cancelled': 'This order was cancelled.',
  'result.expired': 'This order expired before it was paid.',
  'result.order': 'Order {id}',
  'result.total': 'Total',
  'result.pay': 'Pay now',
  'result.payAgain': 'Pay again',
  'result.refresh': 'Check again',
  'result.cancelOrder': 'Cancel order',
  'result.cancelConfirm': 'Cancel this order? It cannot be paid afterwards.',
  'result.cancelYes': 'Cancel order',
  'result.cancelNo': 'Keep it',
  'result.orders': 'My orders',
  'result.shop': 'Continue shopping',
  'orders.title': 'My orders',
  'orders.loading': 'Loading your orders…',
  'orders.empty': 'No orders yet.',
  'orders.itemCount': '{count} item(s)',
  'status.awaiting_payment': 'Awaiting payment',
  'status.processing': 'Processing',
  'status.paid': 'Paid',
  'status.cancelled': 'Cancelled',
  'status.expired': 'Expired',
  'stepper.decrease': 'Decrease',
  'stepper.increase': 'Increase',
  'sandbox.pay': 'Pay {amount} (simulated)',
  'sandbox.fail': 'Fail (simulated)',
  'sandbox.alert': 'Simulated WeChat Pay: no real money moves.',
  'error.VALIDATION_FAILED': 'Something in the request was not accepted. Please try again.',
  'error.INVALID_JSON': 'The app sent a malformed request. Please update the app and try again.',
  'error.UNAUTHENTICATED': 'Your login has expired. Please try again.',
  'error.ORDER_NOT_FOUND': 'We could not find this order.',
  'error.UNKNOWN_PRODUCT': 'A product in your cart is no longer available. Please go back to the shop.',
  'error.IDEMPOTENCY_KEY_REUSED': 'Your cart changed during checkout. Please go back to the shop and check out again.',
  'error.ORDER_NOT_PAYABLE': 'This order can no longer be paid.',
  'error.ORDER_NOT_CANCELLABLE': 'This order can no longer be cancelled.',
  'error.WECHAT_CODE_INVALID': 'WeChat login did not go through. Please try again.',
  'error.WECHAT_RATE_LIMITED': 'Too many login attempts. Please wait a minute and try again.',
  'error.WECHAT_LOGIN_BLOCKED': 'WeChat did not allow this login. Please contact the merchant.',
  'error.PAYMENT_DECLINED': 'The payment was declined. Please try another payment method in WeChat Pay.',
  'error.PAYMENT_FAILED': 'The payment did not go through. Please try again.',
  'error.PAYMENT_EXPIRED': 'The payment request expired. Please pay again.',
  'error.PAYMENT_NOT_AVAILABLE': 'WeChat Pay is not available for this shop right now.',
  'error.UPSTREAM_REJECTED': 'The payment provider refused the request. Please try again later.',
  'error.UPSTREAM_UNAVAILABLE': 'The payment provider is busy. Please try again in a moment.',
  'error.SERVICE_UNAVAILABLE': 'The service is busy. Please try again in a moment.',
  'error.INTERNAL': 'Something went wrong on our side. Please try again.',
  'error.NETWORK': 'No connection to the shop. Check your network and try again.',
  'error.GENERIC': 'Something went wrong. Please try again.',
};

/** A key of the string table. */
export type MessageKey = keyof typeof en;

const zhCN: Record<MessageKey, string> = {
  'shop.title': '商店',
  'shop.loading': '正在加载商品…',
  'shop.empty': '暂无商品。',
  'shop.total': '合计',
  'shop.checkout': '去结算',
  'shop.orders': '我的订单',
  'shop.sandbox': '沙箱模式：支付为模拟，不会扣款。',
  'common.retry': '重试',
  'common.loading': '加载中…',
  'checkout.title': '确认订单',
  'checkout.empty': '购物车是空的。',
  'checkout.backToShop': '返回商店',
  'checkout.total': '合计',
  'checkout.pay': '支付 {amount}',
  'checkout.paying': '支付中…',
  'result.title': '支付结果',
  'result.loading': '正在查询订单…',
  'result.waiting': '正在确认支付结果…',
  'result.paid': '支付成功',
  'result.paidHint': '感谢购买！订单已支付。',
  'result.payable': '支付未完成',
  'result.payableHint': '订单仍然有效，您可以随时继续支付。',
  'result.cancelledByShopper': '您已关闭支付，未扣款，订单仍然有效。',
  'result.failed': '支付失败',
  'result.failedDetail': '微信提示：{detail}',
  'result.pending': '正在确认您的支付',
  'result.pendingHint': '确认时间比平时长，您无需再操作。请稍后再次查看，或在“我的订单”中找到此订单。',
  'result.cancelled': '订单已取消。',
  'result.expired': '订单已过期，未支付。',
  'result.order': '订单 {id}',
  'result.total': '合计',
  'result.pay': '立即支付',
  'result.payAgain': '重新支付',
  'result.refresh': '再次查询',
  'result.cancelOrder': '取消订单',
  'result.cancelConfirm': '确定取消此订单吗？取消后将无法支付。',
  'result.cancelYes': '取消订单',
  'result.cancelNo': '暂不取消',
  'result.orders': '我的订单',
  'result.shop': '继续购物',
  'orders.title': '我的订单',
  'orders.loading': '正在加载订单…',
  'orders.empty': '暂无订单。',
  'orders.itemCount': '共 {count} 件',
  'status.awaiting_payment': '待支付',
  'status.processing': '处理中',
  'status.paid': '已支付',
  'status.cancelled': '已取消',
  'status.expired': '已过期',
  'stepper.decrease': '减少',
  'stepper.increase': '增加',
  'sandbox.pay': '支付 {amount}（模拟）',
  'sandbox.fail': '支付失败（模拟）',
  'sandbox.alert': '模拟微信支付：不会产生真实扣款。',
  'error.VALIDATION_FAILED': '请求未被接受，请重试。',
  'error.INVALID_JSON': '请求格式有误，请更新小程序后重试。',
  'error.UNAUTHENTICATED': '登录已过期，请重试。',
  'error.ORDER_NOT_FOUND': '找不到该订单。',
  'error.UNKNOWN_PRODUCT': '购物车中有商品已下架，请返回商店。',
  'error.IDEMPOTENCY_KEY_REUSED': '结算过程中购物车发生了变化，请返回商店重新结算。',
  'error.ORDER_NOT_PAYABLE': '该订单已无法支付。',
  'error.ORDER_NOT_CANCELLABLE': '该订单已无法取消。',
  'error.WECHAT_CODE_INVALID': '微信登录未成功，请重试。',
  'error.WECHAT_RATE_LIMITED': '登录尝试过于频繁，请一分钟后再试。',
  'error.WECHAT_LOGIN_BLOCKED': '微信未允许本次登录，请联系商家。',
  'error.PAYMENT_DECLINED': '支付被拒绝，请在微信支付中更换付款方式。',
  'error.PAYMENT_FAILED': '支付未成功，请重试。',
  'error.PAYMENT_EXPIRED': '支付请求已过期，请重新支付。',
  'error.PAYMENT_NOT_AVAILABLE': '本店暂时无法使用微信支付。',
  'error.UPSTREAM_REJECTED': '支付服务拒绝了请求，请稍后再试。',
  'error.UPSTREAM_UNAVAILABLE': '支付服务繁忙，请稍后再试。',
  'error.SERVICE_UNAVAILABLE': '服务繁忙，请稍后再试。',
  'error.INTERNAL': '服务出了点问题，请重试。',
  'error.NETWORK': '无法连接商店，请检查网络后重试。',
  'error.GENERIC': '出了点问题，请重试。',
};

const tables: Record<Language, Record<MessageKey, string>> = { en, zh_CN: zhCN };

let current: Language | null = null;

/** Maps a WeChat language tag ("zh_CN", "zh_TW", "en", "en_US", ...) to one we speak. */
export function toLanguage(tag: string | undefined): Language {
  return tag && tag.toLowerCase().indexOf('zh') === 0 ? 'zh_CN' : 'en';
}

function systemLanguage(): string | undefined {
  try {
    // getAppBaseInfo is the newer API (base library 2.20.1+); getSystemInfoSync is deprecated there.
    if (typeof wx.getAppBaseInfo === 'function') return wx.getAppBaseInfo().language;
    return wx.getSystemInfoSync().language;
  } catch {
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
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** The string for `key` in the current language, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = tables[getLanguage()][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** Picks the text for the current language from a server `LocalizedText` ({zh_CN, en}). */
export function localize(text: { zh_CN: string; en: string } | undefined, fallback = ''): string {
  if (!text) return fallback;
  return text[getLanguage()] || text.en || text.zh_CN || fallback;
}
