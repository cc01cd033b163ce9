// The subscription message templates the simulated mini program account ships with, and how the simulator reads a template's keys.
import { createHash } from 'node:crypto';
import type { TemplateRecord } from './wechat-store';

/** The shipped templates' names, for templateIdFor. */
export type DefaultTemplate = 'paymentSucceeded' | 'refundSucceeded';

/**
 * The priTmplId the simulator gives a shipped template for `appId`: stable (derived from the
 * appid), so a configuration can name it; 43 characters of [A-Za-z0-9_-] like real ids.
 */
export function templateIdFor(appId: string, template: DefaultTemplate): string {
  return createHash('sha256').update(`${appId}:${template}`).digest('base64url').slice(0, 43);
}

/** A fresh id for a template added through the control route. */
export function newTemplateId(appId: string, title: string, seq: number): string {
  return createHash('sha256').update(`${appId}:${title}:${seq}:${Date.now()}:${Math.random()}`).digest('base64url').slice(0, 43);
}

/**
 * Two one-time templates (type 2), as a merchant would pick them from WeChat's public library: the
 * labels are Chinese whatever the shopper's language, the keys' numbers follow the library's order.
 */
export function defaultTemplates(appId: string): TemplateRecord[] {
  return [
    {
      priTmplId: templateIdFor(appId, 'paymentSucceeded'),
      title: '支付成功通知',
      type: 2,
      content: '订单号:{{character_string1.DATA}}\n支付金额:{{amount2.DATA}}\n商品名称:{{thing3.DATA}}\n支付时间:{{time4.DATA}}\n',
      example: '订单号:ORD20260512A1B2\n支付金额:¥12.50\n商品名称:乌龙茶 ×2，月饼\n支付时间:2026年5月12日 14:05\n',
    },
    {
      priTmplId: templateIdFor(appId, 'refundSucceeded'),
      title: '退款成功通知',
      type: 2,
      content: '订单号:{{character_string1.DATA}}\n退款金额:{{amount2.DATA}}\n退款商品:{{thing3.DATA}}\n退款时间:{{time4.DATA}}\n退款状态:{{phrase5.DATA}}\n',
      example: '订单号:ORD20260512A1B2\n退款金额:¥5.00\n退款商品:乌龙茶\n退款时间:2026年5月13日 09:30\n退款状态:已退款\n',
    },
  ];
}

/** The keys of a template, in order, from its `{{key.DATA}}` placeholders. */
export function keysOf(content: string): string[] {
  return [...content.matchAll(/\{\{(\w+)\.DATA\}\}/g)].map((m) => m[1]);
}
