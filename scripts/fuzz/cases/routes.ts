// The fuzzer's cases for routes that do not exist, and the bugs it found (fixed; kept as regressions).
import fc from 'fast-check';
import type { FuzzCase, OrderKey } from '../model';
import { anyToken, badToken, BROKEN_ESCAPES, harmlessBody, HEAD_BUDGET, noiseHeaders, routable, validToken } from '../pieces';
import { oddString, percentEncode } from '../strings';

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

export const unknownRouteCase: fc.Arbitrary<FuzzCase> = fc
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
