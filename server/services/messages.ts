// Subscription messages ("payment succeeded", "refund succeeded"): the accepts a shopper tells us of, recorded per order,
// and their sending, at most once per accept: each attempt is recorded before WeChat is called, so a crash or a second
// instance never sends one twice; what each attempt came to goes on the order's timeline. Sending never touches the
// payment or the refund: it runs after their commit, woken by OrderChanges, and in the background pass for retries.
import type { MessageTemplateName, NotificationSettings } from '../config-notifications';
import type { SubscribeTemplates } from '../contract';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { MessageOutcome, MessageRecord, NewOrderEvent, Store } from '../store/types';
import type { Telemetry } from '../telemetry';
import { WechatError } from '../wechat/errors';
import { withTokenRetry, type MessageLang, type WechatOpenApi } from '../wechat/open-api';
import type { SharedAccessToken } from './access-token';
import { messageData, messagePage } from './message-content';

export interface MessageServiceDeps {
  store: Pick<Store, 'getOrder' | 'recordAccepts' | 'claimDueMessages' | 'finishMessage' | 'abandonInterruptedMessages'>;
  api: Pick<WechatOpenApi, 'sendSubscribeMessage'>;
  token: Pick<SharedAccessToken, 'get'>;
  settings: NotificationSettings;
  logger: Logger;
  telemetry: Pick<Telemetry, 'subscriptionMessage'>;
  now?: () => number;
  /** First retry delay of a message WeChat did not send for a passing reason; doubles per attempt up to an hour (default 30 s). */
  retryBaseMs?: number;
  /** Attempts before a message is given up as failed (default 8: about two hours of retries). */
  maxAttempts?: number;
  /**
   * A message still `sending` this long after its attempt was recorded is given up as `unknown`: its
   * sender died (or hangs past every timeout). Default 5 minutes, far beyond a token refresh and a send.
   */
  interruptedAfterMs?: number;
}

/** Messages claimed per batch, and sent at once. */
const BATCH = 20;
const CONCURRENCY = 4;
const MAX_RETRY_DELAY_MS = 3_600_000;
/** What WeChat answers that says nothing was sent and a later try may work: busy (-1), quotas, the token call failing. */
const PASSING: ReadonlyArray<WechatError['kind']> = ['busy', 'quota', 'token', 'credentials', 'ip_not_allowed'];

export class MessageService {
  private readonly now: () => number;
  private draining: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: MessageServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The configured template ids, for GET /api/config (undefined when none: the mini program then never asks). */
  subscribeTemplates(): SubscribeTemplates | undefined {
    const { templates } = this.deps.settings;
    const ids: SubscribeTemplates = {};
    if (templates.paymentSucceeded) ids.paymentSucceeded = templates.paymentSucceeded.templateId;
    if (templates.refundSucceeded) ids.refundSucceeded = templates.refundSucceeded.templateId;
    return Object.keys(ids).length > 0 ? ids : undefined;
  }

  /**
   * What the shopper answered in WeChat's panel for order `orderId`: each configured template they
   * accepted (`accept…`) is recorded once; a refusal, and ids not configured, change nothing.
   * Answers the accepted template ids. ORDER_NOT_FOUND unless the order is the shopper's.
   */
  async recordAnswers(openId: string, orderId: string, results: Record<string, string>, language: 'zh_CN' | 'en'): Promise<string[]> {
    const lang: MessageLang = language === 'en' ? 'en_US' : 'zh_CN';
    const accepts = (Object.entries(this.deps.settings.templates) as Array<[MessageTemplateName, { templateId: string }]>)
      .filter(([, setting]) => results[setting.templateId]?.startsWith('accept'))
      .map(([template, setting]) => ({ templateId: setting.templateId, template, acceptStatus: results[setting.templateId], lang }));
    const notFound = () => new AppError('ORDER_NOT_FOUND', `No order ${orderId} for this shopper.`);
    if (accepts.length === 0) {
      if ((await this.deps.store.getOrder(orderId))?.openId !== openId) throw notFound();
      return [];
    }
    const recorded = await this.deps.store.recordAccepts(orderId, openId, accepts, this.now());
    if (!recorded) throw notFound();
    for (const templateId of recorded.inserted) {
      const message = recorded.recorded.find((m) => m.templateId === templateId)!;
      this.deps.telemetry.subscriptionMessage(message.template, 'accepted');
      this.deps.logger.info({ orderId, template: message.template, state: message.state }, 'subscription message accepted');
    }
    if (recorded.recorded.some((m) => m.state === 'due')) this.kick();
    return accepts.map((accept) => accept.templateId);
  }

  /** Something may be due (an order paid, a refund succeeded, an accept after its event): send it soon, in the background. */
  kick(): void {
    // No template configured: no change records a message, so there is nothing to claim at once (a transaction per
    // paid order otherwise; what an earlier configuration left due, the periodic pass sends).
    if (this.stopped || !Object.values(this.deps.settings.templates).some(Boolean)) return;
    this.again = true;
    this.draining ??= (async () => {
      try {
        while (this.again && !this.stopped) {
          this.again = false;
          await this.drain();
        }
      } catch (err) {
        this.deps.logger.error({ err }, 'subscription messages: could not send the due ones; the next pass retries');
      } finally {
        this.draining = undefined;
      }
    })();
  }

