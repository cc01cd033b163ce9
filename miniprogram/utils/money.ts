// Formats integer minor units as a price for people (1250 CNY → "¥12.50"); never uses floats.

const SYMBOLS: Record<string, string> = { CNY: '¥', JPY: '¥', USD: '$', HKD: 'HK$', EUR: '€', GBP: '£' };
const KNOWN_PRECISION: Record<string, number> = { JPY: 0, KRW: 0 };

/** Digits after the decimal point for `currency` when the server did not say (2 for most). */
export function defaultPrecision(currency: string): number {
  return Object.prototype.hasOwnProperty.call(KNOWN_PRECISION, currency) ? KNOWN_PRECISION[currency] : 2;
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Formats `amount` minor units of `currency` with `precision` decimals: (1250, "CNY", 2) → "¥12.50",
 * (1250, "JPY", 0) → "¥1,250". String arithmetic only, so 1990 fen is always "19.90".
 */
export function formatMoney(amount: number, currency: string, precision = defaultPrecision(currency)): string {
  const negative = amount < 0;
  const digits = String(Math.abs(Math.round(amount)));
  let text: string;
  if (precision > 0) {
    const padded = digits.length <= precision ? '0'.repeat(precision - digits.length + 1) + digits : digits;
    text = `${group(padded.slice(0, padded.length - precision))}.${padded.slice(padded.length - precision)}`;
  } else {
    text = group(digits);
  }
  const symbol = Object.prototype.hasOwnProperty.call(SYMBOLS, currency) ? SYMBOLS[currency] : `${currency} `;
  return `${negative ? '-' : ''}${symbol}${text}`;
}

/** Formats a `Money` with the server's precision when it is the server's currency (GET /api/config). */
export function formatPrice(
  money: { amount: number; currency: string },
  config?: { currency: string; currencyPrecision: number } | null,
): string {
  const precision = config && config.currency === money.currency ? config.currencyPrecision : defaultPrecision(money.currency);
  return formatMoney(money.amount, money.currency, precision);
}
