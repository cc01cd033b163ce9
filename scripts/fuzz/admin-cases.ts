// The fuzzer's cases for the merchant's side: the admin API (/admin/api, the error envelope) and the console's pages and
// forms (/admin, HTML), with and without the admin token or a console session, shopper tokens as admin tokens, the CSRF
// token and the Origin wrong, odd queries and bodies. Each case names the tables it may write.
import fc from 'fast-check';
import { ORDER_STATUSES } from '../../server/contract';
import type { ErrorCode } from '../../server/errors';
import {
  BROKEN_ESCAPES,
  HEAD_BUDGET,
  harmlessBody,
  noiseHeaders,
  poisonBody,
  queryLength,
  randomOrderId,
  idTooLong,
  oddlyRouted,
  API_BODY_LIMIT,
  type AdminAuth,
  type BodySpec,
  type Endpoint,
  type Expectation,
  type FuzzCase,
  type OrderKey,
  type OrderRef,
  type QueryPart,
} from './cases';
import { codePoints, oddString, percentEncode } from './strings';
import { SETUP_REFUND } from './world';

const ORDER_KEYS: OrderKey[] = ['aliceOpen', 'alicePaid', 'aliceCancelled', 'bobOpen', 'carolPaid'];
const STATUSES = [...ORDER_STATUSES];

// ---------------------------------------------------------------- what each case may write

/** Every refusal a console form or the admin API's refund reaches the admin service with is audited. */
const AUDIT = ['server.audit_log +'];
/**
 * A refund made: stored pending, sent to Airwallex (its refund, request_id and webhooks queued, the intent's refunded
 * amount), then RECEIVED → ACCEPTED → SETTLED within milliseconds, each reported back by webhook.
 */
const REFUND_MADE = [
  'server.refunds +~',
  'server.order_events +',
  'server.orders ~next_check_at,checked_at',
  'server.webhook_events +',
  'simulator.refunds +~',
  'simulator.request_ids +',
  'simulator.deliveries +-',
  'simulator.intents ~json,updated_ms,seq',
  // An accepted refund books its financial transaction into the day's settlement batch (made with the first).
  'simulator.financial_transactions +',
  'simulator.settlement_batches +~',
];
/** A re-check: Airwallex asked (the intent while open, the refunds once paid), the order's bookkeeping updated. */
const RECHECK = ['server.audit_log +', 'server.orders ~checked_at,retrieved_at,next_check_at,intent_updated_at'];

// ---------------------------------------------------------------- authentication

const badAdminAuth = fc.constantFrom<AdminAuth>('none', 'shopperToken', 'wrongToken', 'lowercaseScheme', 'tokenAppended', 'shopperAsSession', 'tokenAsSession', 'garbageSession');
const sessionWithoutCsrf = fc.constantFrom<AdminAuth>('sessionNoCsrf', 'sessionWrongCsrf', 'sessionForeignOrigin', 'sessionNullOrigin');
const anyAdminAuth: fc.Arbitrary<AdminAuth> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<AdminAuth>('token') },
  { weight: 2, arbitrary: fc.constant<AdminAuth>('session') },
  { weight: 3, arbitrary: badAdminAuth },
  { weight: 2, arbitrary: sessionWithoutCsrf },
);
/** The console's cases: mostly a signed-in browser, whose forms are then judged on their merits. */
const consoleAuth: fc.Arbitrary<AdminAuth> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<AdminAuth>('session') },
  { weight: 2, arbitrary: sessionWithoutCsrf },
  { weight: 2, arbitrary: badAdminAuth },
  { weight: 1, arbitrary: fc.constant<AdminAuth>('token') },
);
const isSession = (auth: AdminAuth) => auth.startsWith('session');

/** The admin API's refusal for `auth`, before anything else is looked at; undefined when it gets through. */
function apiAuthRefusal(auth: AdminAuth, method: string): Expectation | undefined {
  if (auth === 'token' || auth === 'session') return undefined;
  // A console session reads without its CSRF token; a change needs it, from our Origin.
  if (isSession(auth)) return method === 'GET' ? undefined : { outcome: 'refuse', codes: ['CSRF_INVALID'] };
  return { outcome: 'refuse', codes: ['ADMIN_UNAUTHENTICATED'] };
}

