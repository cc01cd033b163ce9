// The fuzzer's model of a case: the endpoints, and a case as plain data (printable, shrinkable): symbolic tokens, order
// ids, timestamps and signatures resolved against the live fixture only when the request is built (request.ts), and
// what the server must answer.
import type { ErrorCode } from '../../server/errors';
import { CLIENT_ERROR_BODY_LIMIT } from '../../server/routes/client-errors';
import type { WriteRule } from './tables';
import type { Shopper } from './world';

export const ENDPOINTS = [
  'POST /api/sessions',
  'POST /api/orders',
  'POST /api/quote',
  'GET /api/orders',
  'GET /api/orders/{id}',
  'POST /api/orders/{id}/payment',
  'POST /api/orders/{id}/cancel',
  'POST /api/orders/{id}/subscriptions',
  'POST /api/client-errors',
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
  'GET /admin/api/events',
  'POST /admin/api/events/{id}/resend',
  'GET /admin/api/simulator',
  'GET /admin (console pages)',
  'POST /admin/sign-in',
  'POST /admin (console forms)',
  'unknown route',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export const API_BODY_LIMIT = 16 * 1024;
export const WEBHOOK_BODY_LIMIT = 512 * 1024;
/** POST /api/client-errors has its own limit, below the API's (the route's constant, as its cases used before). */
export { CLIENT_ERROR_BODY_LIMIT };

/** The body size past which the server refuses a request to `endpoint` before reading it. */
export function bodyLimitOf(endpoint: Endpoint): number {
  if (endpoint === 'POST /webhooks/airwallex') return WEBHOOK_BODY_LIMIT;
  if (endpoint === 'POST /api/client-errors') return CLIENT_ERROR_BODY_LIMIT;
  return API_BODY_LIMIT;
}

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

interface WebhookSpec {
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
