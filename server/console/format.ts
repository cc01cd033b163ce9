// Money, times and dates for the console: amounts per currency precision, times in the server's time zone.
import { currencyPrecision, toMajorUnits, toMinorUnits } from '../money';
import type { Language } from '../routes/presenters';

const locale = (language: Language) => (language === 'en' ? 'en-GB' : 'zh-CN');

/** 2699 CNY → "¥26.99" (zh_CN) or "CN¥26.99" (en); always the currency's own number of decimals. */
export function formatMoney(minor: number, currency: string, language: Language): string {
  const digits = currencyPrecision(currency);
  try {
    return new Intl.NumberFormat(locale(language), { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
      toMajorUnits(minor, currency),
    );
  } catch {
    // A currency code Intl does not know: the amount and the code.
    return `${toMajorUnits(minor, currency).toFixed(digits)} ${currency}`;
  }
}

/** The amount as an operator types it ("26.99"), for a form field's value. */
export function majorText(minor: number, currency: string): string {
  return toMajorUnits(minor, currency).toFixed(currencyPrecision(currency));
}

/** "26.99" → 2699; undefined when the text is not a positive amount with at most the currency's decimals. */
export function parseMajor(text: string, currency: string): number | undefined {
  const cleaned = text.trim().replace(/[\s,]/g, '');
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return undefined;
  try {
    const minor = toMinorUnits(cleaned, currency);
    return minor > 0 ? minor : undefined;
  } catch {
    return undefined;
  }
}

/** The time zone the console shows times in: the server's (TZ), named on every page. */
export function consoleTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** "2026-11-29 17:28:03" in `timeZone`. */
export function formatTime(at: number | string, timeZone: string): string {
  const date = typeof at === 'number' ? new Date(at) : new Date(at);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Milliseconds to add to UTC to get the wall clock of `timeZone` at instant `at`. */
function offsetAt(at: number, timeZone: string): number {
  const wall = formatTime(at, timeZone);
  const [date, time] = wall.split(' ');
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm, ss] = time.split(':').map(Number);
  return Date.UTC(y, m - 1, d, hh, mm, ss) - Math.floor(at / 1000) * 1000;
}

/** The instant a calendar day (YYYY-MM-DD) starts in `timeZone`; undefined when the text is no date. */
export function dayStart(day: string, timeZone: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const utc = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(utc) || new Date(utc).toISOString().slice(0, 10) !== day) return undefined;
  // Twice: the offset at the guess may differ from the offset at the answer around a DST change.
  const first = utc - offsetAt(utc, timeZone);
  return utc - offsetAt(first, timeZone);
}

/** The start of the day after `day` in `timeZone` (the end of an inclusive "to" date). */
export function dayEnd(day: string, timeZone: string): number | undefined {
  const start = dayStart(day, timeZone);
  if (start === undefined) return undefined;
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return dayStart(next, timeZone);
}
