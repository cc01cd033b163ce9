// The fuzzer's cases: one fast-check arbitrary per endpoint, each case knowing what the server must answer.
//
// A case is plain data (printable, shrinkable). Tokens, order ids, timestamps and signatures are
// symbolic and resolved against the live fixture only when the request is built (see request.ts).
// Rule: a case writes only the tables it names (`writes`, and `writesIfAccepted` when it is answered
// 2xx/3xx); the run compares every table of both databases after every case (tables.ts). Requests that
// would move an order (a valid new order, paying or cancelling an open order, a signed webhook that
// changes one) are never generated; requests that succeed without that (reads, idempotent replays,
// harmless signed webhooks, a random login code, a refund of carol's order, a re-check) are expected to.
import fc from 'fast-check';
import { DEMO_PRODUCTS } from '../../server/catalogue';
import { ORDER_STATUSES } from '../../server/contract';
import type { ErrorCode } from '../../server/errors';
import { MAX_WAIT_SECONDS } from '../../server/services/order-watch';
import { adminCaseArbitraries } from './admin-cases';
import type { WriteRule } from './tables';
import { SETUP_CART, SETUP_IDEMPOTENCY_KEY, type Shopper } from './world';
import { isStorableText } from '../../server/text';
import { anyJson, codePoints, headerValue, isJson, malformedJson, noiseFields, oddKey, oddString, parsedValue, percentEncode, rawToken } from './strings';

export const ENDPOINTS = [
  'POST /api/sessions',
  'POST /api/orders',
  'POST /api/quote',
  'GET /api/orders',
  'GET /api/orders/{id}',
  'POST /api/orders/{id}/payment',
  'POST /api/orders/{id}/cancel',
  'GET /api/products',
  'GET /api/config',
  'POST /webhooks/airwallex',
  'GET /admin/api/orders',
  'GET /admin/api/orders/{id}',
  'POST /admin/api/orders/{id}/refunds',
  'POST /admin/api/orders/{id}/recheck',
  'GET /admin/api/anomalies',
  'POST /admin/api/anomalies/{id}/resolve',
  'GET /admin/api/audit',
  'GET /admin/api/simulator',
  'GET /admin (console pages)',
  'POST /admin/sign-in',
  'POST /admin (console forms)',
  'unknown route',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export const API_BODY_LIMIT = 16 * 1024;
export const WEBHOOK_BODY_LIMIT = 512 * 1024;
const SKUS = DEMO_PRODUCTS.map((product) => product.sku);
const STATUSES: readonly string[] = ORDER_STATUSES;

export type TokenRef =
  | { kind: 'valid'; shopper: Shopper }
  | { kind: 'missing' }
  | { kind: 'expired' }
  | { kind: 'unknown'; token: string }
  | { kind: 'mangled'; how: 'lowercaseScheme' | 'noScheme' | 'appendBang' | 'appendChar' | 'truncate' | 'doubleSpace' | 'basicScheme' | 'tokenTwice' | 'tab' | 'tooLong' }
  | { kind: 'raw'; header: string };

export type OrderKey = 'aliceOpen' | 'alicePaid' | 'aliceCancelled' | 'bobOpen' | 'carolPaid';
/** Whose order it is (carol has no token among the cases: her order is always someone else's to them). */
export const OWNER: Record<OrderKey, Shopper | 'carol'> = { aliceOpen: 'alice', alicePaid: 'alice', aliceCancelled: 'alice', bobOpen: 'bob', carolPaid: 'carol' };

/**
 * How a request to the admin API or the console authenticates: the admin token as a bearer token (and
 * mangled), a shopper's token in its place, or the console's session cookie, with its CSRF token and our
 * Origin or without them.
 */
export type AdminAuth =
  | 'none'
  | 'token'
  | 'shopperToken'
  | 'wrongToken'
  | 'lowercaseScheme'
  | 'tokenAppended'
  | 'session'
  | 'sessionNoCsrf'
  | 'sessionWrongCsrf'
  | 'sessionForeignOrigin'
  | 'sessionNullOrigin'
  | 'shopperAsSession'
  | 'tokenAsSession'
  | 'garbageSession';

export type OrderRef =
  | { kind: 'order'; order: OrderKey }
  | { kind: 'nearMiss'; order: OrderKey; how: 'appendX' | 'upper' | 'truncate' | 'dropPrefix' | 'zeroWidth' }
  | { kind: 'random'; id: string };

export interface QueryPart {
  key: string;
  value: string;
  /** Sent as written (e.g. broken %-escapes) instead of percent-encoded. */
  raw?: boolean;
}

export type BodySpec =
  | { kind: 'none' }
  /** An HTML form (application/x-www-form-urlencoded); `@csrf`, `@adminToken`, `@aliceToken` are resolved when sent. */
  | { kind: 'form'; fields: Array<[string, string]> }
  | { kind: 'json'; value: unknown; contentType?: string | null; pad?: number; chunked?: boolean }
  | { kind: 'text'; text: string; contentType?: string | null; latin1?: boolean; chunked?: boolean };

export type TimestampSpec =
  | { kind: 'now' }
  | { kind: 'offset'; ms: number }
  | { kind: 'seconds' }
  | { kind: 'raw'; value: string }
  | { kind: 'missing' };

export type SignatureSpec =
  | { kind: 'valid' }
  | { kind: 'uppercase' }
  | { kind: 'missing' }
  | { kind: 'random'; hex: string }
  | { kind: 'raw'; value: string }
  | { kind: 'wrongSecret'; secret: string }
  | { kind: 'otherBody'; body: string }
  | { kind: 'otherTimestamp'; deltaMs: number }
  | { kind: 'prefixed' }
  | { kind: 'truncated' };

export interface WebhookSpec {
  /** `setup`: the accepted setup delivery replayed byte for byte (timestamp and signature included). */
  replay?: 'exact' | 'newTimestamp' | 'otherBody';
  timestamp: TimestampSpec;
  signature: SignatureSpec;
}

export interface Expectation {
  /** refuse: must be 4xx; accept: must be 2xx; redirect: must be 303 (the console); any: either (never 5xx). */
  outcome: 'refuse' | 'accept' | 'redirect' | 'any';
  /** When refused, the code must be one of these. */
  codes?: ErrorCode[];
  /** When accepted, the status must be this. */
  status?: number;
  /** When accepted, the answer's order must be this fixture order. */
  sameOrderAs?: OrderKey;
  /** When a webhook is accepted, its `outcome` must be one of these. */
  webhookOutcomes?: string[];
  /** When refused by the console (HTML), the status must be one of these. */
  statuses?: number[];
  /** When the console redirects, the Location must start with this (it always must stay under /admin). */
  location?: string;
  /** When a refund is accepted, it must be this one (the setup's, replayed with its key). */
  sameRefundAs?: 'setup';
}

export interface FuzzCase {
  endpoint: Endpoint;
  /** What the generator did, in a few words. */
  variant: string;
  method: string;
  /** Path template; `{id}` is replaced by the resolved `order`. */
  path: string;
  order?: OrderRef;
  query?: QueryPart[];
  token: TokenRef;
  headers: Record<string, string>;
  body: BodySpec;
  webhook?: WebhookSpec;
  expect: Expectation;
  /** The admin API's or the console's authentication (instead of `token`). */
  admin?: AdminAuth;
  /** Whose refusal contract applies: the API's error envelope (default) or the console's HTML pages. */
  contract?: 'api' | 'console';
  /** Tables this case may write whatever the answer (see tables.ts WriteRule). */
  writes?: WriteRule[];
  /** Tables this case may write when answered 2xx or 3xx. */
  writesIfAccepted?: WriteRule[];
  /** Its writes may land after its answer: `refund` until the simulator has settled the refund and delivered its webhooks. */
  linger?: 'refund';
}

// ---------------------------------------------------------------- shared pieces

const shopperArb = fc.constantFrom<Shopper>('alice', 'bob');

/**
 * Node answers a request head (request line + headers) past 16 KB with its own 431 before the app
 * sees it (see `hugeHeadCase`); everything else keeps its URL and headers well below.
 */
export const HEAD_BUDGET = 4_000;
const headerString = oddString.filter((value) => headerValue(value).length <= 1_000);
export const queryLength = (parts: QueryPart[]) => parts.reduce((sum, part) => sum + percentEncode(part.key).length + (part.raw ? part.value.length : percentEncode(part.value).length) + 2, 0);

const badToken: fc.Arbitrary<TokenRef> = fc.oneof(
  fc.constant<TokenRef>({ kind: 'missing' }),
  fc.constant<TokenRef>({ kind: 'expired' }),
  fc.stringMatching(/^[A-Za-z0-9_-]{16,128}$/).map((token): TokenRef => ({ kind: 'unknown', token })),
  fc
    .constantFrom('lowercaseScheme', 'noScheme', 'appendBang', 'appendChar', 'truncate', 'doubleSpace', 'basicScheme', 'tokenTwice', 'tab', 'tooLong' as const)
    .map((how): TokenRef => ({ kind: 'mangled', how })),
  headerString.map((header): TokenRef => ({ kind: 'raw', header })),
);
const validToken = shopperArb.map((shopper): TokenRef => ({ kind: 'valid', shopper }));
const anyToken = fc.oneof({ weight: 3, arbitrary: validToken }, { weight: 2, arbitrary: badToken });
const isValid = (token: TokenRef): token is { kind: 'valid'; shopper: Shopper } => token.kind === 'valid';

const extraHeaders = fc.dictionary(fc.stringMatching(/^x-fuzz-[a-z0-9-]{1,16}$/), headerString, { maxKeys: 2 });
/** Headers that change nothing: languages, user agents, unknown x- headers, a client-chosen request id. */
export const noiseHeaders: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    fc.record(
      {
        'accept-language': fc.oneof(fc.constantFrom('en', 'en-US,en;q=0.9', 'zh-CN', '*', 'ar', 'en\u202E'), headerString),
        'user-agent': headerString,
        'x-request-id': headerString,
        'x-forwarded-for': fc.constantFrom('1.2.3.4', '::1', 'unknown, 10.0.0.1'),
      },
      { requiredKeys: [] },
    ),
    extraHeaders,
  )
  .map(([known, extra]) => ({ ...known, ...extra }));

