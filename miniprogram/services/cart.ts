// The cart, shared between the shop and checkout pages for this launch (module state, no getApp).
import type { Product } from '../../server/contract';

/** A product and how many of it the shopper wants. */
export interface CartLine {
  product: Product;
  quantity: number;
}

let lines: CartLine[] = [];

/** Replaces the cart; lines with a quantity of 0 are dropped. */
export function setCart(next: CartLine[]): void {
  lines = next.filter((line) => line.quantity > 0).map((line) => ({ product: line.product, quantity: line.quantity }));
}

/** The cart's lines (a copy). */
export function getCart(): CartLine[] {
  return lines.map((line) => ({ product: line.product, quantity: line.quantity }));
}

/** How many of `sku` are in the cart. */
export function quantityOf(sku: string): number {
  const line = lines.filter((l) => l.product.sku === sku)[0];
  return line ? line.quantity : 0;
}

/** Empties the cart, once it has become an order. */
export function clearCart(): void {
  lines = [];
}

/** Sum of unit price × quantity in minor units (a preview; the server prices the order). */
export function cartTotal(cart: CartLine[]): number {
  return cart.reduce((sum, line) => sum + line.product.price.amount * line.quantity, 0);
}
