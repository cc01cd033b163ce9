// Builds the `data` values of a subscription message so WeChat takes them: each value shaped for its key's type
// (docs/reference/wechat-subscribe-messages.md §3). Pure; written from that note, not from the simulator's rules, which a test checks it against.
import { currencyPrecision } from '../money';

/** What the server has for one key: a text, an amount in minor units, or a moment. */
export type ValueInput = { text: string } | { amount: number; currency: string } | { at: number };

export interface ValueOptions {
  /** The merchant's IANA time zone ("Asia/Shanghai"): times are shown as the merchant's clock reads. */
  timeZone: string;
  /** `zh`: 2026年5月12日 14:05 (the default); `numeric`: 2026-05-12 14:05. */
  dateStyle?: 'zh' | 'numeric';
  /** `symbol`: ¥12.50 (the default); `yuan`: 12.50元, for CNY only. */
  amountStyle?: 'symbol' | 'yuan';
}

/** What WeChat's own SDKs put for an empty value (WxJava): an empty value is refused. */
export const EMPTY_VALUE = '-';
/** A `thing` holds at most 20 characters. */
export const THING_LIMIT = 20;
const ELLIPSIS = '…';

/** `thing3` → `thing`, `character_string1` → `character_string`. Throws for a key that is not a type followed by digits. */
export function keyType(key: string): string {
  const match = /^([a-z]+(?:_[a-z]+)*?)(\d+)$/.exec(key);
  if (!match) throw new TypeError(`${key} is not a template key (a type followed by digits: thing3, amount2)`);
  return match[1];
}

/** Characters as WeChat counts them: code points, not bytes nor UTF-16 units. */
const charCount = (text: string): number => {
  let count = 0;
  for (const _ of text) count++;
  return count;
};

/** Line breaks, tabs, other control and format characters and lone surrogates become one space each run; trimmed. */
function clean(text: string): string {
  return text.replace(/[\s\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]+/gu, ' ').trim();
}

const graphemes = new Intl.Segmenter('zh', { granularity: 'grapheme' });

/** A `thing`: cleaned, at most 20 characters, cut with `…` between whole graphemes (an emoji is never split); `-` when empty. */
export function thingValue(text: string): string {
  const cleaned = clean(text);
  if (cleaned === '') return EMPTY_VALUE;
  if (charCount(cleaned) <= THING_LIMIT) return cleaned;
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(cleaned)) {
    const size = charCount(segment);
    if (used + size > THING_LIMIT - 1) break;
    kept += segment;
    used += size;
  }
  return `${kept.trimEnd()}${ELLIPSIS}`;
}

/** A `character_string`: printable ASCII without spaces, the first 32; `-` when nothing is left. */
export function characterStringValue(text: string): string {
  const kept = [...text].filter((c) => c >= '!' && c <= '~').join('').slice(0, 32);
  return kept === '' ? EMPTY_VALUE : kept;
}

/** 1250 CNY → "12.50": exact, from the integer. Past 10 digits in all, the decimals go (WeChat's limit). */
function decimal(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError(`an amount must be a whole number of minor units >= 0, got ${minor}`);
  const places = currencyPrecision(currency);
  const digits = String(minor).padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places);
  if (whole.length + fraction.length <= 10) return places === 0 ? whole : `${whole}.${fraction}`;
  if (whole.length <= 10) return whole;
  throw new RangeError(`${whole} has more than 10 digits: WeChat's amount cannot show it`);
}

/** The currency's sign when it is one symbol character ($, ¥, €, £, ₩), else undefined (CHF, BHD). */
function currencySign(currency: string): string | undefined {
  const part = new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' })
    .formatToParts(0)
    .find((p) => p.type === 'currency')?.value;
  return part !== undefined && /^\p{Sc}$/u.test(part) ? part : undefined;
}

/** An `amount`: ¥12.50, $3.20, 12.50元 (CNY, `yuan` style); the bare number when the currency has no one-character sign. */
export function amountValue(minor: number, currency: string, style: 'symbol' | 'yuan' = 'symbol'): string {
  const code = currency.toUpperCase();
  const number = decimal(minor, code);
  if (style === 'yuan' && code === 'CNY') return `${number}元`;
  const sign = currencySign(code);
  return sign ? `${sign}${number}` : number;
}

