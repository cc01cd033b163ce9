// `npm run demo`: one shopper pays over plain HTTP against a running server in simulator mode.
// Usage: npm run demo [-- --base http://localhost:3000 --outcome pay|cancel|fail]

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] ? args[index + 1] : fallback;
};
const base = option('base', process.env.BASE_URL ?? 'http://localhost:3000');
const outcome = option('outcome', 'pay');

async function call<T>(method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(base + path, {
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
  const payment = await step('POST /api/orders/{id}/payment', () =>
    call<{ requestPayment: { package: string } }>('POST', `/api/orders/${order.id}/payment`, undefined, token),
  );
  const sheet = await step(`wx.requestPayment (simulated ${outcome})`, () =>
    call<{ errMsg: string }>('POST', '/simulator/wechat/pay', { package: payment.requestPayment.package, outcome }),
  );
  console.log(`  → ${sheet.errMsg}`);
  const final = await step('GET /api/orders/{id} (long poll)', () =>
    call<{ order: { status: string; lastPaymentError: unknown } }>('GET', `/api/orders/${order.id}?waitSeconds=${outcome === 'cancel' ? 2 : 10}&unlessStatus=awaiting_payment`, undefined, token),
  );
  console.log(`order ${order.id}: ${final.order.status}, total ${order.total.amount} ${order.total.currency} (minor units)`);
  console.log(`see it (and refund it) in the merchant console: ${base}/admin/orders/${order.id}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(`Is the server running in simulator mode at ${base}? Start it with: npm start`);
  process.exit(1);
});
