// Abuse limits (@fastify/rate-limit): per client address on the API, per address on logins and console sign-ins, per shopper once known.
import rateLimit, { normalizeIP, type CreateRateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors';

export interface LimitSettings {
  shopperPerMinute: number;
  addressPerMinute: number;
  sessionsPerMinute: number;
  adminSignInsPerMinute: number;
}

/** Checks one request against a limit; throws RATE_LIMITED (with Retry-After set) when over it. */
export type LimitCheck = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface Limits {
  /** Every /api request, by client address (behind a load balancer, set TRUST_PROXY). */
  address: LimitCheck;
  /** POST /api/sessions, by client address: each one costs a jscode2session call to WeChat. */
  sessions: LimitCheck;
  /** POST /admin/sign-in, by client address: every attempt counts, so the admin token cannot be guessed fast. */
  adminSignIn: LimitCheck;
  /** Every authenticated request, by shopper (the openid, set by authentication), whatever address it comes from. */
  shopper: LimitCheck;
}

/**
 * Keys remembered per limit, least recently used out first. A flooding client stays recent, so
 * the cap only ever forgets quiet ones; it bounds the memory (a few MiB) however many shoppers come.
 */
const KEYS_PER_LIMIT = 10_000;

/**
 * Registers the plugin (not as a global hook: our hooks call the checks, so two limits can apply to
 * one request) and returns the checks. Counts are per process: with N instances behind a load
 * balancer a client gets up to N times each limit, which still stops a flood.
 */
export async function registerLimits(app: FastifyInstance, settings: LimitSettings): Promise<Limits> {
  await app.register(rateLimit, { global: false });
  const check = (name: string, max: number, keyOf: (request: FastifyRequest) => string): LimitCheck => {
    // `cache` is honoured by createRateLimit although its typings omit it (index.js: createLimiterArgs).
    const options = { max, timeWindow: 60_000, cache: KEYS_PER_LIMIT, keyGenerator: keyOf } as CreateRateLimitOptions;
    const limiter = app.createRateLimit(options);
    return async (request, reply) => {
      const result = await limiter(request);
      if (result.isAllowed || !result.isExceeded) return;
      reply.header('retry-after', String(result.ttlInSeconds));
      throw new AppError('RATE_LIMITED', `Too many requests (${name}: at most ${max} a minute); retry in ${result.ttlInSeconds} s.`);
    };
  };
  return {
    address: check('per client address', settings.addressPerMinute, (request) => normalizeIP(request.ip)),
    sessions: check('logins per client address', settings.sessionsPerMinute, (request) => normalizeIP(request.ip)),
    adminSignIn: check('console sign-ins per client address', settings.adminSignInsPerMinute, (request) => normalizeIP(request.ip)),
    shopper: check('per shopper', settings.shopperPerMinute, (request) => request.openId),
  };
}
