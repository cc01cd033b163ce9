// The Airwallex adapter's errors: an error answer, no answer, and a finance answer that cannot be read exactly.
import { AppError } from '../errors';
import { errorCodeFor } from './inferred';

/**
 * An Airwallex error answer, mapped to our code with our catalogue's message: Airwallex's own text,
 * code and trace id are for logs and callers, never for shoppers.
 */
export class AirwallexError extends AppError {
  constructor(
    readonly httpStatus: number,
    readonly airwallexCode: string | undefined,
    readonly traceId: string | undefined,
    readonly upstreamMessage: string | undefined,
  ) {
    super(errorCodeFor(airwallexCode, httpStatus));
    this.name = 'AirwallexError';
  }
}

export function isAirwallexCode(err: unknown, code: string): boolean {
  return err instanceof AirwallexError && err.airwallexCode === code;
}

/** No answer at all: connection refused or reset, DNS, or our timeout. Always safe to retry with the same request_id. */
export class NetworkError extends AppError {
  readonly operation: string;
  constructor(operation: string, cause: unknown) {
    super('UPSTREAM_UNAVAILABLE', undefined, { cause });
    this.name = 'NetworkError';
    this.operation = operation;
  }
}

/** A finance answer that cannot be read exactly (an amount with more decimals than its currency has, a missing id): never guessed at. */
export class AirwallexFormatError extends AppError {
  constructor(message: string) {
    super('UPSTREAM_REJECTED', message);
    this.name = 'AirwallexFormatError';
  }
}
