// Turns stored records into the contract's JSON shapes, in the request's language. An order's (the shopper's and the
// admin's) lives below, in services/order-presenter.ts, so an order event carries the same shape; re-exported here.
import type { Catalogue } from '../catalogue';
import type { Product } from '../contract';
import type { Anomaly, TimelineEntry } from '../contract-admin';
import { iso, type Language } from '../services/order-presenter';
import type { AnomalyRecord, OrderEventRecord } from '../store/types';

export { presentAdminOrder, presentItems, presentOrder, presentRefund, type Language } from '../services/order-presenter';

/** `Accept-Language: en…` → English; anything else → Simplified Chinese, the shoppers' default. */
export function languageOf(acceptLanguage: string | undefined): Language {
  return /^\s*en\b/i.test(acceptLanguage ?? '') ? 'en' : 'zh_CN';
}

export function presentTimeline(events: OrderEventRecord[]): TimelineEntry[] {
  return events.map((event) => ({ id: event.id, at: iso(event.at)!, kind: event.kind, source: event.source, data: event.data }));
}

export function presentAnomaly(anomaly: AnomalyRecord): Anomaly {
  return {
    id: anomaly.id,
    kind: anomaly.kind,
    orderId: anomaly.orderId,
    intentId: anomaly.intentId,
    detail: anomaly.detail,
    createdAt: iso(anomaly.at)!,
    resolvedAt: iso(anomaly.resolvedAt),
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
