// The catalogue: GET /api/products, kept for the launch so order lines can show their pictures.
import type { Product, ProductsResponse } from '../../server/contract';
import { apiBaseUrl } from '../config';
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
