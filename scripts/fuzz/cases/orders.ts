// The fuzzer's cases for the shopper's orders as a whole: POST /api/quote, POST /api/orders (never a valid new order),
// GET /api/orders; and the public GETs (products, config).
import fc from 'fast-check';
import { DEMO_PRODUCTS } from '../../../server/catalogue';
import { ORDER_STATUSES } from '../../../server/contract';
import type { ErrorCode } from '../../../server/errors';
import { API_BODY_LIMIT, type BodySpec, type FuzzCase } from '../model';
import { anyQuery, anyToken, badToken, getWithBody, isValid, noiseHeaders, poisonBody, validToken } from '../pieces';
import { anyJson, noiseFields, oddKey, oddString, parsedValue, rawToken } from '../strings';
import { SETUP_CART, SETUP_IDEMPOTENCY_KEY } from '../world';

const SKUS = DEMO_PRODUCTS.map((product) => product.sku);
export const STATUSES: readonly string[] = ORDER_STATUSES;

// ---------------------------------------------------------------- POST /api/orders

const validLine = fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 99 }) });
const validLines = (min: number, max: number) => fc.array(validLine, { minLength: min, maxLength: max });

/** Would the schema accept this quantity? JSON bodies are taken as sent: only an integer 1..99 (1.0 is one). */
function mayBeQuantity(raw: unknown): boolean {
  const value = parsedValue(raw);
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 99;
}

const badQuantity: fc.Arbitrary<unknown> = fc
  .oneof(
    fc.integer({ max: 0, min: -1_000_000 }),
    fc.integer({ min: 100, max: Number.MAX_SAFE_INTEGER }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(1.5, 0.5, 98.9999, 99.5, 1e21, 2 ** 53 + 2, -0.1, 1e300, -1e300),
    fc.constantFrom('1e400', '-1e400', '1e2', '100', '99.5', '-0', '12345678901234567890123', '1.0000001').map(rawToken),
    fc.constantFrom('abc', '0', '-3', '1.5', '100', '', 'one', '٣', '１', '1_0', 'Infinity', '1e999'),
    oddString,
    fc.dictionary(oddKey, anyJson, { maxKeys: 2 }),
  )
  .filter((quantity) => !mayBeQuantity(quantity));

const NEAR_MISS_SKUS = ['Tea-Oolong', 'tea-oolong ', ' tea-oolong', 'tea-oolong\u0000', 'tea\u2010oolong', 'tea-oolong\u200D', 'tea_oolong', 'TEA-OOLONG', 'postcard\uFEFF', 'postcards'];
const unknownSku: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NEAR_MISS_SKUS),
  oddString.filter((sku) => !SKUS.includes(sku)),
  fc.integer(),
  fc.constant(true),
  fc.dictionary(oddKey, anyJson, { maxKeys: 2 }),
);

type OrdersVariant = { variant: string; value?: unknown; body?: BodySpec; codes: ErrorCode[] };

/** One bad line among good ones, noise fields anywhere. */
const poisonedItems = (poisonLine: fc.Arbitrary<unknown>, variant: string, codes: ErrorCode[]): fc.Arbitrary<OrdersVariant> =>
  fc
    .tuple(validLines(0, 4), poisonLine, fc.nat(), noiseFields, fc.boolean(), noiseFields)
    .map(([lines, poison, at, lineNoise, noisy, topNoise]) => {
      const items: unknown[] = lines.map((line) => (noisy ? { ...lineNoise, ...line } : line));
      items.splice(at % (items.length + 1), 0, poison);
      return { variant, value: { ...topNoise, items }, codes };
    });

