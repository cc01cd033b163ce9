// The console's sign-in session: a random token in an HttpOnly, SameSite=Strict cookie, its hash in
// the database (so every instance knows it), a CSRF token derived from it, and the Origin check.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AdminSessionRecord, Store } from '../store/types';

/** The cookie's name; its Path is /admin, so it never travels with shoppers' API calls or webhooks. */
export const SESSION_COOKIE = 'console_session';
/** The remembered language (zh_CN or en); not a secret. */
export const LANGUAGE_COOKIE = 'console_lang';
/** How long a console session lasts; signing in again makes a new one. */
export const SESSION_TTL_MS = 12 * 3600_000;
/** The header the console's own requests (and scripts using the admin API with the session) send the CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

export interface ConsoleSession {
  record: AdminSessionRecord;
  /** The CSRF token to put in the page's forms (derived from the cookie's token, never stored). */
  csrf: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The CSRF token of a session: an HMAC keyed by the session token, so the server can put it in a
 * page without storing it, and nobody without the HttpOnly cookie can compute it.
 */
function csrfOf(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('console csrf').digest('base64url');
}

/** Stores a new session for `actor`; returns the cookie's token (to send once, in Set-Cookie). */
export async function createSession(store: Store, actor: string, now: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await store.createAdminSession({ tokenHash: sha256(token), csrfHash: sha256(csrfOf(token)), actor, createdAt: now, expiresAt: now + SESSION_TTL_MS });
  return token;
}

/**
 * The request's session, when its cookie names a live one made with the current admin token (`actor`
 * is the token's fingerprint: changing ADMIN_TOKEN signs every browser out).
 */
export async function findSession(request: FastifyRequest, store: Store, actor: string, now: number): Promise<ConsoleSession | undefined> {
  const token = cookiesOf(request)[SESSION_COOKIE];
  if (!token || token.length > 128) return undefined;
  const record = await store.findAdminSession(sha256(token), now);
  if (!record || record.actor !== actor) return undefined;
  return { record, csrf: csrfOf(token) };
}

export async function deleteSession(request: FastifyRequest, store: Store): Promise<void> {
  const token = cookiesOf(request)[SESSION_COOKIE];
  if (token && token.length <= 128) await store.deleteAdminSession(sha256(token));
}

/** Whether `given` is the session's CSRF token; compared in constant time through the stored hash. */
export function csrfMatches(given: unknown, session: ConsoleSession): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 128) return false;
  return timingSafeEqual(Buffer.from(sha256(given), 'hex'), Buffer.from(session.record.csrfHash, 'hex'));
}

/**
 * Whether a browser's state-changing request comes from a page of this server. Browsers send Origin
 * with every POST; a request without one (not a browser) still needs the CSRF token. The scheme is
 * only held against the request when this server knows it is on HTTPS (behind TRUST_PROXY), so a
 * TLS-terminating proxy that the server was not told about does not break the console.
 */
export function fromOwnOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes `Origin: null` (sandboxed frames, privacy redirects)
  }
  if (url.host !== request.host) return false;
  return request.protocol === 'https' ? url.protocol === 'https:' : url.protocol === 'http:' || url.protocol === 'https:';
}

/** The request's cookies (first value of each name). */
export function cookiesOf(request: FastifyRequest): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !(name in cookies)) {
      try {
        cookies[name] = decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        // a malformed %-escape: ignore that cookie
      }
    }
  }
  return cookies;
}

/**
 * A Set-Cookie value: HttpOnly, SameSite=Strict, Path=/admin, and Secure when the request came over
 * HTTPS (directly, or behind TRUST_PROXY with x-forwarded-proto https).
 */
export function cookieHeader(request: FastifyRequest, name: string, value: string, maxAgeSeconds: number, options: { httpOnly?: boolean } = {}): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/admin', `Max-Age=${maxAgeSeconds}`, 'SameSite=Strict'];
  if (options.httpOnly !== false) parts.push('HttpOnly');
  if (request.protocol === 'https') parts.push('Secure');
  return parts.join('; ');
}
