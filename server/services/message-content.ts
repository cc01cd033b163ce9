// What a subscription message says about its order: the fields (order id, amount, items, time, status) and the template's
// values built from them by the WeChat adapter's builder (server/wechat/message-values.ts). Pure.
import type { MessageField } from '../config-notifications';
import type { MessageRecord, OrderRecord } from '../store/types';
import { buildData, type ValueInput } from '../wechat/message-values';

/** The status word of each message: a `phrase` holds at most 5 Chinese characters, whatever the shopper's language. */
const STATUS_WORDS: Record<MessageRecord['template'], string> = { paymentSucceeded: '支付成功', refundSucceeded: '已退款' };

/** "乌龙茶 ×2、明信片" (zh) or "Oolong tea ×2, Postcard" (en): the builder cuts it to a `thing`'s 20 characters. */
export function itemsText(items: OrderRecord['items'], lang: string): string {
  const english = lang === 'en_US';
  return items.map((item) => `${english ? item.names.en : item.names.zh_CN}${item.quantity > 1 ? ` ×${item.quantity}` : ''}`).join(english ? ', ' : '、');
}

/** The fields of `message` for `order`: a refund message shows its refund's amount and time, a payment message the order's. */
export function messageFields(order: OrderRecord, message: MessageRecord): Record<MessageField, ValueInput> {
  const refund = message.refundId === null ? undefined : order.refunds.find((r) => r.id === message.refundId);
  const refunded = message.template === 'refundSucceeded';
  if (refunded && !refund) throw new Error(`the refund message of order ${order.id} names no refund of it (${message.refundId ?? 'none'})`);
  const at = message.eventAt ?? (refunded ? refund!.updatedAt : (order.paidAt ?? order.updatedAt));
  return {
    order: { text: order.id },
    amount: refunded ? { amount: refund!.amount, currency: refund!.currency } : { amount: order.totalAmount, currency: order.currency },
    items: { text: itemsText(order.items, message.lang) },
    time: { at },
    status: { text: STATUS_WORDS[message.template] },
  };
}

/** The `data` of the message: each configured key (thing3) with its field's value, shaped for the key's type. */
export function messageData(order: OrderRecord, message: MessageRecord, keys: Record<string, MessageField>, timeZone: string): Record<string, string> {
  const fields = messageFields(order, message);
  return buildData(Object.fromEntries(Object.entries(keys).map(([key, field]) => [key, fields[field]])), { timeZone });
}

/** The page a tap on the message opens: the order's result page (a page of app.json, no leading slash). */
export function messagePage(orderId: string): string {
  return `pages/result/result?id=${encodeURIComponent(orderId)}`;
}