  /** The background pass: attempts left sending by a dead sender given up, then everything due sent. */
  async sweep(): Promise<number> {
    const now = this.now();
    const abandoned = await this.deps.store.abandonInterruptedMessages(now - (this.deps.interruptedAfterMs ?? 300_000), now, (message) =>
      this.event(message, 'unknown', { error: message.error }),
    );
    for (const message of abandoned) {
      this.deps.telemetry.subscriptionMessage(message.template, 'unknown');
      this.deps.logger.warn({ orderId: message.orderId, template: message.template, attempts: message.attempts }, 'subscription message: an attempt was interrupted; not tried again (WeChat may or may not have sent it)');
    }
    return this.drain();
  }

  /** Runs the pass now (what a stop left due or interrupted), then every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    const pass = () => {
      if (this.passing || this.stopped) return;
      this.passing = this.sweep()
        .catch((err: unknown) => this.deps.logger.error({ err }, 'subscription messages: the pass failed'))
        .then(() => {
          this.passing = undefined;
        });
    };
    pass();
    this.timer = setInterval(pass, intervalMs);
    this.timer.unref();
  }

  /** Stops the pass and the sending; waits for the attempts in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([this.draining, this.passing]);
  }

  /** Claims and sends due messages until none is left; answers how many were attempted. */
  async drain(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const claimed = await this.deps.store.claimDueMessages(this.now(), BATCH);
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, claimed.length) }, async () => {
        while (next < claimed.length) await this.send(claimed[next++]);
      }));
      attempted += claimed.length;
      if (claimed.length < BATCH || this.stopped) return attempted;
    }
  }

  /** One claimed message (its attempt already recorded): sent, then what came of it recorded with its timeline event. */
  private async send(message: MessageRecord): Promise<void> {
    let outcome: MessageOutcome;
    let errcode: number | undefined;
    try {
      const msgid = await this.deliver(message);
      outcome = { state: 'sent', msgid };
    } catch (err) {
      errcode = err instanceof WechatError ? err.errcode : undefined;
      outcome = this.outcomeOf(message, err);
    }
    const label = outcome.state === 'due' ? 'retry' : outcome.state;
    const event = this.event(message, label, {
      ...(outcome.state === 'sent' ? { msgid: outcome.msgid } : { error: outcome.error }),
      ...(errcode !== undefined ? { errcode } : {}),
      ...(outcome.state === 'due' ? { nextAttemptAt: outcome.nextAttemptAt } : {}),
    });
    const recorded = await this.deps.store.finishMessage(message.orderId, message.templateId, outcome, event, this.now()).catch((err: unknown) => {
      // Left `sending`: the pass gives it up as unknown, never sends it again.
      this.deps.logger.error({ err, orderId: message.orderId, template: message.template }, 'subscription message: could not record what the attempt came to');
      return false;
    });
    if (!recorded) return;
    this.deps.telemetry.subscriptionMessage(message.template, label);
    const fields = { orderId: message.orderId, template: message.template, attempt: message.attempts, ...(errcode !== undefined ? { errcode } : {}) };
    if (outcome.state === 'sent') this.deps.logger.info(fields, 'subscription message sent');
    else this.deps.logger.warn({ ...fields, outcome: label, reason: outcome.error }, 'subscription message not sent');
  }

  /** Calls WeChat with the shared token (refreshed and retried once when WeChat says it is stale); WeChat's msgid. */
  private async deliver(message: MessageRecord): Promise<string> {
    const { settings, store, api, token } = this.deps;
    const setting = settings.templates[message.template];
    if (setting?.templateId !== message.templateId) {
      throw new Error(`${message.template} is no longer configured with template ${message.templateId}: the keys to fill are unknown`);
    }
    const order = await store.getOrder(message.orderId);
    if (!order) throw new Error(`no order ${message.orderId}`);
    const data = messageData(order, message, setting.keys, settings.timeZone);
    const sent = await withTokenRetry(
      (stale) => token.get(stale),
      (accessToken) =>
        api.sendSubscribeMessage({
          accessToken,
          toUser: message.openId,
          templateId: message.templateId,
          page: messagePage(order.id),
          data,
          miniprogramState: settings.miniprogramState,
          lang: message.lang as MessageLang,
        }),
    );
    return sent.msgid;
  }

  /**
   * What a failed attempt comes to. 43101: refused (the shopper's consent is gone at WeChat; never retried).
   * Nothing sent for sure (WeChat answered busy or a quota, the token could not be had, no connection
   * could be made): due again later, until the attempts run out. Anything else WeChat answered about
   * the message (openid, template, a value, the page): failed. No answer to a send (a timeout, a
   * broken answer): WeChat may have sent it, so it is not tried again (unknown).
   */
  private outcomeOf(message: MessageRecord, err: unknown): MessageOutcome {
    const error = err instanceof Error ? err.message : String(err);
    if (!(err instanceof WechatError)) return { state: 'failed', error };
    if (err.kind === 'not_subscribed') return { state: 'refused', error };
    const notSent = PASSING.includes(err.kind) || err.notDelivered || (err.kind === 'unreachable' && err.api !== 'send');
    if (!notSent) return { state: err.kind === 'unreachable' ? 'unknown' : 'failed', error };
    if (message.attempts >= (this.deps.maxAttempts ?? 8)) return { state: 'failed', error: `${error} (gave up after ${message.attempts} attempts)` };
    const delay = Math.min(MAX_RETRY_DELAY_MS, (this.deps.retryBaseMs ?? 30_000) * 2 ** (message.attempts - 1));
    return { state: 'due', error, nextAttemptAt: this.now() + delay };
  }

  private event(message: MessageRecord, outcome: string, detail: Record<string, unknown>): NewOrderEvent {
    return {
      kind: 'message',
      source: 'wechat',
      data: { template: message.template, templateId: message.templateId, outcome, attempt: message.attempts, ...detail },
      at: this.now(),
    };
  }
}