/** The console's answer for `auth` before its route runs; undefined when it gets through. */
function consoleAuthRefusal(auth: AdminAuth, method: string, path: string): Expectation | undefined {
  if (isSession(auth)) return method === 'GET' || auth === 'session' ? undefined : { outcome: 'refuse', statuses: [403] };
  // No session (a bearer token means nothing to the console): a page goes to the sign-in page, a form is refused.
  return method === 'GET' ? { outcome: 'redirect', location: `/admin/sign-in?next=${encodeURIComponent(path)}` } : { outcome: 'refuse', statuses: [401] };
}

// ---------------------------------------------------------------- query strings

type Plan = { parts: QueryPart[]; invalid: boolean };

/**
 * A value the coercing validator turns into an integer within [min, max], by Ajv's own rule (a non-empty string `s`
 * with `s == +s`): `1.0` is 1, and so is ` 1`; whitespace alone is 0 (seed 1052830371 found the oracle refusing
 * `offset=%20`, which is offset 0); `''`, `1e999` and `Infinity` are not integers.
 */
export function mayBeInteger(value: string, min: number, max: number): boolean {
  // eslint-disable-next-line eqeqeq
  if (value === '' || value != (+value as unknown)) return false;
  const n = +value;
  return Number.isInteger(n) && n >= min && n <= max;
}

/** An integer-valued query parameter: valid values, and garbage including the infinities Ajv's coercion lets through as numbers. */
const integerParam = (min: number, max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min, max }).map((n) => ({ value: String(n), ok: true })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.constantFrom('Infinity', '-Infinity', '1e999', '-1e999', '', ' ', 'abc', '1.5', String(min - 1), String(max + 1), '1e3', '0x10', '１'), oddString)
        .map((value) => ({ value, ok: mayBeInteger(value, min, max) })),
    },
  );
const textParam = (max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: oddString.filter((v) => codePoints(v) <= max).map((value) => ({ value, ok: true })) },
    { weight: 1, arbitrary: fc.string({ minLength: max + 1, maxLength: max + 40 }).map((value) => ({ value, ok: codePoints(value) <= max })) },
  );
const ISO_OK = ['2026-11-01T00:00:00Z', '2026-11-01T08:00:00+08:00', '2001-01-01T00:00:00.000Z', '2099-12-31T23:59:59Z'];
const dateTimeParam = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ISO_OK).map((value) => ({ value, ok: true })) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('2026-11-01', 'yesterday', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '', 'T', '2026-11-01 00:00:00'), oddString.filter((v) => !/^\d{4}-\d{2}-\d{2}T/.test(v))).map((value) => ({ value, ok: false })) },
);
const enumParam = (values: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...values).map((value) => ({ value, ok: true })) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('', 'PAID', 'Paid', 'paid ', 'pending'), oddString).map((value) => ({ value, ok: values.includes(value) })) },
  );
const booleanParam = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('true', 'false').map((value) => ({ value, ok: true })) },
  { weight: 1, arbitrary: fc.constantFrom('', '1', '0', 'yes', 'TRUE', 'on').map((value) => ({ value, ok: false })) },
);

/**
 * Some of `params` (each valid or garbage, sometimes a broken %-escape, which the query parser keeps as it is:
 * text to a free-text parameter, garbage to the others), plus unknown keys the validator drops.
 */
function queryOf(params: Record<string, fc.Arbitrary<{ value: string; ok: boolean }>>, freeText: string[] = []): fc.Arbitrary<Plan> {
  const entries = Object.entries(params).map(([key, arb]) =>
    fc.option(
      fc.oneof({ weight: 9, arbitrary: arb.map((v) => ({ key, ...v, raw: false })) }, { weight: 1, arbitrary: fc.constantFrom(...BROKEN_ESCAPES).map((value) => ({ key, value, ok: freeText.includes(key), raw: true })) }),
      { freq: 2 },
    ),
  );
  return fc
    .tuple(fc.tuple(...entries), fc.array(fc.record({ key: oddString.filter((k) => k.length > 0 && !(k in params)), value: oddString }), { maxLength: 2 }))
    .map(([picked, extra]) => {
      const chosen = picked.filter((p): p is NonNullable<typeof p> => p !== null);
      return { parts: [...chosen.map((p) => ({ key: p.key, value: p.value, raw: p.raw || undefined })), ...extra], invalid: chosen.some((p) => !p.ok) };
    })
    .filter((plan) => queryLength(plan.parts) <= HEAD_BUDGET);
}

