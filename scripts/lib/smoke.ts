// What a freshly started server must serve, over plain HTTP: a shopper pays through the simulator, a product picture and the console's page load.
//
// Used where the server runs from something other than the sources (the build, a production
// install), to prove that what it reads from disk at run time came along: the migrations (an order
// is stored), the pictures, the console's CSS, the simulator's OpenAPI spec (it checks every call).

export interface SmokeTarget {
  /** http://host:port of the server. */
  server: string;
  /** http://host:port serving /simulator/* (the server itself in simulator mode, or the standalone simulator). */
  simulator: string;
}

async function call<T>(method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: T; text: string; type: string }> {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const type = response.headers.get('content-type') ?? '';
  const text = type.startsWith('image/') ? '' : await response.text();
  if (type.startsWith('image/')) await response.arrayBuffer();
  return { status: response.status, body: (type.includes('json') && text ? JSON.parse(text) : undefined) as T, text, type };
}

function expectStatus(what: string, answer: { status: number; text: string }, status: number): void {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${answer.text.slice(0, 300)}`);
}

/** Runs the checks; resolves with one line per check passed, throws naming the first that failed. */
export async function smokeCheck(target: SmokeTarget): Promise<string[]> {
  const done: string[] = [];
  const health = await call<{ status: string }>('GET', `${target.server}/healthz`);
  expectStatus('GET /healthz', health, 200);
  done.push('GET /healthz: ok');

  const products = await call<{ products: Array<{ sku: string; image: string }> }>('GET', `${target.server}/api/products`);
  expectStatus('GET /api/products', products, 200);
  const picture = await call('GET', `${target.server}${products.body.products[0].image}`);
  expectStatus(`GET ${products.body.products[0].image}`, picture, 200);
  if (picture.type !== 'image/png') throw new Error(`GET ${products.body.products[0].image}: content-type ${picture.type}`);
  done.push(`product picture served (${products.body.products[0].image})`);

  const signIn = await call('GET', `${target.server}/admin/sign-in`);
  expectStatus('GET /admin/sign-in', signIn, 200);
  if (!/<style>[^<]*:root \{/.test(signIn.text)) throw new Error('GET /admin/sign-in: the console page has no stylesheet');
  done.push('merchant console page with its stylesheet');

  const login = await call<{ code: string }>('POST', `${target.simulator}/simulator/wechat/login`, { shopper: 'smoke' });
  expectStatus('POST /simulator/wechat/login', login, 200);
  const session = await call<{ token: string }>('POST', `${target.server}/api/sessions`, { code: login.body.code });
  expectStatus('POST /api/sessions', session, 201);
  const token = session.body.token;
  const order = await call<{ order: { id: string } }>('POST', `${target.server}/api/orders`, { items: [{ sku: products.body.products[0].sku, quantity: 1 }] }, token);
  expectStatus('POST /api/orders', order, 201);
  const id = order.body.order.id;
  const payment = await call<{ requestPayment: { package: string } }>('POST', `${target.server}/api/orders/${id}/payment`, undefined, token);
  expectStatus('POST /api/orders/{id}/payment', payment, 200);
  const sheet = await call<{ errMsg: string }>('POST', `${target.simulator}/simulator/wechat/pay`, { package: payment.body.requestPayment.package, outcome: 'pay' });
  if (sheet.body?.errMsg !== 'requestPayment:ok') throw new Error(`simulated pay sheet: ${sheet.text}`);
  const paid = await call<{ order: { status: string } }>('GET', `${target.server}/api/orders/${id}?waitSeconds=10&unlessStatus=awaiting_payment`, undefined, token);
  expectStatus('GET /api/orders/{id}', paid, 200);
  if (paid.body.order.status !== 'paid') throw new Error(`order ${id} is ${paid.body.order.status}, not paid`);
  done.push(`a shopper paid order ${id} (session, order, payment, webhook)`);
  return done;
}