/** One formatter per time zone: building one costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The merchant's calendar date and 24-hour clock at `at`. */
function wallClock(at: number, timeZone: string): { year: string; month: string; day: string; hour: string; minute: string } {
  if (!Number.isFinite(at)) throw new RangeError(`not a time: ${at}`);
  const parts = formatterFor(timeZone).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)!.value;
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute') };
}

const pad = (n: string): string => n.padStart(2, '0');

/** A `date`: 2026年5月12日 or 2026-05-12, in the merchant's time zone. */
export function dateValue(at: number, timeZone: string, style: 'zh' | 'numeric' = 'zh'): string {
  const t = wallClock(at, timeZone);
  return style === 'zh' ? `${t.year}年${Number(t.month)}月${Number(t.day)}日` : `${t.year}-${pad(t.month)}-${pad(t.day)}`;
}

/** A `time`: the date, one space, HH:mm (never seconds, which WeChat refuses), in the merchant's time zone. */
export function timeValue(at: number, timeZone: string, style: 'zh' | 'numeric' = 'zh'): string {
  const t = wallClock(at, timeZone);
  return `${dateValue(at, timeZone, style)} ${t.hour}:${t.minute}`;
}

/** A `phrase`: 1 to 5 Chinese characters and nothing else; anything else is a programming error (a fixed status word is expected). */
export function phraseValue(text: string): string {
  const trimmed = text.trim();
  if (!/^\p{Script=Han}{1,5}$/u.test(trimmed)) throw new RangeError(`a phrase is 1 to 5 Chinese characters, got "${text}"`);
  return trimmed;
}

/** A `number`: digits and at most one decimal point, from an amount (no sign) or a text of that shape. */
function numberValue(input: ValueInput): string {
  if ('amount' in input) return decimal(input.amount, input.currency.toUpperCase());
  if ('text' in input && /^\d{1,32}$|^(?=[\d.]{3,33}$)\d+\.\d+$/.test(input.text.trim())) return input.text.trim();
  throw new RangeError('a number key takes an amount, or a text of digits with at most one decimal point');
}

/**
 * The value for `key` from `input`, valid for the key's type: `thing` takes anything (an amount or
 * a time as text), `character_string` and `phrase` a text, `amount` an amount, `time` and `date` a
 * moment, `number` an amount or digits. Other pairs, and other key types, throw a TypeError: they
 * are mistakes in the code that maps an order to a template, never the shopper's data.
 */
export function valueFor(key: string, input: ValueInput, options: ValueOptions): string {
  const type = keyType(key);
  const mismatch = (): never => {
    throw new TypeError(`${key}: a ${type} key cannot take ${Object.keys(input).join('/')}`);
  };
  switch (type) {
    case 'thing':
      if ('text' in input) return thingValue(input.text);
      if ('amount' in input) return amountValue(input.amount, input.currency, options.amountStyle);
      return thingValue(timeValue(input.at, options.timeZone, options.dateStyle));
    case 'character_string':
      return 'text' in input ? characterStringValue(input.text) : mismatch();
    case 'amount':
      return 'amount' in input ? amountValue(input.amount, input.currency, options.amountStyle) : mismatch();
    case 'time':
      return 'at' in input ? timeValue(input.at, options.timeZone, options.dateStyle) : mismatch();
    case 'date':
      return 'at' in input ? dateValue(input.at, options.timeZone, options.dateStyle) : mismatch();
    case 'phrase':
      return 'text' in input ? phraseValue(input.text) : mismatch();
    case 'number':
      return 'at' in input ? mismatch() : numberValue(input);
    default:
      throw new TypeError(`${key}: the builder does not fill ${type} keys`);
  }
}

/** `data` for sendSubscribeMessage: key → value, each built by valueFor. */
export function buildData(fields: Record<string, ValueInput>, options: ValueOptions): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([key, input]) => [key, valueFor(key, input, options)]));
}
