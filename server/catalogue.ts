// The catalogue: the only source of prices. The demo products below, or the merchant's own from the file CATALOGUE_PATH
// names (catalogue-file.ts, docs/catalogue.md), pictures and all, without touching code.
import type { LocalizedText } from './contract';

export interface CatalogueProduct {
  sku: string;
  names: LocalizedText;
  /** One line a shopper reads under the name. */
  descriptions: LocalizedText;
  /** Path of the product's picture on this server, under /static/ (small: about 240 × 240 px). */
  image: string;
  /** Integer minor units in the catalogue's currency. */
  unitAmount: number;
  /** false: hidden from the shop, and new orders for it refused (orders already made keep their lines and prices). */
  available?: boolean;
}

export interface Catalogue {
  currency: string;
  /** What the shop lists: the available products. */
  products: CatalogueProduct[];
  /** Any product of the catalogue, available or not. */
  find(sku: string): CatalogueProduct | undefined;
}

export const DEMO_PRODUCTS: CatalogueProduct[] = [
  {
    sku: 'tea-oolong',
    names: { zh_CN: '乌龙茶', en: 'Oolong tea' },
    descriptions: { zh_CN: '安溪铁观音，清香型，100 克', en: 'Anxi Tieguanyin, light roast, 100 g' },
    image: '/static/products/tea-oolong.png',
    unitAmount: 1250,
  },
  {
    sku: 'mooncake-lotus',
    names: { zh_CN: '莲蓉月饼', en: 'Lotus seed mooncake' },
    descriptions: { zh_CN: '广式莲蓉蛋黄，单个装', en: 'Cantonese style with salted egg yolk, one piece' },
    image: '/static/products/mooncake-lotus.png',
    unitAmount: 880,
  },
  {
    sku: 'coffee-beans',
    names: { zh_CN: '云南咖啡豆 250g', en: 'Yunnan coffee beans 250 g' },
    descriptions: { zh_CN: '保山小粒咖啡，中度烘焙', en: 'Baoshan arabica, medium roast' },
    image: '/static/products/coffee-beans.png',
    unitAmount: 6800,
  },
  {
    sku: 'postcard',
    names: { zh_CN: '明信片', en: 'Postcard' },
    descriptions: { zh_CN: '西湖水彩，含邮票', en: 'West Lake watercolour, stamp included' },
    image: '/static/products/postcard.png',
    unitAmount: 199,
  },
];

export function createCatalogue(currency: string, products: CatalogueProduct[] = DEMO_PRODUCTS): Catalogue {
  const bySku = new Map(products.map((product) => [product.sku, product]));
  return { currency, products: products.filter((product) => product.available !== false), find: (sku) => bySku.get(sku) };
}