// ---------------------------------------------------------------- order ids

const fixtureOrder = fc.constantFrom(...ORDER_KEYS).map((order): OrderRef => ({ kind: 'order', order }));
// Functions, not constants: cases.ts imports this module, so its arbitraries exist only once both are loaded.
const anyOrder = (): fc.Arbitrary<OrderRef> => fc.oneof({ weight: 3, arbitrary: fixtureOrder }, { weight: 2, arbitrary: randomOrderId });
/** Orders a refund may name: never alice's paid order, whose refunds her own cases would see (only carol's is refundable). */
const refundOrder = (): fc.Arbitrary<OrderRef> => fc.oneof(
  { weight: 4, arbitrary: fc.constant<OrderRef>({ kind: 'order', order: 'carolPaid' }) },
  { weight: 2, arbitrary: fc.constantFrom<OrderKey>('aliceOpen', 'aliceCancelled', 'bobOpen').map((order): OrderRef => ({ kind: 'order', order })) },
  { weight: 2, arbitrary: randomOrderId },
);

/** The admin API's answer for an order id once the request got through: unknown → 404, too long → 400. */
function adminOrderRefusal(order: OrderRef): Expectation | undefined {
  if (oddlyRouted(order)) return { outcome: 'refuse', codes: ['NOT_FOUND', 'ORDER_NOT_FOUND', 'VALIDATION_FAILED', 'ADMIN_UNAUTHENTICATED', 'CSRF_INVALID', 'INVALID_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'BODY_TOO_LARGE'] };
  if (idTooLong(order)) return { outcome: 'refuse', codes: ['VALIDATION_FAILED'] };
  if (order.kind !== 'order') return { outcome: 'refuse', codes: ['ORDER_NOT_FOUND'] };
  return undefined;
}

const base = (endpoint: Endpoint, method: string, path: string, auth: AdminAuth, headers: Record<string, string>, contract: 'api' | 'console'): Omit<FuzzCase, 'variant' | 'expect' | 'body'> => ({
  endpoint,
  method,
  path,
  token: { kind: 'missing' },
  admin: auth,
  contract,
  headers,
});

// ---------------------------------------------------------------- the admin API

const adminReads = (): fc.Arbitrary<FuzzCase> => {
  const reads: Array<[Endpoint, string, fc.Arbitrary<Plan>]> = [
    ['GET /admin/api/orders', '/admin/api/orders', queryOf({ status: enumParam(STATUSES), q: textParam(128), from: dateTimeParam, to: dateTimeParam, limit: integerParam(1, 200), offset: integerParam(0, 1_000_000) }, ['q'])],
    ['GET /admin/api/anomalies', '/admin/api/anomalies', queryOf({ open: booleanParam, limit: integerParam(1, 500) })],
    ['GET /admin/api/audit', '/admin/api/audit', queryOf({ target: textParam(64), limit: integerParam(1, 500) }, ['target'])],
    ['GET /admin/api/simulator', '/admin/api/simulator', queryOf({})],
  ];
  return fc.oneof(
    ...reads.map(([endpoint, path, query]) =>
      fc.tuple(anyAdminAuth, query, noiseHeaders).map(([auth, plan, headers]): FuzzCase => {
        const refused = apiAuthRefusal(auth, 'GET');
        return {
          ...base(endpoint, 'GET', path, auth, headers, 'api'),
          variant: `${auth}${plan.invalid ? ', invalid query' : ''}`,
          query: plan.parts,
          body: { kind: 'none' },
          expect: refused ?? (plan.invalid ? { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } : { outcome: 'accept', status: 200 }),
        };
      }),
    ),
    fc.tuple(anyAdminAuth, anyOrder(), noiseHeaders).map(([auth, order, headers]): FuzzCase => ({
      ...base('GET /admin/api/orders/{id}', 'GET', '/admin/api/orders/{id}', auth, headers, 'api'),
      variant: `${auth}, ${order.kind}`,
      order,
      body: { kind: 'none' },
      expect: apiAuthRefusal(auth, 'GET') ?? adminOrderRefusal(order) ?? { outcome: 'accept', status: 200, sameOrderAs: (order as { order: OrderKey }).order },
    })),
  );
};

export type RefundBody = { variant: string; body: BodySpec; valid: boolean; amount?: number | null; codes?: ErrorCode[] };
const refundBody = (): fc.Arbitrary<RefundBody> => fc.oneof(
  // A small part: accepted while the order has money left and fewer than 50 refunds.
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 1, max: 500 }), fc.option(fc.string({ maxLength: 40 }))).map(([amount, reason]): RefundBody => ({ variant: 'small amount', body: { kind: 'json', value: reason === null ? { amount } : { amount, reason } }, valid: true, amount })) },
  // Everything left: once accepted, every later refund of the order is refused.
  { weight: 1, arbitrary: fc.constant<RefundBody>({ variant: 'no amount (everything left)', body: { kind: 'json', value: {} }, valid: true, amount: null }) },
  { weight: 2, arbitrary: fc.integer({ min: 1_000_000, max: Number.MAX_SAFE_INTEGER }).map((amount): RefundBody => ({ variant: 'more than was paid', body: { kind: 'json', value: { amount } }, valid: true, amount })) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(fc.constantFrom<unknown>(0, -1, 1.5, '100', null, true, [], {}, 1e21, Number.MAX_SAFE_INTEGER + 2, -0.0001), oddString)
      .map((amount): RefundBody => ({ variant: 'amount not a positive integer', body: { kind: 'json', value: { amount } }, valid: false })),
  },
  { weight: 1, arbitrary: fc.oneof(fc.string({ minLength: 129, maxLength: 200 }), fc.constantFrom<unknown>(5, null, [], {})).filter((r) => typeof r !== 'string' || codePoints(r) > 128).map((reason): RefundBody => ({ variant: 'bad reason', body: { kind: 'json', value: { amount: 1, reason } }, valid: false })) },
  { weight: 1, arbitrary: fc.oneof(fc.array(fc.integer(), { maxLength: 2 }), fc.integer(), oddString, fc.constant(null)).map((value): RefundBody => ({ variant: 'body not an object', body: { kind: 'json', value }, valid: false })) },
  { weight: 2, arbitrary: poisonBody(API_BODY_LIMIT).map((poison): RefundBody => ({ variant: poison.variant, body: poison.body, valid: false, codes: poison.codes })) },
);
const idempotencyKeyHeader = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,128}$/).map((key) => ({ key: key as string | null, ok: true, setup: false })) },
  { weight: 1, arbitrary: fc.constant({ key: null as string | null, ok: true, setup: false }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'a b', 'é', 'x'.repeat(129)).map((key) => ({ key: key as string | null, ok: false, setup: false })) },
  { weight: 2, arbitrary: fc.constant({ key: SETUP_REFUND.key as string | null, ok: true, setup: true }) },
);

