// The HTTP contract between the mini program and the server. Types only, but for CONTRACT_VERSION and the
// order statuses: the mini program imports them with `import type`, so both sides share one definition and cannot drift.

/**
 * The version of this contract, served as `ConfigResponse.contractVersion`. Raise it when a change
 * needs a newer mini program: a mini program compiled against an older one then asks the shopper to
 * restart into the update. The mini program pins its own copy through `ContractVersion` (a type, so
 * nothing from server/ is bundled): when the two differ, its type check fails.
 */
export const CONTRACT_VERSION = 2;

/** The literal type of CONTRACT_VERSION, for the mini program's compiled-in copy. */
export type ContractVersion = typeof CONTRACT_VERSION;

/** An amount of money in integer minor units (fen for CNY, yen for JPY). */
export interface Money {
  /** Integer minor units: 1250 is ¥12.50 in CNY. Never a float. */
  amount: number;
  /** ISO 4217 code, e.g. "CNY". */
  currency: string;
}

/** The error envelope every non-2xx answer carries. */
export interface ErrorBody {
  error: {
    /** A stable SCREAMING_SNAKE code from server/errors.ts; the mini program maps it to a message. */
    code: string;
    /** For developers, in English. Shoppers see a localised message chosen by `code`. */
    message: string;
    /** The server's request id, to find the request in the logs. */
    requestId: string;
  };
}

/** GET /healthz */
export interface HealthResponse {
  status: 'ok';
}

/** GET /readyz: 200 when ready to take traffic, 503 with the reason otherwise. */
export type ReadyResponse = { status: 'ready' } | { status: 'not_ready'; detail: string };

/** GET /api/config */
export interface ConfigResponse {
  /** "simulator" when the server talks to its embedded Airwallex + WeChat simulator. */
  mode: 'simulator' | 'live';
  /** The currency every product and order is priced in. */
  currency: string;
  /** Digits after the decimal point for `currency` (2 for CNY, 0 for JPY). */
  currencyPrecision: number;
  /** How long an unpaid order stays payable, in seconds. */
  orderLifetimeSeconds: number;
  /** Upper bound the server accepts for `waitSeconds` on GET /api/orders/{id}. */
  maxWaitSeconds: number;
  /** CONTRACT_VERSION of this server; a newer one than the mini program's means it must update. */
  contractVersion: number;
  /**
   * Template ids of the one-time subscription messages this shop sends; absent when the merchant set
   * none (then the mini program never asks). The Pay tap asks `wx.requestSubscribeMessage` for them.
   */
  subscribeTemplates?: SubscribeTemplates;
}

/** Subscription message template ids (priTmplId from the MP console), each absent when not set. */
export interface SubscribeTemplates {
  /** "Payment succeeded", sent once the order is paid. */
  paymentSucceeded?: string;
  /** "Refund succeeded", sent once a refund of the order succeeded. */
  refundSucceeded?: string;
}

export interface Product {
  /** Stable product code; orders refer to products by it. */
  sku: string;
  /** Display name in the request's language (Accept-Language: en… → English, otherwise Chinese). */
  name: string;
  /** Display name in every supported language. */
  names: LocalizedText;
  /** One line about the product, in the request's language (same rule as `name`). */
  description: string;
  /** The one-line description in every supported language. */
  descriptions: LocalizedText;
  /**
   * The product's picture: a path on this server ("/static/products/tea-oolong.png"); the mini
   * program prefixes its API base URL. Served with long-lived cache headers: give a changed picture a new name.
   */
  image: string;
  price: Money;
}

/** Text a shopper reads, in each language the mini program supports. */
export interface LocalizedText {
  zh_CN: string;
  en: string;
}

/** GET /api/products */
export interface ProductsResponse {
  products: Product[];
}

/** POST /api/sessions */
export interface CreateSessionRequest {
  /** The code from a fresh `wx.login`. Single use, valid 5 minutes. */
  code: string;
}

/** 201 answer of POST /api/sessions */
export interface CreateSessionResponse {
  /** Bearer token for the other /api calls. Opaque; keep it in storage, never log it. */
  token: string;
  /** ISO 8601 time after which the token is refused (401) and a new session is needed. */
  expiresAt: string;
}

export interface OrderItemInput {
  sku: string;
  /** A positive integer. */
  quantity: number;
}

