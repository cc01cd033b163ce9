// The harness's fake server: an HTTP API behind wx.request, routed by "METHOD /path", and the
// fixtures (products, config, an order) that a standard server answers with.
import { CONTRACT_VERSION } from '../../server/contract';
import type { ClientErrorReport, ConfigResponse, Order, OrderStatus, Product } from '../../server/contract';

/** What a fake route answers: a status and a JSON body, or `network` for "no answer". */
export type Answer = { status: number; body?: unknown } | 'network' | 'never';

export interface Call {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  data: any;
  /** Set when the mini program aborted the request (RequestTask.abort) before its answer. */
  aborted?: boolean;
  /** Set when WeChat cut the request off (the app stayed in the background too long). */
  interrupted?: boolean;
}

export type Handler = (call: Call) => Answer | Promise<Answer>;

interface InFlight {
  call: Call;
  fail: (errMsg: string) => void;
}

/** A fake HTTP API behind wx.request: routes by "METHOD /path" (":id" matches one segment). */
export class FakeServer {
  readonly calls: Call[] = [];
  private routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];
  private inFlight: InFlight[] = [];

  on(route: string, handler: Handler | Answer): this {
    const [method, pathPattern] = route.split(' ');
    const pattern = new RegExp(`^${pathPattern.replace(/:[a-zA-Z]+/g, '[^/]+')}$`);
    const fn: Handler = typeof handler === 'function' ? handler : () => handler;
    this.routes.unshift({ method, pattern, handler: fn });
    return this;
  }

  count(route: string): number {
    const [method, p] = route.split(' ');
    return this.calls.filter((c) => c.method === method && c.path === p).length;
  }

  /** Requests sent and not answered yet. */
  pending(): Call[] {
    return this.inFlight.map((f) => f.call);
  }

  /** What WeChat does to requests still running about 5 s after the app went to the background. */
  interruptAll(): void {
    this.inFlight.slice().forEach((f) => {
      f.call.interrupted = true;
      f.fail('request:fail interrupted');
    });
  }

  readonly request = jest.fn((options: WechatMiniprogram.RequestOption) => {
    const url = new URL(options.url);
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => {
      query[k] = v;
    });
    const call: Call = {
      method: options.method || 'GET',
      path: url.pathname,
      query,
      headers: (options.header || {}) as Record<string, string>,
      data: options.data,
    };
    this.calls.push(call);
    let settled = false;
    const entry: InFlight = {
      call,
      fail: (errMsg) => {
        if (settled) return;
        settled = true;
        this.inFlight = this.inFlight.filter((f) => f !== entry);
        queueMicrotask(() => {
          options.fail?.({ errMsg } as any);
          options.complete?.({ errMsg } as any);
        });
      },
    };
    this.inFlight.push(entry);
    const route = this.routes.find((r) => r.method === call.method && r.pattern.test(call.path));
    const task = {
      abort: jest.fn(() => {
        if (settled) return;
        call.aborted = true;
        entry.fail('request:fail abort');
      }),
    };
    Promise.resolve(route ? route.handler(call) : { status: 404, body: errorBody('NOT_FOUND') }).then((answer) => {
      if (answer === 'never' || settled) return;
      if (answer === 'network') {
        entry.fail('request:fail ');
        return;
      }
      settled = true;
      this.inFlight = this.inFlight.filter((f) => f !== entry);
      const res = { statusCode: answer.status, data: answer.body as any, header: {}, cookies: [], errMsg: 'request:ok' };
      options.success?.(res as any);
      options.complete?.(res as any);
    });
    return task as unknown as WechatMiniprogram.RequestTask;
  });
}

/** The server's error envelope. */
export function errorBody(code: string, message = `${code} happened`): unknown {
  return { error: { code, message, requestId: 'req-1' } };
}

// ---------------------------------------------------------------- fixtures

export const PRODUCTS: Product[] = [
  {
    sku: 'tea',
    name: '绿茶',
    names: { zh_CN: '绿茶', en: 'Green tea' },
    description: '明前龙井，100 克',
    descriptions: { zh_CN: '明前龙井，100 克', en: 'Spring Longjing, 100 g' },
    image: '/static/products/tea.png',
    price: { amount: 1250, currency: 'CNY' },
  },
  {
    sku: 'bun',
    name: '包子',
    names: { zh_CN: '包子', en: 'Steamed bun' },
    description: '猪肉白菜馅',
    descriptions: { zh_CN: '猪肉白菜馅', en: 'Pork and cabbage' },
    image: '/static/products/bun.png',
    price: { amount: 300, currency: 'CNY' },
  },
];

