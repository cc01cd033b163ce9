// The simulated WeChat platform behind tokens and subscription messages: its parts, its test switches, and the app's pages.
import fs from 'node:fs';
import path from 'node:path';
import type { BlockList } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { Counters } from './stats';
import type { SimulatorStore } from './store';
import { WECHAT_APIS, type WechatApi } from './types';
import { WechatMessages } from './wechat-messages';
import { WechatStore } from './wechat-store';
import { defaultTemplates } from './wechat-templates';
import { allowListOf, DEFAULT_TOKEN_QUOTAS, WechatTokens, type TokenQuotas } from './wechat-tokens';

/** SimulatorOptions.wechatPlatform: every field optional. */
export interface WechatPlatformOptions {
  /** The mini program's IP allow-list for token calls ("1.2.3.4", "10.0.0.0/8"); unset = none (any address). */
  allowedIps?: string[];
  /** The app's pages for the `page` check of send; default: read from miniprogram/app.json (pages and subpackages). */
  pages?: string[];
  /** WeChat's limits, lowered by tests. */
  quotas?: Partial<TokenQuotas>;
}

/** Test switches, changed at run time by POST /simulator/wechat/_switches; not persisted (like faults). */
export interface WechatSwitches {
  /** Share of token, stable_token, send and gettemplate calls answered `-1 system error`, not applied. */
  systemErrorRate: number;
  /** APIs answering 45009 as if their daily quota were used up. */
  quotaReached: WechatApi[];
  /** The IP allow-list; null = none set. */
  allowedIps: string[] | null;
}

export const APP_JSON = path.resolve(__dirname, '..', '..', 'miniprogram', 'app.json');

/** "pages/shop/shop", … and "pages/result/result" from a subpackage { root: "pages/result", pages: ["result"] }. */
export function pagesOfAppJson(text: string): string[] {
  const app = JSON.parse(text) as { pages?: string[]; subpackages?: Array<{ root: string; pages: string[] }>; subPackages?: Array<{ root: string; pages: string[] }> };
  const sub = [...(app.subpackages ?? []), ...(app.subPackages ?? [])].flatMap((pkg) => pkg.pages.map((page) => `${pkg.root.replace(/\/+$/, '')}/${page}`));
  return [...(app.pages ?? []), ...sub];
}

export interface PlatformDeps {
  store: SimulatorStore;
  appId: string;
  appSecret: string;
  now: () => number;
  random: () => number;
  counters: () => Counters;
  logger: FastifyBaseLogger;
  options: WechatPlatformOptions;
}

export class WechatPlatform {
  readonly tokens: WechatTokens;
  readonly messages: WechatMessages;
  private readonly store: WechatStore;
  private readonly initialSwitches: WechatSwitches;
  private switchState: WechatSwitches;
  private allowList: BlockList | undefined;

  constructor(private readonly deps: PlatformDeps) {
    this.store = new WechatStore(deps.store);
    this.store.seedTemplates(deps.appId, defaultTemplates(deps.appId));
    const allowedIps = deps.options.allowedIps ?? null;
    this.initialSwitches = { systemErrorRate: 0, quotaReached: [], allowedIps };
    this.switchState = this.initialSwitches;
    this.allowList = allowedIps ? allowListOf(allowedIps) : undefined;
    this.tokens = new WechatTokens({
      store: this.store,
      now: deps.now,
      appId: deps.appId,
      appSecret: deps.appSecret,
      quotas: { ...DEFAULT_TOKEN_QUOTAS, ...deps.options.quotas },
      allowList: () => this.allowList,
      quotaReached: (api) => this.switchState.quotaReached.includes(api),
      onIssue: (kind, forced) => {
        const issued = deps.counters().wechat.tokensIssued;
        if (kind === 'token') issued.token++;
        else issued.stable_token++;
        if (forced) issued.forced++;
      },
    });
    this.messages = new WechatMessages({
      store: this.store,
      appId: deps.appId,
      now: deps.now,
      logger: deps.logger,
      pages: this.loadPages(),
      quotaReached: () => this.switchState.quotaReached.includes('send'),
    });
  }

  /** A shopper opened the mini program (jscode2session): from now on WeChat knows their openid. */
  rememberUser(openId: string, shopper: string): void {
    this.store.rememberUser(this.deps.appId, openId, shopper);
  }

  /** True when this call should be answered `-1 system error` (rolls the shared PRNG only when the switch is on). */
  systemError(): boolean {
    return this.switchState.systemErrorRate > 0 && this.deps.random() < this.switchState.systemErrorRate;
  }

  switches(): WechatSwitches {
    return structuredClone(this.switchState);
  }

  /** Checks and applies a patch from the control route; returns the problems (nothing applied) or []. */
  setSwitches(patch: unknown): string[] {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return ['the body must be a JSON object'];
    const problems: string[] = [];
    const next: WechatSwitches = structuredClone(this.switchState);
    let allowList = this.allowList;
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'systemErrorRate') {
        if (typeof value === 'number' && value >= 0 && value <= 1) next.systemErrorRate = value;
        else problems.push('systemErrorRate must be a number between 0 and 1');
      } else if (key === 'quotaReached') {
        if (Array.isArray(value) && value.every((api) => (WECHAT_APIS as readonly unknown[]).includes(api))) next.quotaReached = value as WechatApi[];
        else problems.push(`quotaReached must be a list of ${WECHAT_APIS.join(', ')}`);
      } else if (key === 'allowedIps') {
        if (value === null) {
          next.allowedIps = null;
          allowList = undefined;
        } else if (Array.isArray(value) && value.every((ip) => typeof ip === 'string')) {
          try {
            allowList = allowListOf(value as string[]);
            next.allowedIps = value as string[];
          } catch (err) {
            problems.push(`allowedIps: ${(err as Error).message}`);
          }
        } else problems.push('allowedIps must be a list of IP addresses or CIDR blocks, or null for none');
      } else problems.push(`unknown switch "${key}" (systemErrorRate, quotaReached, allowedIps)`);
    }
    if (problems.length === 0) {
      this.switchState = next;
      this.allowList = allowList;
    }
    return problems;
  }

  resetSwitches(): void {
    this.switchState = this.initialSwitches;
    this.allowList = this.initialSwitches.allowedIps ? allowListOf(this.initialSwitches.allowedIps) : undefined;
  }

  countCall(api: WechatApi): void {
    this.deps.counters().wechat.apis[api].calls++;
  }

  /** Counts one answer of `api` by errcode. */
  count(api: WechatApi, errcode: number): void {
    const counters = this.deps.counters().wechat.apis[api];
    counters.errcodes[String(errcode)] = (counters.errcodes[String(errcode)] ?? 0) + 1;
  }

  private loadPages(): ReadonlySet<string> | undefined {
    if (this.deps.options.pages) return new Set(this.deps.options.pages);
    try {
      return new Set(pagesOfAppJson(fs.readFileSync(APP_JSON, 'utf8')));
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message, file: APP_JSON }, 'simulated WeChat: cannot read the app pages, send will not check page (41030)');
      return undefined;
    }
  }
}
