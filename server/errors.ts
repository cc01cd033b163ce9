// The catalogue of error codes the server answers with, and the error type that carries them.

/** Every code the API can answer with, its HTTP status, and a default developer-facing message. */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  BODY_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send the body as application/json.' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request head (URL and headers) is too large.' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request took too long to arrive.' },
  UNAUTHENTICATED: { status: 401, message: 'A valid session token is required: POST /api/sessions with a fresh wx.login code.' },
  NOT_FOUND: { status: 404, message: 'No such route.' },
  ORDER_NOT_FOUND: { status: 404, message: 'No such order for this shopper.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry after the time in the Retry-After header.' },
  TOO_MANY_OPEN_ORDERS: { status: 409, message: 'This shopper has too many unpaid orders: pay or cancel one first.' },
  UNKNOWN_PRODUCT: { status: 400, message: 'An item refers to a product that is not in the catalogue.' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, message: 'This Idempotency-Key was already used with a different request body.' },
  ORDER_NOT_PAYABLE: { status: 409, message: 'The order can no longer be paid.' },
  ORDER_NOT_CANCELLABLE: { status: 409, message: 'The order can no longer be cancelled.' },
  ORDER_NOT_REFUNDABLE: { status: 409, message: 'The order cannot be refunded.' },
  REFUND_AMOUNT_INVALID: { status: 400, message: 'The refund amount must be a positive integer of minor units, at most what is left to refund.' },
  REFUND_REJECTED: { status: 409, message: 'Airwallex refused the refund.' },
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, message: 'Send an Idempotency-Key header (a fresh random value per refund), so a retry cannot refund twice.' },
  ADMIN_UNAUTHENTICATED: { status: 401, message: 'The admin API needs `Authorization: Bearer <ADMIN_TOKEN>` (or a console session).' },
  CSRF_INVALID: { status: 403, message: 'The request lacks the console session\'s CSRF token.' },
  NOT_READY: { status: 503, message: 'The server is not ready to take traffic.' },
  WECHAT_CODE_INVALID: { status: 400, message: 'The wx.login code is invalid, expired or already used: call wx.login again.' },
  WECHAT_RATE_LIMITED: { status: 429, message: 'WeChat login is rate limited; retry in a minute with a new code.' },
  WECHAT_LOGIN_BLOCKED: { status: 403, message: 'WeChat blocked this login (risk control).' },
  PAYMENT_DECLINED: { status: 402, message: 'The payment was declined.' },
  PAYMENT_NOT_AVAILABLE: { status: 502, message: 'WeChat Pay is not available for this merchant account.' },
  UPSTREAM_REJECTED: { status: 502, message: 'The payment provider rejected the request.' },
  UPSTREAM_UNAVAILABLE: { status: 503, message: 'The payment provider is unavailable; retry shortly.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The server cannot reach its database right now; retry shortly.' },
  WEBHOOK_SIGNATURE_INVALID: { status: 401, message: 'The webhook signature is missing or does not match.' },
  WEBHOOK_TIMESTAMP_STALE: { status: 401, message: 'The webhook timestamp is missing or outside the accepted window.' },
  WEBHOOK_PAYLOAD_INVALID: { status: 400, message: 'The webhook body is not a valid Airwallex event.' },
  RECONCILIATION_DATE_INVALID: { status: 400, message: 'The date must be a day that has begun, written YYYY-MM-DD (in the merchant\'s time zone).' },
  RECONCILIATION_RUNNING: { status: 409, message: 'This day is being reconciled right now (by this or another instance): wait for that run to finish.' },
  RECONCILIATION_NOT_FOUND: { status: 404, message: 'No such reconciliation run.' },
  EVENTS_NOT_CONFIGURED: { status: 409, message: 'Order events are only recorded: set EVENTS_URL and EVENTS_SECRET to deliver (and resend) them.' },
  INTERNAL: { status: 500, message: 'Something went wrong on the server.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a stable code; the one error handler turns it into the error envelope. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
