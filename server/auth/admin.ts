// Operators' authentication, in one place for the admin API, the merchant console and /metrics: bearer tokens
// (compared in constant time, every refusal counted and limited per address), the console's sign-in session (a
// cookie, its hash in the database, a CSRF token derived from it), the Origin check, and who acted (a fingerprint).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors';
import type { Limits } from '../limits';
import type { AdminSessionRecord, Store } from '../store/types';
import type { Telemetry } from '../telemetry';

/** The session cookie's name; its Path is /admin, so it never travels with shoppers' API calls or webhooks. */
export const SESSION_COOKIE = 'console_session';
/** How long a console session lasts; signing in again makes a new one. */
export const SESSION_TTL_MS = 12 * 3600_000;
/** The header the console's own requests (and scripts using the admin API with the session) send the CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** Which door a token was tried at, for the metrics and the logs. */
export type TokenDoor = 'console' | 'api' | 'metrics';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is acting on the admin API: a fingerprint of the token, never the token. */
    adminActor: string;
    /** How: a bearer token (`api`) or a console session (`console`). */
    adminVia: 'api' | 'console';
  }
}

export interface ConsoleSession {
  record: AdminSessionRecord;
  /** The CSRF token to put in the page's forms (derived from the cookie's token, never stored). */
  csrf: string;
}

export interface AdminAuthDeps {
  store: Store;
  limits: Pick<Limits, 'tokenGuesses'>;
  telemetry: Pick<Telemetry, 'adminSignIn'>;
  /**
   * PUBLIC_URL: the one origin the console's forms may come from, and whether its cookies are
   * Secure (https). Without it (simulator mode only) a form must come from the Host it was sent to.
   */
  publicUrl?: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** `admin:` and 8 hex digits of the token's SHA-256: enough to tell tokens apart in the audit log. */
export function actorOf(token: string): string {
  return `admin:${sha256(token).slice(0, 8)}`;
}

/** Equal in constant time: both sides are hashed first, so their lengths cannot leak either. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(given), 'hex'), Buffer.from(sha256(expected), 'hex'));
}

/**
 * The CSRF token of a session: an HMAC keyed by the session token, so the server can put it in a
 * page without storing it, and nobody without the HttpOnly cookie can compute it.
 */
function csrfOf(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('console csrf').digest('base64url');
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

export class AdminAuth {
  private readonly secureCookies: boolean;

  constructor(private readonly deps: AdminAuthDeps) {
    this.secureCookies = deps.publicUrl?.startsWith('https:') ?? false;
  }

  /**
   * An `Authorization: Bearer …` header checked against `expected`: the caller's actor when it
   * matches; undefined when there is no Authorization header at all. A wrong token is counted
   * against the client address's budget of token guesses (shared with the console's sign-in form)
   * and refused; once over that budget every try is refused before the comparison, the right token
   * too, so guessing cannot go on at a slower pace.
   */
  async bearer(request: FastifyRequest, reply: FastifyReply, expected: string, door: Exclude<TokenDoor, 'console'>, refusal: string): Promise<string | undefined> {
    const authorization = request.headers.authorization;
    if (authorization === undefined) return undefined;
    if (await this.deps.limits.tokenGuesses.exceeded(request, reply)) {
      this.deps.telemetry.adminSignIn('limited', door);
      throw new AppError('RATE_LIMITED', `Too many wrong tokens from this address; retry in ${String(reply.getHeader('retry-after'))} s.`);
    }
    const match = /^Bearer (\S{1,512})$/.exec(authorization);
    if (match && sameSecret(match[1], expected)) return actorOf(match[1]);
    this.deps.telemetry.adminSignIn('refused', door);
    request.log.warn({ door, address: request.ip }, 'operator token refused');
    await this.deps.limits.tokenGuesses(request, reply);
    throw new AppError('ADMIN_UNAUTHENTICATED', refusal);
  }

  /**
   * One sign-in attempt on the console's form: every attempt counts against the address's budget of
   * token guesses, the right token too. `limited` sets Retry-After.
   */
  async signIn(request: FastifyRequest, reply: FastifyReply, given: string, expected: string): Promise<'ok' | 'refused' | 'limited'> {
    try {
      await this.deps.limits.tokenGuesses(request, reply);
    } catch (err) {
      if (err instanceof AppError && err.code === 'RATE_LIMITED') {
        this.deps.telemetry.adminSignIn('limited', 'console');
        return 'limited';
      }
      throw err;
    }
    const outcome = sameSecret(given, expected) ? 'ok' : 'refused';
    this.deps.telemetry.adminSignIn(outcome, 'console');
    return outcome;
  }

  /** Stores a new session for `actor`; returns the cookie's token (to send once, in Set-Cookie). */
  async createSession(actor: string, now: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.deps.store.createAdminSession({ tokenHash: sha256(token), csrfHash: sha256(csrfOf(token)), actor, createdAt: now, expiresAt: now + SESSION_TTL_MS });
    return token;
  }

  /**
   * The request's session, when its cookie names a live one made with the current admin token (`actor`
   * is the token's fingerprint: changing ADMIN_TOKEN signs every browser out).
   */
  async findSession(request: FastifyRequest, actor: string, now: number): Promise<ConsoleSession | undefined> {
    const token = cookiesOf(request)[SESSION_COOKIE];
    if (!token || token.length > 128) return undefined;
    const record = await this.deps.store.findAdminSession(sha256(token), now);
    if (!record || record.actor !== actor) return undefined;
    return { record, csrf: csrfOf(token) };
  }

  async deleteSession(request: FastifyRequest): Promise<void> {
    const token = cookiesOf(request)[SESSION_COOKIE];
    if (token && token.length <= 128) await this.deps.store.deleteAdminSession(sha256(token));
  }

  /** Whether `given` is the session's CSRF token; compared in constant time through the stored hash. */
  csrfMatches(given: unknown, session: ConsoleSession): boolean {
    if (typeof given !== 'string' || given.length === 0 || given.length > 128) return false;
    return timingSafeEqual(Buffer.from(sha256(given), 'hex'), Buffer.from(session.record.csrfHash, 'hex'));
  }

  /**
   * Whether a browser's state-changing request comes from a page of this server. Browsers send Origin
   * with every POST; a request without one (not a browser) still needs the CSRF token. With
   * PUBLIC_URL the Origin must be exactly it; without (simulator mode) it must name the Host the
   * request was sent to, read from the Host header itself, never a proxy's X-Forwarded-* headers.
   */
  fromOwnOrigin(request: FastifyRequest): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    if (this.deps.publicUrl) return origin === this.deps.publicUrl;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // includes `Origin: null` (sandboxed frames, privacy redirects)
    }
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === request.headers.host;
  }

