// The order page: the payment result and the order's details (items, total, refunds, number, times,
// a countdown while unpaid). The server decides: after the pay sheet said ok it waits for the server's
// verdict (bounded long polls); a cancel is not an error; a failure says why; both offer Pay again.
// Closing the page aborts its requests; coming back from the background checks again.
import type { ConfigResponse, Order, PaymentError, Product } from '../../../server/contract';
import { errorMessage } from '../../utils/error-message';
import { t } from '../../utils/i18n';
import { formatPrice } from '../../utils/money';
import { formatCountdown, formatDateTime } from '../../utils/text';
import { confirm, copy, setTitle, switchTab } from '../../utils/wx-async';
import { getConfig } from '../../services/app-config';
import { cancelOrder, getOrder, refundSummary } from '../../services/orders';
import { classify, payOrder, takePayAttempt, waitForVerdict } from '../../services/payment';
import type { PayAttempt, Verdict } from '../../services/payment';
import { knownProducts, lineViews } from '../../services/products';
import type { LineView } from '../../services/products';
import { closeGroup, isApiError, requestGroup } from '../../services/request';
import type { RequestGroup } from '../../services/request';

/** What the page shows; one of the verdicts, or loading / waiting / error. */
type ViewState = 'loading' | 'waiting' | 'error' | Verdict['kind'];

/** Per page instance: the order id, a run counter (a newer check supersedes an older one), lifecycle flags. */
interface ResultState {
  id: string;
  run: number;
  closed: boolean;
  hidden: boolean;
  /** The order as last seen. */
  order: Order | null;
  /** The payment error known before the last "ok" from the pay sheet, while that is still being confirmed. */
  confirming: { errorBefore: PaymentError | null } | null;
  /** This page's requests, aborted when it closes. */
  group: RequestGroup;
  products: Product[];
  config: ConfigResponse | null;
  countdown: ReturnType<typeof setInterval> | null;
}

const states = new WeakMap<object, ResultState>();

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

function strings() {
  return {
    loading: t('result.loading'),
    waiting: t('result.waiting'),
    total: t('result.total'),
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
  };
}

function safeDecode(value: string | undefined): string {
  if (!value) return '';
  try {
    return decodeURIComponent(value);
  } catch (err) {
    return value;
  }
}

