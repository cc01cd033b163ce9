// The doctor's mini program section: project.config.json's AppID is the server's WECHAT_APPID, trial and release builds call PUBLIC_URL, and the request domain to register in the MP console.
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { isLoopbackHost } from '../config-safety';
import { fail, ok, skip, type CheckResult, type DoctorContext } from './types';

const G = 'miniprogram' as const;
const DOMAIN_SETTINGS = 'the MP console (mp.weixin.qq.com) → Development → Development settings → Server domain names → request';
/** DevTools' tourist AppID, which project.config.json ships with. */
const TOURIST_APPID = 'touristappid';

export function miniprogramChecks(ctx: DoctorContext): CheckResult[] {
  const { config, projectRoot } = ctx;
  const projectFile = path.join(projectRoot, 'project.config.json');
  const configFile = path.join(projectRoot, 'miniprogram', 'config.ts');
  const results: CheckResult[] = [];
  if (!fs.existsSync(projectFile) || !fs.existsSync(configFile)) {
    const why = `skipped: no mini program at ${projectRoot} (a production install has none); run the doctor in the repository checkout you upload from, or pass --project DIR`;
    return [skip(G, 'miniprogram.appid', 'AppID', why), skip(G, 'miniprogram.server_url', 'server URL', why), requestDomain(config.publicUrl)];
  }
  results.push(appIdCheck(projectFile, config.wechat.appId), serverUrlCheck(configFile, config.publicUrl), requestDomain(config.publicUrl));
  return results;
}

function appIdCheck(file: string, appId: string): CheckResult {
  const id = 'miniprogram.appid';
  let appid: unknown;
  try {
    appid = (JSON.parse(fs.readFileSync(file, 'utf8')) as { appid?: unknown }).appid;
  } catch (err) {
    return fail(G, id, 'AppID', `${file} cannot be read as JSON: ${(err as Error).message}`, 'restore project.config.json (WeChat DevTools writes it)');
  }
  if (appid === appId) return ok(G, id, 'AppID', `project.config.json's appid is WECHAT_APPID (${appId})`);
  if (appid === TOURIST_APPID) return fail(G, id, 'AppID', "project.config.json still has DevTools' tourist AppID", `set "appid": "${appId}" in project.config.json (the AppID of the mini program whose secret the server holds), then upload from DevTools`);
  return fail(G, id, 'AppID', `project.config.json's appid is ${String(appid)}, the server's WECHAT_APPID is ${appId}: logins would fail with 40029 (codes of one app, exchanged by another)`, 'make both the same mini program: fix project.config.json or WECHAT_APPID / WECHAT_APP_SECRET');
}

/** The trial/release server origin, read from the source the mini program is built from (a string constant there). */
function serverUrlCheck(file: string, publicUrl: string | undefined): CheckResult {
  const id = 'miniprogram.server_url';
  const source = fs.readFileSync(file, 'utf8');
  const match = /export const PRODUCTION_API_BASE_URL(?:\s*:\s*string)?\s*=\s*(['"`])([^'"`]*)\1/.exec(source);
  if (!match) return fail(G, id, 'server URL', `${file} has no PRODUCTION_API_BASE_URL = '...' string`, "keep PRODUCTION_API_BASE_URL a plain string constant in miniprogram/config.ts: the doctor reads it, and the trial and release builds use it");
  const url = match[2];
  if (publicUrl && url.replace(/\/+$/, '') === publicUrl) return ok(G, id, 'server URL', `miniprogram/config.ts sends trial and release builds to PUBLIC_URL (${publicUrl})`);
  return fail(G, id, 'server URL', `miniprogram/config.ts sends trial and release builds to ${url}, not PUBLIC_URL (${publicUrl ?? 'unset'})`, `set PRODUCTION_API_BASE_URL = '${publicUrl ?? 'https://your-domain'}' in miniprogram/config.ts, then upload a new version from DevTools`);
}

/** What to register in the MP console; WeChat takes only https domain names there (an IP or localhost is refused). */
function requestDomain(publicUrl: string | undefined): CheckResult {
  const id = 'miniprogram.request_domain';
  const title = 'request domain';
  if (!publicUrl) return skip(G, id, title, 'skipped: PUBLIC_URL is not set');
  const url = new URL(publicUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol !== 'https:') return fail(G, id, title, `${publicUrl} is not https: the MP console takes only https request domains`, 'serve PUBLIC_URL over https first (see the https check)');
  if (isLoopbackHost(host)) return ok(G, id, title, `${url.origin} is this machine: enough for a trial here; phones need a registered domain name in ${DOMAIN_SETTINGS}`);
  if (isIP(host) !== 0 || host === 'localhost') return fail(G, id, title, `${host} is an address, and the MP console takes only domain names`, 'give the server a domain name (with an ICP filing for servers in mainland China) and set PUBLIC_URL to it');
  const port = url.port ? ` (with its port ${url.port}: then only that port may be called)` : '';
  return ok(G, id, title, `register ${url.origin}${port} in ${DOMAIN_SETTINGS}`);
}
