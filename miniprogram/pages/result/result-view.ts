// The order page's view model, pure: what the page shows for a state of its machine (result-machine.ts),
// in the shopper's language. The page renders exactly this; tests read it without a page.
import type { ConfigResponse, Product } from '../../../server/contract';
import { errorMessage } from '../../utils/error-message';
import { t } from '../../utils/i18n';
import { formatPrice } from '../../utils/money';
import { formatCountdown, formatDateTime } from '../../utils/text';
import { refundSummary } from '../../services/orders';
import { lineViews } from '../../services/products';
import type { LineView } from '../../services/products';
import type { Model, Phase } from './result-machine';

/** What the view needs besides the model: the server's settings, the catalogue's pictures, the time. */
export interface ViewContext {
  config: ConfigResponse | null;
  products: Product[];
  /** Now, by the phone's clock (the countdown). */
  now: number;
}

/** The page's data. */
export interface ResultView {
  state: Phase;
  /** Native <icon> type and colour. */
  icon: string;
  iconColor: string;
  headline: string;
  hint: string;
  hintClass: string;
  /** Set after the shopper closed the pay sheet: the button then says Pay again. */
  notice: string;
  /** A line under the verdict: a failed pay or cancel, no answer while confirming. */
  error: string;
  busy: boolean;
  orderId: string;
  /** The status badge ('' until the order is known). */
  status: string;
  /** The Airwallex payment intent id a support agent asks for ('' before the first payment). */
  paymentRef: string;
  /** Offer the customer service chat among the actions (a failed payment, an expired order). */
  contact: boolean;
  lines: LineView[];
  total: number;
  currency: string;
  precision: number;
  created: string;
  paidTime: string;
  refunded: string;
  refundPending: string;
  countdown: string;
}

/** Native <icon> type and colour per state, as in WeUI's result pages. */
const ICONS: Record<string, [string, string]> = {
  paid: ['success', ''],
  payable: ['info', ''],
  failed: ['warn', ''],
  pending: ['waiting', ''],
  cancelled: ['cancel', '#b2b2b2'],
  expired: ['cancel', '#b2b2b2'],
  error: ['warn', '#fa9d3b'],
};

/** The page's fixed texts in the current language. */
export function strings() {
  return {
    loading: t('result.loading'),
    waiting: t('result.waiting'),
    total: t('common.total'),
    pay: t('result.pay'),
    payAgain: t('result.payAgain'),
    refresh: t('result.refresh'),
    cancelOrder: t('result.cancelOrder'),
    orders: t('result.orders'),
    shop: t('result.shop'),
    done: t('result.done'),
    retry: t('common.retry'),
    orderNo: t('result.orderNo'),
    copy: t('result.copy'),
    created: t('result.created'),
    paidAt: t('result.paidAt'),
    paymentRef: t('result.paymentRef'),
    contact: t('result.contact'),
    privacyTitle: t('privacy.title'),
    privacyBody: t('privacy.body'),
    privacyGuide: t('privacy.guide'),
    privacyAgree: t('privacy.agree'),
    privacyDisagree: t('privacy.disagree'),
  };
}

/** What the page shows for `m`. */
export function view(m: Model, ctx: ViewContext): ResultView {
  const order = m.order;
  const phase = m.phase;
  const refunds = order ? refundSummary(order) : { refunded: 0, pending: 0, full: false };
  const money = (amount: number) => formatPrice({ amount, currency: order ? order.total.currency : 'CNY' }, ctx.config);
  const refunded = refunds.refunded > 0 ? t('refund.done', { amount: money(refunds.refunded) }) : '';
  const refundPending = refunds.pending > 0 ? t('refund.pending', { amount: money(refunds.pending) }) : '';
  const sheet = m.sheet;
  let headline = '';
  let hint = '';
  let hintClass = '';
  let icon = ICONS[phase] || ['', ''];
  if (phase === 'error') {
    headline = errorMessage(m.failure);
  } else if (phase === 'paid' && refunds.full) {
    // A fully refunded order is no success to celebrate: say what came back.
    headline = t('result.refunded');
    hint = refunded;
    hintClass = 'refund-hint';
    icon = ['info', '#b2b2b2'];
  } else if (phase !== 'loading' && phase !== 'waiting') {
    // "Payment successful" and thanks only for a payment made on this visit; an old order is just paid.
    headline = t(phase === 'paid' && !m.attempted ? 'result.paidEarlier' : (`result.${phase}` as 'result.paid'));
    if (phase === 'failed') {
      // The reason in the shopper's words; what the pay sheet said is developer English, never shown.
      hint = errorMessage((order && order.lastPaymentError) || 'PAYMENT_FAILED');
      hintClass = 'reason';
    } else if (phase === 'payable' && sheet && sheet.kind === 'cancel') {
      hint = t('result.cancelledByShopper');
      hintClass = 'shopper-cancel';
    } else if (phase === 'paid' && (refunded || refundPending)) {
      // Opened later from the orders: what came back matters more than the thanks.
      hint = [refunded, refundPending].filter(Boolean).join(' · ');
      hintClass = 'refund-hint';
    } else if (phase !== 'paid' || m.attempted) {
      hint = t(phase === 'paid' ? 'result.paidHint' : phase === 'payable' ? 'result.payableHint' : phase === 'pending' ? 'result.pendingHint' : 'result.closedHint');
    }
  }
  const expires = order ? Date.parse(order.expiresAt) : 0;
  // No countdown once the time is up by this phone's clock: the server has the last word.
  const counting = !!order && order.status === 'awaiting_payment' && !m.closed && !m.hidden && expires > ctx.now;
  // While a payment is being confirmed the order is not "awaiting payment" to the shopper, whatever the
  // server's status says until the verdict.
  const confirming = (phase === 'waiting' || phase === 'pending') && !!order && order.status === 'awaiting_payment';
  return {
    state: phase,
    icon: icon[0],
    iconColor: icon[1],
    headline,
    hint,
    hintClass,
    notice: phase === 'payable' && hintClass === 'shopper-cancel' ? hint : '',
    error: m.error && phase !== 'error' ? errorMessage(m.error) : '',
    busy: m.busy,
    orderId: m.id,
    status: order ? (confirming ? 'processing' : order.status === 'paid' && refunds.full ? 'refunded' : order.status) : '',
    paymentRef: (order && order.paymentIntentId) || '',
    contact: phase === 'failed' || phase === 'expired',
    lines: order ? lineViews(order.items, ctx.products) : [],
    total: order ? order.total.amount : 0,
    currency: order ? order.total.currency : 'CNY',
    precision: ctx.config ? ctx.config.currencyPrecision : 2,
    created: order ? formatDateTime(order.createdAt) : '',
    paidTime: order && order.paidAt ? formatDateTime(order.paidAt) : '',
    refunded,
    refundPending,
    countdown: counting && order ? t('result.payWithin', { time: formatCountdown(order.expiresAt, ctx.now) }) : '',
  };
}
