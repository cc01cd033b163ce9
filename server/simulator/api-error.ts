// The error the simulator's Airwallex side throws, and its wire shape {code, message, source?, trace_id}.
import { randomUUID } from 'node:crypto';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly source?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface AirwallexErrorBody {
  code: string;
  message: string;
  source?: string;
  trace_id: string;
}

/** Airwallex's error body; every answer gets a fresh trace_id, as the real API does. */
export function errorBody(code: string, message: string, source?: string): AirwallexErrorBody {
  return { code, message, ...(source ? { source } : {}), trace_id: randomUUID() };
}

export const validationError = (source: string | undefined, message: string): ApiError =>
  new ApiError(400, 'validation_error', message, source);
