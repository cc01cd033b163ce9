// Virtual shoppers over plain HTTP: the bench's timed happy path, and the chaos shopper that retries and misbehaves like the mini program.
import { createHash, randomUUID } from 'node:crypto';
import { FINAL_STATUSES } from '../../server/contract';
import { ConnectionError, errorCode, request, type Answer } from './http';
import { sleep } from './proc';
import type { Samples } from './stats';

const PRODUCTS = ['tea-oolong', 'mooncake-lotus', 'coffee-beans', 'postcard'];

export interface Endpoints {
  /** http://127.0.0.1:<port> of the server. */
  server: string;
  /** http://127.0.0.1:<port> of the simulator process. */
  simulator: string;
}

export interface ApiOrder {
  id: string;
  status: string;
  lastPaymentError: { code: string; message: string; at: number } | null;
  total: { amount: number; currency: string };
  paymentIntentId: string | null;
  expiresAt: string;
}

interface RequestPaymentAnswer {
  order: ApiOrder;
  requestPayment: { package: string };
}

const FINAL = new Set<string>(FINAL_STATUSES);

/**
 * The address a virtual shopper's phone connects from. The tools stand in for the load balancer
 * in front of the server (which runs with TRUST_PROXY=127.0.0.1), so each shopper is counted by
 * the abuse limits as the real one would be, not as one loopback address doing everything.
 */
export function clientAddress(shopper: string): Record<string, string> {
  const hash = createHash('sha256').update(shopper).digest();
  return { 'x-forwarded-for': `10.${hash[0]}.${hash[1]}.${hash[2]}` };
}

export function randomCart(): Array<{ sku: string; quantity: number }> {
  const lines = 1 + Math.floor(Math.random() * 2);
  const picked = new Set<string>();
  while (picked.size < lines) picked.add(PRODUCTS[Math.floor(Math.random() * PRODUCTS.length)]);
  return [...picked].map((sku) => ({ sku, quantity: 1 + Math.floor(Math.random() * 3) }));
}

// ---------------------------------------------------------------------------------------------
// Bench: one payment on the happy path, every step timed; any unexpected answer ends the cycle.
// ---------------------------------------------------------------------------------------------

export type Strategy = 'longpoll' | 'poll';

/** Interval of the common client's status polling. */
export const POLL_INTERVAL_MS = 2_000;

export class StepError extends Error {
  constructor(
    readonly step: string,
    readonly detail: string,
  ) {
    super(`${step}: ${detail}`);
  }
}

function expect<T>(step: string, answer: Answer<T>, status: number): T {
  if (answer.status !== status) throw new StepError(step, `HTTP ${answer.status} ${errorCode(answer.body) ?? ''}`.trim());
  return answer.body;
}

const cycles = new Map<string, number>();

/**
 * session → order (Idempotency-Key) → payment → simulated pay → status until `paid`.
 * Samples: session, order, payment, pay, wait (first status request to `paid`), final (pay answer
 * to `paid`), statusRequest (each status request).
 */
