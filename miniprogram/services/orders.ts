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
import './session'; // registers the session token provider used by these authenticated calls

function orderPath(id: string): string {
  return `/api/orders/${encodeURIComponent(id)}`;
}

/** What `items` cost, priced by the server exactly as the order will be; creates nothing. */
export async function quoteItems(items: OrderItemInput[]): Promise<QuoteResponse> {
  const body: QuoteRequest = { items };
  return request<QuoteResponse>({ method: 'POST', path: '/api/quote', data: body, auth: false });
}

/**
 * Creates an order for `items`; the server prices it. `idempotencyKey` is fixed per checkout, so a
 * retry (double tap, timeout) returns the same order instead of making a second one.
 */
export async function createOrder(items: OrderItemInput[], idempotencyKey: string): Promise<Order> {
  const body: CreateOrderRequest = { items };
  const res = await request<OrderResponse>({
    method: 'POST',
    path: '/api/orders',
    data: body,
    headers: { 'Idempotency-Key': idempotencyKey },
  });
  return res.order;
}

/**
 * Reads an order. With `waitSeconds` it is a long poll: the server answers when the status differs
 * from `unlessStatus` (or is final), or after `waitSeconds`. With `refresh` the server asks
 * Airwallex first (for a shopper's explicit "Check again").
 */
export async function getOrder(id: string, query: GetOrderQuery = {}): Promise<Order> {
  const waitSeconds = query.waitSeconds && query.waitSeconds > 0 ? Math.floor(query.waitSeconds) : undefined;
  const res = await request<OrderResponse>({
    path: withQuery(orderPath(id), {
      waitSeconds,
      unlessStatus: waitSeconds ? query.unlessStatus : undefined,
      refresh: query.refresh ? 'true' : undefined,
    }),
    timeoutMs: waitSeconds ? waitSeconds * 1000 + DEFAULT_TIMEOUT_MS : undefined,
  });
  return res.order;
}

/** This shopper's orders, newest first. */
export async function listOrders(): Promise<Order[]> {
  const res = await request<OrdersResponse>({ path: '/api/orders' });
  return res.orders;
}

/** Cancels an unpaid order. */
export async function cancelOrder(id: string): Promise<Order> {
  const res = await request<OrderResponse>({ method: 'POST', path: `${orderPath(id)}/cancel`, data: {} });
  return res.order;
}

/** Starts (or restarts, after a cancel or failure) a payment for the same order; gives the wx.requestPayment fields. */
export function startPayment(id: string): Promise<PaymentResponse> {
  return request<PaymentResponse>({ method: 'POST', path: `${orderPath(id)}/payment`, data: {} });
}
