// The server's public settings (GET /api/config), fetched once per launch, and sandbox detection.
import type { ConfigResponse } from '../../server/contract';
import { envVersion } from '../config';
import { request } from './request';

let cached: Promise<ConfigResponse> | null = null;
let known: ConfigResponse | null = null;
let listener: ((config: ConfigResponse) => void) | null = null;

/** The server's settings; fetched once and shared, fetched again after a failure. */
export function getConfig(): Promise<ConfigResponse> {
  if (!cached) {
    const pending = request<ConfigResponse>({ path: '/api/config', auth: false });
    cached = pending;
    pending.then(
      (config) => {
        known = config;
        if (listener) listener(config);
      },
      () => {
        if (cached === pending) cached = null;
      },
    );
  }
  return cached;
}

/**
 * The settings if they already arrived, else null: for code that may not wait, such as the first
 * statement of a Pay tap (wx.requestSubscribeMessage must be called before anything asynchronous).
 */
export function loadedConfig(): ConfigResponse | null {
  return known;
}

/** Calls `fn` with the settings each time they arrive (services/updates.ts checks the contract). */
export function onConfig(fn: (config: ConfigResponse) => void): void {
  listener = fn;
  if (known) fn(known);
}

/**
 * Sandbox: the server runs its simulator AND this is not a release build. Only then are the
 * simulated pay sheet and simulated login used; a release build never takes that path.
 */
export function isSandbox(config: ConfigResponse): boolean {
  return config.mode === 'simulator' && envVersion() !== 'release';
}