/** POST /api/orders; send an `Idempotency-Key` header per checkout. Prices come from the server. */
export interface CreateOrderRequest {
  items: OrderItemInput[];
}

/** POST /api/quote: what these items cost, priced by the server; nothing is created. */
export type QuoteRequest = CreateOrderRequest;

export interface QuoteResponse {
  /** The lines as the order would have them (same skus merged). */
  items: OrderItem[];
  total: Money;
}

/**
 * Where an order stands.
 * - awaiting_payment: payable (also after a cancelled or failed attempt; see `lastPaymentError`)
 * - processing: WeChat accepted the payment, Airwallex has not settled on a final answer yet
 * - paid: final, money taken
 * - cancelled: final, cancelled by the shopper or the merchant
 * - expired: final, not paid within the order's lifetime
 */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Every order status, in the order of an order's life: the one list (schemas, filters, the console's menu read it). */
export const ORDER_STATUSES = ['awaiting_payment', 'processing', 'paid', 'cancelled', 'expired'] as const;

/** Whether each status is final (never changes again): a new status must say, or this does not compile. */
const FINAL: Record<OrderStatus, boolean> = { awaiting_payment: false, processing: false, paid: true, cancelled: true, expired: true };

/** The final statuses (paid, cancelled, expired), from ORDER_STATUSES. */
export const FINAL_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter((status) => FINAL[status]);

/** The open statuses (awaiting_payment, processing): what the sweep watches and the per-shopper limit counts. */
export const OPEN_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter((status) => !FINAL[status]);

export const isFinal = (status: OrderStatus): boolean => FINAL[status];

export interface OrderItem {
  sku: string;
  /** Name in the request's language, as for products. */
  name: string;
  names: LocalizedText;
  quantity: number;
  /** Price of one unit when the order was made. */
  unitPrice: Money;
}

/** Why the last payment attempt did not go through. */
export interface PaymentError {
  /** A stable code: PAYMENT_FAILED, PAYMENT_EXPIRED, PAYMENT_DECLINED, ... */
  code: string;
  /** For developers, in English; shoppers see a localised message chosen by `code`. */
  message: string;
  /** ISO 8601 time of the failure. */
  at: string;
}

/**
 * Where a refund stands: `pending` until the provider accepts it (Airwallex RECEIVED), then
 * `succeeded` (ACCEPTED or SETTLED: the money is on its way back) or `failed`.
 */
export type RefundStatus = 'pending' | 'succeeded' | 'failed';

export interface Refund {
  id: string;
  amount: Money;
  /** Why the merchant refunded, as they typed it; null when they gave no reason. */
  reason: string | null;
  status: RefundStatus;
  createdAt: string;
  updatedAt: string;
}

export interface Order {
  id: string;
  status: OrderStatus;
  items: OrderItem[];
  total: Money;
  /** The Airwallex Payment Intent behind this order (one per order, for its whole life). */
  paymentIntentId: string | null;
  /** Set when the last payment attempt failed; the order stays payable. */
  lastPaymentError: PaymentError | null;
  createdAt: string;
  updatedAt: string;
  /** After this time an unpaid order is cancelled upstream and becomes `expired`. */
  expiresAt: string;
  /** Set once the order is paid. */
  paidAt: string | null;
  /** Refunds of a paid order, oldest first (the order's `status` stays `paid`). */
  refunds: Refund[];
  /** Sum of the `succeeded` refunds; equal to `total` when the order is fully refunded. */
  refundedTotal: Money;
}

/** 201 answer of POST /api/orders, and answer of GET /api/orders/{id} and POST .../cancel */
export interface OrderResponse {
  order: Order;
}

/** GET /api/orders */
export interface OrdersResponse {
  orders: Order[];
}

/** Query of GET /api/orders/{id}: a long poll when `waitSeconds` is set. */
export interface GetOrderQuery {
  /** Wait up to this many seconds (at most 25) for a change. */
  waitSeconds?: number;
  /** Answer as soon as the status differs from this one (or is final). */
  unlessStatus?: OrderStatus;
  /**
   * Wait for refunds instead (also on a paid order): answer as soon as a refund of the order was
   * created or changed after this time (epoch ms; the latest refund `updatedAt` the client has, 0
   * for none), or the status differs from `unlessStatus`.
   */
  refundsSince?: number;
  /** Ask Airwallex now before answering (a Refresh button); the answer is then as fresh as it gets. */
  refresh?: boolean;
}

