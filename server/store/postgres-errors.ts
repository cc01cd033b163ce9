// Which PostgreSQL failures are the database being unavailable (a 503 the client retries) rather than a bug.
import { AppError } from '../errors';
import { isClientTimeout } from './postgres-client';

/**
 * `methods`, each answering SERVICE_UNAVAILABLE when the database is lost or too slow (see
 * asUnavailable). Every method of every concern's part reads or writes data: the store wraps them
 * all, so a new one cannot be forgotten.
 */
export function answeringUnavailable<T extends object>(methods: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(methods)) {
    const run = method as (...args: unknown[]) => Promise<unknown>;
    wrapped[name] = (...args: unknown[]) => run(...args).catch(asUnavailable);
  }
  return wrapped as T;
}

/**
 * The database is down, restarting, out of connections or too slow: a 503 the client retries (a
 * shopper's request, Airwallex's webhook delivery), not a 500. Whatever a cut-off transaction did is
 * either committed or rolled back whole, and every write is safe to repeat (idempotency keys, event
 * ids, updateOrder's rules).
 */
export function asUnavailable(err: unknown): never {
  if (isConnectionError(err) || isTimeout(err)) throw new AppError('SERVICE_UNAVAILABLE', undefined, { cause: err });
  throw err;
}

export function isConnectionError(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // SQLSTATE class 08 (connection exception), 57P01-03 (shutdown, crash, starting up), 53300 (too many connections).
    if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  }
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|not queryable|connection error/i.test(message);
}

/** statement_timeout cancelled the statement (SQLSTATE 57014), or node-postgres gave up waiting for an answer. */
export function isTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === '57014' || isClientTimeout(err);
}
