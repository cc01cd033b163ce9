// Refunds: a refund as stored. Refunds belong to their order's aggregate: written by updateOrder, read with the order.
import type { RefundStatus } from '../../contract';

/** A refund of an order, as stored; amounts in the order's currency, integer minor units. */
export interface RefundRecord {
  /** Ours (`ref_…`); Airwallex's (`rfd_…`) is `airwallexRefundId`. */
  id: string;
  orderId: string;
  /** Null until Airwallex confirmed the creation. */
  airwallexRefundId: string | null;
  /** The request_id of the create call: stored before the call, so a retry can never refund twice. */
  requestId: string;
  amount: number;
  currency: string;
  reason: string | null;
  status: RefundStatus;
  /** Airwallex's last known refund status, verbatim (RECEIVED, ACCEPTED, SETTLED, FAILED, ...). */
  airwallexStatus: string | null;
  /** Airwallex's `updated_at` of the last snapshot applied. */
  airwallexUpdatedAt: number | null;
  failure: { code: string; message: string } | null;
  /** `admin`: made through our admin API; `airwallex`: found at Airwallex (e.g. made in its web app). */
  origin: 'admin' | 'airwallex';
  /** Who asked for it (an admin token fingerprint); null for refunds found at Airwallex. */
  createdBy: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: number;
  updatedAt: number;
}
