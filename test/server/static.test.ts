// The catalogue's pictures: product fields that point at them, and /static/ serving them with cache headers.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DEMO_PRODUCTS } from '../../server/catalogue';
import { STATIC_MAX_AGE_SECONDS, STATIC_ROOT } from '../../server/routes/public';
import { startTestServer, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function raw(pathname: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(server.url + pathname, { headers });
}

describe('products', () => {
  test('carry a one-line description in the request language and a picture path under /static/', async () => {
    const en = await server.request('GET', '/api/products', { headers: { 'accept-language': 'en' } });
    const zh = await server.request('GET', '/api/products');
    expect(en.body.products[0]).toMatchObject({
      sku: 'tea-oolong',
      description: 'Anxi Tieguanyin, light roast, 100 g',
      descriptions: { zh_CN: '安溪铁观音，清香型，100 克', en: 'Anxi Tieguanyin, light roast, 100 g' },
      image: '/static/products/tea-oolong.png',
    });
    expect(zh.body.products[0].description).toBe('安溪铁观音，清香型，100 克');
    for (const product of en.body.products) {
      expect(product.image).toMatch(/^\/static\/[a-z0-9/-]+\.(png|jpg)$/);
      expect(product.description.length).toBeGreaterThan(0);
      expect(product.description).not.toContain('\n');
    }
  });

  test('every picture in the catalogue exists and stays small', () => {
    for (const product of DEMO_PRODUCTS) {
      const file = path.join(STATIC_ROOT, product.image.replace(/^\/static\//, ''));
      expect(fs.existsSync(file)).toBe(true);
      expect(fs.statSync(file).size).toBeLessThan(8 * 1024);
    }
  });
});

describe('/static/', () => {
  test('serves a picture as image/png with a long max-age and a validator', async () => {
    const res = await raw('/static/products/tea-oolong.png');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe(`public, max-age=${STATIC_MAX_AGE_SECONDS}`);
    expect(STATIC_MAX_AGE_SECONDS).toBeGreaterThanOrEqual(86400);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(fs.readFileSync(path.join(STATIC_ROOT, 'products/tea-oolong.png')))).toBe(true);
    expect(res.headers.get('etag')).toBeTruthy();
  });

  test('answers 304 to a revalidation with the same ETag', async () => {
    const first = await raw('/static/products/postcard.png');
    await first.arrayBuffer();
    // With node:http: fetch() turns a hand-set If-None-Match into a no-cache request (Fetch spec).
    const url = new URL(`${server.url}/static/products/postcard.png`);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http
        .get({ host: url.hostname, port: url.port, path: url.pathname, headers: { 'if-none-match': first.headers.get('etag')! } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        })
        .on('error', reject);
    });
    expect(status).toBe(304);
  });

  test('a missing file is a 404 in the error envelope, and nothing outside the folder is reachable', async () => {
    const missing = await raw('/static/products/nope.png');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('NOT_FOUND');
    for (const attempt of ['/static/../catalogue.ts', '/static/%2e%2e/catalogue.ts', '/static/..%2fcatalogue.ts']) {
      const res = await raw(attempt);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(await res.text()).not.toContain('DEMO_PRODUCTS');
    }
  });

  test('does not list the folder', async () => {
    const res = await raw('/static/products/');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await res.text()).not.toContain('tea-oolong');
  });
});