const ordersBody: fc.Arbitrary<OrdersVariant> = fc.oneof(
  poisonBody(API_BODY_LIMIT).map((poison): OrdersVariant => ({ variant: poison.variant, body: poison.body, codes: poison.codes })),
  poisonedItems(fc.record({ sku: unknownSku, quantity: fc.integer({ min: 1, max: 99 }) }), 'unknown SKU', ['UNKNOWN_PRODUCT', 'VALIDATION_FAILED']),
  poisonedItems(fc.record({ sku: fc.constantFrom(...SKUS), quantity: badQuantity }), 'bad quantity', ['VALIDATION_FAILED']),
  poisonedItems(
    fc.oneof(
      oddString,
      fc.integer(),
      fc.constant(null),
      fc.array(anyJson, { minLength: 2, maxLength: 3 }),
      fc.record({ sku: fc.constantFrom(...SKUS) }),
      fc.record({ quantity: fc.integer({ min: 1, max: 99 }) }),
      fc.constant({}),
    ),
    'malformed line',
    ['VALIDATION_FAILED'],
  ),
  fc.tuple(noiseFields, fc.constantFrom<unknown>([], 'items', 3, null, {}, { sku: 'tea-oolong', quantity: 1 })).map(([noise, items]): OrdersVariant => ({
    variant: 'items empty or not an array',
    value: { ...noise, items },
    codes: ['VALIDATION_FAILED'],
  })),
  noiseFields.map((value): OrdersVariant => ({ variant: 'missing items', value, codes: ['VALIDATION_FAILED'] })),
  validLines(51, 60).map((items): OrdersVariant => ({ variant: 'more than 50 lines', value: { items }, codes: ['VALIDATION_FAILED'] })),
  fc.oneof(fc.array(validLine, { maxLength: 3 }), fc.integer(), oddString, fc.constant(null), fc.boolean()).map((value): OrdersVariant => ({
    variant: 'body not an object',
    value,
    codes: ['VALIDATION_FAILED'],
  })),
  validLines(1, 3).map((items): OrdersVariant => ({
    variant: 'valid order sent as text/plain',
    body: { kind: 'json', value: { items }, contentType: 'text/plain' },
    codes: ['VALIDATION_FAILED'],
  })),
);

const badIdempotencyKey = fc.oneof(
  fc.constant(''),
  fc.stringMatching(/^[\x21-\x7e]{129,300}$/),
  fc.tuple(fc.stringMatching(/^[\x21-\x7e]{1,10}$/), fc.constantFrom(' ', 'é', '\u00a0', '乌'), fc.stringMatching(/^[\x21-\x7e]{1,10}$/)).map(([a, b, c]) => a + b + c),
);
const goodIdempotencyKey = fc.stringMatching(/^[\x21-\x7e]{1,128}$/);

/** Merges lines by SKU in first-seen order, as the server does before hashing the request. */
function mergedLines(lines: Array<{ sku: string; quantity: number }>): string {
  const merged = new Map<string, number>();
  for (const line of lines) merged.set(line.sku, (merged.get(line.sku) ?? 0) + line.quantity);
  return JSON.stringify([...merged]);
}

/** POST /api/quote: public, prices a cart, creates nothing; refuses what an order would refuse. */
export const quoteCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.oneof({ weight: 3, arbitrary: ordersBody }, { weight: 1, arbitrary: validLines(1, 4).map((items): OrdersVariant => ({ variant: 'valid cart', value: { items }, codes: [] })) }),
    fc.oneof(validToken, badToken),
    noiseHeaders,
  )
  .map(([v, token, headers]): FuzzCase => ({
    endpoint: 'POST /api/quote',
    variant: v.variant,
    method: 'POST',
    path: '/api/quote',
    token,
    headers,
    body: v.body ?? { kind: 'json', value: v.value },
    expect: v.codes.length === 0 ? { outcome: 'accept', status: 200 } : { outcome: 'refuse', codes: v.codes },
  }));

