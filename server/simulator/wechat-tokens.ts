// The simulated WeChat access tokens: GET /cgi-bin/token and POST /cgi-bin/stable_token with their rotation, quotas and IP allow-list,
// and the check every other API makes of the token it is given (docs/reference/wechat-subscribe-messages.md §2).
import { randomBytes, randomInt } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { TOKEN_EXPIRED, TOKEN_MALFORMED, TOKEN_MISSING, TOKEN_NOT_LATEST, WechatFailure } from './wechat-errors';
import type { TokenKind, TokenRecord, WechatStore } from './wechat-store';

export const TOKEN_LIFETIME_MS = 7200_000;
/** A superseded token stays usable this long; stable tokens are renewed this long before they expire. */
export const TOKEN_OVERLAP_MS = 300_000;
/** force_refresh calls closer together than this do not refresh [doc ST]. */
export const FORCE_REFRESH_GAP_MS = 30_000;

/** WeChat's documented limits; tests lower them to reach them quickly. */
export interface TokenQuotas {
  /** GET /cgi-bin/token calls a day (about 2000; some accounts see 10 000). */
  tokenPerDay: number;
  stablePerDay: number;
  stablePerMinute: number;
  /** force_refresh calls that refreshed, a day. */
  forcedPerDay: number;
}

export const DEFAULT_TOKEN_QUOTAS: TokenQuotas = { tokenPerDay: 2000, stablePerDay: 500_000, stablePerMinute: 10_000, forcedPerDay: 20 };

export interface TokenAnswer {
  access_token: string;
  expires_in: number;
}

export interface TokenOptions {
  store: WechatStore;
  now: () => number;
  appId: string;
  appSecret: string;
  quotas: TokenQuotas;
  /** The mini program's IP allow-list; undefined when none is set (every address may fetch tokens). */
  allowList: () => BlockList | undefined;
  /** The "daily quota used up" switch for one API. */
  quotaReached: (api: 'token' | 'stable_token') => boolean;
  /** Counts a freshly minted token. */
  onIssue: (kind: TokenKind, forced: boolean) => void;
}

/** Days end at midnight Beijing time, when WeChat's daily quotas reset [inf]. */
const dayOf = (ms: number): string => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

/** Real tokens are about 150 characters of [A-Za-z0-9_-] after a short number and `_`. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,512}$/;

/** "1.2.3.4", "10.0.0.0/8", "::1": a BlockList matching them, or a RangeError naming the bad entry. */
export function allowListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits, extra] = entry.trim().split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) throw new RangeError(`"${entry}" is not an IP address or a CIDR block`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else if (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)) list.addSubnet(address, Number(bits), type);
    else throw new RangeError(`"${entry}" has a bad prefix length`);
  }
  return list;
}

/** The address WeChat would see: an IPv4-mapped IPv6 address as plain IPv4. */
export function plainAddress(address: string | undefined): string {
  const raw = address ?? '';
  return raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
}

export class WechatTokens {
  constructor(private readonly opts: TokenOptions) {}

  /** GET /cgi-bin/token: a new token at every call; the previous one lives 300 s more, older ones die. */
  basic(query: Record<string, unknown>, ip: string): TokenAnswer {
    const text = (key: string): string | undefined => (typeof query[key] === 'string' && query[key] !== '' ? (query[key] as string) : undefined);
    this.credentials(text('grant_type'), text('appid'), text('secret'), ip);
    const { store, appId } = this.opts;
    const now = this.opts.now();
    const bucket = `token:${dayOf(now)}`;
    if (this.opts.quotaReached('token') || store.quota(appId, bucket) >= this.opts.quotas.tokenPerDay) throw dailyQuota();
    return store.transaction(() => {
      store.countQuota(appId, 'token:', bucket);
      const previous = store.latestToken(appId, 'token');
      store.cutTokens(appId, 'token', now, previous?.token);
      if (previous) store.cutToken(previous.token, now + TOKEN_OVERLAP_MS);
      return this.answer(this.issue('token', now, false), now);
    });
  }

