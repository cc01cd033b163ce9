// Rules every mutating Airwallex call shares: single-use request_ids, amounts, metadata, and paging parameters.
import { currencyPrecision, toMinorUnits } from '../money';
import { ApiError, validationError } from './api-error';
import type { SimulatorStore } from './store';
import type { WebhookDispatcher } from './webhooks';

export type Body = Record<string, unknown>;

/**
 * Runs one mutating operation atomically: a reused request_id is refused (and nothing is
 * applied again); the request_id is recorded only when the operation is applied, so a request
 * refused for a business reason can be retried with the same id and gets the same answer.
 * Webhooks queued by `apply` go out once the transaction has committed.
 */
export function applyOnce<T>(
  deps: { store: SimulatorStore; webhooks: WebhookDispatcher; now: () => number },
  endpoint: string,
  requestId: string,
  apply: () => T,
): T {
  const result = deps.store.transaction(() => {
    if (deps.store.requestIdUsed(requestId)) {
      throw new ApiError(400, 'duplicate_request', `The request ID ${requestId} has been used previously.`, 'request_id');
    }
    const value = apply();
    deps.store.claimRequestId(requestId, endpoint, deps.now());
    return value;
  });
  deps.webhooks.schedule();
  return result;
}

export function checkRequestId(value: unknown): string {
  const id = String(value);
  if (id.length === 0 || id.length > 64) throw validationError('request_id', 'request_id must be 1 to 64 characters');
  return id;
}

/** A positive amount in major units with at most the currency's decimals; answers it in minor units. */
export function checkAmount(amount: number, currency: string): number {
  if (!Number.isFinite(amount) || amount <= 0) throw validationError('amount', 'amount must be greater than 0');
  try {
    return toMinorUnits(amount, currency);
  } catch {
    throw validationError('amount', `amount must have at most ${currencyPrecision(currency)} decimal places for ${currency}`);
  }
}

export function checkMetadata(metadata: Record<string, string> | undefined): void {
  if (!metadata) return;
  const entries = Object.entries(metadata);
  if (entries.length > 50) throw validationError('metadata', 'metadata can have at most 50 keys');
  for (const [key, value] of entries) {
    if (key.length > 50) throw validationError(`metadata.${key}`, 'metadata keys must be at most 50 characters');
    if (value.length > 500) throw validationError(`metadata.${key}`, 'metadata values must be at most 500 characters');
  }
}

/** An integer query parameter in [min, max]; `fallback` when absent or empty. */
export function intParam(query: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
  const raw = query[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || value < min || value > max) {
    throw validationError(key, `${key} must be an integer between ${min} and ${max}`);
  }
  return value;
}
