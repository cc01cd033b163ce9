// What the virtual shoppers over plain HTTP share (the bench's in bench-shopper.ts, chaos's in chaos-shopper.ts): the
// endpoints, the order as the API answers it, a shopper's phone address, a random cart.
import { createHash } from 'node:crypto';
import { FINAL_STATUSES } from '../../server/contract';

const PRODUCTS = ['tea-oolong', 'mooncake-lotus', 'coffee-beans', 'postcard'];

export interface Endpoints {
  /** http://127.0.0.1:<port> of the server. */
  server: string;
  /** http://127.0.0.1:<port> of the simulator process. */
  simulator: string;
}

export interface ApiOrder {
  id: string;
  status: string;
  lastPaymentError: { code: string; message: string; at: number } | null;
  total: { amount: number; currency: string };
  paymentIntentId: string | null;
  expiresAt: string;
}

export interface RequestPaymentAnswer {
  order: ApiOrder;
  requestPayment: { package: string };
}

/** The final statuses, for answers typed as plain strings. */
export const FINAL = new Set<string>(FINAL_STATUSES);

/**
 * The address a virtual shopper's phone connects from. The tools stand in for the load balancer
 * in front of the server (which runs with TRUST_PROXY=127.0.0.1), so each shopper is counted by
 * the abuse limits as the real one would be, not as one loopback address doing everything.
 */
export function clientAddress(shopper: string): Record<string, string> {
  const hash = createHash('sha256').update(shopper).digest();
  return { 'x-forwarded-for': `10.${hash[0]}.${hash[1]}.${hash[2]}` };
}

export function randomCart(): Array<{ sku: string; quantity: number }> {
  const lines = 1 + Math.floor(Math.random() * 2);
  const picked = new Set<string>();
  while (picked.size < lines) picked.add(PRODUCTS[Math.floor(Math.random() * PRODUCTS.length)]);
  return [...picked].map((sku) => ({ sku, quantity: 1 + Math.floor(Math.random() * 3) }));
}