export async function benchPayment(api: Endpoints, lane: string, strategy: Strategy, samples: Samples): Promise<void> {
  // Each cycle is a new shopper on a phone of its own, as in a shop: not one shopper paying many times a second.
  const shopper = `${lane}-${(cycles.get(lane) ?? 0) + 1}`;
  cycles.set(lane, (cycles.get(lane) ?? 0) + 1);
  const phone = clientAddress(shopper);
  const { code } = expect('login code', await request<{ code: string }>('POST', `${api.simulator}/simulator/wechat/login`, { body: { shopper } }), 200);

  const session = await request<{ token: string }>('POST', `${api.server}/api/sessions`, { body: { code }, headers: phone });
  const { token } = expect('session', session, 201);
  samples.add('session', session.ms);

  const created = await request<{ order: ApiOrder }>('POST', `${api.server}/api/orders`, {
    body: { items: randomCart() },
    token,
    headers: { 'idempotency-key': randomUUID(), ...phone },
  });
  const { order } = expect('order', created, 201);
  samples.add('order', created.ms);
  if (created.timing.app !== undefined) samples.add('orderApp', created.timing.app);

  const payment = await request<RequestPaymentAnswer>('POST', `${api.server}/api/orders/${order.id}/payment`, { token, headers: phone });
  const { requestPayment } = expect('payment', payment, 200);
  samples.add('payment', payment.ms);
  if (payment.timing.app !== undefined) samples.add('paymentApp', payment.timing.app);

  const sheet = await request<{ errMsg: string }>('POST', `${api.simulator}/simulator/wechat/pay`, {
    body: { package: requestPayment.package, outcome: 'pay' },
  });
  if (expect('pay', sheet, 200).errMsg !== 'requestPayment:ok') throw new StepError('pay', sheet.body.errMsg);
  samples.add('pay', sheet.ms);
  const paidAt = performance.now();

  let status = payment.body.order.status;
  let waitStarted: number | undefined;
  if (strategy === 'longpoll') {
    // What the mini program does: a long poll that the server answers when the webhook lands.
    waitStarted = performance.now();
    for (let i = 0; i < 6 && status !== 'paid'; i++) {
      const answer = await request<{ order: ApiOrder }>(
        'GET',
        `${api.server}/api/orders/${order.id}?waitSeconds=25&unlessStatus=${status}`,
        { token, timeoutMs: 40_000, headers: phone },
      );
      samples.add('statusRequest', answer.ms);
      status = expect('status', answer, 200).order.status;
      if (FINAL.has(status) && status !== 'paid') throw new StepError('status', `order ended ${status}`);
    }
  } else {
    // The common client: a 2 s timer that started when the sheet opened, so its phase relative to
    // the pay answer is uniform; each tick asks the server to re-check with Airwallex.
    await sleep(Math.random() * POLL_INTERVAL_MS);
    waitStarted = performance.now();
    for (let i = 0; i < 30; i++) {
      const answer = await request<{ order: ApiOrder }>('GET', `${api.server}/api/orders/${order.id}?refresh=true`, { token, headers: phone });
      samples.add('statusRequest', answer.ms);
      status = expect('status', answer, 200).order.status;
      if (status === 'paid') break;
      if (FINAL.has(status)) throw new StepError('status', `order ended ${status}`);
      await sleep(POLL_INTERVAL_MS);
    }
  }
  if (status !== 'paid') throw new StepError('status', `still ${status}`);
  const now = performance.now();
  samples.add('wait', now - waitStarted);
  samples.add('final', now - paidAt);
}

export interface DirectUpstream {
  token: string;
}

/**
 * The upstream part of an order and a payment, called straight from the bench to the simulator
 * (create, then confirm): the same work the server asks of Airwallex, without the server.
 */
export async function directUpstream(api: Endpoints, auth: DirectUpstream, samples: Samples): Promise<void> {
  const base = `${api.simulator}/simulator/airwallex/api/v1`;
  const merchantOrderId = `direct_${randomUUID()}`;
  const created = await request<{ id: string }>('POST', `${base}/pa/payment_intents/create`, {
    token: auth.token,
    body: { request_id: randomUUID(), amount: 12.5, currency: 'CNY', merchant_order_id: merchantOrderId },
  });
  expect('direct create', created, 201);
  samples.add('directCreate', created.ms);
  const confirmed = await request('POST', `${base}/pa/payment_intents/${created.body.id}/confirm`, {
    token: auth.token,
    body: { request_id: randomUUID(), payment_method: { type: 'wechatpay', wechatpay: { flow: 'mini_program', open_id: 'o_direct_probe' } } },
  });
  expect('direct confirm', confirmed, 200);
  samples.add('directConfirm', confirmed.ms);
}

export async function directLogin(api: Endpoints, clientId: string, apiKey: string): Promise<DirectUpstream> {
  const answer = await request<{ token: string }>('POST', `${api.simulator}/simulator/airwallex/api/v1/authentication/login`, {
    headers: { 'x-client-id': clientId, 'x-api-key': apiKey },
  });
  return { token: expect('direct login', answer, 201).token };
}