export const createOrderCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  // Anything at all without a valid session: 401 before the body is even read.
  {
    weight: 2,
    arbitrary: fc.tuple(badToken, fc.oneof(ordersBody, validLines(1, 4).map((items): OrdersVariant => ({ variant: 'valid order', value: { items }, codes: [] }))), fc.option(goodIdempotencyKey), noiseHeaders).map(
      ([token, v, key, headers]): FuzzCase => ({
        endpoint: 'POST /api/orders',
        variant: `bad token, ${v.variant}`,
        method: 'POST',
        path: '/api/orders',
        token,
        headers: key === null ? headers : { ...headers, 'idempotency-key': key },
        body: v.body ?? { kind: 'json', value: v.value },
        expect: { outcome: 'refuse', codes: ['UNAUTHENTICATED'] },
      }),
    ),
  },
  // A valid session with a body every rule refuses (and sometimes a fresh Idempotency-Key).
  {
    weight: 6,
    arbitrary: fc.tuple(validToken, ordersBody, fc.option(goodIdempotencyKey), noiseHeaders).map(
      ([token, v, key, headers]): FuzzCase => ({
        endpoint: 'POST /api/orders',
        variant: v.variant,
        method: 'POST',
        path: '/api/orders',
        token,
        headers: key === null ? headers : { ...headers, 'idempotency-key': key },
        body: v.body ?? { kind: 'json', value: v.value },
        expect: { outcome: 'refuse', codes: v.codes },
      }),
    ),
  },
  // A valid order with an invalid Idempotency-Key header.
  {
    weight: 1,
    arbitrary: fc.tuple(validToken, validLines(1, 4), badIdempotencyKey, noiseHeaders).map(
      ([token, items, key, headers]): FuzzCase => ({
        endpoint: 'POST /api/orders',
        variant: 'invalid Idempotency-Key',
        method: 'POST',
        path: '/api/orders',
        token,
        headers: { ...headers, 'idempotency-key': key },
        body: { kind: 'json', value: { items } },
        expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] },
      }),
    ),
  },
  // Alice's setup key again: the same cart answers her existing order, another cart is a 409.
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.oneof(validLines(1, 4), fc.constant(SETUP_CART)), fc.option(noiseFields), noiseHeaders)
      .map(([items, extra, headers]): FuzzCase => {
        const same = mergedLines(items) === mergedLines(SETUP_CART);
        return {
          endpoint: 'POST /api/orders',
          variant: same ? 'idempotent replay of the setup order' : 'Idempotency-Key reused with another cart',
          method: 'POST',
          path: '/api/orders',
          token: { kind: 'valid', shopper: 'alice' },
          headers: { ...headers, 'idempotency-key': SETUP_IDEMPOTENCY_KEY },
          body: { kind: 'json', value: { ...(extra ?? {}), items } },
          expect: same ? { outcome: 'accept', status: 201, sameOrderAs: 'aliceOpen' } : { outcome: 'refuse', codes: ['IDEMPOTENCY_KEY_REUSED'] },
        };
      }),
  },
);

export const listOrdersCase: fc.Arbitrary<FuzzCase> = fc.tuple(anyToken, anyQuery, noiseHeaders, getWithBody).map(([token, query, headers, body]): FuzzCase => ({
  endpoint: 'GET /api/orders',
  variant: isValid(token) ? 'valid session' : 'bad token',
  method: 'GET',
  path: '/api/orders',
  query,
  token,
  headers,
  body,
  // With a body on a GET, refusing it (or not) is the framework's business; never a 5xx either way.
  expect: body.kind !== 'none' ? { outcome: 'any' } : isValid(token) ? { outcome: 'accept', status: 200 } : { outcome: 'refuse', codes: ['UNAUTHENTICATED'] },
}));

export const publicCase = (endpoint: 'GET /api/products' | 'GET /api/config'): fc.Arbitrary<FuzzCase> =>
  fc.tuple(anyToken, anyQuery, noiseHeaders, getWithBody).map(([token, query, headers, body]): FuzzCase => ({
    endpoint,
    variant: 'public read',
    method: 'GET',
    path: endpoint.slice(4),
    query,
    token,
    headers,
    body,
    expect: body.kind !== 'none' ? { outcome: 'any' } : { outcome: 'accept', status: 200 },
  }));
