// The console's formatting: amounts in each currency's own precision, amounts as typed, days in a time zone.
import { dayEnd, dayStart, formatMoney, formatTime, majorText, parseMajor } from '../../server/console/format';
import { escapeHtml, html } from '../../server/console/html';

describe('money in the console', () => {
  test('shows each currency with its own number of decimals', () => {
    expect(formatMoney(2699, 'CNY', 'zh_CN')).toBe('¥26.99');
    expect(formatMoney(2699, 'CNY', 'en')).toBe('CN¥26.99');
    expect(formatMoney(1250, 'JPY', 'en')).toBe('JP¥1,250');
    expect(formatMoney(1250, 'KWD', 'en')).toMatch(/^KWD\s1\.250$/); // Intl puts a no-break space there
    expect(formatMoney(5, 'USD', 'en')).toBe('US$0.05');
    expect(majorText(2699, 'CNY')).toBe('26.99');
    expect(majorText(1250, 'JPY')).toBe('1250');
  });

  test('reads a typed amount exactly, refusing more decimals than the currency has', () => {
    expect(parseMajor('26.99', 'CNY')).toBe(2699);
    expect(parseMajor(' 5 ', 'CNY')).toBe(500);
    expect(parseMajor('1,250', 'JPY')).toBe(1250);
    expect(parseMajor('0.291', 'KWD')).toBe(291);
    for (const bad of ['26.991', '0', '0.00', '-1', '1e3', 'abc', '', '¥5']) expect([bad, parseMajor(bad, 'CNY')]).toEqual([bad, undefined]);
    expect(parseMajor('1.5', 'JPY')).toBeUndefined();
  });
});

describe('days and times in the console', () => {
  test('a day starts at midnight of the time zone, DST included, and the "to" day is inclusive', () => {
    expect(dayStart('2026-03-01', 'Asia/Shanghai')).toBe(Date.parse('2026-02-28T16:00:00Z'));
    expect(dayEnd('2026-03-01', 'Asia/Shanghai')).toBe(Date.parse('2026-03-01T16:00:00Z'));
    expect(dayStart('2026-03-01', 'UTC')).toBe(Date.parse('2026-03-01T00:00:00Z'));
    // New York moves to summer time on 2026-03-08: that day has 23 hours.
    expect(dayEnd('2026-03-08', 'America/New_York')! - dayStart('2026-03-08', 'America/New_York')!).toBe(23 * 3600_000);
    expect(dayStart('2026-02-30', 'UTC')).toBeUndefined();
    expect(dayStart('01/03/2026', 'UTC')).toBeUndefined();
    expect(formatTime('2026-02-28T16:00:00Z', 'Asia/Shanghai')).toBe('2026-03-01 00:00:00');
  });
});

describe('html', () => {
  test('escapes what it is given, and only nests what it built', () => {
    const name = '<script>alert("x")</script>';
    expect(html`<p title="${name}">${name}</p>`.text).toBe(`<p title="${escapeHtml(name)}">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>`);
    expect(html`<ul>${['a&b', html`<li>${"'"}</li>`]}</ul>`.text).toBe('<ul>a&amp;b<li>&#39;</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.text).toBe('0');
  });
});