type IdempotencyKeyHeader = { key: string | null; ok: boolean; setup: boolean };

/**
 * One refund through the admin API and what it must answer. fastify reads the body before it validates the path,
 * so a body it cannot parse (empty, malformed, too large, of another type) is refused as such even when the order id
 * is too long too (seed 1123248677 found the oracle expecting VALIDATION_FAILED for an empty JSON body there).
 */
export function adminRefundCase(auth: AdminAuth, order: OrderRef, refund: RefundBody, key: IdempotencyKeyHeader, replaySetup: boolean, noise: Record<string, string>): FuzzCase {
  // The setup's key: sometimes with the setup's body (the same refund again), else another body (refused).
  const setupReplay = key.setup && replaySetup && order.kind === 'order' && order.order === 'carolPaid';
  const body: BodySpec = setupReplay ? { kind: 'json', value: { amount: SETUP_REFUND.amount, reason: SETUP_REFUND.reason } } : refund.body;
  const headers = key.key === null ? noise : { ...noise, 'idempotency-key': key.key };
  let expect: Expectation;
  let writes: string[] = [];
  let writesIfAccepted: string[] = [];
  const authRefusal = apiAuthRefusal(auth, 'POST');
  const unparsable = idTooLong(order) && !oddlyRouted(order) && refund.codes && !setupReplay ? { outcome: 'refuse' as const, codes: refund.codes } : undefined;
  const refused = authRefusal ?? unparsable ?? (oddlyRouted(order) || idTooLong(order) ? adminOrderRefusal(order) : undefined);
  if (refused) {
    expect = refused;
    if (!authRefusal && oddlyRouted(order)) {
      // An id like `..` may still reach the refund (as no such order), which audits the refusal; or its handler,
      // which asks for the Idempotency-Key first (seed 101 found the oracle without that code).
      writes = AUDIT;
      if (refused.outcome === 'refuse') expect = { outcome: 'refuse', codes: [...(refused.codes ?? []), 'IDEMPOTENCY_KEY_REQUIRED'] };
    }
  }
  else if (refund.codes && !setupReplay) expect = { outcome: 'refuse', codes: refund.codes };
  else if (!key.ok || (!refund.valid && !setupReplay)) expect = { outcome: 'refuse', codes: ['VALIDATION_FAILED'] };
  else if (key.key === null) expect = { outcome: 'refuse', codes: ['IDEMPOTENCY_KEY_REQUIRED'] };
  else {
    // The admin service is reached: whatever it answers, it writes the audit log (a replay of the same refund excepted).
    writes = AUDIT;
    if (order.kind !== 'order') expect = { outcome: 'refuse', codes: ['ORDER_NOT_FOUND'] };
    else if (setupReplay) {
      expect = { outcome: 'accept', status: 201, sameRefundAs: 'setup' };
      writes = [];
    } else if (key.setup && order.order === 'carolPaid') expect = { outcome: 'refuse', codes: ['IDEMPOTENCY_KEY_REUSED'] };
    else if (order.order !== 'carolPaid') expect = { outcome: 'refuse', codes: ['ORDER_NOT_REFUNDABLE'] };
    else {
      // Carol's order gives until its money, or its 50 refunds, run out.
      expect = { outcome: 'any', status: 201, codes: ['REFUND_AMOUNT_INVALID', 'ORDER_NOT_REFUNDABLE'] };
      writesIfAccepted = REFUND_MADE;
    }
  }
  return {
    ...base('POST /admin/api/orders/{id}/refunds', 'POST', '/admin/api/orders/{id}/refunds', auth, headers, 'api'),
    variant: `${auth}, ${order.kind === 'order' ? order.order : order.kind}, ${setupReplay ? 'the setup refund again' : refund.variant}, key ${key.setup ? 'of the setup' : key.key === null ? 'missing' : key.ok ? 'fresh' : 'invalid'}`,
    order,
    body,
    expect,
    writes,
    writesIfAccepted,
    linger: writesIfAccepted.length ? 'refund' : undefined,
  };
}

