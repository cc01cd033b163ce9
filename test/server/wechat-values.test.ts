// The server's builder of subscription message values, on its own and against the simulator's rules (two oracles written apart),
// then through the client to the simulator over real HTTP.
import fc from 'fast-check';
import { createLogger } from '../../server/logger';
import { CREDENTIALS } from './simulator/helpers';
import { valueProblem, type KeyType } from '../../server/simulator/wechat-value-rules';
import { amountValue, buildData, characterStringValue, dateValue, keyType, phraseValue, thingValue, timeValue, valueFor } from '../../server/wechat/message-values';
import { WechatOpenApi } from '../../server/wechat/open-api';
import { startSimulator, type Harness } from './simulator/helpers';
import { loggedIn, PAYMENT_TEMPLATE, REFUND_TEMPLATE, subscribe } from './simulator/wechat-helpers';

// 2026-05-12 06:05 UTC: 14:05 in Shanghai, 02:05 in New York.
const AT = Date.UTC(2026, 4, 12, 6, 5, 59);
const codePoints = (text: string) => [...text].length;

describe('amounts', () => {
  test.each([
    [1250, 'CNY', 'symbol', '¥12.50'],
    [1250, 'CNY', 'yuan', '12.50元'],
    [5, 'CNY', 'symbol', '¥0.05'],
    [0, 'CNY', 'symbol', '¥0.00'],
    [1250, 'JPY', 'symbol', '¥1250'],
    [1250, 'usd', 'symbol', '$12.50'],
    [1250, 'USD', 'yuan', '$12.50'],
    [999, 'HKD', 'symbol', '$9.99'],
    [1250, 'EUR', 'symbol', '€12.50'],
    [1250, 'CHF', 'symbol', '12.50'],
    [12345, 'BHD', 'symbol', '12.345'],
    [1234567890, 'CNY', 'symbol', '¥12345678.90'],
    [12345678901, 'CNY', 'symbol', '¥123456789'],
  ] as const)('%i %s (%s) → %s', (minor, currency, style, expected) => {
    expect(amountValue(minor, currency, style)).toBe(expected);
  });

  test('refuses what is not money: negative, fractional, beyond 10 digits', () => {
    expect(() => amountValue(-1, 'CNY')).toThrow(RangeError);
    expect(() => amountValue(1.5, 'CNY')).toThrow(RangeError);
    expect(() => amountValue(100_000_000_000_00, 'CNY')).toThrow(/more than 10 digits/);
  });
});

describe('times', () => {
  test('in the merchant\'s time zone, 24-hour, without seconds, in both styles', () => {
    expect(timeValue(AT, 'Asia/Shanghai')).toBe('2026年5月12日 14:05');
    expect(timeValue(AT, 'Asia/Shanghai', 'numeric')).toBe('2026-05-12 14:05');
    expect(timeValue(AT, 'America/New_York', 'numeric')).toBe('2026-05-12 02:05');
    expect(dateValue(AT, 'Asia/Shanghai')).toBe('2026年5月12日');
    expect(dateValue(Date.UTC(2026, 0, 1, 16, 30), 'Asia/Shanghai', 'numeric')).toBe('2026-01-02');
    // Midnight is 00, never 24.
    expect(timeValue(Date.UTC(2026, 4, 11, 16, 0), 'Asia/Shanghai')).toBe('2026年5月12日 00:00');
  });
});

describe('things', () => {
  test('keep 20 characters, cut longer ones to 19 and an ellipsis, counting characters, not bytes', () => {
    expect(thingValue('一二三四五六七八九十一二三四五六七八九十')).toBe('一二三四五六七八九十一二三四五六七八九十');
    expect(thingValue('一二三四五六七八九十一二三四五六七八九十一')).toBe('一二三四五六七八九十一二三四五六七八九…');
    expect(thingValue('Coffee beans ×2, oolong tea ×1')).toBe('Coffee beans ×2, oo…');
    expect(codePoints(thingValue('😀'.repeat(30)))).toBe(20);
  });

  test('never split an emoji, even one of several code points', () => {
    const flags = thingValue('🇨🇳'.repeat(15)); // two code points each
    expect(flags).toBe(`${'🇨🇳'.repeat(9)}…`);
    expect(codePoints(flags)).toBe(19);
  });

  test('fold line breaks and control characters into one space, and fall back to - when empty', () => {
    expect(thingValue('  乌龙茶\n\t×2\u200b ')).toBe('乌龙茶 ×2');
    expect(thingValue('')).toBe('-');
    expect(thingValue(' \n ')).toBe('-');
  });
});

