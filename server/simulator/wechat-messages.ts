// The simulated subscription messages: subscribeMessage.send with its checks and accept credits, gettemplate, and the
// state the controls change (a shopper's answers, their main switch, the account's templates) (docs/reference/wechat-subscribe-messages.md §3–§4).
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { SimulatorSubscriptionsResponse } from '../contract';
import { validationError } from './api-error';
import { WechatFailure } from './wechat-errors';
import type { MessageRecord, TemplateRecord, WechatStore } from './wechat-store';
import { keysOf, newTemplateId } from './wechat-templates';
import { keyTypeOf, valueProblem } from './wechat-value-rules';

const STATES = ['developer', 'trial', 'formal'];
const LANGS = ['zh_CN', 'en_US', 'zh_HK', 'zh_TW'];
/** What a panel answer may be (docs/reference/wechat-subscribe-messages.md §1); any `accept…` is consent. */
const REFUSALS = ['reject', 'ban', 'filter'];

export interface MessagesOptions {
  store: WechatStore;
  appId: string;
  now: () => number;
  logger: FastifyBaseLogger;
  /** The mini program's pages ("pages/shop/shop"); undefined when app.json could not be read (no page check then). */
  pages: ReadonlySet<string> | undefined;
  /** The "daily quota used up" switch for send. */
  quotaReached: () => boolean;
}

/** What the _subscriptions control answers: one shopper as WeChat knows them. */
export type SubscriptionState = SimulatorSubscriptionsResponse;

/** A sent message as GET /simulator/wechat/_messages lists it (msgid as a string: it does not fit a double). */
export interface SentMessage {
  msgid: string;
  touser: string;
  shopper: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state: string;
  lang: string;
  sent_at: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const argument = (what: string): WechatFailure => new WechatFailure(47003, `argument invalid! ${what}`);

/** msgid is a 64-bit integer: 19 digits, beyond what a JavaScript number holds exactly. */
function newMsgid(): string {
  return (BigInt(`0x${randomBytes(8).toString('hex')}`) % 8_000_000_000_000_000_000n + 1_000_000_000_000_000_000n).toString();
}

export class WechatMessages {
  constructor(private readonly opts: MessagesOptions) {}

  /**
   * POST /cgi-bin/message/subscribe/send once its token passed. Checks in this order [inf]: body,
   * touser (40003: not an openid of this app), template_id (40037), data against the template's
   * keys and their type rules (47003 naming the key), page (41030), miniprogram_state and lang
   * (47003), then the quota (45009) and the shopper's consent (43101), spending one credit.
   */
  send(body: unknown): string {
    const { store, appId } = this.opts;
    if (!isObject(body)) throw new WechatFailure(47001, 'data format error');
    const user = typeof body.touser === 'string' && body.touser !== '' ? store.getUser(appId, body.touser) : undefined;
    if (!user) throw new WechatFailure(40003, 'invalid openid');
    const template = typeof body.template_id === 'string' && body.template_id !== '' ? store.getTemplate(appId, body.template_id) : undefined;
    if (!template) throw new WechatFailure(40037, 'invalid template_id');
    const data = this.checkData(template, body.data);
    const page = this.checkPage(body.page);
    const state = body.miniprogram_state ?? 'formal';
    if (typeof state !== 'string' || !STATES.includes(state)) throw argument('miniprogram_state invalid');
    const lang = body.lang ?? 'zh_CN';
    if (typeof lang !== 'string' || !LANGS.includes(lang)) throw argument('lang invalid');
    if (this.opts.quotaReached()) throw new WechatFailure(45009, 'reach max api daily quota limit');
    return store.transaction(() => {
      const consented = user.mainSwitch && (template.type === 3 ? store.credits(appId, user.openId, template.priTmplId) > 0 : store.spendCredit(appId, user.openId, template.priTmplId));
      if (!consented) throw new WechatFailure(43101, 'user refuse to accept the msg');
      const msgid = newMsgid();
      store.addMessage(appId, { msgid, openId: user.openId, templateId: template.priTmplId, page, data, miniprogramState: state, lang, sentMs: this.opts.now() });
      return msgid;
    });
  }