const adminRefund = (): fc.Arbitrary<FuzzCase> =>
  fc.tuple(anyAdminAuth, refundOrder(), refundBody(), idempotencyKeyHeader, fc.boolean(), noiseHeaders).map(([auth, order, refund, key, replaySetup, noise]) =>
    adminRefundCase(auth, order, refund, key, replaySetup, noise),
  );

const adminRecheck = (): fc.Arbitrary<FuzzCase> =>
  fc.tuple(anyAdminAuth, anyOrder(), harmlessBody, noiseHeaders).map(([auth, order, body, headers]): FuzzCase => {
    const refused = apiAuthRefusal(auth, 'POST') ?? adminOrderRefusal(order);
    return {
      ...base('POST /admin/api/orders/{id}/recheck', 'POST', '/admin/api/orders/{id}/recheck', auth, headers, 'api'),
      variant: `${auth}, ${order.kind === 'order' ? order.order : order.kind}`,
      order,
      body,
      expect: refused ?? { outcome: 'accept', status: 200, sameOrderAs: (order as { order: OrderKey }).order },
      writesIfAccepted: RECHECK,
    };
  });

/** `known`: an anomaly of the setup; `ok` false: not an id (or, like `0x1` or `1.0`, maybe the setup's anomaly in disguise). */
type AnomalyRef = { id: string; ok: boolean; known: boolean };
const anomalyId: fc.Arbitrary<AnomalyRef> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ id: '@anomaly', ok: true, known: true }) },
  { weight: 2, arbitrary: fc.integer({ min: 1_000, max: 2 ** 31 }).map((n) => ({ id: String(n), ok: true, known: false })) },
  { weight: 2, arbitrary: fc.constantFrom('0', '-1', '1.5', 'abc', 'Infinity', '1e999', '%20', '0x1', '1.0', '01').map((id) => ({ id, ok: false, known: false })) },
);
/** What resolving `anomaly` answers once authenticated: garbage that the validator coerces may name a real anomaly. */
const resolveExpectation = (anomaly: AnomalyRef): Expectation =>
  anomaly.known ? { outcome: 'accept', status: 200 } : anomaly.ok ? { outcome: 'refuse', codes: ['NOT_FOUND'] } : { outcome: 'any', codes: ['VALIDATION_FAILED', 'NOT_FOUND'] };

