// Pure helpers: money formatting, language choice and strings, the error-message helper.
import { ERRORS } from '../../server/errors';
import * as OpenCC from 'opencc-js';
import { fakeWx } from './harness';

type I18n = typeof import('../../miniprogram/utils/i18n');
type Money = typeof import('../../miniprogram/utils/money');
type ErrorMessage = typeof import('../../miniprogram/utils/error-message');

let i18n: I18n;
let money: Money;
let messages: ErrorMessage;

beforeEach(() => {
  jest.resetModules();
  i18n = require('../../miniprogram/utils/i18n');
  money = require('../../miniprogram/utils/money');
  messages = require('../../miniprogram/utils/error-message');
});

/** The codes a shopper can meet (server/errors.ts, the list) plus NETWORK. */
const SHOPPER_CODES = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'UNAUTHENTICATED',
  'ORDER_NOT_FOUND',
  'UNKNOWN_PRODUCT',
  'IDEMPOTENCY_KEY_REUSED',
  'ORDER_NOT_PAYABLE',
  'ORDER_NOT_CANCELLABLE',
  'WECHAT_CODE_INVALID',
  'WECHAT_RATE_LIMITED',
  'WECHAT_LOGIN_BLOCKED',
  'PAYMENT_DECLINED',
  'PAYMENT_NOT_AVAILABLE',
  'UPSTREAM_REJECTED',
  'UPSTREAM_UNAVAILABLE',
  'INTERNAL',
  'NETWORK',
];

describe('money', () => {
  test.each([
    [1250, 'CNY', 2, '¥12.50'],
    [1990, 'CNY', 2, '¥19.90'],
    [5, 'CNY', 2, '¥0.05'],
    [0, 'CNY', 2, '¥0.00'],
    [123456789, 'CNY', 2, '¥1,234,567.89'],
    [1250, 'JPY', 0, '¥1,250'],
    [-300, 'USD', 2, '-$3.00'],
    [700, 'SGD', 2, 'SGD 7.00'],
  ])('formats %i %s with precision %i as %s', (amount, currency, precision, expected) => {
    expect(money.formatMoney(amount, currency, precision)).toBe(expected);
  });

  test("uses the server's precision for its currency, and the usual one otherwise", () => {
    const config = { currency: 'JPY', currencyPrecision: 0 };
    expect(money.formatPrice({ amount: 1250, currency: 'JPY' }, config)).toBe('¥1,250');
    expect(money.formatPrice({ amount: 1250, currency: 'CNY' }, config)).toBe('¥12.50');
    expect(money.formatPrice({ amount: 1250, currency: 'JPY' })).toBe('¥1,250');
  });
});

