// The demo catalogue: the only source of prices. Replace DEMO_PRODUCTS with your own products.
import type { LocalizedText } from './contract';

export interface CatalogueProduct {
  sku: string;
  names: LocalizedText;
  /** Integer minor units in the catalogue's currency. */
  unitAmount: number;
}

export interface Catalogue {
  currency: string;
  products: CatalogueProduct[];
  find(sku: string): CatalogueProduct | undefined;
}

export const DEMO_PRODUCTS: CatalogueProduct[] = [
  { sku: 'tea-oolong', names: { zh_CN: '乌龙茶', en: 'Oolong tea' }, unitAmount: 1250 },
  { sku: 'mooncake-lotus', names: { zh_CN: '莲蓉月饼', en: 'Lotus seed mooncake' }, unitAmount: 880 },
  { sku: 'coffee-beans', names: { zh_CN: '云南咖啡豆 250g', en: 'Yunnan coffee beans 250 g' }, unitAmount: 6800 },
  { sku: 'postcard', names: { zh_CN: '明信片', en: 'Postcard' }, unitAmount: 199 },
];

export function createCatalogue(currency: string, products: CatalogueProduct[] = DEMO_PRODUCTS): Catalogue {
  const bySku = new Map(products.map((product) => [product.sku, product]));
  return { currency, products, find: (sku) => bySku.get(sku) };
}