const adminResolve = (): fc.Arbitrary<FuzzCase> =>
  fc.tuple(anyAdminAuth, anomalyId, harmlessBody, noiseHeaders).map(([auth, anomaly, body, headers]): FuzzCase => ({
    ...base('POST /admin/api/anomalies/{id}/resolve', 'POST', `/admin/api/anomalies/${anomaly.id}/resolve`, auth, headers, 'api'),
    variant: `${auth}, ${anomaly.known ? 'an anomaly of the setup' : anomaly.ok ? 'no such anomaly' : 'not an id'}`,
    body,
    expect: apiAuthRefusal(auth, 'POST') ?? resolveExpectation(anomaly),
    // Resolving writes when the anomaly was open; every resolve the service reaches is audited.
    writesIfAccepted: ['server.anomalies ~resolved_at', ...AUDIT],
  }));

// ---------------------------------------------------------------- the console (HTML)

const consolePage = (): fc.Arbitrary<FuzzCase> => {
  const pages: Array<[string, fc.Arbitrary<Plan>, boolean]> = [
    ['/admin', queryOf({}), false],
    ['/admin/orders', queryOf({ q: textParam(128), status: enumParam(STATUSES), from: fc.constantFrom('2026-11-01', '2026-02-30', 'x', '').map((value) => ({ value, ok: true })), to: fc.constantFrom('2026-11-30', '2001-01-01', '').map((value) => ({ value, ok: true })), offset: integerParam(0, 100) }), false],
    ['/admin/orders/{id}', queryOf({ refund: textParam(64), rechecked: fc.constantFrom('1', '').map((value) => ({ value, ok: true })) }), true],
    ['/admin/orders/{id}/refund', queryOf({ amount: fc.constantFrom('1', '0.01', '5', '6731', '99999', '-1', 'abc', '', '1e3').map((value) => ({ value, ok: true })), reason: textParam(128) }), true],
    ['/admin/anomalies', queryOf({ all: fc.constantFrom('1', '').map((value) => ({ value, ok: true })), resolved: fc.constantFrom('1', '').map((value) => ({ value, ok: true })) }), false],
  ];
  return fc.oneof(
    ...pages.map(([path, query, withId]) =>
      fc.tuple(consoleAuth, query, withId ? anyOrder() : fc.constant(undefined), fc.option(fc.constantFrom('en', 'zh_CN', 'fr'), { freq: 6 }), noiseHeaders).map(
        ([auth, plan, order, lang, headers]): FuzzCase => {
          const parts = lang ? [...plan.parts, { key: 'lang', value: lang }] : plan.parts;
          const refused = consoleAuthRefusal(auth, 'GET', 'x');
          return {
            ...base('GET /admin (console pages)', 'GET', path, auth, headers, 'console'),
            variant: `${auth}, ${path}${plan.invalid ? ', odd query' : ''}`,
            order,
            query: parts,
            body: { kind: 'none' },
            // Without a session: to the sign-in page; with one: a page (200, or 4xx for an unknown order, a bad
            // date or amount), or a redirect (the language switch, /admin itself).
            expect: refused ? { outcome: 'redirect', location: '/admin/sign-in?next=' } : { outcome: 'any' },
          };
        },
      ),
    ),
    fc.tuple(consoleAuth, fc.option(fc.oneof(fc.constantFrom('/admin/orders', '/admin/anomalies', '//evil.example', 'https://evil.example/', '/admin//evil.example', '/admin/sign-out', '/\\evil.example', '/admin/../x'), oddString.filter((next) => percentEncode(next).length <= HEAD_BUDGET))), noiseHeaders).map(
      ([auth, next, headers]): FuzzCase => ({
        ...base('GET /admin (console pages)', 'GET', '/admin/sign-in', auth, headers, 'console'),
        variant: `${auth}, the sign-in page`,
        query: next === null ? [] : [{ key: 'next', value: next }],
        body: { kind: 'none' },
        // Signed in: to `next`, if it is a console page, else to the orders; signed out: the page.
        expect: isSession(auth) ? { outcome: 'any', location: '/admin' } : { outcome: 'any' },
      }),
    ),
  );
};

