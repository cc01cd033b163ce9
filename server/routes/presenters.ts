// Turns stored records into the contract's JSON shapes, in the request's language.
import type { Catalogue } from '../catalogue';
import type { LocalizedText, Order, OrderItem, Product } from '../contract';
import type { OrderItemRecord, OrderRecord } from '../store/types';

export type Language = keyof LocalizedText;

/** `Accept-Language: en…` → English; anything else → Simplified Chinese, the shoppers' default. */
export function languageOf(acceptLanguage: string | undefined): Language {
  return /^\s*en\b/i.test(acceptLanguage ?? '') ? 'en' : 'zh_CN';
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function presentItems(items: OrderItemRecord[], currency: string, language: Language): OrderItem[] {
  return items.map((item) => ({
    sku: item.sku,
    name: item.names[language],
    names: item.names,
    quantity: item.quantity,
    unitPrice: { amount: item.unitAmount, currency },
  }));
}

export function presentOrder(order: OrderRecord, language: Language): Order {
  return {
    id: order.id,
    status: order.status,
    items: presentItems(order.items, order.currency, language),
    total: { amount: order.totalAmount, currency: order.currency },
    paymentIntentId: order.paymentIntentId,
    lastPaymentError: order.lastPaymentError && { ...order.lastPaymentError, at: iso(order.lastPaymentError.at)! },
    createdAt: iso(order.createdAt)!,
    updatedAt: iso(order.updatedAt)!,
    expiresAt: iso(order.expiresAt)!,
    paidAt: iso(order.paidAt),
    // No refunds exist before the refunds API lands; the fields are in the contract already.
    refunds: [],
    refundedTotal: { amount: 0, currency: order.currency },
  };
}

export function presentProducts(catalogue: Catalogue, language: Language): Product[] {
  return catalogue.products.map((product) => ({
    sku: product.sku,
    name: product.names[language],
    names: product.names,
    description: product.descriptions[language],
    descriptions: product.descriptions,
    image: product.image,
    price: { amount: product.unitAmount, currency: catalogue.currency },
  }));
}
