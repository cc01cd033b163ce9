// The simulated WeChat platform's tables in the simulator's SQLite: access tokens, quotas, users, accept credits, templates, sent messages.
import type { SimulatorStore } from './store';

/** `token`: GET /cgi-bin/token; `stable`: POST /cgi-bin/stable_token. The two never affect each other. */
export type TokenKind = 'token' | 'stable';

export interface TokenRecord {
  token: string;
  seq: number;
  appId: string;
  kind: TokenKind;
  issuedMs: number;
  /** The end of its natural life (issue + 7200 s): from then on it answers 42001. */
  expiresMs: number;
  /** Set when a newer token superseded it or a forced refresh killed it: from then on it answers 40001. */
  cutoffMs: number | null;
}

export interface TemplateRecord {
  priTmplId: string;
  title: string;
  /** 2 = one-time, 3 = long-term (docs/reference/wechat-subscribe-messages.md §4). */
  type: number;
  content: string;
  example: string;
  keywordEnumValueList?: Array<{ keywordCode: string; enumValueList: string[] }>;
}

export interface SubscriptionRecord {
  templateId: string;
  credits: number;
  /** The last answer the shopper gave for this template ("accept", "reject", ...). */
  lastStatus: string;
}

export interface UserRecord {
  openId: string;
  shopper: string;
  mainSwitch: boolean;
}

