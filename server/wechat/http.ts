// One call to a WeChat server API: timeout, JSON read from the text, errcode turned into a WechatError; never logs the URL (it carries the token).
import { Agent, request as send } from 'undici';
import type { Logger } from '../logger';
import { timed } from '../timing';
import { WechatError, wechatErrorFor, type WechatApi } from './errors';
import { deadline } from '../deadline';

export interface WechatHttpOptions {
  /** https://api.weixin.qq.com, or a getter for the embedded simulator's /simulator/wechat. */
  baseUrl: string | (() => string);
  timeoutMs: number;
  logger: Logger;
}

export interface WechatRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

export interface WechatAnswer {
  body: Record<string, unknown>;
  /** The answer as received: a 64-bit msgid must be read from here, JSON.parse rounds it. */
  text: string;
}

/**
 * Connections to WeChat kept open between calls, shared by every caller in this process (undici's
 * request API, not fetch: see airwallex/client.ts). Idle ones close after 30 s.
 */
export const WECHAT_POOL = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });

/** Calls `api`; resolves with an answer whose errcode is 0 or absent, rejects with a WechatError otherwise. */
export function callWechat(options: WechatHttpOptions, api: WechatApi, request: WechatRequest): Promise<WechatAnswer> {
  return timed('upstream', () => exchange(options, api, request));
}

async function exchange(options: WechatHttpOptions, api: WechatApi, request: WechatRequest): Promise<WechatAnswer> {
  const baseUrl = typeof options.baseUrl === 'function' ? options.baseUrl() : options.baseUrl;
  const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
  let text: string;
  const limit = deadline(options.timeoutMs);
  try {
    const response = await send(`${baseUrl}${request.path}${query}`, {
      dispatcher: WECHAT_POOL,
      method: request.method,
      headers: request.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: limit.signal,
    });
    text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode > 299) throw new Error(`HTTP ${response.statusCode}`);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const code = connectFailure(err);
    options.logger.warn({ api, err: reason, ...(code ? { code } : {}) }, 'WeChat unreachable');
    const error = new WechatError('unreachable', api, `WeChat's ${api} is unreachable (${code ?? reason}): retry later`);
    error.notDelivered = code !== undefined;
    throw error;
  } finally {
    limit.clear();
  }
  let body: unknown;
  try {
    // WeChat has been seen answering JSON as text/plain: parse the text whatever the content type.
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    options.logger.warn({ api, length: text.length }, 'WeChat answered something that is not a JSON object');
    throw new WechatError('unreachable', api, `WeChat's ${api} answered something that is not a JSON object: retry later`);
  }
  const fields = body as Record<string, unknown>;
  const errcode = typeof fields.errcode === 'number' ? fields.errcode : 0;
  if (errcode !== 0) {
    const error = wechatErrorFor(api, errcode, typeof fields.errmsg === 'string' ? fields.errmsg : '');
    options.logger.warn({ api, errcode, kind: error.kind, rid: error.rid }, 'WeChat refused the call');
    throw error;
  }
  return { body: fields, text };
}

/** Failures before any byte of the request could reach WeChat: no address, no route, refused, or a TLS handshake that failed. */
const NOT_CONNECTED = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT|CERT_\w+|ERR_TLS_\w+|UNABLE_TO_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/;

/** The code of a fetch failure that happened before the connection was made (fetch's TypeError carries it as its cause), else undefined. */
function connectFailure(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code && NOT_CONNECTED.test(code) ? code : undefined;
}