  /**
   * POST /cgi-bin/stable_token, JSON only: `body` is what JSON.parse gave (anything else arrives
   * as undefined, hence 41002 for a form body). Normal mode answers the same token while it has
   * more than 300 s left, then a new one while the old lives out its life; force_refresh kills
   * every stable token at once, at most 20 times a day and not twice within 30 s.
   */
  stable(body: unknown, ip: string): TokenAnswer {
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const text = (key: string): string | undefined => (typeof fields[key] === 'string' && fields[key] !== '' ? (fields[key] as string) : undefined);
    this.credentials(text('grant_type'), text('appid'), text('secret'), ip);
    const { store, appId, quotas } = this.opts;
    const now = this.opts.now();
    const day = `stable:${dayOf(now)}`;
    const minute = `stable-minute:${Math.floor(now / 60_000)}`;
    if (this.opts.quotaReached('stable_token') || store.quota(appId, day) >= quotas.stablePerDay) throw dailyQuota();
    if (store.quota(appId, minute) >= quotas.stablePerMinute) throw new WechatFailure(45011, 'api minute-quota reach limit  mustslower  retry next minute');
    const force = fields.force_refresh === true;
    const forcedToday = `forced:${dayOf(now)}`;
    if (force && store.quota(appId, forcedToday) >= quotas.forcedPerDay) throw dailyQuota();
    return store.transaction(() => {
      store.countQuota(appId, 'stable:', day);
      store.countQuota(appId, 'stable-minute:', minute);
      const last = store.lastForcedMs(appId);
      if (force && (last === undefined || now - last >= FORCE_REFRESH_GAP_MS)) {
        store.countQuota(appId, 'forced:', forcedToday);
        store.setLastForcedMs(appId, now);
        store.cutTokens(appId, 'stable', now);
        return this.answer(this.issue('stable', now, true), now);
      }
      const current = store.latestToken(appId, 'stable');
      if (current && usableUntil(current) - TOKEN_OVERLAP_MS > now) return this.answer(current, now);
      return this.answer(this.issue('stable', now, false), now);
    });
  }

  /** The check every API makes of its `access_token`: 41001, 40014, 40001 (superseded, killed, unknown) or 42001. */
  check(token: unknown): TokenRecord {
    if (typeof token !== 'string' || token === '') throw TOKEN_MISSING();
    if (!TOKEN_SHAPE.test(token)) throw TOKEN_MALFORMED();
    const record = this.opts.store.getToken(token);
    if (!record || record.appId !== this.opts.appId) throw TOKEN_NOT_LATEST();
    const now = this.opts.now();
    if (record.cutoffMs !== null && record.cutoffMs <= record.expiresMs && now >= record.cutoffMs) throw TOKEN_NOT_LATEST();
    if (now >= record.expiresMs) throw TOKEN_EXPIRED();
    return record;
  }

  /** The "expired token" switch: every token's life ends now (42001 at its next use). */
  expireAll(): number {
    return this.opts.store.expireTokens(this.opts.appId, this.opts.now());
  }

  /** Order of checks [inf]: missing fields, grant_type, appid, secret, then the IP allow-list (it belongs to the app). */
  private credentials(grantType: string | undefined, appId: string | undefined, secret: string | undefined, ip: string): void {
    if (!appId) throw new WechatFailure(41002, 'appid missing');
    if (!secret) throw new WechatFailure(41004, 'appsecret missing');
    if (grantType !== 'client_credential') throw new WechatFailure(40002, 'invalid grant_type');
    if (appId !== this.opts.appId) throw new WechatFailure(40013, 'invalid appid');
    if (secret !== this.opts.appSecret) throw new WechatFailure(40125, 'invalid appsecret');
    const allowList = this.opts.allowList();
    if (allowList && !allowList.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')) {
      const ipv6 = isIP(ip) === 6 ? ip : `::ffff:${ip}`;
      throw new WechatFailure(40164, `invalid ip ${ip} ipv6 ${ipv6}, not in whitelist`);
    }
  }

  private issue(kind: TokenKind, now: number, forced: boolean): TokenRecord {
    const token = `${randomInt(10, 100)}_${randomBytes(114).toString('base64url')}`;
    const record = { token, appId: this.opts.appId, kind, issuedMs: now, expiresMs: now + TOKEN_LIFETIME_MS };
    this.opts.store.insertToken(record);
    this.opts.onIssue(kind, forced);
    return { ...record, seq: 0, cutoffMs: null };
  }

  private answer(record: TokenRecord, now: number): TokenAnswer {
    return { access_token: record.token, expires_in: Math.floor((usableUntil(record) - now) / 1000) };
  }
}

const usableUntil = (record: TokenRecord): number => Math.min(record.expiresMs, record.cutoffMs ?? Infinity);
const dailyQuota = (): WechatFailure => new WechatFailure(45009, 'reach max api daily quota limit');