const orderKey = fc.constantFrom<OrderKey>('aliceOpen', 'alicePaid', 'aliceCancelled', 'bobOpen', 'carolPaid');

/**
 * The router refuses a path parameter longer than this (raw, percent-encoded) before any of the
 * API's code runs; see `longIdCase`.
 */
const MAX_PARAM_LENGTH = 100;
const routable = (id: string) => percentEncode(id).length <= MAX_PARAM_LENGTH;

/** Ids that are no order of anyone's (some too long for the route's schema). */
export const randomOrderId: fc.Arbitrary<OrderRef> = fc.oneof(
  { weight: 3, arbitrary: oddString.filter((id) => id.length > 0 && routable(id)).map((id): OrderRef => ({ kind: 'random', id })) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{65,100}$/).map((id): OrderRef => ({ kind: 'random', id })) },
  { weight: 2, arbitrary: fc.stringMatching(/^ord_[A-Za-z0-9_-]{16}$/).map((id): OrderRef => ({ kind: 'random', id })) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', '..', '%', '0', 'null', 'undefined').map((id): OrderRef => ({ kind: 'random', id })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(orderKey, fc.constantFrom('appendX', 'upper', 'truncate', 'dropPrefix', 'zeroWidth' as const))
      .map(([order, how]): OrderRef => ({ kind: 'nearMiss', order, how })),
  },
);

/** An id that some route matcher may not even route (empty, dot segments): refused, but possibly as NOT_FOUND. */
export const oddlyRouted = (ref: OrderRef | undefined) => ref?.kind === 'random' && (ref.id === '' || ref.id === '.' || ref.id === '..');
/** Ids the route's schema refuses (1..64 code points allowed; near misses stay short). */
export const idTooLong = (ref: OrderRef | undefined) => ref?.kind === 'random' && codePoints(ref.id) > 64;

const contentTypeNoParser = fc.constantFrom(
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'image/png',
  'application/jsonx',
  'text/html',
  'application/octet-stream',
);

// ---------------------------------------------------------------- bodies that every route refuses

export type Poison = { body: BodySpec; codes: ErrorCode[]; variant: string };

