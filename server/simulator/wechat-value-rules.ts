// The simulator's rules for subscription message values, one per key type (docs/reference/wechat-subscribe-messages.md §3).
// Written on purpose without looking at server/wechat/message-values.ts: the two are independent oracles, and a
// test checks that what the server builds passes these rules.

/** The key types WeChat documents; a key is its type followed by digits (`thing3`, `character_string1`). */
export const KEY_TYPES = [
  'thing', 'number', 'letter', 'symbol', 'character_string', 'time', 'date', 'amount', 'phone_number', 'car_number', 'name', 'phrase', 'enum',
] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** `character_string12` → `character_string`; undefined when the key is not a known type followed by digits. */
export function keyTypeOf(key: string): KeyType | undefined {
  const match = /^([a-z_]+?)(\d+)$/.exec(key);
  return match && (KEY_TYPES as readonly string[]).includes(match[1]) ? (match[1] as KeyType) : undefined;
}

/** Characters as WeChat counts them: code points, so a Chinese character or an emoji is one [inf]. */
const length = (value: string): number => [...value].length;

const HAN = /^\p{Script=Han}+$/u;
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

function validDate(year: number, month: number, day: number): boolean {
  if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/** `2019年10月1日`, `2019-10-01`, `2019/10/1`, `2019.10.01` (one separator throughout). */
function isDate(text: string): boolean {
  const chinese = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(text);
  const numeric = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(text);
  if (chinese) return validDate(Number(chinese[1]), Number(chinese[2]), Number(chinese[3]));
  if (numeric) return validDate(Number(numeric[1]), Number(numeric[3]), Number(numeric[4]));
  return false;
}

/** 24-hour `H:MM` or `HH:MM`; seconds are refused (a time with seconds was reported rejected). */
function isClock(text: string): boolean {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  return !!match && Number(match[1]) <= 23 && Number(match[2]) <= 59;
}

/** A date, a time, or a date then one space then a time; `needDate` for `date`, a clock for `time`. */
function isMoment(text: string, type: 'time' | 'date'): boolean {
  const space = text.indexOf(' ');
  if (space < 0) return type === 'time' ? isClock(text) : isDate(text);
  return isDate(text.slice(0, space)) && isClock(text.slice(space + 1));
}

/** `a~b` ranges are allowed for time and date; `15:00-16:00` is not (WeChat wants `~`). */
function isMomentOrRange(text: string, type: 'time' | 'date'): boolean {
  const parts = text.split('~');
  if (parts.length > 2) return false;
  return parts.every((part) => isMoment(part, type));
}

/** One currency symbol (optional) and at most 10 digits with an optional decimal part, or digits ending with 元. */
function isAmount(text: string): boolean {
  const match = /^(\p{Sc})?(\d+)(?:\.(\d+))?(元)?$/u.exec(text);
  if (!match) return false;
  const [, symbol, whole, fraction = '', yuan] = match;
  if (symbol && yuan) return false;
  return whole.length + fraction.length <= 10;
}

/**
 * Why `value` breaks the rule of `type`, or undefined when it passes. `enumValues`: the
 * template's allowed values for an `enum` key. Emptiness is the caller's check ("is empty").
 */
export function valueProblem(type: KeyType, value: string, enumValues?: readonly string[]): string | undefined {
  if (CONTROL.test(value)) return 'control characters (line breaks, tabs) are not allowed';
  switch (type) {
    case 'thing':
      return length(value) <= 20 ? undefined : `at most 20 characters, got ${length(value)}`;
    case 'number':
      return /^\d+(\.\d+)?$/.test(value) && value.replace('.', '').length <= 32 ? undefined : 'digits only (a decimal point allowed), at most 32';
    case 'letter':
      return /^[A-Za-z]{1,32}$/.test(value) ? undefined : 'letters only, at most 32';
    case 'symbol':
      return /^[\p{P}\p{S}]{1,5}$/u.test(value) ? undefined : 'symbols only, at most 5';
    case 'character_string':
      return /^[\x21-\x7e]{1,32}$/.test(value) ? undefined : 'digits, letters and ASCII symbols only (no spaces, no Chinese), at most 32';
    case 'time':
      return isMomentOrRange(value, 'time') ? undefined : 'a 24-hour time HH:MM, optionally after a date (2019年10月1日 15:01), or a range a~b; no seconds';
    case 'date':
      return isMomentOrRange(value, 'date') ? undefined : 'a date (2019年10月1日, 2019-10-01), optionally with HH:MM, or a range a~b';
    case 'amount':
      return isAmount(value) ? undefined : 'one currency symbol then at most 10 digits (¥12.50), or digits ending with 元 (12.50元)';
    case 'phone_number':
      return /^[\d\p{P}\p{S}]{1,17}$/u.test(value) ? undefined : 'digits and symbols only, at most 17';
    case 'car_number':
      return length(value) <= 8 && /^[\p{Script=Han}A-Z0-9]?[A-Z0-9]*[\p{Script=Han}A-Z0-9]?$/u.test(value) ? undefined : 'a plate of at most 8, Chinese only first or last';
    case 'name':
      return (HAN.test(value) && length(value) <= 10) || /^[A-Za-z][A-Za-z ]{0,19}$/.test(value) ? undefined : 'at most 10 Chinese characters or 20 letters';
    case 'phrase':
      return HAN.test(value) && length(value) <= 5 ? undefined : 'at most 5 Chinese characters, nothing else';
    case 'enum':
      return enumValues?.includes(value) ? undefined : `one of the template's values (${(enumValues ?? []).join(', ')})`;
  }
}
