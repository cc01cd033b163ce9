// The fuzzer's cases for subscription messages and error reports: POST /api/orders/{id}/subscriptions (answers naming
// only templates the shop does not send, so nothing is recorded or sent behind the next case's back) and POST /api/client-errors.
import fc from 'fast-check';
import { API_BODY_LIMIT, CLIENT_ERROR_BODY_LIMIT, OWNER, type Expectation, type FuzzCase, type OrderRef } from '../model';
import { anyToken, badToken, idTooLong, isValid, noiseHeaders, oddlyRouted, orderKey, poisonBody, randomOrderId, validToken, type Poison } from '../pieces';
import { oddString } from '../strings';

/** Template ids the shop never configured (the simulator's are other strings), each with a panel answer. */
const unknownAnswers = fc.dictionary(fc.stringMatching(/^fz_[A-Za-z0-9_-]{1,40}$/), fc.constantFrom('accept', 'reject', 'ban', 'filter', 'acceptWithAudio'), { minKeys: 0, maxKeys: 10 });

/** Bodies the schema refuses: no results, not an object, a value not a short string, too many answers. */
const badAnswers = fc.oneof(
  fc.constant<unknown>({}),
  fc.constant<unknown>({ results: [] }),
  fc.constant<unknown>({ results: null }),
  fc.constant<unknown>({ results: { fz_t: 1 } }),
  fc.constant<unknown>({ results: { fz_t: '' } }),
  fc.constant<unknown>({ results: { fz_t: 'a'.repeat(33) } }),
  fc.constant<unknown>({ results: { ['t'.repeat(129)]: 'accept' } }),
  fc.constant<unknown>({ results: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`fz_${i}`, 'accept'])) }),
  oddString.map((s): unknown => ({ results: s })),
);

type Plan = { body: unknown; invalid: boolean } | { poison: Poison };

export const subscriptionsCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: validToken }, { weight: 1, arbitrary: badToken }),
    fc.oneof({ weight: 3, arbitrary: orderKey.map((order): OrderRef => ({ kind: 'order', order })) }, { weight: 2, arbitrary: randomOrderId }),
    fc.oneof<fc.Arbitrary<Plan>[]>(
      unknownAnswers.map((results) => ({ body: { results }, invalid: false })),
      badAnswers.map((body) => ({ body, invalid: true })),
      poisonBody(API_BODY_LIMIT).map((poison) => ({ poison })),
    ),
    noiseHeaders,
  )
  .map(([token, order, plan, headers]): FuzzCase => {
    const poison = 'poison' in plan ? plan.poison : undefined;
    let expect: Expectation;
    let variant: string;
    if (oddlyRouted(order)) {
      variant = 'empty or dot id';
      expect = { outcome: 'refuse', codes: ['UNAUTHENTICATED', 'VALIDATION_FAILED', 'NOT_FOUND', 'ORDER_NOT_FOUND', ...(poison?.codes ?? [])] };
    } else if (!isValid(token)) {
      variant = 'bad token';
      expect = { outcome: 'refuse', codes: ['UNAUTHENTICATED'] };
    } else if (poison) {
      variant = poison.variant;
      expect = { outcome: 'refuse', codes: poison.codes };
    } else if (('invalid' in plan && plan.invalid) || idTooLong(order)) {
      variant = idTooLong(order) ? 'id too long' : 'invalid answers';
      expect = { outcome: 'refuse', codes: ['VALIDATION_FAILED'] };
    } else if (order.kind !== 'order' || OWNER[order.order] !== token.shopper) {
      variant = order.kind === 'order' ? "another shopper's order" : 'no such order';
      expect = { outcome: 'refuse', codes: ['ORDER_NOT_FOUND'] };
    } else {
      variant = 'own order, templates not sent';
      expect = { outcome: 'accept', status: 200 };
    }
    const body = poison ? poison.body : { kind: 'json' as const, value: (plan as { body: unknown }).body };
    return { endpoint: 'POST /api/orders/{id}/subscriptions', variant, method: 'POST', path: '/api/orders/{id}/subscriptions', order, token, headers, body, expect };
  });

const REPORT = { kind: 'error', message: 'TypeError: x is undefined', stack: '', route: 'pages/shop/shop', appVersion: '', envVersion: 'develop', sdkVersion: '3.4.1', contractVersion: 2 };
/** Reports the schema refuses: a field missing, of the wrong type, or too long; a route with a query. */
const badReports = fc.oneof(
  fc.constantFrom(...Object.keys(REPORT)).map((key): unknown => Object.fromEntries(Object.entries(REPORT).filter(([k]) => k !== key))),
  fc.constant<unknown>({ ...REPORT, kind: 'warning' }),
  fc.constant<unknown>({ ...REPORT, message: 'm'.repeat(301) }),
  fc.constant<unknown>({ ...REPORT, route: 'pages/result/result?id=ord_1' }),
  fc.constant<unknown>({ ...REPORT, contractVersion: -1 }),
  oddString.map((s): unknown => ({ ...REPORT, envVersion: `${'x'.repeat(17)}${s}` })),
);

export const clientErrorsCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    anyToken,
    fc.oneof<fc.Arbitrary<Plan>[]>(
      fc.record({ message: oddString.map((s) => s.slice(0, 300)), stack: oddString.map((s) => s.slice(0, 1500)) }).map(({ message, stack }) => ({ body: { ...REPORT, message, stack }, invalid: false })),
      badReports.map((body) => ({ body, invalid: true })),
      poisonBody(CLIENT_ERROR_BODY_LIMIT).map((poison) => ({ poison })),
    ),
    noiseHeaders,
  )
  .map(([token, plan, headers]): FuzzCase => {
    const poison = 'poison' in plan ? plan.poison : undefined;
    const invalid = !poison && (plan as { invalid: boolean }).invalid;
    // No session needed: a token, good or bad, changes nothing.
    const expect: Expectation = poison ? { outcome: 'refuse', codes: poison.codes } : invalid ? { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } : { outcome: 'accept', status: 204 };
    const body = poison ? poison.body : { kind: 'json' as const, value: (plan as { body: unknown }).body };
    return { endpoint: 'POST /api/client-errors', variant: poison ? poison.variant : invalid ? 'invalid report' : 'report', method: 'POST', path: '/api/client-errors', token, headers, body, expect };
  });
