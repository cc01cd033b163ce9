// Where the mini program finds its server, per build (develop / trial / release). No secrets here, ever:
// everything in this folder ships to every phone.
import type { ContractVersion } from '../server/contract';

/**
 * The server contract this build speaks: server/contract.ts CONTRACT_VERSION, pinned by its type, so
 * the type check fails until this number follows a change there. A server that reports a newer one
 * makes the app ask the shopper to restart into the update (services/updates.ts).
 */
export const CONTRACT_VERSION: ContractVersion = 2;

/**
 * MERCHANTS: set your server's HTTPS origin here (no trailing slash, no path). It is used by trial
 * and release builds, and the domain must be listed in the MP console under
 * 开发管理 → 开发设置 → 服务器域名 (request 合法域名). It cannot be an IP address or localhost.
 */
export const PRODUCTION_API_BASE_URL = 'https://api.example.com';

/**
 * Used by develop builds (DevTools). DevTools reaches localhost when "不校验合法域名" is on
 * (project.config.json sets urlCheck: false). For preview on a phone, use your computer's LAN address.
 */
export const DEVELOP_API_BASE_URL = 'http://localhost:3000';

/** Which build this is: "develop" (DevTools, preview), "trial" (体验版) or "release" (正式版). */
export type EnvVersion = 'develop' | 'trial' | 'release';

/** The build the code runs in; an unknown answer counts as release, so nothing test-only leaks out. */
export function envVersion(): EnvVersion {
  try {
    const version = wx.getAccountInfoSync().miniProgram.envVersion;
    return version === 'develop' || version === 'trial' ? version : 'release';
  } catch {
    return 'release';
  }
}

/** The server origin for this build. */
export function apiBaseUrl(): string {
  return envVersion() === 'develop' ? DEVELOP_API_BASE_URL : PRODUCTION_API_BASE_URL;
}
