// The only caller of wx.request: a promise per call, a timeout, the Bearer token, one silent
// re-login on 401, and a typed ApiError for everything that is not a 2xx.
import type { ErrorBody } from '../../server/contract';
import { apiBaseUrl } from '../config';

/** `code` when no HTTP answer arrived (offline, DNS, TLS, domain not whitelisted, timeout). */
export const NETWORK = 'NETWORK';

/** A failed API call: the server's error code, HTTP status and request id, or NETWORK with status 0. */
export class ApiError extends Error {
  constructor(
    /** The server's SCREAMING_SNAKE code (server/errors.ts), or NETWORK. */
    readonly code: string,
    /** HTTP status; 0 when there was no answer. */
    readonly status: number,
    message: string,
    /** The server's request id, to find the call in its logs. */
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Whether `err` is an ApiError, optionally with one of `codes`. */
export function isApiError(err: unknown, ...codes: string[]): err is ApiError {
  return err instanceof ApiError && (codes.length === 0 || codes.indexOf(err.code) >= 0);
}

/** What the request layer needs from the session service (set by services/session.ts). */
export interface Authenticator {
  /** A valid token, logging in first if there is none. */
  token(): Promise<string>;
  /** Forgets the current token and logs in again with a fresh wx.login code. */
  renew(): Promise<string>;
}

let authenticator: Authenticator | null = null;

/** Plugs in the session service. Kept as a setter so request.ts and session.ts do not import each other. */
export function setAuthenticator(value: Authenticator | null): void {
  authenticator = value;
}

/** Default time to wait for an answer; long polls pass their own. */
export const DEFAULT_TIMEOUT_MS = 15000;

export interface RequestOptions {
  method?: 'GET' | 'POST';
  /** Path below the server origin, e.g. "/api/orders". */
  path: string;
  data?: WechatMiniprogram.IAnyObject;
  headers?: Record<string, string>;
  /** Send the Bearer token (and re-login once on 401). Default true. */
  auth?: boolean;
  timeoutMs?: number;
}

interface RawResponse {
  statusCode: number;
  data: unknown;
}

function send(options: RequestOptions, token: string | null): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const method = options.method ?? 'GET';
  const header: Record<string, string> = { ...(options.headers ?? {}) };
  // A JSON body on every POST (at least "{}"): servers reject an empty body declared as JSON.
  if (method === 'POST') header['content-type'] = 'application/json';
  if (token) header.Authorization = `Bearer ${token}`;
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    // wx.request has its own `timeout`, but a guard of ours also covers a callback that never comes.
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      if (task && typeof task.abort === 'function') task.abort();
      reject(new ApiError(NETWORK, 0, `request:fail timeout after ${timeoutMs} ms`));
    }, timeoutMs + 1000);
    const task = wx.request({
      url: apiBaseUrl() + options.path,
      method,
      data: method === 'POST' ? options.data ?? {} : options.data,
      header,
      timeout: timeoutMs,
      dataType: 'json',
      success: (res) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ statusCode: res.statusCode, data: res.data });
      },
      fail: (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new ApiError(NETWORK, 0, err && err.errMsg ? err.errMsg : 'request:fail'));
      },
    });
  });
}

function toApiError(res: RawResponse): ApiError {
  const body = res.data as Partial<ErrorBody> | undefined;
  const error = body && typeof body === 'object' ? body.error : undefined;
  if (error && typeof error.code === 'string') {
    return new ApiError(error.code, res.statusCode, error.message || error.code, error.requestId);
  }
  // Not our envelope (a proxy's HTML page, a gateway timeout...): keep the status, use a generic code.
  return new ApiError(res.statusCode >= 500 ? 'INTERNAL' : 'UNKNOWN', res.statusCode, `HTTP ${res.statusCode}`);
}

/**
 * Calls the server and resolves with the parsed body of a 2xx answer; rejects with an ApiError
 * otherwise. With `auth` (the default) it sends the session token, and on a 401 it logs in again
 * once (fresh wx.login code → new session) and retries the call once.
 */
export async function request<T>(options: RequestOptions): Promise<T> {
  const auth = options.auth === false ? null : authenticator;
  if (options.auth !== false && !auth) {
    throw new Error('Authenticated call before services/session.ts was loaded: import it first.');
  }
  let res = await send(options, auth ? await auth.token() : null);
  if (res.statusCode === 401 && auth) {
    res = await send(options, await auth.renew());
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return res.data as T;
  throw toApiError(res);
}
