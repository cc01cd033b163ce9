// Exact conversion between integer minor units (inside) and Airwallex's major-unit decimals (wire).

/**
 * Digits after the decimal point per ISO 4217 currency, as Airwallex documents them
 * (https://airwallex.com/docs/payments__supported-currencies). Unlisted currencies use 2.
 */
const PRECISION: Record<string, number> = {
  BHD: 3, JOD: 3, KWD: 3, OMR: 3, TND: 3,
  CLP: 0, ISK: 0, JPY: 0, KRW: 0, PYG: 0, UGX: 0, VND: 0, XAF: 0, XOF: 0,
};

export function currencyPrecision(currency: string): number {
  return PRECISION[currency.toUpperCase()] ?? 2;
}

/** 1250 fen → 12.5 (CNY). Exact: built from the decimal string, never by dividing floats. */
export function toMajorUnits(minor: number, currency: string): number {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`minor amount must be a safe integer, got ${minor}`);
  const digits = currencyPrecision(currency);
  if (digits === 0) return minor;
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  return Number(`${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`);
}

/**
 * 12.5 or "12.50" → 1250 (CNY). Throws when the value has more decimals than the currency allows,
 * so a rounding error upstream is caught instead of silently charging a different amount.
 */
export function toMinorUnits(major: number | string, currency: string): number {
  const digits = currencyPrecision(currency);
  const text = typeof major === 'number' ? numberToPlainString(major) : major.trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`not a decimal amount: ${JSON.stringify(major)}`);
  const [, sign, whole, fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > digits) {
    throw new RangeError(`${text} has more than ${digits} decimal places for ${currency}`);
  }
  const minor = Number(whole + trimmed.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount out of range: ${text}`);
  return sign === '-' ? -minor : minor;
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  // Shortest round-trip form; reject exponent notation rather than guess (amounts that large or
  // that small are not money).
  const text = String(value);
  if (/e/i.test(text)) throw new RangeError(`amount out of range: ${text}`);
  return text;
}

/** -1250 fen → "-12.50" (CNY), 1000 → "1000" (JPY): the exact decimal at the currency's precision, as text (a CSV cell, a form). */
export function decimalText(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`minor amount must be a safe integer, got ${minor}`);
  const digits = currencyPrecision(currency);
  const sign = minor < 0 ? '-' : '';
  if (digits === 0) return `${sign}${Math.abs(minor)}`;
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}