/** A console form: `fields` as sent (`@csrf` becomes the session's CSRF token, or a wrong one, or nothing, as `auth` says). */
const form = (fields: Array<[string, string]>): BodySpec => ({ kind: 'form', fields });

const consoleSignIn = (): fc.Arbitrary<FuzzCase> =>
  fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.constant('@adminToken') },
        { weight: 2, arbitrary: fc.constantFrom('@aliceToken', '', 'wrong-token-0123456789abcdef', '@adminToken ', ' @adminToken') },
        { weight: 1, arbitrary: oddString },
        { weight: 1, arbitrary: fc.string({ minLength: 513, maxLength: 600 }) },
      ),
      fc.option(fc.oneof(fc.constantFrom('/admin/orders', '/admin/anomalies', '//evil.example', 'https://evil.example/', '/admin//evil.example', '/admin/sign-out', '/\\evil.example'), oddString)),
      fc.constantFrom<'own' | 'none' | 'foreign' | 'null'>('own', 'own', 'own', 'none', 'foreign', 'null'),
      noiseHeaders,
    )
    .map(([token, next, origin, headers]): FuzzCase => {
      const fields: Array<[string, string]> = [['token', token]];
      if (next !== null) fields.push(['next', next]);
      const tooLong = codePoints(token) > 512 || (next !== null && codePoints(next) > 512);
      let expect: Expectation;
      if (origin === 'foreign' || origin === 'null') expect = { outcome: 'refuse', statuses: tooLong ? [400, 403] : [403] };
      else if (tooLong) expect = { outcome: 'refuse', statuses: [400] };
      else if (token === '@adminToken') expect = { outcome: 'redirect', location: '/admin' };
      else expect = { outcome: 'refuse', statuses: [401] };
      return {
        ...base('POST /admin/sign-in', 'POST', '/admin/sign-in', 'none', { ...headers, '@origin': origin }, 'console'),
        variant: `token ${token.startsWith('@') ? token : 'other'}, origin ${origin}`,
        body: form(fields),
        expect,
        // Every attempt that reaches the check is audited; a right one also opens a session.
        writes: AUDIT,
        writesIfAccepted: ['server.admin_sessions +'],
      };
    });

