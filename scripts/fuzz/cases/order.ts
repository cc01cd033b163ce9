// The fuzzer's cases for one order: GET /api/orders/{id} (with its long-poll query), POST .../payment and .../cancel
// (never on an open order a case could move).
import fc from 'fast-check';
import { MAX_WAIT_SECONDS } from '../../../server/services/order-watch';
import { API_BODY_LIMIT, OWNER, type Endpoint, type Expectation, type FuzzCase, type OrderRef, type QueryPart } from '../model';
import { anyToken, badToken, BROKEN_ESCAPES, harmlessBody, HEAD_BUDGET, idTooLong, isValid, noiseHeaders, oddlyRouted, orderKey, poisonBody, queryLength, randomOrderId, validToken, type Poison } from '../pieces';
import { oddKey, oddString } from '../strings';
import { STATUSES } from './orders';

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

export const getOrderCase: fc.Arbitrary<FuzzCase> = fc
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

export const orderActionCase = (action: 'payment' | 'cancel'): fc.Arbitrary<FuzzCase> =>
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
