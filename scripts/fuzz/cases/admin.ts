// What the fuzzer's cases for the merchant's side share: the tables each may write, admin authentication good and
// bad, typed query strings, order ids.
import fc from 'fast-check';
import { ORDER_STATUSES } from '../../../server/contract';
import type { AdminAuth, Endpoint, Expectation, FuzzCase, OrderKey, OrderRef, QueryPart } from '../model';
import { BROKEN_ESCAPES, HEAD_BUDGET, idTooLong, oddlyRouted, queryLength, randomOrderId } from '../pieces';
import { codePoints, oddString } from '../strings';

const ORDER_KEYS: OrderKey[] = ['aliceOpen', 'alicePaid', 'aliceCancelled', 'bobOpen', 'carolPaid'];
export const STATUSES = [...ORDER_STATUSES];

// ---------------------------------------------------------------- what each case may write

/** Every refusal a console form or the admin API's refund reaches the admin service with is audited. */
export const AUDIT = ['server.audit_log +'];
/**
 * A refund made: stored pending, sent to Airwallex (its refund, request_id and webhooks queued, the intent's refunded
 * amount), then RECEIVED → ACCEPTED → SETTLED within milliseconds, each reported back by webhook.
 */
export const REFUND_MADE = [
  'server.refunds +~',
  'server.order_events +',
  'server.orders ~next_check_at,checked_at',
  // refund.succeeded (or refund.failed), written with the refund's change: recorded, not sent (no EVENTS_URL here).
  'server.outbox +',
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
export const RECHECK = ['server.audit_log +', 'server.orders ~checked_at,retrieved_at,next_check_at,intent_updated_at'];

// ---------------------------------------------------------------- authentication

export const badAdminAuth = fc.constantFrom<AdminAuth>('none', 'shopperToken', 'wrongToken', 'lowercaseScheme', 'tokenAppended', 'shopperAsSession', 'tokenAsSession', 'garbageSession');
export const sessionWithoutCsrf = fc.constantFrom<AdminAuth>('sessionNoCsrf', 'sessionWrongCsrf', 'sessionForeignOrigin', 'sessionNullOrigin');
export const anyAdminAuth: fc.Arbitrary<AdminAuth> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<AdminAuth>('token') },
  { weight: 2, arbitrary: fc.constant<AdminAuth>('session') },
  { weight: 3, arbitrary: badAdminAuth },
  { weight: 2, arbitrary: sessionWithoutCsrf },
);
/** The console's cases: mostly a signed-in browser, whose forms are then judged on their merits. */
export const consoleAuth: fc.Arbitrary<AdminAuth> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<AdminAuth>('session') },
  { weight: 2, arbitrary: sessionWithoutCsrf },
  { weight: 2, arbitrary: badAdminAuth },
  { weight: 1, arbitrary: fc.constant<AdminAuth>('token') },
);
export const isSession = (auth: AdminAuth) => auth.startsWith('session');

/** The admin API's refusal for `auth`, before anything else is looked at; undefined when it gets through. */
export function apiAuthRefusal(auth: AdminAuth, method: string): Expectation | undefined {
  if (auth === 'token' || auth === 'session') return undefined;
  // A console session reads without its CSRF token; a change needs it, from our Origin.
  if (isSession(auth)) return method === 'GET' ? undefined : { outcome: 'refuse', codes: ['CSRF_INVALID'] };
  return { outcome: 'refuse', codes: ['ADMIN_UNAUTHENTICATED'] };
}

/** The console's answer for `auth` before its route runs; undefined when it gets through. */
export function consoleAuthRefusal(auth: AdminAuth, method: string, path: string): Expectation | undefined {
  if (isSession(auth)) return method === 'GET' || auth === 'session' ? undefined : { outcome: 'refuse', statuses: [403] };
  // No session (a bearer token means nothing to the console): a page goes to the sign-in page, a form is refused.
  return method === 'GET' ? { outcome: 'redirect', location: `/admin/sign-in?next=${encodeURIComponent(path)}` } : { outcome: 'refuse', statuses: [401] };
}

// ---------------------------------------------------------------- query strings

export type Plan = { parts: QueryPart[]; invalid: boolean };

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
export const integerParam = (min: number, max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min, max }).map((n) => ({ value: String(n), ok: true })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.constantFrom('Infinity', '-Infinity', '1e999', '-1e999', '', ' ', 'abc', '1.5', String(min - 1), String(max + 1), '1e3', '0x10', '１'), oddString)
        .map((value) => ({ value, ok: mayBeInteger(value, min, max) })),
    },
  );
