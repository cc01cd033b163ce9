// The Airwallex adapter's own errors, as official SDKs have theirs: a call's error answer, no answer, refused
// credentials, an answer that cannot be read exactly, a webhook delivery to refuse. Not the HTTP app's AppError:
// services/upstream-errors.ts maps them to the app's errors in one place (as it does the WeChat adapter's WechatError).
import { failureOf, type AirwallexFailure } from './inferred';

export type AirwallexErrorKind =
  /** Airwallex answered with an error status (AirwallexApiError: httpStatus, airwallexCode). */
  | 'answer'
  /** No answer at all: connection refused or reset, DNS, our timeout, or a 2xx body cut short. */
  | 'unreachable'
  /** The login was refused: AIRWALLEX_CLIENT_ID / AIRWALLEX_API_KEY are not a pair Airwallex knows. */
  | 'credentials'
  /** An answer that cannot be read exactly (an amount with more decimals than its currency has, a missing id). */
  | 'format'
  /** A webhook delivery whose signature is missing or does not match. */
  | 'webhook_signature'
  /** A webhook delivery whose x-timestamp is missing, not a number, or outside the accepted window. */
  | 'webhook_timestamp'
  /** A signed webhook delivery whose body is not an event we can take. */
  | 'webhook_payload';

export class AirwallexError extends Error {
  constructor(
    readonly kind: AirwallexErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AirwallexError';
  }

  /** Whether the same call, with the same request_id, may succeed later (no answer, 429, 5xx). */
  get retryable(): boolean {
    return this.kind === 'unreachable';
  }
}

/** An error answer: Airwallex's own code, text and trace id are for logs and callers, never for shoppers. */
export class AirwallexApiError extends AirwallexError {
  constructor(
    readonly operation: string,
    readonly httpStatus: number,
    readonly airwallexCode: string | undefined,
    readonly traceId: string | undefined,
    readonly upstreamMessage: string | undefined,
  ) {
    super('answer', `Airwallex answered ${operation} with HTTP ${httpStatus}${airwallexCode ? ` (${airwallexCode})` : ''}${upstreamMessage ? `: ${upstreamMessage}` : ''}`);
    this.name = 'AirwallexApiError';
  }

  /** What the answer means for the call, by our reading of Airwallex's error codes (inferred.ts). */
  get failure(): AirwallexFailure {
    return failureOf(this.airwallexCode, this.httpStatus);
  }

  override get retryable(): boolean {
    return this.httpStatus === 429 || this.httpStatus >= 500;
  }
}

/** No answer at all: always safe to retry with the same request_id. */
export class AirwallexUnreachableError extends AirwallexError {
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super('unreachable', `Airwallex did not answer ${operation}: ${describe(cause)}`, { cause });
    this.name = 'AirwallexUnreachableError';
  }
}

/** The login was refused (401 or 403): never retried, the configuration must change. */
export class AirwallexCredentialsError extends AirwallexError {
  constructor(
    readonly httpStatus: number,
    readonly traceId: string | undefined,
  ) {
    super('credentials', `Airwallex refused the login (HTTP ${httpStatus}): check AIRWALLEX_CLIENT_ID and AIRWALLEX_API_KEY`);
    this.name = 'AirwallexCredentialsError';
  }
}

/** A finance answer that cannot be read exactly: never guessed at. */
export class AirwallexFormatError extends AirwallexError {
  constructor(message: string) {
    super('format', message);
    this.name = 'AirwallexFormatError';
  }
}

/** A webhook delivery to refuse (webhooks.ts): its message says what is wrong with it. */
export class AirwallexWebhookError extends AirwallexError {
  constructor(kind: 'webhook_signature' | 'webhook_timestamp' | 'webhook_payload', message: string) {
    super(kind, message);
    this.name = 'AirwallexWebhookError';
  }
}

export function isAirwallexCode(err: unknown, code: string): boolean {
  return err instanceof AirwallexApiError && err.airwallexCode === code;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.name === 'TimeoutError' ? 'timeout' : err.message;
  return String(err);
}
