// Script errors and unhandled rejections, reported to the server's log (POST /api/client-errors):
// no session and no personal data, a few per minute at most, fire and forget. Never throws, never
// blocks, and a failed report is dropped silently (reporting it would only make another).
import type { ClientErrorReport } from '../../server/contract';
import { CONTRACT_VERSION, envVersion } from '../config';
import { request } from './request';

/** Reports allowed in a burst, and how fast the allowance comes back (one per this many ms). */
const BURST = 3;
const REFILL_MS = 20000;

let tokens = BURST;
let last = 0;

/** Cuts `text` to `max` characters, without query strings (a page's query may carry an order id). */
function clip(text: unknown, max: number): string {
  const value = typeof text === 'string' ? text.replace(/\?[^\s)'"]*/g, '?') : '';
  return value.length > max ? value.slice(0, max) : value;
}

function route(): string {
  try {
    const pages = getCurrentPages();
    return pages.length ? pages[pages.length - 1].route : '';
  } catch (err) {
    return '';
  }
}

function versions(): { appVersion: string; sdkVersion: string } {
  try {
    const base = typeof wx.getAppBaseInfo === 'function' ? wx.getAppBaseInfo() : wx.getSystemInfoSync();
    return { appVersion: wx.getAccountInfoSync().miniProgram.version || '', sdkVersion: base.SDKVersion || '' };
  } catch (err) {
    return { appVersion: '', sdkVersion: '' };
  }
}

/**
 * Sends one report unless the allowance is spent (a token bucket: BURST at once, then one per
 * REFILL_MS). `message` and `stack` are cut to the contract's lengths; the page's query is never sent.
 */
export function reportError(kind: ClientErrorReport['kind'], message: unknown, stack?: unknown): void {
  try {
    const now = Date.now();
    tokens = Math.min(BURST, tokens + (now - last) / REFILL_MS);
    last = now;
    if (tokens < 1) return;
    tokens -= 1;
    const v = versions();
    const body: ClientErrorReport = {
      kind,
      message: clip(message, 300),
      stack: clip(stack, 1500),
      route: route(),
      appVersion: clip(v.appVersion, 64),
      envVersion: envVersion(),
      sdkVersion: clip(v.sdkVersion, 32),
      contractVersion: CONTRACT_VERSION,
    };
    request<unknown>({ method: 'POST', path: '/api/client-errors', data: body, auth: false }).catch(() => undefined);
  } catch (err) {
    // Reporting must never be the next error.
  }
}

/** App.onError: WeChat hands one string, the message and then the stack. */
export function onAppError(error: string): void {
  const text = String(error);
  const cut = text.indexOf('\n');
  reportError('error', cut < 0 ? text : text.slice(0, cut), cut < 0 ? '' : text.slice(cut + 1));
}

/** App.onUnhandledRejection: `reason` is whatever the promise was rejected with. */
export function onRejection(res: { reason?: unknown }): void {
  const reason = res && res.reason;
  const err = reason as { message?: unknown; stack?: unknown; errMsg?: unknown } | undefined;
  const message = err && typeof err === 'object' ? err.message || err.errMsg : reason;
  reportError('rejection', typeof message === 'string' ? message : String(message), err && typeof err === 'object' ? err.stack : '');
}
