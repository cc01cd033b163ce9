// The catalogue: GET /api/products, kept for the launch so order lines can show their pictures.
import type { OrderItem, Product, ProductsResponse } from '../../server/contract';
import { apiBaseUrl } from '../config';
import { localize } from '../utils/i18n';
import { request } from './request';

let known: Product[] = [];

/** Every product on sale, priced by the server. Public: no login needed to browse. */
export function listProducts(): Promise<Product[]> {
  return request<ProductsResponse>({ path: '/api/products', auth: false }).then((res) => {
    known = res.products;
    return known;
  });
}

/** The catalogue as last loaded this launch, or loaded now. */
export function knownProducts(): Promise<Product[]> {
  return known.length ? Promise.resolve(known) : listProducts();
}

/** Full URL of a picture the server serves ("/static/..."); '' when there is none. */
export function imageUrl(path: string | undefined): string {
  return path ? apiBaseUrl() + path : '';
}

/** The picture of `sku` in `products`, as a full URL ('' for a product no longer on sale). */
export function imageOf(products: Product[], sku: string): string {
  const product = products.filter((p) => p.sku === sku)[0];
  return product ? imageUrl(product.image) : '';
}

/** An order line as checkout and the order page show it (components/order-lines). */
export interface LineView {
  sku: string;
  name: string;
  image: string;
  quantity: number;
  /** Unit price × quantity, in minor units. */
  amount: number;
  currency: string;
}

/** The lines of an order (or a quote) in the shopper's language, with the pictures of `products`. */
export function lineViews(items: OrderItem[], products: Product[]): LineView[] {
  return items.map((item) => ({
    sku: item.sku,
    name: localize(item.names, item.name),
    image: imageOf(products, item.sku),
    quantity: item.quantity,
    amount: item.unitPrice.amount * item.quantity,
    currency: item.unitPrice.currency,
  }));
}
