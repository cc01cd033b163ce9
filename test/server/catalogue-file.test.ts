// The merchant's catalogue from CATALOGUE_PATH: listed and sold at its prices, its pictures served (and nothing else of its
// folder), a product marked unavailable hidden and refused; a bad file refuses to start naming the product and the field;
// orders made before a change of price keep theirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/config';
import { eventually, startTestServer, testConfig, type TestServer } from './helpers';

const PICTURE = fs.readFileSync(path.join(__dirname, '..', '..', 'server', 'static', 'products', 'tea-oolong.png'));

let dir: string;
let server: TestServer | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalogue-'));
  fs.mkdirSync(path.join(dir, 'images'));
  fs.writeFileSync(path.join(dir, 'images', 'kettle.png'), PICTURE);
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for shoppers');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const product = (sku: string, unitAmount: number, extra: Record<string, unknown> = {}) => ({
  sku,
  names: { zh_CN: `商品 ${sku}`, en: `Product ${sku}` },
  descriptions: { zh_CN: '说明', en: 'A description' },
  image: 'images/kettle.png',
  unitAmount,
  ...extra,
});

function writeCatalogue(products: unknown[], currency = 'CNY'): string {
  const file = path.join(dir, 'catalogue.json');
  fs.writeFileSync(file, JSON.stringify({ currency, products }));
  return file;
}