// ---------------------------------------------------------------------------------------------
// Chaos: a shopper that behaves like the mini program under failures.
// ---------------------------------------------------------------------------------------------

export type Behaviour = 'pay' | 'sheetCancelThenPay' | 'failThenPay' | 'doubleTapPay' | 'cancelOrder' | 'abandon' | 'cancelRacesPay' | 'payRacesExpiry';

/** The share of each behaviour; the rest of the weight goes to 'pay'. */
export const BEHAVIOURS: Array<[Behaviour, number]> = [
  ['sheetCancelThenPay', 0.1],
  ['failThenPay', 0.1],
  ['doubleTapPay', 0.05],
  ['cancelOrder', 0.08],
  ['abandon', 0.03],
  // Pays in the open sheet while a cancel of the order is in flight.
  ['cancelRacesPay', 0.06],
  // Waits for the order's lifetime to end (give or take a second), then pays while the sweep expires it.
  ['payRacesExpiry', 0.02],
];

export function pickBehaviour(): Behaviour {
  let roll = Math.random();
  for (const [behaviour, share] of BEHAVIOURS) {
    if (roll < share) return behaviour;
    roll -= share;
  }
  return 'pay';
}

export interface ChaosLedger {
  /** Every order id the server answered 201 for. */
  created: Set<string>;
  /** Server answers >= 500, by "step status code". */
  serverErrors: Map<string, number>;
  /** Requests with no answer (refused, reset), by step. */
  connectionErrors: Map<string, number>;
  /** Orders whose shopper saw the sheet answer requestPayment:ok. */
  paidByShopper: Set<string>;
  /** What each shopper's order ended as, from the shopper's own last read. */
  seen: Map<string, string>;
  /** Cycles that gave up (a step never succeeded within its bound). */
  gaveUp: Map<string, number>;
  behaviours: Map<Behaviour, number>;
  /** Every final status the server told a shopper (a read, a cancel's answer), with the step that told it. */
  toldFinal: Array<{ orderId: string; status: string; by: string }>;
  /** How each race ended: "cancel <answer> / sheet <ok|fail>", "pay against expiry: <status>". */
  races: Map<string, number>;
  /** Refunds the merchant asked for through the admin API, one per Idempotency-Key (scripts/lib/merchant.ts). */
  refundRequests: Array<{ orderId: string; key: string; amount: number | null; status: number; code?: string; refundId?: string }>;
  /** Refunds made in Airwallex's web app (the simulator's external refunds), by Airwallex id, with their order. */
  externalRefunds: Map<string, string>;
}

export function newLedger(): ChaosLedger {
  return {
    created: new Set(),
    serverErrors: new Map(),
    connectionErrors: new Map(),
    paidByShopper: new Set(),
    seen: new Map(),
    gaveUp: new Map(),
    behaviours: new Map(),
    toldFinal: [],
    races: new Map(),
    refundRequests: [],
    externalRefunds: new Map(),
  };
}

export function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export class GiveUp extends Error {
  constructor(readonly step: string) {
    super(`gave up at ${step}`);
  }
}

/** Bounds of one chaos step: attempts and wall time (a server restart takes a few seconds). */
const STEP_ATTEMPTS = 30;
const STEP_BUDGET_MS = 45_000;

/**
 * Sends until an answer that is not a 5xx/429 and not a lost connection, like the mini program's
 * retry on "request:fail" and on "try again" errors; `prepare` runs before each try (a fresh
 * wx.login code for a session). Returns the last answer.
 */
export async function persist<T>(ledger: ChaosLedger, step: string, send: () => Promise<Answer<T>>): Promise<Answer<T>> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await send();
      if (answer.status >= 500) bump(ledger.serverErrors, `${step} ${answer.status} ${errorCode(answer.body) ?? ''}`.trim());
      if (answer.status < 500 && answer.status !== 429) return answer;
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      bump(ledger.connectionErrors, step);
    }
    if (attempt >= STEP_ATTEMPTS || Date.now() - started > STEP_BUDGET_MS) throw new GiveUp(step);
    await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt - 1, 5)) * (0.5 + Math.random() / 2));
  }
}