/** Bodies refused before any handler runs: not JSON, empty JSON, too large, or of a type nothing parses. */
export const poisonBody = (limit: number): fc.Arbitrary<Poison> =>
  fc.oneof(
    malformedJson.map((text): Poison => ({ body: { kind: 'text', text, contentType: 'application/json' }, codes: ['INVALID_JSON'], variant: 'malformed JSON' })),
    fc.constant<Poison>({ body: { kind: 'text', text: '', contentType: 'application/json' }, codes: ['INVALID_JSON'], variant: 'empty JSON body' }),
    fc
      .tuple(anyJson, fc.integer({ min: limit + 1, max: limit + 24_000 }), fc.constantFrom<string | null>('application/json', 'text/plain', 'application/json; charset=utf-8'), fc.boolean())
      .map(([value, pad, contentType, chunked]): Poison => ({ body: { kind: 'json', value, pad, contentType, chunked }, codes: ['BODY_TOO_LARGE'], variant: 'body past the size limit' })),
    fc
      .tuple(fc.oneof(contentTypeNoParser, fc.constant<string | null>(null)), fc.oneof(anyJson.map((v) => JSON.stringify(v ?? null)), oddString.filter((s) => s.length > 0)))
      .map(([contentType, text]): Poison => ({ body: { kind: 'text', text, contentType }, codes: ['UNSUPPORTED_MEDIA_TYPE'], variant: 'unsupported content type' })),
  );

/** Bodies a bodyless POST route ignores (no body, JSON, plain text). */
export const harmlessBody: fc.Arbitrary<BodySpec> = fc.oneof(
  fc.constant<BodySpec>({ kind: 'none' }),
  fc.constant<BodySpec>({ kind: 'json', value: {} }),
  anyJson.map((value): BodySpec => ({ kind: 'json', value })),
  oddString.map((text): BodySpec => ({ kind: 'text', text, contentType: 'text/plain' })),
);

// ---------------------------------------------------------------- POST /api/sessions

/** Would the schema take this as a code? JSON bodies are taken as sent: a non-empty string of at most 128 code points. */
const mayBeCode = (code: unknown) => typeof code === 'string' && code.length > 0 && codePoints(code) <= 128;

const sessionsCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.oneof(
      poisonBody(API_BODY_LIMIT).map((poison) => ({ variant: poison.variant, body: poison.body, expect: { outcome: 'refuse', codes: poison.codes } as Expectation })),
      fc.constant({ variant: 'used code', body: { kind: 'json', value: { code: '@used' } } as BodySpec, expect: { outcome: 'refuse', codes: ['WECHAT_CODE_INVALID'] } as Expectation }),
      fc.stringMatching(/^sim[0-9A-Za-z]{29}$/).map((code) => ({ variant: 'never minted code', body: { kind: 'json', value: { code } } as BodySpec, expect: { outcome: 'refuse', codes: ['WECHAT_CODE_INVALID'] } as Expectation })),
      oddString
        .filter((code) => codePoints(code) > 140)
        .map((code) => ({ variant: 'code too long', body: { kind: 'json', value: { code } } as BodySpec, expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation })),
      fc.constantFrom<unknown>('', {}, [], ['a', 'b'], { code: 'x' }).map((code) => ({ variant: 'empty or non-string code', body: { kind: 'json', value: { code } } as BodySpec, expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation })),
      noiseFields.map((value) => ({ variant: 'missing code', body: { kind: 'json', value } as BodySpec, expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation })),
      fc
        .oneof(fc.array(anyJson, { maxLength: 3 }), fc.integer(), oddString, fc.constant(null), fc.boolean())
        .map((value) => ({ variant: 'body not an object', body: { kind: 'json', value } as BodySpec, expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation })),
      fc.constantFrom('{"__proto__":{"code":"x"},"code":"abc"}', '{"constructor":{"prototype":{"code":"x"}},"code":"abcd"}').map((text) => ({
        variant: 'prototype pollution',
        body: { kind: 'text', text } as BodySpec,
        expect: { outcome: 'refuse', codes: ['INVALID_JSON'] } as Expectation,
      })),
      fc.constantFrom('text/plain', 'text/plain; charset=utf-8').map((contentType) => ({
        variant: 'JSON sent as text/plain',
        body: { kind: 'json', value: { code: '@used' }, contentType } as BodySpec,
        expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation,
      })),
      // Text no store keeps (NUL, a lone surrogate): refused before WeChat is asked.
      oddString
        .filter((code) => mayBeCode(code) && !isStorableText(code))
        .map((code) => ({ variant: 'code with text no store keeps', body: { kind: 'json', value: { code } } as BodySpec, expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation })),
      // Valid but unusual: the simulator takes an unknown code once, as DevTools' tourist-mode code does.
      fc
        .tuple(fc.oneof(oddString, fc.integer(), fc.boolean(), fc.double()), noiseFields)
        .filter(([code]) => mayBeCode(code) && isStorableText(code as string))
        .map(([code, extra]) => ({ variant: 'random code (may be accepted once)', body: { kind: 'json', value: { ...extra, code } } as BodySpec, expect: { outcome: 'any' } as Expectation, unknownCode: true })),
    ),
    noiseHeaders,
    fc.oneof({ weight: 4, arbitrary: fc.constant<TokenRef>({ kind: 'missing' }) }, { weight: 1, arbitrary: anyToken }),
  )
  .map(([v, headers, token]): FuzzCase => ({
    endpoint: 'POST /api/sessions',
    variant: v.variant,
    method: 'POST',
    path: '/api/sessions',
    token,
    headers,
    body: v.body,
    expect: v.expect,
    // DevTools' tourist-mode codes: the simulator records an unknown code as used (and, the first time, the default
    // shopper as a user WeChat knows), and a session is made.
    ...('unknownCode' in v ? { writes: ['simulator.wechat_codes +~', 'simulator.wechat_users +'], writesIfAccepted: ['server.sessions +'] } : {}),
  }));

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
const quoteCase: fc.Arbitrary<FuzzCase> = fc
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