/** The problems loadConfig refuses to start with. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATABASE_PATH: ':memory:', ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message.split('\n').slice(1, -1);
  }
  throw new Error('the configuration was accepted');
}

describe('CATALOGUE_PATH', () => {
  test('a product at 42.00 is listed and sold at 42.00, its picture served; an unavailable one is hidden and refused', async () => {
    const file = writeCatalogue([product('kettle', 4200), product('old-kettle', 3000, { available: false })]);
    server = await startTestServer(testConfig({ CATALOGUE_PATH: file }));
    const { products } = (await server.request<any>('GET', '/api/products', { headers: { 'accept-language': 'en' } })).body;
    expect(products).toEqual([
      expect.objectContaining({ sku: 'kettle', name: 'Product kettle', price: { amount: 4200, currency: 'CNY' }, image: '/static/catalogue/images/kettle.png' }),
    ]);
    const picture = await fetch(`${server.url}/static/catalogue/images/kettle.png`);
    expect([picture.status, picture.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(Buffer.from(await picture.arrayBuffer())).toEqual(PICTURE);
    // Nothing else of the catalogue's folder: not the file, not a neighbour, not a way out.
    for (const other of ['catalogue.json', 'secret.txt', 'images/', '..%2Fsecret.txt', 'images/..%2Fsecret.txt']) {
      expect([other, (await fetch(`${server.url}/static/catalogue/${other}`)).status]).toEqual([other, 404]);
    }
    // The demo's pictures are still where they were.
    expect((await fetch(`${server.url}/static/products/tea-oolong.png`)).status).toBe(200);

    const token = await server.sessionFor('kim');
    const order = await server.request<any>('POST', '/api/orders', { token, body: { items: [{ sku: 'kettle', quantity: 1 }] } });
    expect(order.status).toBe(201);
    expect(order.body.order.total).toEqual({ amount: 4200, currency: 'CNY' });
    const payment = await server.request<any>('POST', `/api/orders/${order.body.order.id}/payment`, { token });
    expect(await server.pay(payment.body.requestPayment.package)).toBe('requestPayment:ok');
    await eventually(async () => (await server!.request<any>('GET', `/api/orders/${order.body.order.id}`, { token })).body.order.status === 'paid');
    // Airwallex was asked for 42.00, the catalogue's price.
    expect(server.simulator!.listIntents().find((intent) => intent.merchant_order_id === order.body.order.id)).toMatchObject({ amount: 42, currency: 'CNY' });
    const refused = await server.request<any>('POST', '/api/orders', { token, body: { items: [{ sku: 'old-kettle', quantity: 1 }] } });
    expect([refused.status, refused.body.error.code]).toEqual([400, 'UNKNOWN_PRODUCT']);
    expect(refused.body.error.message).toContain('old-kettle');
    expect((await server.request<any>('POST', '/api/quote', { body: { items: [{ sku: 'old-kettle', quantity: 1 }] } })).body.error.code).toBe('UNKNOWN_PRODUCT');
    // The demo products are gone.
    expect((await server.request<any>('POST', '/api/orders', { token, body: { items: [{ sku: 'tea-oolong', quantity: 1 }] } })).body.error.code).toBe('UNKNOWN_PRODUCT');
  });

  test('orders made before a change of price keep their own; new ones get the new price; a product made unavailable is still payable in its open order', async () => {
    const database = path.join(dir, 'app.sqlite');
    const file = writeCatalogue([product('kettle', 4200), product('cup', 500)]);
    const first = testConfig({ CATALOGUE_PATH: file, DATABASE_PATH: database });
    server = await startTestServer(first);
    const token = await server.sessionFor('lee');
    const before = (await server.request<any>('POST', '/api/orders', { token, body: { items: [{ sku: 'kettle', quantity: 1 }, { sku: 'cup', quantity: 2 }] } })).body.order;
    expect(before.total.amount).toBe(5200);
    await server.close();

    writeCatalogue([product('kettle', 4800), product('cup', 500, { available: false })]);
    // The same database (SQLite file, or TEST_DATABASE=postgres's), the catalogue read again.
    server = await startTestServer(testConfig({ CATALOGUE_PATH: file, DATABASE_PATH: database }, { databaseUrl: first.databaseUrl }));
    const kept = (await server.request<any>('GET', `/api/orders/${before.id}`, { token })).body.order;
    expect(kept.total.amount).toBe(5200);
    expect(kept.items.map((item: any) => [item.sku, item.unitPrice.amount])).toEqual([['kettle', 4200], ['cup', 500]]);
    const payment = await server.request<any>('POST', `/api/orders/${before.id}/payment`, { token });
    expect(payment.status).toBe(200);
    expect(await server.pay(payment.body.requestPayment.package)).toBe('requestPayment:ok');
    await eventually(async () => (await server!.request<any>('GET', `/api/orders/${before.id}`, { token })).body.order.status === 'paid');
    const after = (await server.request<any>('POST', '/api/orders', { token, body: { items: [{ sku: 'kettle', quantity: 1 }] } })).body.order;
    expect(after.total.amount).toBe(4800);
  });

  test('a bad file refuses to start, naming the product and the field', () => {
    const negative = problemsOf({ CATALOGUE_PATH: writeCatalogue([product('kettle', 4200), product('teapot', -100)]) });
    expect(negative).toEqual([expect.stringMatching(/product "teapot" \(products\[1\]\) unitAmount must be a positive integer in minor units/)]);
    const duplicate = problemsOf({ CATALOGUE_PATH: writeCatalogue([product('kettle', 4200), product('kettle', 100)]) });
    expect(duplicate).toEqual([expect.stringMatching(/product "kettle" \(products\[1\]\) repeats the sku "kettle"/)]);
    const decimal = problemsOf({ CATALOGUE_PATH: writeCatalogue([product('kettle', 42.5)]) });
    expect(decimal).toEqual([expect.stringMatching(/product "kettle" \(products\[0\]\) unitAmount must be an integer in minor units/)]);
    const noName = { ...product('kettle', 4200), names: { en: 'Kettle' } };
    expect(problemsOf({ CATALOGUE_PATH: writeCatalogue([noName]) })).toEqual([expect.stringMatching(/product "kettle" \(products\[0\]\) names needs the field "zh_CN"/)]);
    const missing = problemsOf({ CATALOGUE_PATH: writeCatalogue([product('kettle', 4200, { image: 'images/nope.png' })]) });
    expect(missing).toEqual([expect.stringMatching(/product "kettle" \(products\[0\]\) image "images\/nope.png" is not a file/)]);
    const outside = problemsOf({ CATALOGUE_PATH: writeCatalogue([product('kettle', 4200, { image: '../etc/passwd.png' })]) });
    expect(outside).toEqual([expect.stringMatching(/image "..\/etc\/passwd.png" must be a path inside the catalogue's folder/)]);
    const typo = problemsOf({ CATALOGUE_PATH: writeCatalogue([product('kettle', 4200, { avaliable: false })]) });
    expect(typo).toEqual([expect.stringMatching(/product "kettle" \(products\[0\]\) has an unknown field "avaliable"/)]);
    const none = problemsOf({ CATALOGUE_PATH: writeCatalogue([product('kettle', 4200, { available: false })]) });
    expect(none).toEqual([expect.stringContaining('every product is "available": false')]);
    expect(problemsOf({ CATALOGUE_PATH: path.join(dir, 'absent.json') })).toEqual([expect.stringContaining('cannot be read: ENOENT')]);
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"currency": "CNY", products: []}');
    expect(problemsOf({ CATALOGUE_PATH: path.join(dir, 'broken.json') })).toEqual([expect.stringContaining('is not JSON')]);
    expect(problemsOf({ CATALOGUE_PATH: writeCatalogue([product('kettle', 4200)], 'USD'), CURRENCY: 'CNY' })).toEqual([
      expect.stringContaining("CURRENCY is CNY but CATALOGUE_PATH's catalogue is in USD"),
    ]);
  });

  test("the catalogue's currency is the shop's; without CATALOGUE_PATH the demo products stay", () => {
    expect(loadConfig({ DATABASE_PATH: ':memory:', CATALOGUE_PATH: writeCatalogue([product('kettle', 4200)], 'HKD') }).currency).toBe('HKD');
    const demo = loadConfig({ DATABASE_PATH: ':memory:' });
    expect([demo.catalogue, demo.currency]).toEqual([undefined, 'CNY']);
  });
});
