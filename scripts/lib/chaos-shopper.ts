// Chaos's virtual shopper: behaves like the mini program under failures (retries, double taps, a sheet cancelled, a
// cancel racing a payment, an order left to expire) and writes down everything it was told, for the grader.
import { randomUUID } from 'node:crypto';
import { ConnectionError, errorCode, request, type Answer } from './http';
import { sleep } from './proc';
import { clientAddress, FINAL, randomCart, type ApiOrder, type Endpoints, type RequestPaymentAnswer } from './shopper';

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