  /** GET /wxaapi/newtmpl/gettemplate's data, once its token passed. */
  templateList(): Array<TemplateRecord> {
    return this.opts.store.templates(this.opts.appId).map((t) => ({
      priTmplId: t.priTmplId,
      title: t.title,
      content: t.content,
      example: t.example,
      type: t.type,
      ...(t.keywordEnumValueList ? { keywordEnumValueList: t.keywordEnumValueList } : {}),
    }));
  }

  private checkData(template: TemplateRecord, data: unknown): Record<string, { value: string }> {
    if (!isObject(data)) throw argument('data is empty');
    const keys = keysOf(template.content);
    const checked: Record<string, { value: string }> = {};
    for (const key of keys) {
      const entry = data[key];
      const value = isObject(entry) ? entry.value : undefined;
      if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) throw argument(`data.${key}.value is empty`);
      const type = keyTypeOf(key);
      const enums = template.keywordEnumValueList?.find((e) => e.keywordCode === key)?.enumValueList;
      const problem = typeof value !== 'string' ? 'not a string' : type ? valueProblem(type, value, enums) : undefined;
      if (problem) {
        // WeChat never says why; the simulator's log does, for the developer reading it.
        this.opts.logger.info({ key, problem }, 'simulated WeChat: 47003, a subscription message value breaks its rule');
        throw argument(`data.${key}.value invalid`);
      }
      checked[key] = { value: value as string };
    }
    for (const key of Object.keys(data)) {
      if (!keys.includes(key)) throw argument(`data.${key} is not a keyword of the template`);
    }
    return checked;
  }

  /** An in-app path with an optional query, its path one of the app's pages (no leading `/` [inf]). */
  private checkPage(page: unknown): string | null {
    if (page === undefined || page === null || page === '') return null;
    if (typeof page !== 'string') throw new WechatFailure(41030, 'invalid page');
    const path = page.split('?')[0];
    if (this.opts.pages && !this.opts.pages.has(path)) throw new WechatFailure(41030, 'invalid page');
    return page;
  }

  // ---- The controls' side ----

  /** A shopper WeChat knows (they opened the mini program: jscode2session), or a 400 naming what to do. */
  private knownUser(openId: string) {
    const user = this.opts.store.getUser(this.opts.appId, openId);
    if (!user) {
      throw validationError('openid', `WeChat does not know ${openId} as a user of this mini program: log the shopper in first (wx.login code → jscode2session)`);
    }
    return user;
  }

  /** What a shopper's answer in wx.requestSubscribeMessage's panel does: an `accept…` adds one send. */
  answer(openId: string, templateId: string, status: string): void {
    this.knownUser(openId);
    if (!this.opts.store.getTemplate(this.opts.appId, templateId)) {
      throw validationError('templateId', `${templateId} is not a template of this mini program (GET /simulator/wechat/_templates lists them)`);
    }
    const consent = status.startsWith('accept');
    if (!consent && !REFUSALS.includes(status)) throw validationError('status', `status must be accept (or acceptWith…), ${REFUSALS.join(', ')}`);
    this.opts.store.answer(this.opts.appId, openId, templateId, status, consent ? 1 : 0);
  }

  /** Several answers of one panel, as given in a control's body (template id → status); the caller holds a transaction. */
  answerAll(openId: string, answers: Record<string, unknown>): void {
    for (const [templateId, status] of Object.entries(answers)) {
      if (typeof status !== 'string') throw validationError('status', `the status for ${templateId} must be a string (accept, reject, ban, filter)`);
      this.answer(openId, templateId, status);
    }
  }

  /** The shopper turns subscription messages off (or on again) in the mini program's settings. */
  setMainSwitch(openId: string, on: boolean): void {
    this.knownUser(openId);
    this.opts.store.setMainSwitch(this.opts.appId, openId, on);
  }

