// Exact money conversion at the Airwallex boundary.
import { currencyPrecision, toMajorUnits, toMinorUnits } from '../../server/money';

describe('money', () => {
  test('converts minor units to major-unit decimals per currency precision', () => {
    expect(toMajorUnits(1250, 'CNY')).toBe(12.5);
    expect(toMajorUnits(1990, 'CNY')).toBe(19.9);
    expect(toMajorUnits(980, 'CNY')).toBe(9.8);
    expect(toMajorUnits(1, 'CNY')).toBe(0.01);
    expect(toMajorUnits(0, 'CNY')).toBe(0);
    expect(toMajorUnits(1500, 'JPY')).toBe(1500);
    expect(toMajorUnits(1234, 'BHD')).toBe(1.234);
  });

  test('converts major-unit decimals back to exact minor units', () => {
    expect(toMinorUnits(9.8, 'CNY')).toBe(980);
    expect(toMinorUnits(19.9, 'CNY')).toBe(1990);
    expect(toMinorUnits('19.90', 'CNY')).toBe(1990);
    expect(toMinorUnits(0.3, 'CNY')).toBe(30);
    expect(toMinorUnits(1500, 'JPY')).toBe(1500);
    expect(toMinorUnits(1.234, 'BHD')).toBe(1234);
  });

  test('round-trips every amount up to ¥100,000.00 without drift', () => {
    for (let minor = 0; minor <= 10_000_000; minor += 997) {
      expect(toMinorUnits(toMajorUnits(minor, 'CNY'), 'CNY')).toBe(minor);
    }
  });

  test('refuses amounts with more decimals than the currency has', () => {
    expect(() => toMinorUnits(12.345, 'CNY')).toThrow(/decimal places/);
    expect(() => toMinorUnits(1.5, 'JPY')).toThrow(/decimal places/);
    expect(() => toMinorUnits(0.1 + 0.2, 'CNY')).toThrow();
  });

  test('refuses things that are not amounts', () => {
    expect(() => toMinorUnits('12,50', 'CNY')).toThrow();
    expect(() => toMinorUnits(Number.NaN, 'CNY')).toThrow();
    expect(() => toMinorUnits(1e25, 'CNY')).toThrow();
    expect(() => toMajorUnits(1.5, 'CNY')).toThrow();
  });

  test('knows the precision of common currencies', () => {
    expect(currencyPrecision('CNY')).toBe(2);
    expect(currencyPrecision('jpy')).toBe(0);
    expect(currencyPrecision('KWD')).toBe(3);
  });
});
