// Odd inputs for the fuzzer: Unicode edge cases, long strings, malformed JSON, and the encoders that put them on the wire.
import fc from 'fast-check';

const SPECIAL_PIECES = [
  '\u0000', // NUL
  '\uD800', // lone high surrogate
  '\uDFFF', // lone low surrogate
  '\uD83D', // half an emoji
  '\u202E', // RIGHT-TO-LEFT OVERRIDE
  '\u200F', // RIGHT-TO-LEFT MARK
  '\u200B', // zero width space
  '\u200D', // zero width joiner
  '\uFEFF', // BOM
  '\u0301', // combining acute accent
  '\uFFFD',
  '\uFFFF',
  '🙂',
  '👩‍👩‍👧‍👦',
  '🇨🇳',
  'ﷺ',
  'مرحبا',
  'שלום',
  '乌龙茶',
  'Z̤͔ͧ̑̓',
  '\\',
  '"',
  "'",
  '%',
  '%00',
  '../',
  '/',
  '?',
  '#',
  '&',
  '=',
  '+',
  '\n',
  '\r\n',
  '\t',
  ' ',
  '<script>',
  '{{x}}',
  '${x}',
  'null',
  'undefined',
  'NaN',
  '0',
  '-1',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Strings meant to break things; most are short, some are long. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...SPECIAL_PIECES), minLength: 1, maxLength: 8 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: loneSurrogate, minLength: 1, maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'é', '乌', '🙂', '\u0000', '\uD800', '\u202E'), fc.integer({ min: 129, max: 4000 }))
      .map(([piece, count]) => piece.repeat(count)),
  },
);

/** Odd strings that the JSON parser still accepts as object keys without refusing the body. */
export const oddKey: fc.Arbitrary<string> = oddString.filter((key) => key !== '__proto__' && key !== 'constructor' && key.length < 200);

/** Any JSON value, with odd strings mixed in. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 2, arbitrary: oddString },
  { weight: 1, arbitrary: fc.dictionary(oddKey, fc.oneof(oddString, fc.jsonValue({ maxDepth: 1 })), { maxKeys: 4 }) },
).filter((value) => !JSON.stringify(value ?? null).includes('"__proto__"') && !JSON.stringify(value ?? null).includes('"constructor"'));

/** A few extra fields to sprinkle on a body (the server ignores unknown fields by design). */
export const noiseFields: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  oddKey.map((key) => `x${key}`),
  anyJson,
  { maxKeys: 3 },
);

/** Is `text` JSON the server's parser accepts? (secure-json-parse drops a leading BOM first.) */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text.replace(/^\uFEFF/, ''));
    return true;
  } catch {
    return false;
  }
}

const BROKEN_JSON = [
  '{',
  '}',
  '{"items":',
  '{"items":[{"sku":"tea-oolong","quantity":1}]',
  '{"code":"abc"',
  "{'code':'abc'}",
  '{"a":1,}',
  '[1,2',
  '"unterminated',
  '{"a":01}',
  '{"a":"\\x"}',
  '{"a":1}{"b":2}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  '{a:1}',
  'undefined',
  'NaN',
  ' ',
  '\u0000',
  '{"a":"\u0000',
  '{"code":"\uD800',
  '<?xml version="1.0"?><code>1</code>',
  'code=abc',
  '--',
  '{"items":[{"sku":"tea-oolong","quantity":1}]}}',
];

/** Text that is not JSON (never empty). */
export const malformedJson: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom(...BROKEN_JSON) },
    { weight: 2, arbitrary: oddString },
    {
      weight: 2,
      arbitrary: fc
        .tuple(anyJson, fc.nat())
        .map(([value, cut]) => {
          const text = JSON.stringify(value ?? null);
          return text.slice(0, Math.max(1, cut % text.length));
        }),
    },
  )
  .filter((text) => text.length > 0 && !isJson(text));

/** Percent-encodes every byte of the UTF-8 form except unreserved characters (lone surrogates become U+FFFD). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * What a header value becomes on the wire: the UTF-8 bytes read as Latin-1 (how Node sends and
 * reads them), without the control bytes Node refuses, and trimmed as HTTP parsers do.
 */
export function headerValue(text: string): string {
  return Buffer.from(text, 'utf8')
    .toString('latin1')
    .replace(/[^\t\x20-\x7e\x80-\xff]/g, '')
    .replace(/^[\t ]+|[\t ]+$/g, '');
}

/** Like JSON.stringify, but string values "@@RAW:<token>@@" are written as the bare token (e.g. 1e400). */
export function serializeJson(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value).replace(/"@@RAW:([^"@]*)@@"/g, '$1');
}

/** A bare JSON token to put where a value goes (see serializeJson). */
export const rawToken = (token: string): string => `@@RAW:${token}@@`;

/** The value a raw token or plain value stands for once parsed. */
export function parsedValue(value: unknown): unknown {
  if (typeof value === 'string') {
    const match = /^@@RAW:([^"@]*)@@$/.exec(value);
    if (match) return JSON.parse(match[1]);
  }
  return value;
}

/** Code points, as the schema validator counts string length. */
export const codePoints = (text: string): number => [...text].length;