  state(openId: string): SubscriptionState {
    const user = this.knownUser(openId);
    const templates = Object.fromEntries(
      this.opts.store.subscriptions(this.opts.appId, openId).map((s) => [s.templateId, { credits: s.credits, lastStatus: s.lastStatus }]),
    );
    return { openid: openId, shopper: user.shopper, mainSwitch: user.mainSwitch, templates };
  }

  messages(openId?: string): SentMessage[] {
    const shoppers = new Map<string, string>();
    const shopperOf = (id: string): string => {
      if (!shoppers.has(id)) shoppers.set(id, this.opts.store.getUser(this.opts.appId, id)?.shopper ?? '');
      return shoppers.get(id)!;
    };
    return this.opts.store.messages(this.opts.appId, openId).map((m: MessageRecord) => ({
      msgid: m.msgid,
      touser: m.openId,
      shopper: shopperOf(m.openId),
      template_id: m.templateId,
      ...(m.page !== null ? { page: m.page } : {}),
      data: m.data,
      miniprogram_state: m.miniprogramState,
      lang: m.lang,
      sent_at: new Date(m.sentMs).toISOString(),
    }));
  }

  /** A template the merchant adds in the MP console; replaces the one with the same priTmplId. */
  addTemplate(input: unknown): TemplateRecord {
    if (!isObject(input)) throw validationError(undefined, 'The body must be a JSON object like {"title":"…","content":"订单号:{{character_string1.DATA}}\\n"}');
    const { title, content, example = '', type = 2, keywordEnumValueList } = input;
    if (typeof title !== 'string' || title.length === 0 || title.length > 64) throw validationError('title', 'title must be a string of 1 to 64 characters');
    if (typeof content !== 'string' || keysOf(content).length === 0) throw validationError('content', 'content must hold at least one {{key.DATA}} placeholder');
    for (const key of keysOf(content)) {
      if (!keyTypeOf(key)) throw validationError('content', `${key} is not a key type followed by digits (thing1, amount2, …)`);
    }
    if (type !== 2 && type !== 3) throw validationError('type', 'type must be 2 (one-time) or 3 (long-term)');
    if (typeof example !== 'string') throw validationError('example', 'example must be a string');
    const enums = keywordEnumValueList === undefined ? undefined : checkEnums(keywordEnumValueList);
    for (const key of keysOf(content).filter((k) => keyTypeOf(k) === 'enum')) {
      if (!enums?.some((e) => e.keywordCode === key)) throw validationError('keywordEnumValueList', `the enum key ${key} needs its values in keywordEnumValueList`);
    }
    const given = input.priTmplId;
    if (given !== undefined && (typeof given !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(given))) {
      throw validationError('priTmplId', 'priTmplId must be 1 to 64 characters of [A-Za-z0-9_-]');
    }
    const template: TemplateRecord = {
      priTmplId: (given as string | undefined) ?? newTemplateId(this.opts.appId, title, this.opts.store.templates(this.opts.appId).length),
      title,
      type,
      content,
      example,
      ...(enums ? { keywordEnumValueList: enums } : {}),
    };
    this.opts.store.putTemplate(this.opts.appId, template);
    return template;
  }

  deleteTemplate(priTmplId: string): boolean {
    return this.opts.store.deleteTemplate(this.opts.appId, priTmplId);
  }
}

function checkEnums(value: unknown): NonNullable<TemplateRecord['keywordEnumValueList']> {
  const ok = Array.isArray(value) && value.every((e) => isObject(e) && typeof e.keywordCode === 'string' && Array.isArray(e.enumValueList) && e.enumValueList.every((v) => typeof v === 'string'));
  if (!ok) throw validationError('keywordEnumValueList', 'keywordEnumValueList must be [{"keywordCode":"enum4","enumValueList":["…"]}]');
  return value as NonNullable<TemplateRecord['keywordEnumValueList']>;
}
