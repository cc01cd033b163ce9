// The merchant under chaos: refunds of paid orders through the admin API (full and partial, concurrent, double-clicked,
// retried with their Idempotency-Key through faults and restarts) and refunds made in Airwallex's web app.
import { randomUUID } from 'node:crypto';
import { errorCode, request } from './http';
import { GiveUp, persist, type ChaosLedger } from './chaos-shopper';
import type { ApiOrder, Endpoints } from './shopper';

export type RefundPlan = 'full' | 'fullDoubleClicked' | 'partials' | 'webAppAndPartial';

/** The share of each plan among the paid orders the merchant refunds. */
export const REFUND_PLANS: Array<[RefundPlan, number]> = [
  ['full', 0.3],
  ['fullDoubleClicked', 0.15],
  ['partials', 0.35],
  ['webAppAndPartial', 0.2],
];

export function pickRefundPlan(): RefundPlan {
  let roll = Math.random();
  for (const [plan, share] of REFUND_PLANS) {
    if (roll < share) return plan;
    roll -= share;
  }
  return 'full';
}

interface RefundAnswer {
  refund: { id: string; status: string };
}

/**
 * Refunds a paid order as `plan` says; every request is recorded in the ledger (an answer lost for
 * good is status 0). Never throws for expected trouble.
 */
export async function merchantRefunds(api: Endpoints, adminToken: string, order: ApiOrder, ledger: ChaosLedger, plan: RefundPlan = pickRefundPlan()): Promise<void> {
  const total = order.total.amount;
  const some = (share: number) => Math.max(1, Math.floor(total * share));

  /** One refund through the admin API, retried with the same key and body until the server answers (like the console's confirmation page). */
  const adminRefund = async (amount: number | null, key = randomUUID()): Promise<void> => {
    const body = amount === null ? { reason: 'chaos: full refund' } : { amount, reason: 'chaos: partial refund' };
    try {
      const answer = await persist(ledger, 'refund', () =>
        request<RefundAnswer>('POST', `${api.server}/admin/api/orders/${order.id}/refunds`, { body, token: adminToken, headers: { 'idempotency-key': key } }),
      );
      ledger.refundRequests.push({ orderId: order.id, key, amount, status: answer.status, code: errorCode(answer.body), refundId: answer.status === 201 ? answer.body.refund.id : undefined });
    } catch (err) {
      if (!(err instanceof GiveUp)) throw err;
      ledger.refundRequests.push({ orderId: order.id, key, amount, status: 0 });
    }
  };

  switch (plan) {
    case 'full':
      return adminRefund(null);
    case 'fullDoubleClicked': {
      // The same confirmation sent twice at once: one refund, both answers naming it.
      const key = randomUUID();
      await Promise.all([adminRefund(null, key), adminRefund(null, key)]);
      return;
    }
    case 'partials':
      // Two or three at once, each up to 60% of the total: together they may ask for more than was paid.
      await Promise.all(Array.from({ length: 2 + Math.floor(Math.random() * 2) }, () => adminRefund(some(0.05 + Math.random() * 0.55))));
      return;
    case 'webAppAndPartial': {
      // Someone refunds 40% in Airwallex's web app while the console refunds up to 80%.
      const webApp = async () => {
        if (!order.paymentIntentId) return;
        const answer = await request<{ id: string }>('POST', `${api.simulator}/simulator/airwallex/_refunds`, {
          body: { payment_intent_id: order.paymentIntentId, amount: some(0.4) / 100, reason: 'chaos: refunded in the web app' },
        });
        if (answer.status === 201) ledger.externalRefunds.set(answer.body.id, order.id);
      };
      await Promise.all([webApp(), adminRefund(some(0.05 + Math.random() * 0.75))]);
    }
  }
}

/**
 * The operator's re-check of an order refunded in Airwallex's web app (docs/api.md: such a refund arrives by
 * webhook, or when an operator re-checks the order); retried past the 2 s per-order limit until the
 * order shows every web-app refund. Returns whether the server had missed one before.
 */
export async function recheckWebAppRefunds(api: Endpoints, adminToken: string, orderId: string, refundIds: string[]): Promise<{ found: boolean; missedBefore: boolean }> {
  let missedBefore = false;
  for (let attempt = 0; attempt < 7; attempt++) {
    const path = attempt === 0 ? `/admin/api/orders/${orderId}` : `/admin/api/orders/${orderId}/recheck`;
    const answer = await request<{ order: { refunds: Array<{ airwallexRefundId: string | null }> } }>(attempt === 0 ? 'GET' : 'POST', `${api.server}${path}`, { token: adminToken, timeoutMs: 30_000 });
    const known = new Set(answer.status === 200 ? answer.body.order.refunds.map((r) => r.airwallexRefundId) : []);
    if (refundIds.every((id) => known.has(id))) return { found: true, missedBefore };
    if (attempt === 0) missedBefore = true;
    await new Promise((resolve) => setTimeout(resolve, 2_100));
  }
  return { found: false, missedBefore };
}
