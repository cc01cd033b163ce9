// `npm run demo`: one shopper pays over plain HTTP against a running server in simulator mode.
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import { Options } from './lib/stats';

const USAGE = `npm run demo -- [--base URL] [--pay-on URL] [--outcome pay|cancel|fail]
  --base URL      the server (default: BASE_URL, else http://localhost:3000)
  --pay-on URL    open the pay sheet and wait for the verdict on another instance of the same shop
                  (several instances on one PostgreSQL: log in and order on --base, pay on this one)
  --outcome       what the shopper does in the simulated pay sheet (default: pay)`;

let options: Options;
try {
  options = new Options(process.argv.slice(2), ['base', 'pay-on', 'outcome', 'help']);
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (options.flag('help')) {
  console.log(USAGE);
  process.exit(0);
}
const text = (name: string, fallback: string): string => {
  const value = options.string(name);
  if (value === true) {
    console.error(`--${name} needs a value\n${USAGE}`);
    process.exit(2);
  }
  return (value ?? fallback).replace(/\/+$/, '');
};
const base = text('base', process.env.BASE_URL ?? 'http://localhost:3000');
const payOn = text('pay-on', base);
const outcome = text('outcome', 'pay');
if (!['pay', 'cancel', 'fail'].includes(outcome)) {
  console.error(`--outcome must be pay, cancel or fail, got "${outcome}"\n${USAGE}`);
  process.exit(2);
}

async function call<T>(method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}, server = base): Promise<T> {
  const response = await fetch(server + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

async function main(): Promise<void> {
  const step = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    console.log(`${label.padEnd(34)} ${(performance.now() - started).toFixed(1).padStart(7)} ms`);
    return result;
  };
  const { code } = await step('wx.login (simulator)', () => call<{ code: string }>('POST', '/simulator/wechat/login', { shopper: 'demo' }));
  const { token } = await step('POST /api/sessions', () => call<{ token: string }>('POST', '/api/sessions', { code }));
  const { products } = await call<{ products: Array<{ sku: string; name: string }> }>('GET', '/api/products', undefined, undefined, { 'accept-language': 'en' });
  const { order } = await step('POST /api/orders', () =>
    call<{ order: { id: string; total: { amount: number; currency: string } } }>('POST', '/api/orders', { items: [{ sku: products[0].sku, quantity: 2 }] }, token, { 'idempotency-key': `demo-${Date.now()}` }),
  );
  const on = payOn === base ? '' : ' (on B)';
  if (on) console.log(`A: ${base}, B: ${payOn}`);
  const payment = await step(`POST /api/orders/{id}/payment${on}`, () =>
    call<{ requestPayment: { package: string } }>('POST', `/api/orders/${order.id}/payment`, undefined, token, {}, payOn),
  );
  const sheet = await step(`wx.requestPayment (simulated ${outcome})`, () =>
    call<{ errMsg: string }>('POST', '/simulator/wechat/pay', { package: payment.requestPayment.package, outcome }, undefined, {}, payOn),
  );
  console.log(`  → ${sheet.errMsg}`);
  const final = await step(`GET /api/orders/{id} (long poll)${on}`, () =>
    call<{ order: { status: string; lastPaymentError: unknown } }>('GET', `/api/orders/${order.id}?waitSeconds=${outcome === 'pay' ? 10 : 2}&unlessStatus=awaiting_payment`, undefined, token, {}, payOn),
  );
  console.log(`order ${order.id}: ${final.order.status}, total ${order.total.amount} ${order.total.currency} (minor units)`);
  // A closed or failed pay sheet leaves the order payable: the shopper may pay again (the mini program offers it).
  if (final.order.status === 'awaiting_payment') console.log(`  still payable${final.order.lastPaymentError ? `; last payment error: ${JSON.stringify(final.order.lastPaymentError)}` : ''}`);
  console.log(`see it (and refund it) in the merchant console: ${base}/admin/orders/${order.id}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(`Is the server running in simulator mode at ${payOn === base ? base : `${base} and ${payOn}`}? Start it with: npm start`);
  process.exit(1);
});
