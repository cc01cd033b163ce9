// The cart, shared by the shop and checkout pages and kept in storage, so it survives a relaunch.
import type { Product } from '../../server/contract';

/** A product and how many of it the shopper wants. */
export interface CartLine {
  product: Product;
  quantity: number;
}

const STORAGE_KEY = 'cart';
let lines: CartLine[] | null = null;

function isLine(value: unknown): value is CartLine {
  const line = value as CartLine;
  return !!line && !!line.product && typeof line.product.sku === 'string' && line.quantity > 0;
}

function current(): CartLine[] {
  if (!lines) {
    try {
      const stored = wx.getStorageSync(STORAGE_KEY);
      lines = Array.isArray(stored) ? stored.filter(isLine) : [];
    } catch (err) {
      lines = [];
    }
  }
  return lines;
}

function save(next: CartLine[]): void {
  lines = next.filter((line) => line.quantity > 0).map((line) => ({ product: line.product, quantity: line.quantity }));
  try {
    wx.setStorageSync(STORAGE_KEY, lines);
  } catch (err) {
    // Storage full or unavailable: the cart still lives for this launch.
  }
}

/** Replaces the cart; lines with a quantity of 0 are dropped. */
export function setCart(next: CartLine[]): void {
  save(next);
}

/** The cart's lines (a copy). */
export function getCart(): CartLine[] {
  return current().map((line) => ({ product: line.product, quantity: line.quantity }));
}

/** How many of `sku` are in the cart. */
export function quantityOf(sku: string): number {
  const line = current().filter((l) => l.product.sku === sku)[0];
  return line ? line.quantity : 0;
}

/** Sets how many of `product` the cart holds (0 removes it), keeping the other lines in order. */
export function setQuantity(product: Product, quantity: number): void {
  const next = getCart().filter((line) => line.product.sku !== product.sku);
  const at = current().map((line) => line.product.sku).indexOf(product.sku);
  next.splice(at < 0 ? next.length : at, 0, { product, quantity });
  save(next);
}

/** Brings the stored lines up to date with the catalogue: new prices and names, gone products dropped. */
export function syncCart(products: Product[]): void {
  save(
    current()
      .map((line) => ({ product: products.filter((p) => p.sku === line.product.sku)[0], quantity: line.quantity }))
      .filter((line) => !!line.product),
  );
}

/** Empties the cart, once it has become an order. */
export function clearCart(): void {
  save([]);
}

/** How many items the cart holds. */
export function cartCount(cart: CartLine[]): number {
  return cart.reduce((sum, line) => sum + line.quantity, 0);
}

/** Sum of unit price × quantity in minor units (a preview; the server prices the order). */
export function cartTotal(cart: CartLine[]): number {
  return cart.reduce((sum, line) => sum + line.product.price.amount * line.quantity, 0);
}