const createOrderCase: fc.Arbitrary<FuzzCase> = fc.oneof(
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

// ---------------------------------------------------------------- GET /api/orders, /api/products, /api/config

const anyQuery: fc.Arbitrary<QueryPart[]> = fc.array(fc.record({ key: oddString, value: oddString }), { maxLength: 3 }).filter((parts) => queryLength(parts) <= HEAD_BUDGET);

const getWithBody: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<BodySpec>({ kind: 'none' }) },
  { weight: 1, arbitrary: anyJson.map((value): BodySpec => ({ kind: 'json', value })) },
  { weight: 1, arbitrary: malformedJson.map((text): BodySpec => ({ kind: 'text', text, contentType: 'application/json' })) },
);

const listOrdersCase: fc.Arbitrary<FuzzCase> = fc.tuple(anyToken, anyQuery, noiseHeaders, getWithBody).map(([token, query, headers, body]): FuzzCase => ({
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

const publicCase = (endpoint: 'GET /api/products' | 'GET /api/config'): fc.Arbitrary<FuzzCase> =>
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

// ---------------------------------------------------------------- GET /api/orders/{id}

/**
 * Would the validator take this query value as waitSeconds? An integer 0..25 after coercion, or
 * (see `infiniteWaitCase`) anything that coerces to ±Infinity, which Ajv lets through.
 */
function mayBeWait(value: string): boolean {
  // eslint-disable-next-line eqeqeq
  if (value === '' || value != (+value as unknown)) return false;
  const n = +value;
  return !Number.isFinite(n) || (Number.isInteger(n) && n >= 0 && n <= MAX_WAIT_SECONDS);
}
export const BROKEN_ESCAPES = ['%zz', '%E9', '%', '%C3%28', '%u0031', '%%31'];
const garbage = (valid: (value: string) => boolean, extra: string[]): fc.Arbitrary<QueryPart['value'] | { raw: string }> =>
  fc.oneof(
    fc.constantFrom(...extra).filter((value) => !valid(value)),
    oddString.filter((value) => !valid(value)),
    fc.constantFrom(...BROKEN_ESCAPES).map((raw) => ({ raw })),
  );

type QueryPlan = { parts: QueryPart[]; invalid: boolean };

const waitValid = fc.oneof({ weight: 12, arbitrary: fc.constant('0') }, { weight: 1, arbitrary: fc.constant('1') });
const queryPart = (key: string, value: string | { raw: string }): QueryPart =>
  typeof value === 'string' ? { key, value } : { key, value: value.raw, raw: true };

const present = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { freq: 2 });
const validOrGarbage = <T, U>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 5, arbitrary: valid.map((v) => ({ ok: true, v: v as string | { raw: string } })) }, { weight: 1, arbitrary: bad.map((v) => ({ ok: false, v: v as string | { raw: string } })) });

const orderQuery: fc.Arbitrary<QueryPlan> = fc
  .tuple(
    present(validOrGarbage(waitValid, garbage(mayBeWait, ['abc', '-1', '1.5', '26', '100', 'NaN', '-0.5', '٣', '１', 'true', '0x', '--1', '1,0', '1 1']))),
    present(validOrGarbage(fc.constantFrom(...STATUSES), garbage((v) => STATUSES.includes(v), ['Paid', 'PAID', 'paid ', 'awaiting-payment', 'pending', 'SUCCEEDED', '']))),
    present(validOrGarbage(fc.constantFrom('true', 'false'), garbage((v) => v === 'true' || v === 'false', ['1', '0', 'yes', 'TRUE', 'True', 'on', '']))),
    fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('waitSeconds', 'unlessStatus', 'refresh') }),
    fc.array(fc.record({ key: oddKey.filter((key) => !['waitSeconds', 'unlessStatus', 'refresh'].includes(key)), value: oddString }), { maxLength: 2 }),
  )
  .map(([wait, unless, refresh, duplicate, extra]): QueryPlan => {
    const parts: QueryPart[] = [];
    if (wait) parts.push(queryPart('waitSeconds', wait.v));
    if (unless) parts.push(queryPart('unlessStatus', unless.v));
    if (refresh) parts.push(queryPart('refresh', refresh.v));
    // The same key twice becomes an array, which no schema here takes (once, it is just a valid value).
    const repeated = duplicate !== null && parts.some((part) => part.key === duplicate);
    if (duplicate) parts.push({ key: duplicate, value: duplicate === 'waitSeconds' ? '0' : duplicate === 'refresh' ? 'false' : 'paid' });
    parts.push(...extra);
    const invalid = [wait, unless, refresh].some((p) => p && !p.ok) || repeated;
    return { parts, invalid };
  })
  .filter((plan) => queryLength(plan.parts) <= HEAD_BUDGET);

const getOrderCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.oneof({ weight: 4, arbitrary: validToken }, { weight: 1, arbitrary: badToken }), fc.oneof({ weight: 3, arbitrary: orderKey.map((order): OrderRef => ({ kind: 'order', order })) }, { weight: 2, arbitrary: randomOrderId }), orderQuery, noiseHeaders)
  .map(([token, order, query, headers]): FuzzCase => {
    let expect: Expectation;
    let variant: string;
    if (oddlyRouted(order)) {
      variant = 'empty or dot id';
      expect = { outcome: 'refuse', codes: ['UNAUTHENTICATED', 'VALIDATION_FAILED', 'NOT_FOUND', 'ORDER_NOT_FOUND'] };
    } else if (!isValid(token)) {
      variant = 'bad token';
      expect = { outcome: 'refuse', codes: ['UNAUTHENTICATED'] };
    } else if (query.invalid || idTooLong(order)) {
      variant = query.invalid ? 'invalid query' : 'id too long';
      expect = { outcome: 'refuse', codes: ['VALIDATION_FAILED'] };
    } else if (order.kind !== 'order' || OWNER[order.order] !== token.shopper) {
      variant = order.kind === 'order' ? "another shopper's order" : 'no such order';
      expect = { outcome: 'refuse', codes: ['ORDER_NOT_FOUND'] };
    } else {
      variant = query.parts.length ? 'own order with query' : 'own order';
      expect = { outcome: 'accept', status: 200, sameOrderAs: order.order };
    }
    // ?refresh=true asks Airwallex: the order's bookkeeping (when it was checked, retrieved, next due).
    return {
      endpoint: 'GET /api/orders/{id}',
      variant,
      method: 'GET',
      path: '/api/orders/{id}',
      order,
      query: query.parts,
      token,
      headers,
      body: { kind: 'none' },
      expect,
      writesIfAccepted: ['server.orders ~checked_at,retrieved_at,next_check_at,intent_updated_at'],
    };
  });

