// The payment flow: POST .../payment → wx.requestPayment (or the sandbox pay sheet) → wait for the
// server's verdict with bounded long polls. The wx.requestPayment callback is never proof of payment.
import type {
  Order,
  PaymentError,
  RequestPaymentParams,
  SimulatorPayRequest,
  SimulatorPayResponse,
} from '../../server/contract';
import { t } from '../utils/i18n';
import { formatPrice } from '../utils/money';
import { requestPayment, showActionSheet } from '../utils/wx-async';
import { getConfig, isSandbox } from './app-config';
import { getOrder, startPayment } from './orders';
import { request } from './request';
import type { RequestGroup } from './request';
import { takeSandboxAnswers } from './subscriptions';

/** What the pay sheet said: paid (to be confirmed by the server), closed by the shopper, or failed. */
export type PayOutcome = { kind: 'ok' } | { kind: 'cancel' } | { kind: 'fail'; detail: string };

/** Reads a wx.requestPayment errMsg: "requestPayment:ok", "requestPayment:fail cancel", "requestPayment:fail <detail>". */
export function parsePaymentResult(errMsg: string): PayOutcome {
  const text = (errMsg || '').trim();
  if (text === 'requestPayment:ok') return { kind: 'ok' };
  // Clients ≤ 6.5.2 reported a cancel as "requestPayment:cancel".
  if (text === 'requestPayment:fail cancel' || text === 'requestPayment:cancel') return { kind: 'cancel' };
  const detail = text.replace(/^requestPayment:fail\s*/, '').trim();
  return { kind: 'fail', detail: detail === text ? text : detail };
}

/** A payment attempt: the order as the server saw it when the attempt started, and the sheet's outcome. */
export interface PayAttempt {
  order: Order;
  outcome: PayOutcome;
  /** `order.lastPaymentError` when the attempt started, so a later failure can be told from an old one. */
  errorBefore: PaymentError | null;
}

function simulatedPaySheet(params: RequestPaymentParams, order: Order): Promise<string> {
  // The simulated subscription panel of this tap, if any, is answered first: one dialog at a time.
  return Promise.all([getConfig(), takeSandboxAnswers()])
    .then((both) => {
      const amount = formatPrice(order.total, both[0]);
      return showActionSheet([t('sandbox.pay', { amount }), t('sandbox.fail')], t('sandbox.alert')).then((tapped) => ({ tapped, answers: both[1] }));
    })
    .then(({ tapped, answers }) => {
      const outcome: SimulatorPayRequest['outcome'] = tapped === 0 ? 'pay' : tapped === 1 ? 'fail' : 'cancel';
      const body: SimulatorPayRequest = { package: params.package, outcome };
      if (answers && Object.keys(answers).length) body.subscriptions = answers;
      return request<SimulatorPayResponse>({ method: 'POST', path: '/simulator/wechat/pay', data: body, auth: false });
    })
    .then((res) => res.errMsg);
}

/**
 * Pays an order (new or again, always the same order id): asks the server for the payment fields and
 * opens WeChat Pay with exactly those. In sandbox mode (simulator server, non-release build) a clearly
 * labelled simulated sheet stands in for WeChat Pay and answers with the same errMsg strings.
 * Resolves null, without opening any sheet, when `isClosed()` says the page that asked is gone.
 */
export function payOrder(orderId: string, isClosed?: () => boolean): Promise<PayAttempt | null> {
  return Promise.all([startPayment(orderId), getConfig()]).then((both) => {
    const payment = both[0];
    if (isClosed && isClosed()) return null;
    const params = payment.requestPayment;
    const sheet = isSandbox(both[1]) ? simulatedPaySheet(params, payment.order) : requestPayment(params);
    return sheet.then((errMsg) => {
      const attempt: PayAttempt = {
        order: payment.order,
        outcome: parsePaymentResult(errMsg),
        errorBefore: payment.order.lastPaymentError,
      };
      handOff = attempt;
      return attempt;
    });
  });
}

let handOff: PayAttempt | null = null;

/** The attempt just made for `orderId`, once (checkout → result page, without putting it in the URL). */
export function takePayAttempt(orderId: string): PayAttempt | null {
  const attempt = handOff && handOff.order.id === orderId ? handOff : null;
  if (attempt) handOff = null;
  return attempt;
}