Component({
  data: {
    text: {} as ReturnType<typeof strings>,
    state: 'loading' as ViewState,
    icon: '',
    iconColor: '',
    headline: '',
    hint: '',
    hintClass: '',
    orderId: '',
    status: '',
    lines: [] as LineView[],
    total: 0,
    currency: 'CNY',
    precision: 2,
    created: '',
    paidTime: '',
    refunded: '',
    refundPending: '',
    countdown: '',
    notice: '',
    detail: '',
    error: '',
    busy: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      setTitle(t('result.title'));
      const id = safeDecode(query.id);
      const state: ResultState = {
        id,
        run: 0,
        closed: false,
        hidden: false,
        order: null,
        confirming: null,
        group: requestGroup(),
        products: [],
        config: null,
        countdown: null,
      };
      states.set(this, state);
      this.setData({ text: strings(), orderId: id });
      getConfig().then(
        (config) => {
          state.config = config;
          this.setData({ precision: config.currencyPrecision });
          if (state.order) this.showOrder(state.order);
        },
        () => undefined,
      );
      knownProducts().then(
        (products) => {
          state.products = products;
          if (state.order) this.showOrder(state.order);
        },
        () => undefined,
      );
      this.check(takePayAttempt(id), false);
    },
    onUnload() {
      const state = states.get(this);
      if (!state) return;
      state.closed = true;
      this.stopCountdown();
      // A long poll must not outlive its page (RequestTask.abort).
      closeGroup(state.group);
    },
    onHide() {
      const state = states.get(this);
      if (state) state.hidden = true;
      this.stopCountdown();
    },
    onShow() {
      const state = states.get(this);
      if (!state || !state.hidden) return;
      state.hidden = false;
      // The pay sheet itself hides and shows the page: the payment flow carries on by itself.
      if (this.data.busy) return;
      // WeChat cuts requests off about 5 s after the app goes to the background: start afresh.
      closeGroup(state.group);
      state.group = requestGroup();
      if (state.confirming) this.refreshAndConfirm(false);
      else this.check(null, false);
    },
    showOrder(order: Order) {
      const state = states.get(this);
      if (!state) return;
      state.order = order;
      const refunds = refundSummary(order);
      const money = (amount: number) => formatPrice({ amount, currency: order.total.currency }, state.config);
      this.setData({
        status: order.status === 'paid' && refunds.full ? 'refunded' : order.status,
        total: order.total.amount,
        currency: order.total.currency,
        lines: lineViews(order.items, state.products),
        created: formatDateTime(order.createdAt),
        paidTime: order.paidAt ? formatDateTime(order.paidAt) : '',
        refunded: refunds.refunded > 0 ? t('refund.done', { amount: money(refunds.refunded) }) : '',
        refundPending: refunds.pending > 0 ? t('refund.pending', { amount: money(refunds.pending) }) : '',
      });
      this.startCountdown();
    },
    /** Ticks "Pay within mm:ss" while the order is unpaid and on screen; checks again when time is up. */
    startCountdown() {
      const state = states.get(this);
      if (!state) return;
      this.stopCountdown();
      const order = state.order;
      const expires = order ? Date.parse(order.expiresAt) : 0;
      // No countdown once the time is up by this phone's clock: the server has the last word.
      if (!order || order.status !== 'awaiting_payment' || state.closed || state.hidden || !(expires > Date.now())) {
        this.setData({ countdown: '' });
        return;
      }
      const tick = () => {
        this.setData({ countdown: t('result.payWithin', { time: formatCountdown(order.expiresAt, Date.now()) }) });
        if (expires <= Date.now()) {
          this.stopCountdown();
          if (!this.data.busy) this.check(null, false);
        }
      };
      tick();
      state.countdown = setInterval(tick, 1000);
    },
    stopCountdown() {
      const state = states.get(this);
      if (state && state.countdown !== null) {
        clearInterval(state.countdown);
        state.countdown = null;
      }
    },
    /** Shows a verdict; `sheetFailure` is the pay sheet's own failure text, if it failed. */
    showVerdict(verdict: Verdict, notice?: string, sheetFailure?: string) {
      this.showOrder(verdict.order);
      let kind = verdict.kind;
      let hint = '';
      let hintClass = '';
      let detail = '';
      if (kind === 'payable' && sheetFailure !== undefined) kind = 'failed';
      if (kind === 'failed') {
        hint = errorMessage(verdict.order.lastPaymentError || 'PAYMENT_FAILED');
        hintClass = 'reason';
        if (sheetFailure) detail = t('result.failedDetail', { detail: sheetFailure });
      } else if (kind === 'payable' && notice) {
        hint = notice;
        hintClass = 'shopper-cancel';
      } else if (kind === 'paid' && (this.data.refunded || this.data.refundPending)) {
        // Opened later from the orders: what came back matters more than the thanks.
        hint = [this.data.refunded, this.data.refundPending].filter(Boolean).join(' · ');
        hintClass = 'refund-hint';
      } else {
        hint = t(kind === 'paid' ? 'result.paidHint' : kind === 'payable' ? 'result.payableHint' : kind === 'pending' ? 'result.pendingHint' : 'result.closedHint');
      }
      this.setData({
        state: kind,
        icon: ICONS[kind][0],
        iconColor: ICONS[kind][1],
        headline: t(`result.${kind}` as 'result.paid'),
        hint,
        hintClass,
        detail,
        notice: kind === 'payable' && notice ? notice : '',
        error: '',
      });
    },
    showError(err: unknown) {
      this.setData({ state: 'error', icon: ICONS.error[0], iconColor: ICONS.error[1], headline: errorMessage(err), hint: '', detail: '', error: '' });
    },
    /** Starts a check; a newer one makes this one's answers stale. */
    begin(): { state: ResultState; stale: () => boolean } | null {
      const state = states.get(this);
      if (!state) return null;
      state.run += 1;
      const run = state.run;
      return { state, stale: () => state.closed || state.run !== run };
    },
    /** Finds out where the order stands, after a pay attempt (`attempt`) or from scratch. */
    check(attempt: PayAttempt | null, refresh: boolean): Promise<void> {
      const ctx = this.begin();
      if (!ctx) return Promise.resolve();
      const state = ctx.state;
      const stale = ctx.stale;
      if (attempt && attempt.outcome.kind === 'ok') {
        state.confirming = { errorBefore: attempt.errorBefore };
        return this.confirm(attempt.order);
      }
      if (!state.order) this.setData({ state: 'loading', error: '' });
      return getOrder(state.id, { refresh }, state.group)
        .catch((err: unknown) => {
          // The sheet's own answer still tells the shopper something useful.
          if (!attempt) throw err;
          return attempt.order;
        })
        .then((order) => {
          if (stale()) return undefined;
          const verdict = classify(order, attempt ? attempt.errorBefore : null);
          if (verdict.kind === 'pending') {
            state.confirming = { errorBefore: attempt ? attempt.errorBefore : order.lastPaymentError };
            return this.confirm(order);
          }
          const outcome = attempt ? attempt.outcome : null;
          if (outcome && outcome.kind === 'cancel') this.showVerdict(verdict, t('result.cancelledByShopper'));
          else if (outcome && outcome.kind === 'fail') this.showVerdict(verdict, '', outcome.detail);
          else this.showVerdict(verdict);
          return undefined;
        })
        .catch((err: unknown) => {
          if (!stale()) this.showError(err);
        });
    },
    /** Waits (bounded) for the server to settle a payment the sheet reported as made. */
    confirm(order: Order): Promise<void> {
      const ctx = this.begin();
      if (!ctx) return Promise.resolve();
      const state = ctx.state;
      const stale = ctx.stale;
      this.showOrder(order);
      this.setData({ state: 'waiting', error: '', notice: '', detail: '' });
      return waitForVerdict({
        order,
        errorBefore: state.confirming ? state.confirming.errorBefore : null,
        isCancelled: stale,
        onUpdate: (fresh) => {
          if (!stale()) this.showOrder(fresh);
        },
        group: state.group,
      }).then(
        (verdict) => {
          if (stale()) return;
          if (verdict.kind !== 'pending') state.confirming = null;
          this.showVerdict(verdict);
        },
        (err: unknown) => {
          if (stale()) return;
          // No answer while confirming is not a verdict: keep the order "being confirmed".
          this.showVerdict({ kind: 'pending', order: state.order || order });
          this.setData({ error: errorMessage(err) });
        },
      );
    },
    /** Reads the order (asking Airwallex first with `refresh`), then keeps waiting for the verdict. */
    refreshAndConfirm(refresh: boolean) {
      const ctx = this.begin();
      if (!ctx) return;
      const state = ctx.state;
      this.setData({ state: 'waiting', error: '' });
      getOrder(state.id, { refresh }, state.group).then(
        (order) => {
          if (!ctx.stale()) this.confirm(order);
        },
        (err: unknown) => {
          if (ctx.stale()) return;
          this.showVerdict({ kind: 'pending', order: state.order! });
          this.setData({ error: errorMessage(err) });
        },
      );
    },
    onPayTap() {
      const state = states.get(this);
      // A disabled button still fires bindtap in WeChat: busy is the lock.
      if (this.data.busy || !state) return;
      this.setData({ busy: true, error: '' });
      payOrder(state.id, () => state.closed).then(
        (attempt) => {
          takePayAttempt(state.id);
          this.setData({ busy: false });
          if (attempt && !state.closed) this.check(attempt, false);
        },
        (err: unknown) => {
          this.setData({ busy: false, error: errorMessage(err) });
          if (isApiError(err, 'ORDER_NOT_PAYABLE')) this.refreshKeepingError();
        },
      );
    },
    refreshKeepingError() {
      const error = this.data.error;
      this.check(null, false).then(() => {
        if (this.data.state !== 'error') this.setData({ error });
      });
    },
    onRefreshTap() {
      const state = states.get(this);
      if (!state) return;
      // Ask the server to re-check with Airwallex first.
      if (state.confirming && state.order) this.refreshAndConfirm(true);
      else this.check(null, true);
    },
    onCancelOrderTap() {
      const state = states.get(this);
      if (this.data.busy || !state) return;
      confirm(t('result.cancelTitle'), t('result.cancelConfirm'), t('result.cancelYes'), t('result.cancelNo')).then((yes) => {
        if (!yes || state.closed) return;
        this.setData({ busy: true, error: '' });
        cancelOrder(state.id)
          .then(
            (order) => {
              this.begin();
              this.showVerdict(classify(order));
            },
            (err: unknown) => this.setData({ error: errorMessage(err) }),
          )
          .then(() => this.setData({ busy: false }));
      });
    },
    onCopyTap() {
      copy(this.data.orderId);
    },
    onOrdersTap() {
      switchTab('/pages/orders/orders');
    },
    onShopTap() {
      switchTab('/pages/shop/shop');
    },
  },
});