export interface MessageRecord {
  msgid: string;
  openId: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  miniprogramState: string;
  lang: string;
  sentMs: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS wechat_tokens (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, token TEXT NOT NULL UNIQUE, appid TEXT NOT NULL, kind TEXT NOT NULL,
  issued_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, cutoff_ms INTEGER
);
CREATE INDEX IF NOT EXISTS wechat_tokens_kind ON wechat_tokens (appid, kind, seq);
CREATE TABLE IF NOT EXISTS wechat_quota (appid TEXT NOT NULL, bucket TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (appid, bucket));
CREATE TABLE IF NOT EXISTS wechat_forced (appid TEXT PRIMARY KEY, last_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS wechat_users (
  appid TEXT NOT NULL, openid TEXT NOT NULL, shopper TEXT NOT NULL, main_switch INTEGER NOT NULL, PRIMARY KEY (appid, openid)
);
CREATE TABLE IF NOT EXISTS wechat_credits (
  appid TEXT NOT NULL, openid TEXT NOT NULL, template_id TEXT NOT NULL, credits INTEGER NOT NULL, last_status TEXT NOT NULL,
  PRIMARY KEY (appid, openid, template_id)
);
CREATE TABLE IF NOT EXISTS wechat_templates (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, appid TEXT NOT NULL, pri_tmpl_id TEXT NOT NULL, json TEXT NOT NULL, UNIQUE (appid, pri_tmpl_id)
);
CREATE TABLE IF NOT EXISTS wechat_seeded (appid TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS wechat_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, msgid TEXT NOT NULL UNIQUE, appid TEXT NOT NULL, openid TEXT NOT NULL, template_id TEXT NOT NULL,
  page TEXT, data_json TEXT NOT NULL, state TEXT NOT NULL, lang TEXT NOT NULL, sent_ms INTEGER NOT NULL
);
`;

interface TokenRow { seq: number; token: string; appid: string; kind: TokenKind; issued_ms: number; expires_ms: number; cutoff_ms: number | null }

const tokenRecord = (row: TokenRow): TokenRecord => ({
  token: row.token,
  seq: row.seq,
  appId: row.appid,
  kind: row.kind,
  issuedMs: row.issued_ms,
  expiresMs: row.expires_ms,
  cutoffMs: row.cutoff_ms,
});

/** Every method is one short synchronous statement; callers group them in `transaction` where they must land together. */
export class WechatStore {
  constructor(private readonly store: SimulatorStore) {
    store.addSchema(SCHEMA);
  }

  transaction<T>(fn: () => T): T {
    return this.store.transaction(fn);
  }

  private get sql() {
    return (text: string) => this.store.prepared(text);
  }

  insertToken(record: Omit<TokenRecord, 'seq' | 'cutoffMs'>): void {
    this.sql('INSERT INTO wechat_tokens (token, appid, kind, issued_ms, expires_ms) VALUES (?, ?, ?, ?, ?)')
      .run(record.token, record.appId, record.kind, record.issuedMs, record.expiresMs);
    // Keep the table small: tokens dead for more than a day are never asked about again.
    this.sql('DELETE FROM wechat_tokens WHERE MIN(expires_ms, COALESCE(cutoff_ms, expires_ms)) < ?').run(record.issuedMs - 24 * 3600_000);
  }

  getToken(token: string): TokenRecord | undefined {
    const row = this.sql('SELECT * FROM wechat_tokens WHERE token = ?').get(token) as TokenRow | undefined;
    return row && tokenRecord(row);
  }

  /** The newest token of a kind, dead or alive. */
  latestToken(appId: string, kind: TokenKind): TokenRecord | undefined {
    const row = this.sql('SELECT * FROM wechat_tokens WHERE appid = ? AND kind = ? ORDER BY seq DESC LIMIT 1').get(appId, kind) as TokenRow | undefined;
    return row && tokenRecord(row);
  }

  /** Cuts every token of a kind still usable after `cutoffMs` (but `except`) off at `cutoffMs`. */
  cutTokens(appId: string, kind: TokenKind, cutoffMs: number, except?: string): void {
    this.sql(
      `UPDATE wechat_tokens SET cutoff_ms = @cutoff WHERE appid = @appid AND kind = @kind AND token != @except
       AND (cutoff_ms IS NULL OR cutoff_ms > @cutoff)`,
    ).run({ cutoff: cutoffMs, appid: appId, kind, except: except ?? '' });
  }

  /** Cuts one token off at `cutoffMs`, unless it is already cut off sooner. */
  cutToken(token: string, cutoffMs: number): void {
    this.sql('UPDATE wechat_tokens SET cutoff_ms = ? WHERE token = ? AND (cutoff_ms IS NULL OR cutoff_ms > ?)').run(cutoffMs, token, cutoffMs);
  }

  /** Ends the natural life of every token of the app at `nowMs` (the "expired token" switch). */
  expireTokens(appId: string, nowMs: number): number {
    return this.sql('UPDATE wechat_tokens SET expires_ms = ? WHERE appid = ? AND expires_ms > ?').run(nowMs, appId, nowMs).changes;
  }

  quota(appId: string, bucket: string): number {
    const row = this.sql('SELECT count FROM wechat_quota WHERE appid = ? AND bucket = ?').get(appId, bucket) as { count: number } | undefined;
    return row?.count ?? 0;
  }

  /** Counts one call in `bucket`, dropping the other buckets with the same prefix (yesterday, the last minute). */
  countQuota(appId: string, prefix: string, bucket: string): void {
    this.sql('DELETE FROM wechat_quota WHERE appid = ? AND substr(bucket, 1, ?) = ? AND bucket != ?').run(appId, prefix.length, prefix, bucket);
    this.sql('INSERT INTO wechat_quota (appid, bucket, count) VALUES (?, ?, 1) ON CONFLICT (appid, bucket) DO UPDATE SET count = count + 1')
      .run(appId, bucket);
  }

  lastForcedMs(appId: string): number | undefined {
    const row = this.sql('SELECT last_ms FROM wechat_forced WHERE appid = ?').get(appId) as { last_ms: number } | undefined;
    return row?.last_ms;
  }

  setLastForcedMs(appId: string, ms: number): void {
    this.sql('INSERT INTO wechat_forced (appid, last_ms) VALUES (?, ?) ON CONFLICT (appid) DO UPDATE SET last_ms = excluded.last_ms').run(appId, ms);
  }

  /** A shopper who opened the mini program (jscode2session); keeps their main switch when seen again. */
  rememberUser(appId: string, openId: string, shopper: string): void {
    this.sql('INSERT INTO wechat_users (appid, openid, shopper, main_switch) VALUES (?, ?, ?, 1) ON CONFLICT (appid, openid) DO NOTHING')
      .run(appId, openId, shopper);
  }

  getUser(appId: string, openId: string): UserRecord | undefined {
    const row = this.sql('SELECT shopper, main_switch FROM wechat_users WHERE appid = ? AND openid = ?').get(appId, openId) as
      | { shopper: string; main_switch: number }
      | undefined;
    return row && { openId, shopper: row.shopper, mainSwitch: row.main_switch === 1 };
  }

  setMainSwitch(appId: string, openId: string, on: boolean): void {
    this.sql('UPDATE wechat_users SET main_switch = ? WHERE appid = ? AND openid = ?').run(on ? 1 : 0, appId, openId);
  }

  /** Records an answer; `add` credits more sends (1 for an accept). */
  answer(appId: string, openId: string, templateId: string, status: string, add: number): void {
    this.sql(
      `INSERT INTO wechat_credits (appid, openid, template_id, credits, last_status) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (appid, openid, template_id) DO UPDATE SET credits = credits + excluded.credits, last_status = excluded.last_status`,
    ).run(appId, openId, templateId, add, status);
  }

  subscriptions(appId: string, openId: string): SubscriptionRecord[] {
    const rows = this.sql('SELECT template_id, credits, last_status FROM wechat_credits WHERE appid = ? AND openid = ? ORDER BY template_id')
      .all(appId, openId) as Array<{ template_id: string; credits: number; last_status: string }>;
    return rows.map((r) => ({ templateId: r.template_id, credits: r.credits, lastStatus: r.last_status }));
  }

  credits(appId: string, openId: string, templateId: string): number {
    const row = this.sql('SELECT credits FROM wechat_credits WHERE appid = ? AND openid = ? AND template_id = ?').get(appId, openId, templateId) as
      | { credits: number }
      | undefined;
    return row?.credits ?? 0;
  }

  /** Spends one credit; false (nothing changed) when none is left. */
  spendCredit(appId: string, openId: string, templateId: string): boolean {
    return this.sql('UPDATE wechat_credits SET credits = credits - 1 WHERE appid = ? AND openid = ? AND template_id = ? AND credits > 0')
      .run(appId, openId, templateId).changes === 1;
  }

  /** Seeds the app's templates once: a template the tester deleted stays deleted after a restart. */
  seedTemplates(appId: string, templates: readonly TemplateRecord[]): void {
    this.transaction(() => {
      if (this.sql('INSERT OR IGNORE INTO wechat_seeded (appid) VALUES (?)').run(appId).changes === 0) return;
      for (const template of templates) this.putTemplate(appId, template);
    });
  }

  putTemplate(appId: string, template: TemplateRecord): void {
    this.sql('INSERT INTO wechat_templates (appid, pri_tmpl_id, json) VALUES (?, ?, ?) ON CONFLICT (appid, pri_tmpl_id) DO UPDATE SET json = excluded.json')
      .run(appId, template.priTmplId, JSON.stringify(template));
  }

  deleteTemplate(appId: string, priTmplId: string): boolean {
    return this.sql('DELETE FROM wechat_templates WHERE appid = ? AND pri_tmpl_id = ?').run(appId, priTmplId).changes === 1;
  }

  /** In the order they were added, as the MP console lists them. */
  templates(appId: string): TemplateRecord[] {
    const rows = this.sql('SELECT json FROM wechat_templates WHERE appid = ? ORDER BY seq').all(appId) as Array<{ json: string }>;
    return rows.map((r) => JSON.parse(r.json) as TemplateRecord);
  }

  getTemplate(appId: string, priTmplId: string): TemplateRecord | undefined {
    const row = this.sql('SELECT json FROM wechat_templates WHERE appid = ? AND pri_tmpl_id = ?').get(appId, priTmplId) as { json: string } | undefined;
    return row && (JSON.parse(row.json) as TemplateRecord);
  }

  addMessage(appId: string, message: MessageRecord): void {
    this.sql(
      'INSERT INTO wechat_messages (msgid, appid, openid, template_id, page, data_json, state, lang, sent_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(message.msgid, appId, message.openId, message.templateId, message.page, JSON.stringify(message.data), message.miniprogramState, message.lang, message.sentMs);
  }

  /** Oldest first, optionally only those to one openid. */
  messages(appId: string, openId?: string): MessageRecord[] {
    const rows = this.sql('SELECT * FROM wechat_messages WHERE appid = @appid AND (@openid IS NULL OR openid = @openid) ORDER BY seq')
      .all({ appid: appId, openid: openId ?? null }) as Array<{
      msgid: string; openid: string; template_id: string; page: string | null; data_json: string; state: string; lang: string; sent_ms: number;
    }>;
    return rows.map((r) => ({
      msgid: r.msgid,
      openId: r.openid,
      templateId: r.template_id,
      page: r.page,
      data: JSON.parse(r.data_json) as MessageRecord['data'],
      miniprogramState: r.state,
      lang: r.lang,
      sentMs: r.sent_ms,
    }));
  }
}
