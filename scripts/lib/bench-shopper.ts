// The bench's virtual shopper: one payment on the happy path over plain HTTP, every step timed; any unexpected answer
// ends the cycle. Also the direct upstream probe (the simulator's own latency, without the server).
import { randomUUID } from 'node:crypto';
import { errorCode, request, type Answer } from './http';
import { sleep } from './proc';
import { clientAddress, FINAL, randomCart, type ApiOrder, type Endpoints, type RequestPaymentAnswer } from './shopper';
import type { Samples } from './stats';

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
