// What the console says about subscription messages, in English and Simplified Chinese: their timeline entries on the
// order page (which template, what the attempt came to) and the simulator banner's list of messages sent.
import type { Language } from '../routes/presenters';

const en = {
  templates: { paymentSucceeded: 'Payment succeeded', refundSucceeded: 'Refund succeeded' } as Record<string, string>,
  outcomes: {
    accepted: 'accepted by the shopper',
    sent: 'sent',
    refused: 'refused by WeChat (the shopper has no consent left)',
    failed: 'not sent (failed)',
    retry: 'not sent yet, will retry',
    unknown: 'interrupted: WeChat may or may not have sent it; not retried',
  } as Record<string, string>,
  waiting: 'sent once the order is paid or refunded',
  bannerSent: 'Messages sent',
  bannerTo: (shopper: string) => `to ${shopper}`,
};

const zh_CN: typeof en = {
  templates: { paymentSucceeded: '支付成功', refundSucceeded: '退款成功' },
  outcomes: {
    accepted: '顾客已同意接收',
    sent: '已发送',
    refused: '微信拒绝（顾客已无可用授权）',
    failed: '未发送（失败）',
    retry: '暂未发送，稍后重试',
    unknown: '发送中断：微信可能已发送，也可能未发送；不再重试',
  },
  waiting: '订单支付或退款后发送',
  bannerSent: '已发送的订阅消息',
  bannerTo: (shopper: string) => `发给 ${shopper}`,
};

export const MESSAGE_TEXTS: Record<Language, typeof en> = { en, zh_CN };

/** "Payment succeeded: sent": a message timeline entry's headline, from its data (template, outcome, waiting). */
export function messageHeadline(language: Language, data: Record<string, unknown>): string {
  const m = MESSAGE_TEXTS[language];
  const template = typeof data.template === 'string' ? (m.templates[data.template] ?? data.template) : '';
  const outcome = typeof data.outcome === 'string' ? (m.outcomes[data.outcome] ?? data.outcome) : '';
  const waiting = data.outcome === 'accepted' && data.waiting === true ? ` (${m.waiting})` : '';
  return `${template}: ${outcome}${waiting}`;
}