// ---------------------------------------------------------------- POST /api/orders/{id}/payment and /cancel

const orderActionCase = (action: 'payment' | 'cancel'): fc.Arbitrary<FuzzCase> =>
  fc
    .tuple(
      anyToken,
      fc.oneof({ weight: 3, arbitrary: orderKey.map((order): OrderRef => ({ kind: 'order', order })) }, { weight: 2, arbitrary: randomOrderId }),
      fc.oneof({ weight: 1, arbitrary: harmlessBody.map((body) => ({ body, poison: undefined as Poison | undefined })) }, { weight: 1, arbitrary: poisonBody(API_BODY_LIMIT).map((poison) => ({ body: poison.body, poison: poison as Poison | undefined })) }),
      poisonBody(API_BODY_LIMIT),
      noiseHeaders,
    )
    .map(([token, order, chosen, fallbackPoison, headers]): FuzzCase => {
      const endpoint: Endpoint = action === 'payment' ? 'POST /api/orders/{id}/payment' : 'POST /api/orders/{id}/cancel';
      const ownOpen = isValid(token) && order.kind === 'order' && OWNER[order.order] === token.shopper && order.order.endsWith('Open');
      // Paying or cancelling one's own open order would change it: only ever with a body refused before the handler.
      const poison = chosen.poison ?? (ownOpen ? fallbackPoison : undefined);
      const body = poison ? poison.body : chosen.body;
      let expect: Expectation;
      let variant: string;
      if (oddlyRouted(order)) {
        variant = 'empty or dot id';
        expect = { outcome: 'refuse', codes: ['UNAUTHENTICATED', 'VALIDATION_FAILED', 'NOT_FOUND', 'ORDER_NOT_FOUND', ...(poison?.codes ?? [])] };
      } else if (!isValid(token)) {
        variant = 'bad token';
        expect = { outcome: 'refuse', codes: ['UNAUTHENTICATED'] };
      } else if (poison) {
        variant = `${ownOpen ? 'own open order, ' : ''}${poison.variant}`;
        expect = { outcome: 'refuse', codes: poison.codes };
      } else if (idTooLong(order)) {
        variant = 'id too long';
        expect = { outcome: 'refuse', codes: ['VALIDATION_FAILED'] };
      } else if (order.kind !== 'order' || OWNER[order.order] !== token.shopper) {
        variant = order.kind === 'order' ? "another shopper's order" : 'no such order';
        expect = { outcome: 'refuse', codes: ['ORDER_NOT_FOUND'] };
      } else if (order.order === 'alicePaid') {
        variant = 'own paid order';
        expect = { outcome: 'refuse', codes: [action === 'payment' ? 'ORDER_NOT_PAYABLE' : 'ORDER_NOT_CANCELLABLE'] };
      } else if (action === 'payment') {
        variant = 'own cancelled order';
        expect = { outcome: 'refuse', codes: ['ORDER_NOT_PAYABLE'] };
      } else {
        // Cancelling a cancelled order answers it as it is (no change).
        variant = 'own cancelled order';
        expect = { outcome: 'accept', status: 200, sameOrderAs: 'aliceCancelled' };
      }
      return { endpoint, variant, method: 'POST', path: `/api/orders/{id}/${action}`, order, token, headers, body, expect };
    });

// ---------------------------------------------------------------- POST /webhooks/airwallex

type WebhookBody = { variant: string; body: BodySpec; event: boolean; oversize?: boolean; outcomes?: string[] };

const eventId = fc.oneof(fc.stringMatching(/^evt_fuzz_[A-Za-z0-9]{8,24}$/), oddString.filter((id) => id.length > 0 && id.length <= 128));
const eventName = fc.oneof(
  fc.constantFrom('refund.settled', 'payment_attempt.authorized', 'customer.created', 'payment_intent'),
  oddString.filter((name) => name.length > 0 && name.length <= 128 && !name.startsWith('payment_intent.')),
);
const isoAt = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000').replace(/\.\d{3}/, '');

/** Correctly formed events the server stores and answers 200, without changing any order. */
const harmlessEvent: fc.Arbitrary<WebhookBody> = fc.oneof(
  fc.tuple(eventId, eventName, anyJson, noiseFields).map(([id, name, data, extra]): WebhookBody => ({
    variant: 'signed event of another kind',
    body: { kind: 'json', value: { ...extra, id, name, data } },
    event: true,
    outcomes: ['ignored'],
  })),
  fc
    .tuple(eventId, fc.constantFrom('payment_intent.succeeded', 'payment_intent.cancelled', 'payment_intent.requires_capture'), fc.stringMatching(/^ord_[A-Za-z0-9]{16}$/), fc.constantFrom('SUCCEEDED', 'CANCELLED', 'REQUIRES_CAPTURE'))
    .map(([id, name, orderId, status]): WebhookBody => ({
      variant: 'signed intent event for an unknown order',
      body: { kind: 'json', value: { id, name, data: { object: { id: 'int_fuzz_unknown', merchant_order_id: orderId, status, amount: 26.99, currency: 'CNY', updated_at: isoAt(Date.now() + 60_000) } } } },
      event: true,
      outcomes: ['unknown_order'],
    })),
  // Events about fixture orders that the rules must ignore; resolved against the fixture when sent (see request.ts).
  fc
    .tuple(eventId, fc.constantFrom('wrongIntent', 'wrongAmount', 'olderSnapshot', 'finalOrder' as const), fc.integer({ min: -1_000_000, max: 1_000_000 }))
    .map(([id, rule, amount]): WebhookBody => ({
      variant: `signed intent event the order must ignore (${rule})`,
      body: { kind: 'json', value: { id, name: 'payment_intent.succeeded', data: { object: { '@fixture': rule, amount } } } },
      event: true,
      outcomes: ['applied', 'ignored'],
    })),
);

