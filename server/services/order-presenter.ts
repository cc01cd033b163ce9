// Stored orders as the admin API shows them (and the shopper's API, the same shape with fewer fields): records → contract
// shapes, in a language. Here, below the HTTP layer, so that an order event (order-events.ts) carries the order exactly
// as GET /admin/api/orders/{id} shows it; routes/presenters.ts re-exports it for the routes and the console.
import type { LocalizedText, Order, OrderItem, Refund } from '../contract';
import type { AdminOrder } from '../contract-admin';
import type { OrderItemRecord, OrderRecord, RefundRecord } from '../store/types';

export type Language = keyof LocalizedText;

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function presentItems(items: OrderItemRecord[], currency: string, language: Language): OrderItem[] {
  return items.map((item) => ({
    sku: item.sku,
    name: item.names[language],
    names: item.names,
    quantity: item.quantity,
    unitPrice: { amount: item.unitAmount, currency },
  }));
}

export function presentRefund(refund: RefundRecord): Refund {
  return {
    id: refund.id,
    amount: { amount: refund.amount, currency: refund.currency },
    reason: refund.reason,
    status: refund.status,
    createdAt: iso(refund.createdAt)!,
    updatedAt: iso(refund.updatedAt)!,
  };
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
    refunds: order.refunds.map(presentRefund),
    refundedTotal: { amount: sumOf(order.refunds, (refund) => refund.status === 'succeeded'), currency: order.currency },
  };
}

/** Amount of the refunds that `pick` selects. */
function sumOf(refunds: RefundRecord[], pick: (refund: RefundRecord) => boolean): number {
  return refunds.filter(pick).reduce((sum, refund) => sum + refund.amount, 0);
}

/** The order as operators see it (the admin API, the console): never the openid, only its fingerprint. */
export function presentAdminOrder(order: OrderRecord, language: Language): AdminOrder {
  const base = presentOrder(order, language);
  return {
    ...base,
    refunds: order.refunds.map((refund) => ({
      ...presentRefund(refund),
      airwallexRefundId: refund.airwallexRefundId,
      airwallexStatus: refund.airwallexStatus,
      origin: refund.origin,
      createdBy: refund.createdBy,
      failure: refund.failure,
    })),
    shopper: order.shopperRef,
    intentStatus: order.intentStatus,
    refundable: {
      amount: order.status === 'paid' ? order.totalAmount - sumOf(order.refunds, (refund) => refund.status !== 'failed') : 0,
      currency: order.currency,
    },
    nextCheckAt: iso(order.nextCheckAt),
    checkFailures: order.checkFailures,
  };
}
