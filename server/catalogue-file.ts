// The merchant's own catalogue from a JSON file (CATALOGUE_PATH, docs/catalogue.md), read and checked once at boot by
// loadConfig: a bad file refuses to start, each problem naming the product (its sku, or its place) and the field.
import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import Ajv from 'ajv';
import type { CatalogueProduct } from './catalogue';

/** Where a catalogue's pictures are served (each file listed by a product, and nothing else of its folder). */
export const CATALOGUE_IMAGE_PREFIX = '/static/catalogue/';
/** Pictures the mini program shows; the extension decides the content type. */
const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif'];
/** A picture is shown about 240 × 240 px: a larger file is a mistake that costs every shopper. */
const MAX_IMAGE_BYTES = 1024 * 1024;
const MAX_PRODUCTS = 1000;

const Localized = (maxLength: number) =>
  Type.Object({ zh_CN: Type.String({ minLength: 1, maxLength }), en: Type.String({ minLength: 1, maxLength }) }, { additionalProperties: false });

const ProductSchema = Type.Object(
  {
    sku: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }),
    names: Localized(64),
    descriptions: Localized(200),
    image: Type.String({ minLength: 1, maxLength: 200 }),
    unitAmount: Type.Integer({ minimum: 1, maximum: 100_000_000_00 }),
    available: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const FileSchema = Type.Object(
  { currency: Type.String({ pattern: '^[A-Z]{3}$' }), products: Type.Array(ProductSchema, { minItems: 1, maxItems: MAX_PRODUCTS }) },
  { additionalProperties: false },
);

type CatalogueFileJson = Static<typeof FileSchema>;

/** A catalogue read from its file: its products (pictures under CATALOGUE_IMAGE_PREFIX), and where the pictures are. */
export interface CatalogueFile {
  path: string;
  currency: string;
  products: CatalogueProduct[];
  /** The folder the pictures' paths are relative to (the file's). */
  imageRoot: string;
  /** The pictures' paths relative to imageRoot, with `/`: the only files served from it. */
  images: string[];
}

const validate = new Ajv({ allErrors: true, strict: false }).compile<CatalogueFileJson>(FileSchema);

/** Reads and checks the catalogue at `file`; undefined with `problems` told when it is no good. */
export function loadCatalogueFile(file: string, problems: string[]): CatalogueFile | undefined {
  const where = `CATALOGUE_PATH (${file})`;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push(code ? `${where} cannot be read: ${code}` : `${where} is not JSON: ${(err as Error).message}`);
    return undefined;
  }
  const before = problems.length;
  if (!validate(json)) {
    // A negative or decimal price, a missing name …: each said with its product and field.
    for (const error of validate.errors ?? []) problems.push(`${where}: ${placeOf(json, error.instancePath)} ${describe(error)}`);
    return undefined;
  }
  const imageRoot = path.dirname(path.resolve(file));
  const seen = new Set<string>();
  const images = new Set<string>();
  const products = json.products.map((product, index): CatalogueProduct => {
    const name = `product "${product.sku}" (products[${index}])`;
    if (seen.has(product.sku)) problems.push(`${where}: ${name} repeats the sku "${product.sku}": each product needs its own`);
    seen.add(product.sku);
    const image = checkImage(imageRoot, product.image, (problem) => problems.push(`${where}: ${name} image ${problem}`));
    if (image) images.add(image);
    return {
      sku: product.sku,
      names: product.names,
      descriptions: product.descriptions,
      image: `${CATALOGUE_IMAGE_PREFIX}${image ?? ''}`,
      unitAmount: product.unitAmount,
      available: product.available !== false,
    };
  });
  if (!products.some((product) => product.available)) problems.push(`${where}: every product is "available": false; a shop needs one to sell`);
  if (problems.length > before) return undefined;
  return { path: file, currency: json.currency, products, imageRoot, images: [...images] };
}

/** The picture's path relative to the file's folder (with `/`), if it is a picture file inside it. */
function checkImage(root: string, image: string, problem: (text: string) => void): string | undefined {
  const full = path.resolve(root, image);
  const relative = path.relative(root, full);
  if (path.isAbsolute(image) || relative.startsWith('..') || relative === '' || /[\\?#%]/.test(image)) {
    problem(`"${image}" must be a path inside the catalogue's folder, relative to the file (like "images/tea.png")`);
    return undefined;
  }
  if (!IMAGE_EXTENSIONS.includes(path.extname(full).toLowerCase())) {
    problem(`"${image}" must be a picture (${IMAGE_EXTENSIONS.join(', ')})`);
    return undefined;
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    problem(`"${image}" is not a file (looked for ${full})`);
    return undefined;
  }
  if (!stat.isFile()) problem(`"${image}" is not a file (${full})`);
  else if (stat.size > MAX_IMAGE_BYTES) problem(`"${image}" is ${Math.round(stat.size / 1024)} KiB: keep pictures under 1 MiB (about 240 × 240 px is shown)`);
  else return relative.split(path.sep).join('/');
  return undefined;
}

/** `products[3].unitAmount` said as the product's sku when it has one: the operator searches the file for it. */
function placeOf(json: unknown, instancePath: string): string {
  const parts = instancePath.split('/').slice(1);
  if (parts[0] !== 'products' || parts.length < 2) return parts.length > 0 ? parts.join('.') : 'the file';
  const product = (json as { products: unknown[] }).products[Number(parts[1])] as { sku?: unknown } | undefined;
  const sku = typeof product?.sku === 'string' && product.sku ? `product "${product.sku}" (products[${parts[1]}])` : `products[${parts[1]}]`;
  return parts.length > 2 ? `${sku} ${parts.slice(2).join('.')}` : sku;
}

function describe(error: { keyword: string; message?: string; params: Record<string, unknown> }): string {
  if (error.keyword === 'required') return `needs the field "${String(error.params.missingProperty)}"`;
  if (error.keyword === 'additionalProperties') return `has an unknown field "${String(error.params.additionalProperty)}"`;
  if (error.keyword === 'minimum' && error.params.limit === 1) return 'must be a positive integer in minor units (4200 is 42.00)';
  if (error.keyword === 'type' && error.params.type === 'integer') return 'must be an integer in minor units (4200 is 42.00), not a decimal';
  return error.message ?? error.keyword;
}

/**
 * CATALOGUE_PATH, read by loadConfig: the catalogue in that file, or undefined for the demo products. Its currency is the
 * shop's: a CURRENCY that says otherwise is refused rather than guessed between.
 */
export function catalogueSettings(env: Record<string, string | undefined>, problems: string[]): CatalogueFile | undefined {
  const file = env.CATALOGUE_PATH?.trim();
  if (!file) return undefined;
  const catalogue = loadCatalogueFile(file, problems);
  const currency = env.CURRENCY?.trim().toUpperCase();
  if (catalogue && currency && currency !== catalogue.currency) {
    problems.push(`CURRENCY is ${currency} but CATALOGUE_PATH's catalogue is in ${catalogue.currency}: unset CURRENCY (the catalogue's currency is the shop's) or make them agree`);
  }
  return catalogue;
}
