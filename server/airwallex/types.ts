// The parts of Airwallex's Payment Intent wire format this server reads (docs/reference/airwallex.md §2–§4).

export interface AirwallexPaymentAttempt {
  id: string;
  status: string;
  failure_code?: string;
  failure_details?: { code?: string; message?: string; trace_id?: string };
  created_at?: string;
  updated_at?: string;
}

export interface AirwallexNextAction {
  type?: string;
  data?: Record<string, unknown>;
  url?: string;
}

export interface AirwallexPaymentIntent {
  id: string;
  request_id?: string;
  /** Major units (12.5 for ¥12.50). */
  amount: number;
  currency: string;
  merchant_order_id?: string;
  /** Not an enum upstream: unknown values must be tolerated. */
  status: string;
  captured_amount?: number;
  next_action?: AirwallexNextAction | null;
  latest_payment_attempt?: AirwallexPaymentAttempt | null;
  cancellation_reason?: string;
  cancelled_at?: string;
  created_at: string;
  updated_at: string;
}

/** A Refund (docs/reference/airwallex.md §5; SPEC `Refund`). */
export interface AirwallexRefund {
  id: string;
  request_id?: string;
  payment_intent_id?: string;
  payment_attempt_id?: string;
  /** Major units. */
  amount: number;
  currency: string;
  reason?: string;
  /** A described string, not an enum: RECEIVED, ACCEPTED, SETTLED, FAILED (and others). */
  status: string;
  failure_details?: { code?: string; message?: string } | null;
  metadata?: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export interface AirwallexWebhookEvent {
  id: string;
  name: string;
  account_id?: string;
  /** Older payloads spell it this way. */
  accountId?: string;
  data?: { object?: Record<string, unknown> };
  created_at?: string;
  version?: string;
}

/** Airwallex's error body (docs/reference/airwallex.md §7). */
export interface AirwallexErrorBody {
  code?: string;
  message?: string;
  source?: string;
  trace_id?: string;
}