describe('i18n', () => {
  test.each([
    ['zh_CN', 'zh_CN'],
    ['zh_TW', 'zh_TW'],
    ['zh_HK', 'zh_TW'],
    ['zh-Hant', 'zh_TW'],
    ['zh-Hans', 'zh_CN'],
    ['en', 'en'],
    ['en_US', 'en'],
    ['fr', 'en'],
    [undefined, 'en'],
  ])('maps the system language %s to %s', (tag, language) => {
    expect(i18n.toLanguage(tag)).toBe(language);
  });

  test('follows the system language from wx.getAppBaseInfo', () => {
    fakeWx({ language: 'zh_CN' });
    expect(i18n.getLanguage()).toBe('zh_CN');
    expect(i18n.t('shop.checkout')).toBe('去结算');
    jest.resetModules();
    fakeWx({ language: 'en_US' });
    const fresh: I18n = require('../../miniprogram/utils/i18n');
    expect(fresh.t('shop.checkout')).toBe('Checkout');
  });

  test('fills placeholders and picks server texts in the current language', () => {
    i18n.setLanguage('en');
    expect(i18n.t('checkout.pay', { amount: '¥12.50' })).toBe('Pay ¥12.50');
    expect(i18n.localize({ zh_CN: '绿茶', en: 'Green tea' })).toBe('Green tea');
    i18n.setLanguage('zh_CN');
    expect(i18n.t('checkout.pay', { amount: '¥12.50' })).toBe('支付 ¥12.50');
    expect(i18n.localize({ zh_CN: '绿茶', en: 'Green tea' })).toBe('绿茶');
  });

  test('has every string in both languages, with the same placeholders', () => {
    for (const key of Object.keys(i18n.MESSAGES) as Array<keyof typeof i18n.MESSAGES>) {
      const entry: readonly string[] = i18n.MESSAGES[key];
      expect(entry[1]).not.toBe(entry[0]);
      expect(entry[1].match(/\{\w+\}/g)).toEqual(entry[0].match(/\{\w+\}/g));
      // An English singular drops the count.
      if (entry[2] !== undefined) expect(entry[2]).not.toMatch(/\{count\}/);
    }
  });

  test('speaks Traditional Chinese to zh_TW and zh_HK: every string as OpenCC (cn → tw) writes it', () => {
    const convert = OpenCC.Converter({ from: 'cn', to: 'tw' });
    const wrong = Object.keys(i18n.MESSAGES)
      .map((key) => (i18n.MESSAGES as Record<string, readonly string[]>)[key][1])
      .filter((zh) => i18n.toTraditional(zh) !== convert(zh));
    // A new string with a character the map lacks: add the pairs this prints to SIMPLIFIED/TRADITIONAL.
    const pairs = new Map<string, string>();
    wrong.forEach((zh) => Array.from(zh).forEach((c, i) => c !== Array.from(convert(zh))[i] && pairs.set(c, Array.from(convert(zh))[i])));
    expect({ wrong, add: Array.from(pairs.keys()).join('') + ' → ' + Array.from(pairs.values()).join('') }).toEqual({ wrong: [], add: ' → ' });
    i18n.setLanguage('zh_TW');
    expect(i18n.t('result.waiting')).toBe('正在向微信支付確認支付結果…');
    expect(i18n.t('orders.itemCount', { count: 3 })).toBe('共 3 件');
    // The catalogue has no Traditional text: the merchant's Chinese is shown as written.
    expect(i18n.localize({ zh_CN: '绿茶', en: 'Green tea' })).toBe('绿茶');
  });

  test('counts in English with a singular, and lists with the right separator', () => {
    i18n.setLanguage('en');
    expect([1, 2].map((count) => i18n.t('orders.itemCount', { count }))).toEqual(['1 item', '2 items']);
    expect(i18n.t('shop.cart', { count: 0 })).toBe('Cart: 0 items');
    expect(i18n.listOf(['Green tea', 'Steamed bun'])).toBe('Green tea, Steamed bun');
    i18n.setLanguage('zh_CN');
    expect([1, 2].map((count) => i18n.t('orders.itemCount', { count }))).toEqual(['共 1 件', '共 2 件']);
    expect(i18n.listOf(['绿茶', '包子'])).toBe('绿茶、包子');
  });
});

describe('errorMessage', () => {
  test.each(SHOPPER_CODES)('has its own message for %s in both languages', (code) => {
    for (const language of ['en', 'zh_CN'] as const) {
      i18n.setLanguage(language);
      const message = messages.errorMessage({ code });
      expect(message).toBe(i18n.t(`error.${code}` as never));
      expect(message).not.toBe(i18n.t('error.GENERIC'));
    }
  });

  test('falls back to a generic message for unknown codes and non-errors', () => {
    i18n.setLanguage('en');
    expect(messages.errorMessage({ code: 'SOMETHING_NEW' })).toBe('Something went wrong. Please try again.');
    expect(messages.errorMessage(new Error('boom'))).toBe('Something went wrong. Please try again.');
    expect(messages.errorMessage(undefined)).toBe('Something went wrong. Please try again.');
  });

  test('covers every code in server/errors.ts that a shopper can meet; the rest fall back', () => {
    // Codes only developers or webhooks meet; a generic message is right for them.
    const notForShoppers = [
      'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'HEADERS_TOO_LARGE', 'REQUEST_TIMEOUT', 'NOT_FOUND', 'NOT_READY',
      'WEBHOOK_SIGNATURE_INVALID', 'WEBHOOK_TIMESTAMP_STALE', 'WEBHOOK_PAYLOAD_INVALID',
      // The admin API's: operators read the server's own message.
      'ORDER_NOT_REFUNDABLE', 'REFUND_AMOUNT_INVALID', 'REFUND_REJECTED', 'IDEMPOTENCY_KEY_REQUIRED', 'ADMIN_UNAUTHENTICATED', 'CSRF_INVALID',
      'RECONCILIATION_DATE_INVALID', 'RECONCILIATION_RUNNING', 'RECONCILIATION_NOT_FOUND', 'EVENTS_NOT_CONFIGURED',
    ];
    const uncovered = Object.keys(ERRORS).filter((code) => !i18n.hasMessage(`error.${code}`));
    expect(uncovered.sort()).toEqual(notForShoppers.sort());
  });

  test('reads payment error codes (lastPaymentError) the same way', () => {
    i18n.setLanguage('en');
    expect(messages.errorMessage({ code: 'PAYMENT_DECLINED', message: 'x', at: '' })).toMatch(/declined/);
    expect(messages.errorMessage('PAYMENT_EXPIRED')).toMatch(/expired/);
  });
});
