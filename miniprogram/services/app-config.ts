// The server's public settings (GET /api/config), fetched once per launch, and sandbox detection.
import type { ConfigResponse } from '../../server/contract';
import { envVersion } from '../config';
import { request } from './request';

let cached: Promise<ConfigResponse> | null = null;

/** The server's settings; fetched once and shared, fetched again after a failure. */
export function getConfig(): Promise<ConfigResponse> {
  if (!cached) {
    const pending = request<ConfigResponse>({ path: '/api/config', auth: false });
    cached = pending;
    pending.catch(() => {
      if (cached === pending) cached = null;
    });
  }
  return cached;
}

/**
 * Sandbox: the server runs its simulator AND this is not a release build. Only then are the
 * simulated pay sheet and simulated login used; a release build never takes that path.
 */
export function isSandbox(config: ConfigResponse): boolean {
  return config.mode === 'simulator' && envVersion() !== 'release';
}