export const CONFIG: ConfigResponse = {
  mode: 'live',
  currency: 'CNY',
  currencyPrecision: 2,
  orderLifetimeSeconds: 1800,
  maxWaitSeconds: 25,
  contractVersion: CONTRACT_VERSION,
};

/** Template ids a merchant might configure (they exist in the fake wx's template list). */
export const TEMPLATES = { paymentSucceeded: 'tmpl_paid', refundSucceeded: 'tmpl_refund' };

export function order(overrides: Partial<Order> = {}): Order {
  return {
    id: 'ord_1',
    status: 'awaiting_payment' as OrderStatus,
    items: [
      { sku: 'tea', name: '绿茶', names: { zh_CN: '绿茶', en: 'Green tea' }, quantity: 2, unitPrice: { amount: 1250, currency: 'CNY' } },
    ],
    total: { amount: 2500, currency: 'CNY' },
    paymentIntentId: 'int_1',
    lastPaymentError: null,
    createdAt: '2026-11-26T12:00:00.000Z',
    updatedAt: '2026-11-26T12:00:00.000Z',
    expiresAt: '2026-11-26T12:30:00.000Z',
    paidAt: null,
    refunds: [],
    refundedTotal: { amount: 0, currency: 'CNY' },
    ...overrides,
  };
}

export const PAY_PARAMS = {
  timeStamp: '1764158400',
  nonceStr: 'nonce123',
  package: 'prepay_id=wx123',
  signType: 'RSA' as const,
  paySign: 'c2lnbmF0dXJl',
};

/** What the server's POST /api/quote answers for `items`, priced from PRODUCTS. */
export function quote(items: Array<{ sku: string; quantity: number }>): Answer {
  const lines = items.map(({ sku, quantity }) => {
    const product = PRODUCTS.find((p) => p.sku === sku)!;
    return { sku, name: product.name, names: product.names, quantity, unitPrice: product.price };
  });
  const amount = lines.reduce((sum, line) => sum + line.unitPrice.amount * line.quantity, 0);
  return { status: 200, body: { items: lines, total: { amount, currency: 'CNY' } } };
}

const CLIENT_ERROR_LIMITS: Record<string, number> = { message: 300, stack: 1500, route: 200, appVersion: 64, envVersion: 16, sdkVersion: 32 };

/**
 * POST /api/orders/{id}/subscriptions as the contract says: the shopper's token, `results` an object of
 * template id → WeChat's status; answers the ids accepted (a status starting with "accept").
 */
function subscriptions(call: Call): Answer {
  if (!/^Bearer \S+$/.test(call.headers.Authorization || '')) return { status: 401, body: errorBody('UNAUTHENTICATED') };
  const results = call.data && call.data.results;
  if (!results || typeof results !== 'object' || Array.isArray(results) || Object.keys(results).some((id) => typeof results[id] !== 'string')) {
    return { status: 400, body: errorBody('VALIDATION_FAILED') };
  }
  return { status: 200, body: { accepted: Object.keys(results).filter((id) => results[id].indexOf('accept') === 0) } };
}

/** POST /api/client-errors as the contract says: every field present, strings within their limits; 204. */
function clientError(call: Call): Answer {
  const report = call.data as ClientErrorReport;
  const kinds = ['error', 'rejection'];
  const fieldsOk = Object.keys(CLIENT_ERROR_LIMITS).every((key) => {
    const value = (report as unknown as Record<string, unknown>)[key];
    return typeof value === 'string' && value.length <= CLIENT_ERROR_LIMITS[key];
  });
  if (!report || kinds.indexOf(report.kind) < 0 || !fieldsOk || typeof report.contractVersion !== 'number') {
    return { status: 400, body: errorBody('VALIDATION_FAILED') };
  }
  return { status: 204 };
}

/** A server with config, products, sessions and one order; tests override routes with `on`. */
export function standardServer(config: Partial<ConfigResponse> = {}): FakeServer {
  let n = 0;
  return new FakeServer()
    .on('GET /api/config', { status: 200, body: { ...CONFIG, ...config } })
    .on('GET /api/products', { status: 200, body: { products: PRODUCTS } })
    .on('POST /api/quote', (call) => quote(call.data.items))
    .on('POST /api/sessions', () => {
      n += 1;
      return { status: 201, body: { token: `tok${n}`, expiresAt: new Date(Date.now() + 3600e3).toISOString() } };
    })
    .on('POST /api/orders', { status: 201, body: { order: order() } })
    .on('GET /api/orders', { status: 200, body: { orders: [order()] } })
    .on('GET /api/orders/:id', { status: 200, body: { order: order() } })
    .on('POST /api/orders/:id/payment', { status: 200, body: { order: order(), requestPayment: PAY_PARAMS } })
    .on('POST /api/orders/:id/subscriptions', subscriptions)
    .on('POST /api/client-errors', clientError);
}
