// The literals the PostgreSQL store writes into its batched statements: strings exactly as node-postgres' escapeLiteral makes them.
import fc from 'fast-check';
import pg from 'pg';
import { sqlLiteral, stringLiteral } from '../../../server/store/postgres-client';

describe('SQL literals', () => {
  test("write any string exactly as node-postgres' escapeLiteral does", () => {
    for (const text of ['', "'", "''", '\\', "\\'", "a'b\\c", 'E\'\\x00\'', '\u0000', '🙂\'\\', 'x'.repeat(5000) + "'"]) {
      expect(stringLiteral(text)).toBe(pg.escapeLiteral(text));
    }
    // Quotes and backslashes made likely among any other UTF-16 text.
    const text = fc.array(fc.oneof(fc.constantFrom("'", '\\', "''", '\\\\', 'E', ' '), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), { maxLength: 20 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (value) => stringLiteral(value) === pg.escapeLiteral(value)),
      { numRuns: 2_000 },
    );
  });

  test('write objects as jsonb, integers as digits, and refuse what has no exact literal', () => {
    expect(sqlLiteral({ a: "it's", b: '\\' })).toBe(`${pg.escapeLiteral(JSON.stringify({ a: "it's", b: '\\' }))}::jsonb`);
    expect(sqlLiteral(42)).toBe('42');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(true)).toBe('true');
    expect(() => sqlLiteral(1.5)).toThrow('not an integer');
    expect(() => sqlLiteral(Symbol('x'))).toThrow('no SQL literal');
  });
});