/**
 * One chaos payment; never throws for expected trouble (it records it in the ledger). Resolves with
 * the order as the shopper last read it (undefined when the cycle gave up before or without one).
 */
export async function chaosPayment(api: Endpoints, shopper: string, behaviour: Behaviour, ledger: ChaosLedger): Promise<ApiOrder | undefined> {
  bump(ledger.behaviours, behaviour);
  const phone = clientAddress(shopper);
  let orderId: string | undefined;
  try {
    // Session: a fresh wx.login code for every try (a code works once).
    const session = await persist(ledger, 'session', async () => {
      const code = await request<{ code: string }>('POST', `${api.simulator}/simulator/wechat/login`, { body: { shopper } });
      if (code.status !== 200) throw new Error(`simulator login answered ${code.status}`);
      return request<{ token: string }>('POST', `${api.server}/api/sessions`, { body: { code: code.body.code }, headers: phone });
    });
    if (session.status !== 201) throw new GiveUp(`session ${session.status}`);
    const token = session.body.token;

    // Order: the same Idempotency-Key on every retry.
    const key = randomUUID();
    const items = randomCart();
    const created = await persist(ledger, 'order', () =>
      request<{ order: ApiOrder }>('POST', `${api.server}/api/orders`, { body: { items }, token, headers: { 'idempotency-key': key, ...phone } }),
    );
    if (created.status !== 201) throw new GiveUp(`order ${created.status}`);
    orderId = created.body.order.id;
    ledger.created.add(orderId);
    const id = orderId;
    /** What the server told the shopper about the order; a final status is graded against the database. */
    const see = (status: string, by: string) => {
      ledger.seen.set(id, status);
      if (FINAL.has(status)) ledger.toldFinal.push({ orderId: id, status, by });
    };

    const readOrder = async (query = ''): Promise<ApiOrder> => {
      const answer = await persist(ledger, 'status', () =>
        request<{ order: ApiOrder }>('GET', `${api.server}/api/orders/${id}${query}`, { token, timeoutMs: 40_000, headers: phone }),
      );
      if (answer.status !== 200) throw new GiveUp(`status ${answer.status}`);
      return answer.body.order;
    };
    const requestPayment = async (): Promise<RequestPaymentAnswer | ApiOrder> => {
      const answer = await persist(ledger, 'payment', () =>
        request<RequestPaymentAnswer>('POST', `${api.server}/api/orders/${id}/payment`, { token, headers: phone }),
      );
      if (answer.status === 200) return answer.body;
      if (answer.status === 409) return readOrder(); // not payable: already paid, processing, or closed
      throw new GiveUp(`payment ${answer.status} ${errorCode(answer.body) ?? ''}`);
    };
    const sheet = async (pkg: string, outcome: 'pay' | 'cancel' | 'fail'): Promise<string> => {
      const answer = await request<{ errMsg: string }>('POST', `${api.simulator}/simulator/wechat/pay`, { body: { package: pkg, outcome } });
      if (answer.status !== 200) throw new GiveUp(`sheet ${answer.status}`);
      return answer.body.errMsg;
    };
    /** Long poll until the status leaves `from` or a payment error appears; bounded. */
    const waitFor = async (from: ApiOrder): Promise<ApiOrder> => {
      let order = from;
      const errorAt = from.lastPaymentError?.at;
      for (let i = 0; i < 4; i++) {
        order = await readOrder(`?waitSeconds=10&unlessStatus=${order.status}`);
        if (FINAL.has(order.status) || order.status !== from.status || order.lastPaymentError?.at !== errorAt) break;
      }
      return order;
    };

    if (behaviour === 'cancelRacesPay') {
      // The sheet is open; the shopper pays in it while a cancel of the same order is on its way. The pay
      // goes straight to the sheet while the cancel goes through the server to Airwallex, so the pay starts
      // up to 40 ms later: either may win. Whatever wins, the shopper must be told the truth.
      const opened = await requestPayment();
      if ('requestPayment' in opened) {
        const pkg = opened.requestPayment.package;
        const [cancel, errMsg] = await Promise.all([
          persist(ledger, 'cancel', () => request<{ order: ApiOrder }>('POST', `${api.server}/api/orders/${id}/cancel`, { token, headers: phone })),
          sleep(Math.random() * 40).then(() => sheet(pkg, 'pay')),
        ]);
        if (errMsg === 'requestPayment:ok') ledger.paidByShopper.add(id);
        const told = cancel.status === 200 ? cancel.body.order.status : (errorCode(cancel.body) ?? String(cancel.status));
        bump(ledger.races, `cancel ${told} / sheet ${errMsg === 'requestPayment:ok' ? 'ok' : 'fail'}`);
        if (cancel.status === 200) see(told, 'cancel');
      }
      let order = await readOrder();
      for (let i = 0; i < 4 && !FINAL.has(order.status); i++) order = await waitFor(order);
      see(order.status, 'read');
      return order;
    }

    if (behaviour === 'payRacesExpiry') {
      // Nobody opens the sheet until the order's lifetime is about to end (or has just ended): then pay,
      // while the sweep expires it. Either the payment is refused, or the order ends paid.
      const expiresAt = Date.parse(created.body.order.expiresAt);
      await sleep(Math.max(0, expiresAt - Date.now() + (Math.random() * 3_000 - 1_000)));
    }

    if (behaviour === 'cancelOrder' || behaviour === 'abandon') {
      if (Math.random() < 0.5) await requestPayment();
      if (behaviour === 'cancelOrder') {
        const cancelled = await persist(ledger, 'cancel', () =>
          request<{ order: ApiOrder }>('POST', `${api.server}/api/orders/${id}/cancel`, { token, headers: phone }),
        );
        if (cancelled.status === 200) see(cancelled.body.order.status, 'cancel');
        else see((await readOrder()).status, 'read');
        return cancelled.status === 200 ? cancelled.body.order : undefined;
      }
      ledger.seen.set(id, 'abandoned');
      return undefined;
    }

    // The pay loop: misbehave first when the behaviour says so, then pay until the order is final.
    let firstOutcome: 'cancel' | 'fail' | undefined =
      behaviour === 'sheetCancelThenPay' ? 'cancel' : behaviour === 'failThenPay' ? 'fail' : undefined;
    let order: ApiOrder = created.body.order;
    for (let round = 0; round < 8; round++) {
      const started = await requestPayment();
      if (!('requestPayment' in started)) {
        order = started;
        if (FINAL.has(order.status)) break;
        if (order.status === 'processing') {
          order = await waitFor(order);
          continue;
        }
        await sleep(200);
        continue;
      }
      let pkg = started.requestPayment.package;
      if (behaviour === 'doubleTapPay' && round === 0) {
        // The shopper taps "pay" twice: the second request replaces the first attempt.
        const again = await requestPayment();
        if ('requestPayment' in again) pkg = again.requestPayment.package;
      }
      const outcome = firstOutcome ?? 'pay';
      firstOutcome = undefined;
      const errMsg = await sheet(pkg, outcome);
      if (errMsg === 'requestPayment:ok') ledger.paidByShopper.add(id);
      if (outcome === 'cancel') continue; // closed the sheet: the page offers "pay" again
      order = await waitFor(started.order);
      if (FINAL.has(order.status)) break;
      // Declined, or the sheet refused an outdated attempt: pay again on the same order.
    }
    if (!FINAL.has(order.status)) order = await readOrder();
    see(order.status, 'read');
    if (behaviour === 'payRacesExpiry') bump(ledger.races, `pay against expiry: ${order.status}`);
    return order;
  } catch (err) {
    if (err instanceof GiveUp) {
      bump(ledger.gaveUp, err.step.split(' ')[0]);
      if (orderId) ledger.seen.set(orderId, `gave up at ${err.step}`);
      return undefined;
    }
    throw err;
  }
}
