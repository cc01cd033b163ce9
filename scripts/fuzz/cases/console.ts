// The fuzzer's cases for the merchant console (/admin, HTML): pages, sign-in, forms, with and without a session, the
// CSRF token and the Origin wrong.
import fc from 'fast-check';
import type { BodySpec, Expectation, FuzzCase } from '../model';
import { HEAD_BUDGET, noiseHeaders } from '../pieces';
import { codePoints, oddString, percentEncode } from '../strings';
import { SETUP_REFUND } from '../world';
import {
  anomalyId,
  anyOrder,
  AUDIT,
  badAdminAuth,
  base,
  consoleAuth,
  consoleAuthRefusal,
  enumParam,
  integerParam,
  isSession,
  queryOf,
  RECHECK,
  REFUND_MADE,
  refundOrder,
  sessionWithoutCsrf,
  STATUSES,
  textParam,
  type Plan,
} from './admin';

// ---------------------------------------------------------------- the console (HTML)

export const consolePage = (): fc.Arbitrary<FuzzCase> => {
  const pages: Array<[string, fc.Arbitrary<Plan>, boolean]> = [
    ['/admin', queryOf({}), false],
    ['/admin/orders', queryOf({ q: textParam(128), status: enumParam(STATUSES), from: fc.constantFrom('2026-11-01', '2026-02-30', 'x', '').map((value) => ({ value, ok: true })), to: fc.constantFrom('2026-11-30', '2001-01-01', '').map((value) => ({ value, ok: true })), offset: integerParam(0, 100) }), false],
    ['/admin/orders/{id}', queryOf({ refund: textParam(64), rechecked: fc.constantFrom('1', '').map((value) => ({ value, ok: true })) }), true],
    ['/admin/orders/{id}/refund', queryOf({ amount: fc.constantFrom('1', '0.01', '5', '6731', '99999', '-1', 'abc', '', '1e3').map((value) => ({ value, ok: true })), reason: textParam(128) }), true],
    ['/admin/anomalies', queryOf({ all: fc.constantFrom('1', '').map((value) => ({ value, ok: true })), resolved: fc.constantFrom('1', '').map((value) => ({ value, ok: true })) }), false],
    ['/admin/events', queryOf({ state: enumParam(['pending', 'delivered', 'failed', 'unsent']), offset: integerParam(0, 100), resent: textParam(64), resentFailed: integerParam(0, 100) }), false],
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

export const consoleSignIn = (): fc.Arbitrary<FuzzCase> =>
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

export const consoleForms = (): fc.Arbitrary<FuzzCase> => {
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
