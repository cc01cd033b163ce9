// Abuse limits (@fastify/rate-limit): per shopper for requests with a valid session, per client address for the rest
// (logins, bad or missing tokens, public routes, unknown paths), per address on logins and on guesses of an operator's
// token. Counted in PostgreSQL when instances share it, in this process on SQLite.
import rateLimit, { normalizeIP, type CreateRateLimitOptions, type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors';
import type { Logger } from './logger';
import { shopperRefOf } from './store/common';
import type { Store } from './store/types';

export interface LimitSettings {
  shopperPerMinute: number;
  addressPerMinute: number;
  sessionsPerMinute: number;
  adminSignInsPerMinute: number;
  /** POST /api/client-errors per client address (its own budget; default 10). */
  clientErrorsPerMinute?: number;
}

/** One limit: counts the request, and throws RATE_LIMITED (with Retry-After set) when it is over. */
export interface Limit {
  (request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /**
   * Whether this client is over the limit already, without counting the request; sets Retry-After
   * when it is. For checks that count only failures (a refused token) but must refuse every try,
   * right or wrong, once over: else a guesser would still learn which token is right.
   */
  exceeded(request: FastifyRequest, reply: FastifyReply): Promise<boolean>;
}

export interface Limits {
  /**
   * Requests that carry no valid shopper session, by client address: public /api routes, logins,
   * bad or missing tokens on the shopper's routes, and paths no route matches.
   */
  address: Limit;
  /** POST /api/sessions, by client address: each one costs a jscode2session call to WeChat. */
  sessions: Limit;
  /**
   * Guesses of an operator's token, by client address: every console sign-in attempt, and every
   * refused bearer token on the admin API and /metrics. One budget for all three.
   */
  tokenGuesses: Limit;
  /** Requests with a valid session, by shopper (set by authentication), whatever address they come from. */
  shopper: Limit;
  /** The mini program's error reports (POST /api/client-errors), by client address: a small budget of their own. */
  clientErrors: Limit;
}

/** The store's counters, when several instances share them (PostgreSQL). */
export type SharedCounts = Pick<Store, 'countHit' | 'peekHits'>;

/**
 * Keys remembered per limit in this process, least recently used out first. A flooding client stays
 * recent, so the cap only ever forgets quiet ones; it bounds the memory (a few MiB) however many come.
 */
export const KEYS_PER_LIMIT = 10_000;
const WINDOW_MS = 60_000;

/**
 * Registers the plugin (not as a global hook: our hooks call the checks, so the route decides which
 * limit applies) and returns the checks. With `shared` (PostgreSQL), every instance counts in the
 * same rows: one round trip per check, and N instances allow what one does.
 */
export async function registerLimits(app: FastifyInstance, settings: LimitSettings, shared: SharedCounts | undefined, logger: Logger): Promise<Limits> {
  await app.register(rateLimit, { global: false, ...(shared ? { store: sharedStoreClass(shared, logger) } : {}) });
  const limit = (id: string, name: string, max: number, keyOf: (request: FastifyRequest) => string): Limit => {
    // `cache` is honoured by createRateLimit although its typings omit it (index.js: createLimiterArgs); `id` reaches
    // the shared store's child(), which keeps each limit's counters apart (`address:203.0.113.9`).
    const options = { max, timeWindow: WINDOW_MS, cache: KEYS_PER_LIMIT, keyGenerator: keyOf, id } as CreateRateLimitOptions;
    const limiter = app.createRateLimit(options);
    const refuse = (reply: FastifyReply, ttlInSeconds: number) => {
      reply.header('retry-after', String(ttlInSeconds));
      return new AppError('RATE_LIMITED', `Too many requests (${name}: at most ${max} a minute); retry in ${ttlInSeconds} s.`);
    };
    const check = async (request: FastifyRequest, reply: FastifyReply) => {
      const result = await limiter(request);
      if (!result.isAllowed && result.isExceeded) throw refuse(reply, result.ttlInSeconds);
    };
    check.exceeded = async (request: FastifyRequest, reply: FastifyReply) => {
      const result = await limiter(request, { increment: false });
      if (result.isAllowed || result.remaining > 0) return false;
      refuse(reply, Math.max(1, result.ttlInSeconds));
      return true;
    };
    return check;
  };
  const address = (request: FastifyRequest) => normalizeIP(request.ip);
  return {
    address: limit('address', 'requests without a shopper session per client address', settings.addressPerMinute, address),
    sessions: limit('login', 'logins per client address', settings.sessionsPerMinute, address),
    tokenGuesses: limit('token', 'operator token attempts per client address', settings.adminSignInsPerMinute, address),
    shopper: limit('shopper', 'requests per shopper', settings.shopperPerMinute, (request) => shopperRefOf(request.openId)),
    clientErrors: limit('client-errors', 'error reports per client address', settings.clientErrorsPerMinute ?? 10, address),
  };
}

/**
 * @fastify/rate-limit's store interface over the Store's counters. Should the database fail, a
 * count falls back to this process's own (logged once a minute): the request then fails or
 * succeeds on its own merits, instead of every route answering 503 for the limiter's sake.
 */
type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;
type LocalCounts = FastifyRateLimitStore & { read(key: string, callback: Callback, timeWindow: number, max: number): void };
/** The library's own in-process store (not exported by its entry point): the fallback while the database is away. */
// A deep require: the package has no `exports` map, and the file ships without typings.
const LocalStore = require('@fastify/rate-limit/store/LocalStore') as new (continueExceeding: boolean, exponentialBackoff: boolean, cache: number) => LocalCounts;

function sharedStoreClass(shared: SharedCounts, logger: Logger) {
  let warnedAt = 0;
  const warn = (err: unknown) => {
    if (Date.now() - warnedAt < WINDOW_MS) return;
    warnedAt = Date.now();
    logger.warn({ err }, 'abuse limits: the shared counters are unreachable; counting in this process meanwhile');
  };
  class SharedCountStore implements FastifyRateLimitStore {
    private readonly local: LocalCounts;

    constructor(
      _options: unknown,
      private readonly prefix = '',
    ) {
      this.local = new LocalStore(false, false, KEYS_PER_LIMIT);
    }

    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      const now = Date.now();
      shared.countHit(`${this.prefix}${key}`, now, timeWindow).then(
        ({ hits, resetAt }) => callback(null, { current: hits, ttl: Math.max(0, resetAt - now) }),
        (err: unknown) => {
          warn(err);
          this.local.incr(key, callback, timeWindow, max);
        },
      );
    }

    read(key: string, callback: Callback, timeWindow: number, max: number): void {
      const now = Date.now();
      shared.peekHits(`${this.prefix}${key}`, now).then(
        ({ hits, resetAt }) => callback(null, { current: hits, ttl: Math.max(0, resetAt - now) }),
        (err: unknown) => {
          warn(err);
          this.local.read(key, callback, timeWindow, max);
        },
      );
    }

    /** One child per limit: `options` are the limit's own (createRateLimit's), `id` among them (typed as a route's). */
    child(options: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      return new SharedCountStore(options, `${(options as { id?: string }).id ?? 'limit'}:`);
    }
  }
  return SharedCountStore;
}