const consoleForms = (): fc.Arbitrary<FuzzCase> => {
  const amount = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 500 }).map(String) }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('0', '-1', '1.5', '', '1e3', '0100', '9'.repeat(16)), oddString) });
  const key = fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,40}$/) }, { weight: 1, arbitrary: fc.constantFrom('', 'a b', SETUP_REFUND.key) });
  return fc.oneof(
    fc.tuple(consoleAuth, refundOrder(), amount, key, fc.option(oddString), noiseHeaders).map(
      ([auth, order, amountText, idempotencyKey, reason, headers]): FuzzCase => {
        const fields: Array<[string, string]> = [['_csrf', '@csrf'], ['idempotencyKey', idempotencyKey], ['amount', amountText]];
        if (reason !== null) fields.push(['reason', reason]);
        const refused = consoleAuthRefusal(auth, 'POST', '');
        const carol = order.kind === 'order' && order.order === 'carolPaid';
        return {
          ...base('POST /admin (console forms)', 'POST', '/admin/orders/{id}/refunds', auth, headers, 'console'),
          variant: `${auth}, refund of ${order.kind === 'order' ? order.order : order.kind}`,
          order,
          body: form(fields),
          // Made: to the order's page; refused: the confirmation page again with the reason (or the error page).
          expect: refused ?? { outcome: 'any', location: '/admin/orders/' },
          writes: refused ? [] : AUDIT,
          writesIfAccepted: carol ? REFUND_MADE : [],
          linger: carol && !refused ? 'refund' : undefined,
        };
      },
    ),
    fc.tuple(consoleAuth, anyOrder(), noiseHeaders).map(([auth, order, headers]): FuzzCase => {
      const refused = consoleAuthRefusal(auth, 'POST', '');
      return {
        ...base('POST /admin (console forms)', 'POST', '/admin/orders/{id}/recheck', auth, headers, 'console'),
        variant: `${auth}, re-check of ${order.kind === 'order' ? order.order : order.kind}`,
        order,
        body: form([['_csrf', '@csrf']]),
        expect: refused ?? (order.kind === 'order' ? { outcome: 'redirect', location: '/admin/orders/' } : { outcome: 'refuse', statuses: [400, 404] }),
        writesIfAccepted: RECHECK,
      };
    }),
    fc.tuple(consoleAuth, anomalyId, noiseHeaders).map(([auth, anomaly, headers]): FuzzCase => {
      const refused = consoleAuthRefusal(auth, 'POST', '');
      return {
        ...base('POST /admin (console forms)', 'POST', `/admin/anomalies/${anomaly.id}/resolve`, auth, headers, 'console'),
        variant: `${auth}, resolve ${anomaly.known ? 'an anomaly of the setup' : 'no such anomaly'}`,
        body: form([['_csrf', '@csrf']]),
        expect: refused ?? (anomaly.known ? { outcome: 'redirect', location: '/admin/anomalies' } : anomaly.ok ? { outcome: 'refuse', statuses: [404] } : { outcome: 'any', location: '/admin/anomalies' }),
        writesIfAccepted: ['server.anomalies ~resolved_at', ...AUDIT],
      };
    }),
    // Signing out would end the fixture's own session: only refused ones (no session, no CSRF token, another origin).
    fc.tuple(fc.oneof(badAdminAuth, sessionWithoutCsrf), noiseHeaders).map(([auth, headers]): FuzzCase => ({
      ...base('POST /admin (console forms)', 'POST', '/admin/sign-out', auth, headers, 'console'),
      variant: `${auth}, sign-out`,
      body: form([['_csrf', '@csrf']]),
      expect: consoleAuthRefusal(auth, 'POST', '')!,
    })),
  );
};

/**
 * Found by this fuzzer, now fixed: `?limit=Infinity` (also `1e999`, `offset=Infinity`) on the admin API's lists
 * passed validation (Ajv's coercion makes a number that its integer and maximum checks let through) and reached
 * SQLite's LIMIT as a 500. Expected: 400 VALIDATION_FAILED.
 */
export const infiniteAdminLimitCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.constantFrom('/admin/api/orders', '/admin/api/anomalies', '/admin/api/audit'), fc.constantFrom('limit', 'offset'), fc.constantFrom('Infinity', '-Infinity', '1e999', '+Infinity'))
  .filter(([path, key]) => key === 'limit' || path === '/admin/api/orders')
  .map(([path, key, value]): FuzzCase => ({
    ...base(`GET ${path}` as Endpoint, 'GET', path, 'token', {}, 'api'),
    variant: `${key}=${value}`,
    query: [{ key, value }],
    body: { kind: 'none' },
    expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] },
  }));

/** The merchant's side, weighted among themselves; cases.ts mixes them with the shopper's. */
export function adminCaseArbitraries(): Array<{ weight: number; arbitrary: fc.Arbitrary<FuzzCase> }> {
  return [
    { weight: 8, arbitrary: adminReads() },
    { weight: 6, arbitrary: adminRefund() },
    { weight: 2, arbitrary: adminRecheck() },
    { weight: 2, arbitrary: adminResolve() },
    { weight: 5, arbitrary: consolePage() },
    { weight: 3, arbitrary: consoleSignIn() },
    { weight: 4, arbitrary: consoleForms() },
  ];
}