/**
 * POST /api/orders/{id}/subscriptions, with the shopper's bearer token as on the other order routes:
 * what the shopper answered to `wx.requestSubscribeMessage` for this order's messages.
 */
export interface SubscriptionsRequest {
  /**
   * Template id → the status exactly as WeChat returned it: `accept`, `reject`, `ban`, `filter`, or
   * an `acceptWith…` variant (any status starting with "accept" is consent). Ids the mini program
   * did not ask for are ignored.
   */
  results: Record<string, string>;
}

/** 200 answer of POST /api/orders/{id}/subscriptions. */
export interface SubscriptionsResponse {
  /** The template ids the server will send this order's message for (one message per accept). */
  accepted: string[];
}

/**
 * POST /api/client-errors: a script error or unhandled promise rejection in the mini program, for
 * the server's log. No session and no personal data: no token, no query strings, no order data.
 * Answered 204; 429 when the server's rate limit is reached. The mini program never retries.
 */
export interface ClientErrorReport {
  /** `error` (App.onError) or `rejection` (App.onUnhandledRejection). */
  kind: 'error' | 'rejection';
  /** The error message, at most 300 characters. */
  message: string;
  /** The stack, at most 1500 characters; '' when there is none. */
  stack: string;
  /** The route of the page on top ("pages/result/result"), without its query; '' before any page. */
  route: string;
  /** The mini program's version ("1.2.0"; '' in develop and trial builds). */
  appVersion: string;
  /** "develop", "trial" or "release". */
  envVersion: string;
  /** WeChat's base library version ("3.4.1"). */
  sdkVersion: string;
  /** The CONTRACT_VERSION the mini program was built against. */
  contractVersion: number;
}

/** Exactly the fields `wx.requestPayment` takes, all strings, passed through from Airwallex. */
export interface RequestPaymentParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  /** Absent when Airwallex sends none: never invented, WeChat then applies its own default. */
  signType?: 'MD5' | 'HMAC-SHA256' | 'RSA';
  paySign: string;
}

/** POST /api/orders/{id}/payment */
export interface PaymentResponse {
  order: Order;
  requestPayment: RequestPaymentParams;
}

// ---- Simulator controls (simulator mode only; 404 in live mode) ----

/** POST /simulator/wechat/login */
export interface SimulatorLoginRequest {
  /** A test shopper's name; the same name always gets the same openid. */
  shopper?: string;
}

export interface SimulatorLoginResponse {
  /** What `wx.login` would give that shopper. */
  code: string;
}

/** POST /simulator/wechat/pay: what the shopper does in the WeChat Pay sheet. */
export interface SimulatorPayRequest {
  /** `requestPayment.package` from POST /api/orders/{id}/payment ("prepay_id=..."). */
  package: string;
  outcome: 'pay' | 'cancel' | 'fail';
  /**
   * Sandbox only: what the shopper answered in the simulated subscription panel just before this sheet (template id →
   * accept, reject, …), recorded for the payer of `package` before the sheet's outcome, as WeChat hears the panel's
   * answers itself.
   */
  subscriptions?: Record<string, string>;
}

export interface SimulatorPayResponse {
  /** The exact `wx.requestPayment` result: requestPayment:ok, requestPayment:fail cancel, ... */
  errMsg: string;
}

/**
 * POST /simulator/wechat/_subscriptions: what a shopper did that only WeChat hears of (their answers
 * in `wx.requestSubscribeMessage`'s panel, the main switch in the mini program's settings). The
 * shopper must have logged in (jscode2session) before; neither `shopper` nor `openid` = the default shopper.
 */
export interface SimulatorSubscriptionsRequest {
  shopper?: string;
  openid?: string;
  /** The panel's answers, as `wx.requestSubscribeMessage` gives them: template id → accept, reject, ban, filter, acceptWith…; each accept is one send. */
  results?: Record<string, string>;
  /** Shorthand for `results: { [templateId]: status }`. */
  templateId?: string;
  status?: string;
  /** false: the shopper turned subscription messages off (every send then answers 43101); true: on again. */
  mainSwitch?: boolean;
}

export interface SimulatorSubscriptionsResponse {
  openid: string;
  shopper: string;
  mainSwitch: boolean;
  /** Per template id: sends left, and the last answer given. */
  templates: Record<string, { credits: number; lastStatus: string }>;
}