export const textParam = (max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: oddString.filter((v) => codePoints(v) <= max).map((value) => ({ value, ok: true })) },
    { weight: 1, arbitrary: fc.string({ minLength: max + 1, maxLength: max + 40 }).map((value) => ({ value, ok: codePoints(value) <= max })) },
  );
/** The events feed's cursor (`after`): a position of at most 15 digits, as the feed answers it in `next`. */
export const cursorParam = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10_000 }), fc.constant(999_999_999_999_999)).map((n) => ({ value: String(n), ok: true })) },
  {
    weight: 2,
    arbitrary: fc.oneof(fc.constantFrom('', ' ', '-1', '1.5', 'abc', '1e3', '0x10', '１', '1'.repeat(16), 'Infinity'), oddString).map((value) => ({ value, ok: /^[0-9]{1,15}$/.test(value) })),
  },
);
const ISO_OK = ['2026-11-01T00:00:00Z', '2026-11-01T08:00:00+08:00', '2001-01-01T00:00:00.000Z', '2099-12-31T23:59:59Z'];
export const dateTimeParam = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ISO_OK).map((value) => ({ value, ok: true })) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('2026-11-01', 'yesterday', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '', 'T', '2026-11-01 00:00:00'), oddString.filter((v) => !/^\d{4}-\d{2}-\d{2}T/.test(v))).map((value) => ({ value, ok: false })) },
);
export const enumParam = (values: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...values).map((value) => ({ value, ok: true })) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('', 'PAID', 'Paid', 'paid ', 'pending'), oddString).map((value) => ({ value, ok: values.includes(value) })) },
  );
export const booleanParam = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('true', 'false').map((value) => ({ value, ok: true })) },
  { weight: 1, arbitrary: fc.constantFrom('', '1', '0', 'yes', 'TRUE', 'on').map((value) => ({ value, ok: false })) },
);

/**
 * Some of `params` (each valid or garbage, sometimes a broken %-escape, which the query parser keeps as it is:
 * text to a free-text parameter, garbage to the others), plus unknown keys the validator drops.
 */
export function queryOf(params: Record<string, fc.Arbitrary<{ value: string; ok: boolean }>>, freeText: string[] = []): fc.Arbitrary<Plan> {
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
export const anyOrder = (): fc.Arbitrary<OrderRef> => fc.oneof({ weight: 3, arbitrary: fixtureOrder }, { weight: 2, arbitrary: randomOrderId });
/** Orders a refund may name: never alice's paid order, whose refunds her own cases would see (only carol's is refundable). */
export const refundOrder = (): fc.Arbitrary<OrderRef> => fc.oneof(
  { weight: 4, arbitrary: fc.constant<OrderRef>({ kind: 'order', order: 'carolPaid' }) },
  { weight: 2, arbitrary: fc.constantFrom<OrderKey>('aliceOpen', 'aliceCancelled', 'bobOpen').map((order): OrderRef => ({ kind: 'order', order })) },
  { weight: 2, arbitrary: randomOrderId },
);

/** The admin API's answer for an order id once the request got through: unknown → 404, too long → 400. */
export function adminOrderRefusal(order: OrderRef): Expectation | undefined {
  if (oddlyRouted(order)) return { outcome: 'refuse', codes: ['NOT_FOUND', 'ORDER_NOT_FOUND', 'VALIDATION_FAILED', 'ADMIN_UNAUTHENTICATED', 'CSRF_INVALID', 'INVALID_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'BODY_TOO_LARGE'] };
  if (idTooLong(order)) return { outcome: 'refuse', codes: ['VALIDATION_FAILED'] };
  if (order.kind !== 'order') return { outcome: 'refuse', codes: ['ORDER_NOT_FOUND'] };
  return undefined;
}

export const base = (endpoint: Endpoint, method: string, path: string, auth: AdminAuth, headers: Record<string, string>, contract: 'api' | 'console'): Omit<FuzzCase, 'variant' | 'expect' | 'body'> => ({
  endpoint,
  method,
  path,
  token: { kind: 'missing' },
  admin: auth,
  contract,
  headers,
});

// ---------------------------------------------------------------- anomaly ids

export type AnomalyRef = { id: string; ok: boolean; known: boolean };
export const anomalyId: fc.Arbitrary<AnomalyRef> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ id: '@anomaly', ok: true, known: true }) },
  { weight: 2, arbitrary: fc.integer({ min: 1_000, max: 2 ** 31 }).map((n) => ({ id: String(n), ok: true, known: false })) },
  { weight: 2, arbitrary: fc.constantFrom('0', '-1', '1.5', 'abc', 'Infinity', '1e999', '%20', '0x1', '1.0', '01').map((id) => ({ id, ok: false, known: false })) },
);
/** What resolving `anomaly` answers once authenticated: garbage that the validator coerces may name a real anomaly. */