/** Where an order stands for the shopper. */
export type VerdictKind = 'paid' | 'cancelled' | 'expired' | 'failed' | 'payable' | 'pending';

export interface Verdict {
  kind: VerdictKind;
  order: Order;
}

/**
 * What `order` means for the shopper. `errorBefore` is the payment error known before the current
 * attempt: only a different one means this attempt failed.
 */
export function classify(order: Order, errorBefore?: PaymentError | null): Verdict {
  switch (order.status) {
    case 'paid':
    case 'cancelled':
    case 'expired':
      return { kind: order.status, order };
    case 'processing':
      return { kind: 'pending', order };
    default: {
      const error = order.lastPaymentError;
      const isNew = !!error && (!errorBefore || error.at !== errorBefore.at || error.code !== errorBefore.code);
      return { kind: isNew ? 'failed' : 'payable', order };
    }
  }
}

/** Timings of the wait for the server's verdict; injectable so tests run in milliseconds. */
export interface WaitSettings {
  /** Give up (and say "we're confirming") after this long in total. */
  totalMs: number;
  /** Longest single long poll; the server accepts at most 25 (ConfigResponse.maxWaitSeconds). */
  maxPollSeconds: number;
  /** Least time between two polls when the server answers early, so nothing spins. */
  minIntervalMs: number;
}

const DEFAULT_WAIT: WaitSettings = { totalMs: 60000, maxPollSeconds: 25, minIntervalMs: 1000 };
let waitSettings: WaitSettings = Object.assign({}, DEFAULT_WAIT);

/** Changes the wait timings (tests); call with no argument to restore the defaults. */
export function configureWait(settings?: Partial<WaitSettings>): void {
  waitSettings = Object.assign({}, DEFAULT_WAIT, settings);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface WaitOptions {
  /** The order as last seen (its status is the first `unlessStatus`). */
  order: Order;
  errorBefore?: PaymentError | null;
  /** Checked between polls; true stops the wait (the page was closed or superseded). */
  isCancelled?: () => boolean;
  /** Called with each fresh copy of the order. */
  onUpdate?: (order: Order) => void;
  /** The page's requests: closing it aborts the long poll in flight. */
  group?: RequestGroup;
}

/**
 * Waits for the server to settle an order after the pay sheet said ok: long polls
 * `GET /api/orders/{id}?waitSeconds=N&unlessStatus=S` until the order is paid, failed, cancelled or
 * expired, or until the total time bound runs out ("pending": still being confirmed).
 */
export function waitForVerdict(options: WaitOptions): Promise<Verdict> {
  const settings = waitSettings;
  const errorBefore = options.errorBefore || null;
  const cancelled = () => !!options.isCancelled && options.isCancelled();
  return getConfig()
    .catch(() => null)
    .then((config) => {
      const maxPoll = Math.max(0, Math.min(settings.maxPollSeconds, config ? config.maxWaitSeconds : 25, 25));
      const deadline = Date.now() + settings.totalMs;
      const poll = (order: Order): Promise<Verdict> => {
        const verdict = classify(order, errorBefore);
        if (verdict.kind !== 'payable' && verdict.kind !== 'pending') return Promise.resolve(verdict);
        const remaining = deadline - Date.now();
        if (remaining <= 0 || cancelled()) return Promise.resolve({ kind: 'pending', order });
        const started = Date.now();
        const waitSeconds = Math.min(maxPoll, Math.floor(remaining / 1000));
        return getOrder(order.id, { waitSeconds, unlessStatus: order.status }, options.group).then((fresh) => {
          if (options.onUpdate) options.onUpdate(fresh);
          const settled = classify(fresh, errorBefore);
          if (settled.kind !== 'payable' && settled.kind !== 'pending') return settled;
          // Always yield to the event loop, even with no pause left, so a fast-answering server cannot starve it.
          const pause = Math.max(0, Math.min(settings.minIntervalMs - (Date.now() - started), deadline - Date.now()));
          return delay(pause).then(() => poll(fresh));
        });
      };
      return poll(options.order);
    });
}
