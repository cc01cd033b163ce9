// The only caller of wx.request: a promise per call, a timeout, the Bearer token, one silent
// re-login on 401, a typed ApiError for everything that is not a 2xx, and request groups a page
// aborts when it closes (RequestTask.abort).
import type { ErrorBody } from '../../server/contract';
import { apiBaseUrl } from '../config';

/** `code` when no HTTP answer arrived (offline, DNS, TLS, domain not whitelisted, timeout, cut off in the background). */
export const NETWORK = 'NETWORK';
/** `code` of a request its page aborted on closing; nobody is left to tell. */
export const ABORTED = 'ABORTED';

/** A failed API call: the server's error code, HTTP status and request id, or NETWORK with status 0. */
export interface ApiError extends Error {
  /** The server's SCREAMING_SNAKE code (server/errors.ts), NETWORK or ABORTED. */
  code: string;
  /** HTTP status; 0 when there was no answer. */
  status: number;
  /** The server's request id, to find the call in its logs. */
  requestId?: string;
}

/** Makes an ApiError (a plain Error: subclassing Error costs the package several KB of helpers). */
export function apiError(code: string, status: number, message: string, requestId?: string): ApiError {
  const err = new Error(message) as ApiError;
  err.name = 'ApiError';
  err.code = code;
  err.status = status;
  err.requestId = requestId;
  return err;
}

/** Whether `err` is an ApiError, optionally with the code `code`. */
export function isApiError(err: unknown, code?: string): err is ApiError {
  return !!err && (err as ApiError).name === 'ApiError' && (!code || (err as ApiError).code === code);
}

/** The requests of one page: closing the group aborts those still running and refuses new ones. */
export interface RequestGroup {
  closed: boolean;
  tasks: WechatMiniprogram.RequestTask[];
}

/** A new, open request group (one per page instance). */
export function requestGroup(): RequestGroup {
  return { closed: false, tasks: [] };
}

/** Aborts the group's requests in flight (a long poll must not outlive its page) and refuses new ones. */
export function closeGroup(group: RequestGroup): void {
  group.closed = true;
  group.tasks.splice(0).forEach((task) => task.abort());
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
  /** The page's group: its closing aborts this request. */
  group?: RequestGroup;
}

interface RawResponse {
  statusCode: number;
  data: unknown;
}

function send(options: RequestOptions, token: string | null): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs || DEFAULT_TIMEOUT_MS;
  const method = options.method || 'GET';
  const group = options.group;
  const header: Record<string, string> = Object.assign({}, options.headers);
  // A JSON body on every POST (at least "{}"): servers reject an empty body declared as JSON.
  if (method === 'POST') header['content-type'] = 'application/json';
  if (token) header.Authorization = `Bearer ${token}`;
  return new Promise<RawResponse>((resolve, reject) => {
    if (group && group.closed) {
      reject(apiError(ABORTED, 0, 'request:fail abort'));
      return;
    }
    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      if (group) group.tasks = group.tasks.filter((t) => t !== task);
    };
    // wx.request has its own `timeout`, but a guard of ours also covers a callback that never comes.
    const timer = setTimeout(() => {
      if (settled) return;
      finish();
      task.abort();
      reject(apiError(NETWORK, 0, `request:fail timeout after ${timeoutMs} ms`));
    }, timeoutMs + 1000);
    const task = wx.request({
      url: apiBaseUrl() + options.path,
      method,
      data: method === 'POST' ? options.data || {} : options.data,
      header,
      timeout: timeoutMs,
      dataType: 'json',
      success: (res) => {
        if (settled) return;
        finish();
        resolve({ statusCode: res.statusCode, data: res.data });
      },
      fail: (err) => {
        if (settled) return;
        finish();
        const errMsg = err && err.errMsg ? err.errMsg : 'request:fail';
        reject(apiError(group && group.closed ? ABORTED : NETWORK, 0, errMsg));
      },
    });
    if (group) group.tasks.push(task);
  });
}

function toApiError(res: RawResponse): ApiError {
  const body = res.data as Partial<ErrorBody> | undefined;
  const error = body && typeof body === 'object' ? body.error : undefined;
  if (error && typeof error.code === 'string') {
    return apiError(error.code, res.statusCode, error.message || error.code, error.requestId);
  }
  // Not our envelope (a proxy's HTML page, a gateway timeout...): keep the status, use a generic code.
  return apiError(res.statusCode >= 500 ? 'INTERNAL' : 'UNKNOWN', res.statusCode, `HTTP ${res.statusCode}`);
}

/**
 * Calls the server and resolves with the parsed body of a 2xx answer; rejects with an ApiError
 * otherwise. With `auth` (the default) it sends the session token, and on a 401 it logs in again
 * once (fresh wx.login code → new session) and retries the call once.
 */
export function request<T>(options: RequestOptions): Promise<T> {
  const auth = options.auth === false ? null : authenticator;
  if (options.auth !== false && !auth) {
    return Promise.reject(new Error('Authenticated call before services/session.ts was loaded: import it first.'));
  }
  const first = auth ? auth.token().then((token) => send(options, token)) : send(options, null);
  return first
    .then((res) => (res.statusCode === 401 && auth ? auth.renew().then((token) => send(options, token)) : res))
    .then((res) => {
      if (res.statusCode >= 200 && res.statusCode < 300) return res.data as T;
      throw toApiError(res);
    });
}
