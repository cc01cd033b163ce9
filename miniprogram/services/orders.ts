// The shopper's orders: create (idempotent per checkout), read (optionally as a long poll), list, cancel, pay.
import type {
  CreateOrderRequest,
  GetOrderQuery,
  Order,
  OrderItemInput,
  OrderResponse,
  OrdersResponse,
  PaymentResponse,
  QuoteRequest,
  QuoteResponse,
} from '../../server/contract';
import { withQuery } from '../utils/text';
import { request, DEFAULT_TIMEOUT_MS } from './request';
import type { RequestGroup } from './request';
import './session'; // registers the session token provider used by these authenticated calls

function orderPath(id: string): string {
  return `/api/orders/${encodeURIComponent(id)}`;
}

/** What `items` cost, priced by the server exactly as the order will be; creates nothing. */
export function quoteItems(items: OrderItemInput[]): Promise<QuoteResponse> {
  const body: QuoteRequest = { items };
  return request<QuoteResponse>({ method: 'POST', path: '/api/quote', data: body, auth: false });
}

/**
 * Creates an order for `items`; the server prices it. `idempotencyKey` is fixed per checkout, so a
 * retry (double tap, timeout) returns the same order instead of making a second one.
 */
export function createOrder(items: OrderItemInput[], idempotencyKey: string): Promise<Order> {
  const body: CreateOrderRequest = { items };
  return request<OrderResponse>({
    method: 'POST',
    path: '/api/orders',
    data: body,
    headers: { 'Idempotency-Key': idempotencyKey },
  }).then((res) => res.order);
}

/**
 * Reads an order. With `waitSeconds` it is a long poll: the server answers when the status differs
 * from `unlessStatus` (or is final), or after `waitSeconds`. With `refresh` the server asks
 * Airwallex first (for a shopper's explicit "Check again"). `group`: the page's requests.
 */
export function getOrder(id: string, query: GetOrderQuery, group?: RequestGroup): Promise<Order> {
  const waitSeconds = query.waitSeconds && query.waitSeconds > 0 ? Math.floor(query.waitSeconds) : undefined;
  return request<OrderResponse>({
    path: withQuery(orderPath(id), {
      waitSeconds,
      unlessStatus: waitSeconds ? query.unlessStatus : undefined,
      refresh: query.refresh ? 'true' : undefined,
    }),
    timeoutMs: waitSeconds ? waitSeconds * 1000 + DEFAULT_TIMEOUT_MS : undefined,
    group,
  }).then((res) => res.order);
}

/** This shopper's orders, newest first. */
export function listOrders(): Promise<Order[]> {
  return request<OrdersResponse>({ path: '/api/orders' }).then((res) => res.orders);
}

/** Cancels an unpaid order. */
export function cancelOrder(id: string): Promise<Order> {
  return request<OrderResponse>({ method: 'POST', path: `${orderPath(id)}/cancel`, data: {} }).then((res) => res.order);
}

/** Starts (or restarts, after a cancel or failure) a payment for the same order; gives the wx.requestPayment fields. */
export function startPayment(id: string): Promise<PaymentResponse> {
  return request<PaymentResponse>({ method: 'POST', path: `${orderPath(id)}/payment`, data: {} });
}

/** What has been refunded on an order, for the shopper: failed refunds do not count. */
export interface RefundSummary {
  /** Refunds that succeeded (the server's `refundedTotal`); 0 when none. */
  refunded: number;
  /** Refunds still being processed. */
  pending: number;
  /** Whether the whole total came back. */
  full: boolean;
}

/** Sums an order's refunds (amounts in the order's currency, minor units). */
export function refundSummary(order: Order): RefundSummary {
  const refunded = order.refundedTotal ? order.refundedTotal.amount : 0;
  const pending = (order.refunds || []).reduce((sum, r) => (r.status === 'pending' ? sum + r.amount.amount : sum), 0);
  return { refunded, pending, full: refunded > 0 && refunded >= order.total.amount };
}
