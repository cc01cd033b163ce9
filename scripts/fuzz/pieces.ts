// What the fuzzer's cases share: shoppers' tokens good and bad, noise headers, order ids of the fixture and random ones,
// odd content types, query garbage, and the bodies every route refuses.
import fc from 'fast-check';
import type { ErrorCode } from '../../server/errors';
import type { BodySpec, OrderKey, OrderRef, QueryPart, TokenRef } from './model';
import { anyJson, codePoints, headerValue, malformedJson, oddString, percentEncode } from './strings';
import type { Shopper } from './world';

// ---------------------------------------------------------------- shared pieces

const shopperArb = fc.constantFrom<Shopper>('alice', 'bob');

/**
 * Node answers a request head (request line + headers) past 16 KB with its own 431 before the app
 * sees it (see `hugeHeadCase`); everything else keeps its URL and headers well below.
 */
export const HEAD_BUDGET = 4_000;
export const headerString = oddString.filter((value) => headerValue(value).length <= 1_000);
export const queryLength = (parts: QueryPart[]) => parts.reduce((sum, part) => sum + percentEncode(part.key).length + (part.raw ? part.value.length : percentEncode(part.value).length) + 2, 0);

export const badToken: fc.Arbitrary<TokenRef> = fc.oneof(
  fc.constant<TokenRef>({ kind: 'missing' }),
  fc.constant<TokenRef>({ kind: 'expired' }),
  fc.stringMatching(/^[A-Za-z0-9_-]{16,128}$/).map((token): TokenRef => ({ kind: 'unknown', token })),
  fc
    .constantFrom('lowercaseScheme', 'noScheme', 'appendBang', 'appendChar', 'truncate', 'doubleSpace', 'basicScheme', 'tokenTwice', 'tab', 'tooLong' as const)
    .map((how): TokenRef => ({ kind: 'mangled', how })),
  headerString.map((header): TokenRef => ({ kind: 'raw', header })),
);
export const validToken = shopperArb.map((shopper): TokenRef => ({ kind: 'valid', shopper }));
export const anyToken = fc.oneof({ weight: 3, arbitrary: validToken }, { weight: 2, arbitrary: badToken });
export const isValid = (token: TokenRef): token is { kind: 'valid'; shopper: Shopper } => token.kind === 'valid';

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

export const orderKey = fc.constantFrom<OrderKey>('aliceOpen', 'alicePaid', 'aliceCancelled', 'bobOpen', 'carolPaid');

/**
 * The router refuses a path parameter longer than this (raw, percent-encoded) before any of the
 * API's code runs; see `longIdCase`.
 */
const MAX_PARAM_LENGTH = 100;
export const routable = (id: string) => percentEncode(id).length <= MAX_PARAM_LENGTH;

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

// GETs: any query, and a body where none belongs

export const anyQuery: fc.Arbitrary<QueryPart[]> = fc.array(fc.record({ key: oddString, value: oddString }), { maxLength: 3 }).filter((parts) => queryLength(parts) <= HEAD_BUDGET);

export const getWithBody: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<BodySpec>({ kind: 'none' }) },
  { weight: 1, arbitrary: anyJson.map((value): BodySpec => ({ kind: 'json', value })) },
  { weight: 1, arbitrary: malformedJson.map((text): BodySpec => ({ kind: 'text', text, contentType: 'application/json' })) },
);

/** %-escapes the query parser cannot decode: it keeps them as they are. */
export const BROKEN_ESCAPES = ['%zz', '%E9', '%', '%C3%28', '%u0031', '%%31'];