describe('the other key types', () => {
  test('character_string keeps printable ASCII, 32 at most, - when nothing is left', () => {
    expect(characterStringValue('ORD 2026-05 订单 #12')).toBe('ORD2026-05#12');
    expect(characterStringValue('x'.repeat(40))).toBe('x'.repeat(32));
    expect(characterStringValue('订单')).toBe('-');
  });

  test('phrase takes 1 to 5 Chinese characters and refuses anything else', () => {
    expect(phraseValue('已退款')).toBe('已退款');
    expect(() => phraseValue('refunded')).toThrow(RangeError);
    expect(() => phraseValue('')).toThrow(RangeError);
  });

  test('valueFor picks the shape from the key; a mismatched input is a TypeError', () => {
    const options = { timeZone: 'Asia/Shanghai' };
    expect(valueFor('number5', { amount: 1250, currency: 'CNY' }, options)).toBe('12.50');
    expect(valueFor('thing6', { amount: 1250, currency: 'CNY' }, options)).toBe('¥12.50');
    expect(valueFor('thing7', { at: AT }, options)).toBe('2026年5月12日 14:05');
    expect(() => valueFor('amount2', { text: '12.50' }, options)).toThrow(TypeError);
    expect(() => valueFor('time4', { text: 'now' }, options)).toThrow(TypeError);
    expect(() => valueFor('car_number1', { text: '粤A12345' }, options)).toThrow(/does not fill car_number/);
    expect(() => keyType('thing')).toThrow(TypeError);
    expect(keyType('character_string12')).toBe('character_string');
  });
});

describe('the builder against the simulator\'s rules (two oracles)', () => {
  const passes = (key: string, value: string) => valueProblem(keyType(key) as KeyType, value) === undefined && value.trim() !== '';
  const zones = fc.constantFrom('Asia/Shanghai', 'Asia/Hong_Kong', 'America/New_York', 'Europe/London', 'Pacific/Kiritimati', 'UTC');
  const currencies = fc.constantFrom('CNY', 'HKD', 'USD', 'JPY', 'EUR', 'GBP', 'CHF', 'KRW', 'SGD', 'BHD');
  const moments = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) });

  test('every thing and character_string it builds from any text passes', () => {
    // Short texts, and long ones (fast-check favours short strings; the cut is what needs testing).
    const texts = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({ unit: 'grapheme', minLength: 18, maxLength: 40 }),
      fc.string({ unit: 'grapheme-composite', minLength: 18, maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('乌', '龙', '茶', ' ', '\n', '🇨🇳', '👨‍👩‍👧', 'é', 'x'), minLength: 15, maxLength: 40 }),
    );
    fc.assert(fc.property(texts, (text) => passes('thing1', thingValue(text)) && passes('character_string2', characterStringValue(text))), { numRuns: 500 });
  });

  test('every amount and number it builds passes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999_999 }), currencies, fc.constantFrom('symbol' as const, 'yuan' as const), (minor, currency, style) => {
        return passes('amount2', amountValue(minor, currency, style)) && passes('number3', valueFor('number3', { amount: minor, currency }, { timeZone: 'UTC' }));
      }),
      { numRuns: 500 },
    );
  });

  test('every time and date it builds passes, in any zone and style', () => {
    fc.assert(
      fc.property(moments, zones, fc.constantFrom('zh' as const, 'numeric' as const), (at, zone, style) => {
        const options = { timeZone: zone, dateStyle: style };
        return passes('time4', valueFor('time4', { at }, options)) && passes('date5', valueFor('date5', { at }, options)) && passes('thing6', valueFor('thing6', { at }, options));
      }),
      { numRuns: 500 },
    );
  });
});

describe('built data through the client to the simulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(() => h.close());

  test('both shipped templates take what the builder makes from an order, in both languages', async () => {
    const api = new WechatOpenApi({ baseUrl: `${h.base}/wechat`, appId: CREDENTIALS.wechatAppId, appSecret: CREDENTIALS.wechatAppSecret, logger: createLogger('silent') });
    const openid = await loggedIn(h, 'builder');
    await subscribe(h, { openid, results: { [PAYMENT_TEMPLATE]: 'accept', [REFUND_TEMPLATE]: 'accept' } });
    const { accessToken } = await api.stableToken();
    const order = { id: 'ORD-20260512-0042', total: 128_800, currency: 'CNY', items: 'Oolong tea ×2, lotus seed mooncake ×6 (gift box)' };
    const payment = buildData(
      { character_string1: { text: order.id }, amount2: { amount: order.total, currency: order.currency }, thing3: { text: order.items }, time4: { at: AT } },
      { timeZone: 'Asia/Shanghai' },
    );
    expect(payment).toEqual({ character_string1: 'ORD-20260512-0042', amount2: '¥1288.00', thing3: 'Oolong tea ×2, lotu…', time4: '2026年5月12日 14:05' });
    await expect(api.sendSubscribeMessage({ accessToken, toUser: openid, templateId: PAYMENT_TEMPLATE, data: payment, page: 'pages/result/result?id=ORD-20260512-0042', lang: 'en_US' })).resolves.toEqual({ msgid: expect.stringMatching(/^\d{19}$/) });
    const refund = buildData(
      { character_string1: { text: order.id }, amount2: { amount: 5000, currency: 'CNY' }, thing3: { text: '乌龙茶 ×2' }, time4: { at: AT }, phrase5: { text: '已退款' } },
      { timeZone: 'Asia/Shanghai', dateStyle: 'numeric', amountStyle: 'yuan' },
    );
    expect(refund.amount2).toBe('50.00元');
    await expect(api.sendSubscribeMessage({ accessToken, toUser: openid, templateId: REFUND_TEMPLATE, data: refund })).resolves.toEqual({ msgid: expect.any(String) });
  });
});
