// Subscription messages ("payment succeeded", "refund succeeded"): asked for on the Pay tap, then told
// to the server for the order. WeChat opens its panel only from a tap (or a payment success callback),
// so the ask must be the first thing a Pay tap does, before anything asynchronous; and it never holds
// up the payment: refused, failing or slow, the answer is only ever sent on its own.
import type { SubscriptionsRequest, SubscriptionsResponse } from '../../server/contract';
import { t } from '../utils/i18n';
import { showActionSheet } from '../utils/wx-async';
import { isSandbox, loadedConfig } from './app-config';
import { request } from './request';
import './session'; // the report is an authenticated call

/** WeChat's answer per template id ("accept", "reject", "ban", "filter", "acceptWith…"), or null. */
export type SubscribeAnswers = Record<string, string> | null;

/** Orders whose answers were already sent this launch: a second Pay tap on them does not ask again. */
const answered: string[] = [];

/**
 * Opens WeChat's subscription panel for the shop's templates, synchronously; resolves with the
 * answers (null when the shop has none, the settings are not loaded yet, or WeChat refused). Never
 * rejects. `orderId`: the order being paid, when it already exists.
 */
export function askSubscriptions(orderId?: string): Promise<SubscribeAnswers> {
  const config = loadedConfig();
  const templates = config && config.subscribeTemplates;
  const ids = templates ? [templates.paymentSucceeded, templates.refundSucceeded].filter((id): id is string => !!id) : [];
  if (!config || !ids.length || (orderId && answered.indexOf(orderId) >= 0)) return Promise.resolve(null);
  if (isSandbox(config)) {
    sandboxAnswers = simulatedPanel(ids);
    return sandboxAnswers;
  }
  if (typeof wx.requestSubscribeMessage !== 'function') return Promise.resolve(null);
  return new Promise<SubscribeAnswers>((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds: ids,
      success: (res) => {
        const answers: Record<string, string> = {};
        ids.forEach((id) => {
          const status = (res as unknown as Record<string, unknown>)[id];
          if (typeof status === 'string') answers[id] = status;
        });
        resolve(answers);
      },
      fail: () => resolve(null),
    });
  });
}

/**
 * Sandbox (the server's simulator, not a release build): the simulator's template ids are unknown to WeChat, whose
 * panel would not open (20001), so a clearly labelled simulated panel asks instead, and its answers go to the
 * simulator with the simulated pay sheet (takeSandboxAnswers), as WeChat hears the real panel's answers itself.
 * Like WeChat's panel, which has a switch per template, it lets the shopper allow each on its own: an action sheet
 * of the combinations (both, either one, neither; allow or deny for a single template). Dismissed, it refuses
 * each, as Cancel in WeChat's panel does.
 */
let sandboxAnswers: Promise<SubscribeAnswers> | null = null;

function simulatedPanel(ids: string[]): Promise<SubscribeAnswers> {
  const [paid, refund] = ids;
  /** Each choice of the sheet: its label and the templates it allows. */
  const choices: Array<[string, string[]]> =
    ids.length === 2
      ? [
          [t('sandbox.notifyBoth'), ids],
          [t('sandbox.notifyPaidOnly'), [paid]],
          [t('sandbox.notifyRefundOnly'), [refund]],
          [t('sandbox.notifyNone'), []],
        ]
      : [
          [t('sandbox.allow'), ids],
          [t('sandbox.deny'), []],
        ];
  return showActionSheet(
    choices.map((choice) => choice[0]),
    t('sandbox.notifyAlert'),
  ).then((tapped) => {
    const allowed = tapped >= 0 ? choices[tapped][1] : [];
    const answers: Record<string, string> = {};
    ids.forEach((id) => (answers[id] = allowed.indexOf(id) >= 0 ? 'accept' : 'reject'));
    return answers;
  });
}

/** The simulated panel's answers of the last Pay tap, once; null when it asked nothing. */
export function takeSandboxAnswers(): Promise<SubscribeAnswers> {
  const answers = sandboxAnswers || Promise.resolve(null);
  sandboxAnswers = null;
  return answers;
}

/** Sends the shopper's answers for order `orderId` once they come (POST .../subscriptions); failures are ignored. */
export function sendSubscriptions(orderId: string, answers: Promise<SubscribeAnswers>): void {
  answers
    .then((results) => {
      if (!results || !Object.keys(results).length || answered.indexOf(orderId) >= 0) return undefined;
      answered.push(orderId);
      const body: SubscriptionsRequest = { results };
      const path = `/api/orders/${encodeURIComponent(orderId)}/subscriptions`;
      return request<SubscriptionsResponse>({ method: 'POST', path, data: body }).catch(() => {
        // Not recorded: the next Pay tap on this order may ask again.
        answered.splice(answered.indexOf(orderId), 1);
      });
    })
    .catch(() => undefined);
}
