// The CSV writer and the chart's scale: what a spreadsheet must never run as a formula, quoting, and round scale tops.
import { attachment, csvCell, csvDocument } from '../../server/console/csv';
import { niceMax } from '../../server/console/pages/chart';
import { decimalText } from '../../server/money';

describe('csv', () => {
  test('a cell a spreadsheet would take for a formula is neutralised; plain numbers, negative ones too, are left alone', () => {
    expect(['=1+1', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx'].map(csvCell)).toEqual(["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "'\tx", `"'\rx"`]);
    expect(['-12.50', '0.00', '1000', 'att_1'].map(csvCell)).toEqual(['-12.50', '0.00', '1000', 'att_1']);
  });

  test('quotes, commas and line breaks are quoted as RFC 4180 says; a document has a BOM and CRLF lines', () => {
    expect(csvCell('乌龙茶 "特级", 2')).toBe('"乌龙茶 ""特级"", 2"');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell(null)).toBe('');
    expect(csvDocument(['a', 'b'], [[1, 'x,y']])).toBe('\uFEFFa,b\r\n1,"x,y"\r\n');
    expect(attachment('对账 "x".csv')).toBe(`attachment; filename="__ _x_.csv"; filename*=UTF-8''${encodeURIComponent('对账 "x".csv')}`);
  });

  test('amounts as exact decimals at the currency precision', () => {
    expect([decimalText(-1250, 'CNY'), decimalText(5, 'CNY'), decimalText(0, 'USD'), decimalText(1000, 'JPY'), decimalText(-7, 'KWD')]).toEqual(['-12.50', '0.05', '0.00', '1000', '-0.007']);
  });
});

describe("the chart's scale", () => {
  test('tops at the next 1, 2 or 5 × 10^k whole units', () => {
    expect([niceMax(0, 'CNY'), niceMax(2699, 'CNY'), niceMax(5398, 'CNY'), niceMax(15_000_00, 'CNY'), niceMax(1001, 'JPY')]).toEqual([100, 5000, 10000, 20_000_00, 2000]);
  });
});
