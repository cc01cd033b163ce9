// Types shared by the simulator's parts: fault settings, counters, and the Airwallex objects it serves.

/**
 * The Airwallex endpoints the simulator serves; faults and counters are kept per endpoint. The
 * unprefixed ones are the Payment Intent endpoints; `ft_` are the financial transactions (both paths);
 * `webhook_list` is List all Webhooks (what the go-live doctor reads).
 */
export type AirwallexEndpoint =
  | 'login' | 'create' | 'confirm' | 'retrieve' | 'cancel' | 'list'
  | 'refund_create' | 'refund_retrieve' | 'refund_list'
  | 'ft_list' | 'ft_retrieve' | 'settlement_list' | 'settlement_retrieve'
  | 'webhook_list';

export const AIRWALLEX_ENDPOINTS: readonly AirwallexEndpoint[] = [
  'login', 'create', 'confirm', 'retrieve', 'cancel', 'list', 'refund_create', 'refund_retrieve', 'refund_list',
  'ft_list', 'ft_retrieve', 'settlement_list', 'settlement_retrieve', 'webhook_list',
];

/** The simulated WeChat APIs of the token and message side (jscode2session is counted on its own). */
export type WechatApi = 'token' | 'stable_token' | 'send' | 'gettemplate';

export const WECHAT_APIS: readonly WechatApi[] = ['token', 'stable_token', 'send', 'gettemplate'];

/** Error rates for one endpoint; each replaces the global rate of the same name for that endpoint. */
export interface EndpointFaults {
  errorRate5xx?: number;
  errorRate429?: number;
  timeoutRate?: number;
}

/** Failure injection. Rates are probabilities in [0, 1]; durations are milliseconds. */
export interface FaultSettings {
  /** Added to every Airwallex and WeChat API answer (not to the /simulator controls). */
  latencyMs: number;
  /** Answer 500/502/503 `internal_error` without applying the operation. */
  errorRate5xx: number;
  /** Answer 429 `too_many_requests` without applying the operation. */
  errorRate429: number;
  /** Apply the operation, then hold the answer and drop the connection: the client sees a lost response. */
  timeoutRate: number;
  /** How long a "timeout" holds the connection before dropping it (sooner if the client disconnects). */
  timeoutHoldMs: number;
  /** Per-endpoint overrides of the three rates above. */
  endpoints: Partial<Record<AirwallexEndpoint, EndpointFaults>>;
  /** Share of webhook events never delivered. */
  webhookDropRate: number;
  /** Share of webhook events delivered twice (same event id). */
  webhookDuplicateRate: number;
  /** Share of webhook events held back until a later event of the same intent has been delivered (2 s at most). */
  webhookReorderRate: number;
  /** Delay before the first delivery attempt of every webhook event. */
  webhookDelayMs: number;
  /** Share of jscode2session calls answered `{errcode:-1, errmsg:"system error"}`. */
  wechatBusyRate: number;
  /** Share of refunds that end FAILED (insufficient balance) instead of ACCEPTED; decided when a refund leaves RECEIVED. */
  refundFailRate: number;
  /** Typical wait from RECEIVED to ACCEPTED (or FAILED); each refund waits between half and 1.5 times this. */
  refundAcceptDelayMs: number;
  /** Typical wait from ACCEPTED to SETTLED; each refund waits between half and 1.5 times this. */
  refundSettleDelayMs: number;
  /** Seed of the PRNG that decides faults; undefined = random. Setting it restarts the sequence. */
  seed?: number;
}

export interface SimulatorStats {
  airwallex: {
    /** Calls received per endpoint, including the ones answered with an injected fault. */
    calls: Record<AirwallexEndpoint, number>;
    /** Answers per HTTP status code ("201": 3, ...), Airwallex endpoints only. */
    statusCodes: Record<string, number>;
    /** Injected faults: answers replaced by 5xx/429, and answers lost to a timeout. */
    faults: { '5xx': number; '429': number; timeout: number };
  };
  wechat: {
    jscode2session: number;
    /** jscode2session answers per errcode ("0" for success). */
    errcodes: Record<string, number>;
    /** Per API of the token and message side: calls received, and answers per errcode ("0" for success). */
    apis: Record<WechatApi, { calls: number; errcodes: Record<string, number> }>;
    /** Access tokens minted: by /cgi-bin/token, by /cgi-bin/stable_token (forced ones included), and of those forced. */
    tokensIssued: { token: number; stable_token: number; forced: number };
  };
  webhooks: {
    /** HTTP attempts made (first tries and retries). */
    sent: number;
    /** Attempts answered 200. */
    delivered: number;
    /** Attempts answered otherwise, or that failed on the network (each is retried). */
    failed: number;
    /** Events never delivered because of `webhookDropRate`. */
    dropped: number;
    /** Events queued twice because of `webhookDuplicateRate`. */
    duplicated: number;
    /** Events held back because of `webhookReorderRate`. */
    reordered: number;
    /** Deliveries still queued (including the ones waiting for a retry). */
    pending: number;
  };
  /** Refunds in the simulator's database (ground truth: not reset by resetStats). */
  refunds: {
    total: number;
    /** Per status ("RECEIVED": 1, "SETTLED": 3, ...); statuses with no refund are left out. */
    byStatus: Record<string, number>;
  };
}

/** `payment_method` of a payment attempt, as the simulator reports it. */
export interface AttemptPaymentMethod {
  type: 'wechatpay';
  wechatpay: { flow: string };
}

export interface PaymentAttempt {
  id: string;
  amount: number;
  currency: string;
  payment_intent_id: string;
  merchant_order_id: string;
  payment_method: AttemptPaymentMethod;
  status: string;
  captured_amount: number;
  /** Sum of the attempt's refunds that are not FAILED. */
  refunded_amount?: number;
  failure_code?: string;
  failure_details?: { code: string; message: string };
  settle_via?: string;
  provider_transaction_id?: string;
  created_at: string;
  updated_at: string;
}

export interface NextAction {
  type: string;
  data?: Record<string, string>;
}

/** A Payment Intent as the simulator serves it (fields the simulator does not use are echoed as given). */
export interface PaymentIntent {
  id: string;
  request_id: string;
  amount: number;
  currency: string;
  merchant_order_id: string;
  status: string;
  captured_amount: number;
  client_secret: string;
  descriptor?: string;
  metadata?: Record<string, string>;
  order?: Record<string, unknown>;
  return_url?: string;
  customer_id?: string;
  merchant_website_url?: string;
  payment_method_options?: Record<string, unknown>;
  next_action?: NextAction;
  latest_payment_attempt?: PaymentAttempt;
  cancelled_at?: string;
  cancellation_reason?: string;
  created_at: string;
  updated_at: string;
}

/** A Refund as the simulator serves it (components/schemas/Refund). */
export interface Refund {
  id: string;
  request_id: string;
  payment_intent_id: string;
  payment_attempt_id: string;
  /** Major units, like every Airwallex amount. */
  amount: number;
  currency: string;
  reason?: string;
  metadata?: Record<string, string>;
  /** RECEIVED, ACCEPTED, SETTLED or FAILED: a described string in the spec, not an enum. */
  status: string;
  /** Only when FAILED. */
  failure_details?: { code: string; message: string };
  created_at: string;
  updated_at: string;
}

/** The body of a webhook delivery. */
export interface WebhookEvent {
  id: string;
  name: string;
  account_id: string;
  data: { object: PaymentIntent | PaymentAttempt | Refund };
  created_at: string;
  version: string;
}