  /** A Set-Cookie value: HttpOnly (unless said otherwise), SameSite=Strict, Path=/admin, and Secure when PUBLIC_URL is https. */
  cookieHeader(name: string, value: string, maxAgeSeconds: number, options: { httpOnly?: boolean } = {}): string {
    const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/admin', `Max-Age=${maxAgeSeconds}`, 'SameSite=Strict'];
    if (options.httpOnly !== false) parts.push('HttpOnly');
    if (this.secureCookies) parts.push('Secure');
    return parts.join('; ');
  }

  /**
   * The admin API's gate: the admin token as a bearer token (scripts, curl), or a signed-in console
   * session (a browser), whose changes also need its CSRF token in x-csrf-token and our Origin.
   * Never a shopper's token. Sets request.adminActor and adminVia.
   */
  async adminApi(request: FastifyRequest, reply: FastifyReply, adminToken: string, now: number): Promise<void> {
    const actor = await this.bearer(request, reply, adminToken, 'api', 'The admin API needs `Authorization: Bearer <ADMIN_TOKEN>` (or a console session).');
    if (actor !== undefined) {
      request.adminActor = actor;
      request.adminVia = 'api';
      return;
    }
    const session = await this.findSession(request, actorOf(adminToken), now);
    if (!session) throw new AppError('ADMIN_UNAUTHENTICATED');
    if (request.method !== 'GET' && request.method !== 'HEAD' && (!this.fromOwnOrigin(request) || !this.csrfMatches(request.headers[CSRF_HEADER], session))) {
      throw new AppError('CSRF_INVALID', `A console session changes things only with its CSRF token in the ${CSRF_HEADER} header, from this server's pages.`);
    }
    request.adminActor = session.record.actor;
    request.adminVia = 'console';
  }
}