const notAnEvent: fc.Arbitrary<WebhookBody> = fc.oneof(
  malformedJson.map((text): WebhookBody => ({ variant: 'signed garbage (not JSON)', body: { kind: 'text', text }, event: false })),
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 64 }).filter((text) => !isJson(Buffer.from(text, 'latin1').toString('utf8'))).map((text): WebhookBody => ({
    variant: 'signed invalid UTF-8',
    body: { kind: 'text', text, latin1: true },
    event: false,
  })),
  fc.oneof(fc.array(anyJson, { maxLength: 2 }), fc.integer(), oddString, fc.constant(null), fc.boolean()).map((value): WebhookBody => ({ variant: 'signed JSON that is not an object', body: { kind: 'json', value }, event: false })),
  fc
    .tuple(fc.oneof(fc.constant<unknown>(undefined), fc.constant(''), fc.integer(), fc.constant(null), fc.stringMatching(/^[a-z]{129,200}$/)), fc.oneof(fc.constant<unknown>(undefined), fc.constant(''), fc.integer(), eventName), anyJson)
    .filter(([id, name]) => !(typeof id === 'string' && id.length > 0 && id.length <= 128 && typeof name === 'string' && name.length > 0 && name.length <= 128))
    .map(([id, name, data]): WebhookBody => ({ variant: 'signed event without a usable id or name', body: { kind: 'json', value: { id, name, data } }, event: false })),
);

const webhookBody: fc.Arbitrary<WebhookBody> = fc.oneof(
  { weight: 4, arbitrary: harmlessEvent },
  { weight: 3, arbitrary: notAnEvent },
  {
    weight: 1,
    arbitrary: fc.tuple(harmlessEvent, fc.integer({ min: WEBHOOK_BODY_LIMIT + 1, max: WEBHOOK_BODY_LIMIT + 40_000 }), fc.boolean()).map(([event, pad, chunked]): WebhookBody => ({
      ...event,
      variant: 'body past 512 KB',
      body: { ...(event.body as Extract<BodySpec, { kind: 'json' }>), pad, chunked },
      oversize: true,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(harmlessEvent, fc.integer({ min: API_BODY_LIMIT + 1, max: 200_000 })).map(([event, pad]): WebhookBody => ({
      ...event,
      variant: `${event.variant}, past the API limit but under 512 KB`,
      body: { ...(event.body as Extract<BodySpec, { kind: 'json' }>), pad },
    })),
  },
);

/** The server's defaults: signed deliveries up to 72 h old (Airwallex's retries), at most 5 minutes ahead. */
const TOLERANCE_MS = 72 * 3600_000;
const FUTURE_MS = 5 * 60_000;
const MARGIN_MS = 20_000;
const freshTimestamp: fc.Arbitrary<TimestampSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<TimestampSpec>({ kind: 'now' }) },
  { weight: 1, arbitrary: fc.integer({ min: -(TOLERANCE_MS - MARGIN_MS), max: FUTURE_MS - MARGIN_MS }).map((ms): TimestampSpec => ({ kind: 'offset', ms })) },
);
const staleTimestamp: fc.Arbitrary<TimestampSpec> = fc.oneof(
  fc.integer({ min: TOLERANCE_MS + MARGIN_MS, max: 10 * 365 * 86_400_000 }).map((ms): TimestampSpec => ({ kind: 'offset', ms: -ms })),
  fc.integer({ min: FUTURE_MS + MARGIN_MS, max: 10 * 365 * 86_400_000 }).map((ms): TimestampSpec => ({ kind: 'offset', ms })),
  fc.constant<TimestampSpec>({ kind: 'seconds' }),
  fc.constantFrom('0', '1', '0000000000000', '9999999999999999').map((value): TimestampSpec => ({ kind: 'raw', value })),
);
const nonNumericTimestamp: fc.Arbitrary<TimestampSpec> = fc.oneof(
  fc.constant<TimestampSpec>({ kind: 'missing' }),
  fc.constantFrom('', 'abc', '1e12', '-5', '12.5', '17000000000000000', '0x1', 'NaN', '１７００', '+1700000000000', '1,7').map((value): TimestampSpec => ({ kind: 'raw', value })),
  headerString.map((value): TimestampSpec => ({ kind: 'raw', value })),
);

const numericOnWire = (ts: TimestampSpec) => ts.kind !== 'missing' && (ts.kind !== 'raw' || /^\d{1,16}$/.test(headerValue(ts.value)));

const badSignature: fc.Arbitrary<SignatureSpec> = fc.oneof(
  fc.constant<SignatureSpec>({ kind: 'missing' }),
  fc.stringMatching(/^[0-9a-f]{64}$/).map((hex): SignatureSpec => ({ kind: 'random', hex })),
  headerString.map((value): SignatureSpec => ({ kind: 'raw', value })),
  fc.oneof(fc.constant('whsec_wrong'), fc.constant(''), oddString).map((secret): SignatureSpec => ({ kind: 'wrongSecret', secret })),
  oddString.map((body): SignatureSpec => ({ kind: 'otherBody', body })),
  fc.integer({ min: 1, max: 100_000 }).map((deltaMs): SignatureSpec => ({ kind: 'otherTimestamp', deltaMs })),
  fc.constant<SignatureSpec>({ kind: 'prefixed' }),
  fc.constant<SignatureSpec>({ kind: 'truncated' }),
);
const wellFormedSignature = (sig: SignatureSpec) => ['valid', 'uppercase', 'random', 'wrongSecret', 'otherBody', 'otherTimestamp'].includes(sig.kind) || (sig.kind === 'raw' && /^[0-9a-fA-F]{64}$/.test(headerValue(sig.value)));

/**
 * What an accepted harmless event may write: the event itself; for an event about a fixture order that the
 * rules ignore, a line on its timeline and its bookkeeping (checked, next due); for money moved for an order
 * we do not have, or an intent that is not the order's, an anomaly.
 */
const WEBHOOK_WRITES: WriteRule[] = ['server.webhook_events +', 'server.order_events +', 'server.anomalies +', 'server.orders ~checked_at,next_check_at'];

function webhookExpectation(body: WebhookBody, ts: TimestampSpec, sig: SignatureSpec, fresh: boolean): Expectation {
  if (body.oversize) return { outcome: 'refuse', codes: ['BODY_TOO_LARGE'] };
  if (!wellFormedSignature(sig)) return { outcome: 'refuse', codes: ['WEBHOOK_SIGNATURE_INVALID'] };
  if (!numericOnWire(ts)) return { outcome: 'refuse', codes: ['WEBHOOK_TIMESTAMP_STALE'] };
  if (sig.kind !== 'valid' && sig.kind !== 'uppercase') return { outcome: 'refuse', codes: ['WEBHOOK_SIGNATURE_INVALID'] };
  if (!fresh) return { outcome: 'refuse', codes: ['WEBHOOK_TIMESTAMP_STALE'] };
  if (!body.event) return { outcome: 'refuse', codes: ['WEBHOOK_PAYLOAD_INVALID'] };
  // Generated event ids repeat now and then (short odd strings, shrinking): a repeat is a duplicate.
  return { outcome: 'accept', status: 200, webhookOutcomes: body.outcomes && [...body.outcomes, 'duplicate'] };
}

const webhookContentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | null | undefined>(undefined) },
  { weight: 1, arbitrary: fc.constantFrom<string | null>(null, 'text/plain', 'application/octet-stream', 'application/json; charset=utf-8') },
);

const webhookCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  // Every combination of signature and timestamp over every kind of body.
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        webhookBody,
        fc.oneof({ weight: 3, arbitrary: freshTimestamp.map((ts) => ({ ts, fresh: true })) }, { weight: 1, arbitrary: staleTimestamp.map((ts) => ({ ts, fresh: false })) }, { weight: 1, arbitrary: nonNumericTimestamp.map((ts) => ({ ts, fresh: false })) }),
        fc.oneof({ weight: 3, arbitrary: fc.constantFrom<SignatureSpec>({ kind: 'valid' }, { kind: 'valid' }, { kind: 'uppercase' }) }, { weight: 3, arbitrary: badSignature }),
        webhookContentType,
        noiseHeaders,
      )
      .map(([body, { ts, fresh }, signature, contentType, headers]): FuzzCase => {
        const spec: BodySpec = contentType === undefined || (body.body.kind !== 'json' && body.body.kind !== 'text') ? body.body : { ...body.body, contentType };
        const expect = webhookExpectation(body, ts, signature, fresh);
        return {
          endpoint: 'POST /webhooks/airwallex',
          variant: `${body.variant}; signature ${signature.kind}; timestamp ${ts.kind}${fresh ? '' : ' (not fresh)'}`,
          method: 'POST',
          path: '/webhooks/airwallex',
          token: { kind: 'missing' },
          headers,
          body: spec,
          webhook: { timestamp: ts, signature },
          expect,
          writesIfAccepted: WEBHOOK_WRITES,
        };
      }),
  },
  // The setup's accepted delivery again: byte for byte it is a duplicate; any change breaks the signature.
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('exact', 'newTimestamp', 'otherBody' as const), noiseHeaders).map(([replay, headers]): FuzzCase => ({
      endpoint: 'POST /webhooks/airwallex',
      variant: `replayed delivery (${replay})`,
      method: 'POST',
      path: '/webhooks/airwallex',
      token: { kind: 'missing' },
      headers,
      body: { kind: 'none' },
      webhook: { replay, timestamp: { kind: 'now' }, signature: { kind: 'valid' } },
      // An exact replay is a duplicate while its timestamp is fresh (the run lasts far less than 5 minutes).
      expect: replay === 'exact' ? { outcome: 'any', webhookOutcomes: ['duplicate'] } : { outcome: 'refuse', codes: ['WEBHOOK_SIGNATURE_INVALID'] },
    })),
  },
);

// ---------------------------------------------------------------- routes that do not exist

const KNOWN_ROUTES: Array<[string, RegExp]> = [
  ['GET', /^\/healthz$/],
  ['GET', /^\/api\/config$/],
  ['GET', /^\/api\/products$/],
  ['POST', /^\/api\/sessions$/],
  ['POST', /^\/api\/orders$/],
  ['POST', /^\/api\/quote$/],
  ['GET', /^\/api\/orders$/],
  ['GET', /^\/api\/orders\/[^/]+$/],
  ['POST', /^\/api\/orders\/[^/]+\/(payment|cancel)$/],
  ['POST', /^\/webhooks\/airwallex$/],
  ['GET', /^\/admin\/api\/(orders|anomalies|audit|simulator)$/],
  ['GET', /^\/admin\/api\/orders\/[^/]+$/],
  ['POST', /^\/admin\/api\/orders\/[^/]+\/(refunds|recheck)$/],
  ['POST', /^\/admin\/api\/anomalies\/[^/]+\/resolve$/],
  ['GET', /^\/admin\/?$/],
  ['GET', /^\/admin\/(orders|anomalies|sign-in)$/],
  ['POST', /^\/admin\/(sign-in|sign-out)$/],
  ['GET', /^\/admin\/orders\/[^/]+(\/refund)?$/],
  ['POST', /^\/admin\/orders\/[^/]+\/(refunds|recheck)$/],
  ['POST', /^\/admin\/anomalies\/[^/]+\/resolve$/],
];

const unknownRouteCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
    fc.oneof(
      fc.constantFrom('/api/orders/{id}', '/api/orders/{id}/cancel', '/api/orders/{id}/payment', '/api/orders', '/api/sessions', '/api/products', '/api/config', '/webhooks/airwallex', '/healthz'),
      fc.constantFrom('/api/orders/{id}/pay', '/api/orders/{id}/payment/', '/api/orders/{id}/cancel/x', '/api/products/', '/API/products', '/api/Orders', '/api', '/api/', '/webhooks/airwallex/x', '/webhooks', '/api/sessions/x', '/api/v2/orders', '/', '/favicon.ico', '/.env'),
      fc.constantFrom('/admin/api', '/admin/api/', '/admin/api/orders/{id}/refund', '/admin/api/refunds', '/admin/api/anomalies/1', '/admin/nope', '/admin/orders/{id}/pay', '/admin/api/orders', '/admin/orders', '/admin/sign-in'),
      fc
        .array(oddString, { minLength: 1, maxLength: 3 })
        .map((segments) => `/x-fuzz/${segments.map((s) => percentEncode(s)).join('/')}`)
        .filter((path) => path.length <= HEAD_BUDGET),
    ),
    fc.oneof(validToken, badToken),
    harmlessBody,
    noiseHeaders,
  )
  .filter(([method, path]) => !KNOWN_ROUTES.some(([m, re]) => m === method && re.test(path.replace('{id}', 'x'))))
  .map(([method, path, token, body, headers]): FuzzCase => ({
    endpoint: 'unknown route',
    variant: `${method} ${path.startsWith('/x-fuzz/') ? '/x-fuzz/…' : path}`,
    method,
    path,
    order: path.includes('{id}') ? { kind: 'order', order: 'aliceOpen' } : undefined,
    token,
    headers,
    body: method === 'GET' || method === 'OPTIONS' ? { kind: 'none' } : body,
    // Under /admin/api the admin API's authentication comes first: a shopper's token is no admin's.
    expect: { outcome: 'refuse', codes: path.startsWith('/admin/api') ? ['NOT_FOUND', 'ADMIN_UNAUTHENTICATED'] : ['NOT_FOUND'] },
  }));


// ---------------------------------------------------------------- bugs this fuzzer found (fixed; kept as regressions)

/**
 * Found by this fuzzer, now fixed: a path with a broken %-escape (e.g. GET /api/orders/%zz) was
 * answered by Fastify's own handler with `{"error":"Bad Request","code":"FST_ERR_BAD_URL",...}`,
 * not the API's error envelope.
 */
export const badUrlCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.constantFrom('GET', 'POST'), fc.constantFrom('/api/orders/', '/api/orders/x/', '/api/'), fc.constantFrom(...BROKEN_ESCAPES), anyToken)
  .map(([method, prefix, escape, token]): FuzzCase => ({
    endpoint: 'unknown route',
    variant: 'broken %-escape in the path',
    method,
    path: `${prefix}${escape}${method === 'POST' && prefix === '/api/orders/' ? '/cancel' : ''}`,
    token,
    headers: {},
    body: { kind: 'none' },
    expect: { outcome: 'refuse' },
  }));

/**
 * Found by this fuzzer, now fixed: an order id longer than 100 characters in the path (as sent,
 * percent-encoded) was answered 414 by the router with `{"error":"Bad Request","code":"FST_ERR_MAX_PARAM_LENGTH",...}`,
 * not the API's error envelope, whatever the token.
 */
export const longIdCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.constantFrom('/api/orders/{id}', '/api/orders/{id}/payment', '/api/orders/{id}/cancel'), oddString.filter((id) => !routable(id)), anyToken)
  .map(([path, id, token]): FuzzCase => ({
    endpoint: path === '/api/orders/{id}' ? 'GET /api/orders/{id}' : path.endsWith('payment') ? 'POST /api/orders/{id}/payment' : 'POST /api/orders/{id}/cancel',
    variant: 'id past the router limit',
    method: path === '/api/orders/{id}' ? 'GET' : 'POST',
    path,
    order: { kind: 'random', id },
    token,
    headers: {},
    body: { kind: 'none' },
    expect: { outcome: 'refuse' },
  }));

/**
 * Found by this fuzzer, now fixed: a request head past 16 KB (a long query or header) was answered
 * 431 by Node/Fastify's client error handler with `{"error":"Request Header Fields Too Large",...}`,
 * not the API's error envelope (now 431 HEADERS_TOO_LARGE with the envelope).
 */
export const hugeHeadCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.constantFrom('/api/products', '/api/orders'), fc.integer({ min: 17_000, max: 40_000 }), fc.boolean(), anyToken)
  .map(([path, size, inHeader, token]): FuzzCase => ({
    endpoint: path === '/api/products' ? 'GET /api/products' : 'GET /api/orders',
    variant: `request head past 16 KB (${inHeader ? 'header' : 'query'})`,
    method: 'GET',
    path,
    query: inHeader ? [] : [{ key: 'q', value: 'a'.repeat(size) }],
    token,
    headers: inHeader ? { 'x-fuzz-big': 'a'.repeat(size) } : {},
    body: { kind: 'none' },
    expect: { outcome: 'refuse' },
  }));

/**
 * Found by this fuzzer, now fixed: `?waitSeconds=Infinity` (also `1e999`, `-Infinity`) passed the
 * schema (Ajv's coerceTypes turned the string into Infinity, and its integer and maximum checks skip
 * non-finite numbers), so the 25 s bound was not enforced. Expected: 400 VALIDATION_FAILED.
 */
export const infiniteWaitCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.constantFrom('Infinity', '-Infinity', '1e999', '+Infinity', ' Infinity'), fc.constantFrom<OrderKey>('aliceOpen', 'alicePaid'))
  .map(([value, order]): FuzzCase => ({
    endpoint: 'GET /api/orders/{id}',
    variant: 'infinite waitSeconds',
    method: 'GET',
    path: '/api/orders/{id}',
    order: { kind: 'order', order },
    query: [{ key: 'waitSeconds', value }],
    token: { kind: 'valid', shopper: 'alice' },
    headers: {},
    body: { kind: 'none' },
    expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] },
  }));

// ---------------------------------------------------------------- all together

export function fuzzCase(): fc.Arbitrary<FuzzCase> {
  return fc.oneof(
    { weight: 10, arbitrary: sessionsCase },
    { weight: 20, arbitrary: createOrderCase },
    { weight: 5, arbitrary: quoteCase },
    { weight: 6, arbitrary: listOrdersCase },
    { weight: 16, arbitrary: getOrderCase },
    { weight: 11, arbitrary: orderActionCase('payment') },
    { weight: 11, arbitrary: orderActionCase('cancel') },
    { weight: 4, arbitrary: publicCase('GET /api/products') },
    { weight: 3, arbitrary: publicCase('GET /api/config') },
    { weight: 15, arbitrary: webhookCase },
    { weight: 4, arbitrary: unknownRouteCase },
    { weight: 2, arbitrary: badUrlCase },
    { weight: 2, arbitrary: longIdCase },
    { weight: 1, arbitrary: hugeHeadCase },
    { weight: 1, arbitrary: infiniteWaitCase },
    ...adminCaseArbitraries(),
  );
}
