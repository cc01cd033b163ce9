// The catalogue: GET /api/products.
import type { Product, ProductsResponse } from '../../server/contract';
import { request } from './request';

/** Every product on sale, priced by the server. Public: no login needed to browse. */
export async function listProducts(): Promise<Product[]> {
  const res = await request<ProductsResponse>({ path: '/api/products', auth: false });
  return res.products;
}
