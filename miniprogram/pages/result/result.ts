// Result: the order's live status from the server. After the pay sheet said ok it waits for the
// server's verdict (bounded); a cancel is not an error; a failure says why; both offer "Pay again".
import type { ConfigResponse, Order, PaymentError } from '../../../server/contract';
import { errorMessage } from '../../utils/error-message';
import { localize, t } from '../../utils/i18n';
import { confirm, navigateTo, reLaunch, setTitle } from '../../utils/wx-async';
import { getConfig } from '../../services/app-config';
import { cancelOrder, getOrder } from '../../services/orders';
import { classify, payOrder, takePayAttempt, waitForVerdict } from '../../services/payment';
import type { PayAttempt, Verdict } from '../../services/payment';
import { isApiError } from '../../services/request';

/** What the page shows; one of the verdicts, or loading / waiting / error. */
type ViewState = 'loading' | 'waiting' | 'error' | Verdict['kind'];

interface LineView {
  sku: string;
  name: string;
  quantity: number;
  amount: number;
  currency: string;
}

/** Per page instance: the order id, a run counter (a newer check supersedes an older one), whether closed. */
interface ResultState {
  id: string;
  run: number;
  closed: boolean;
  /** The order as last seen. */
  order: Order | null;
  /** The payment error known before the last "ok" from the pay sheet, while that is still being confirmed. */
  confirming: { errorBefore: PaymentError | null } | null;
}

const states = new WeakMap<object, ResultState>();

function strings() {
  return {
    loading: t('result.loading'),
    waiting: t('result.waiting'),
    paid: t('result.paid'),
    paidHint: t('result.paidHint'),
    payable: t('result.payable'),
    payableHint: t('result.payableHint'),
    failed: t('result.failed'),
    pending: t('result.pending'),
    pendingHint: t('result.pendingHint'),
    cancelled: t('result.cancelled'),
    expired: t('result.expired'),
    total: t('result.total'),
    pay: t('result.pay'),
    payAgain: t('result.payAgain'),
    refresh: t('result.refresh'),
    cancelOrder: t('result.cancelOrder'),
    orders: t('result.orders'),
    shop: t('result.shop'),
    retry: t('common.retry'),
  };
}

function safeDecode(value: string | undefined): string {
  if (!value) return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

Component({
  data: {
    text: {} as ReturnType<typeof strings>,
    state: 'loading' as ViewState,
    orderId: '',
    orderLabel: '',
    status: '',
    lines: [] as LineView[],
    total: 0,
    currency: 'CNY',
    precision: 2,
    notice: '',
    reason: '',
    detail: '',
    error: '',
    busy: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      setTitle(t('result.title'));
      const id = safeDecode(query.id);
      states.set(this, { id, run: 0, closed: false, order: null, confirming: null });
      this.setData({ text: strings(), orderId: id, orderLabel: t('result.order', { id }) });
      getConfig().then(
        (config: ConfigResponse) => this.setData({ precision: config.currencyPrecision }),
        () => undefined,
      );
      this.check(takePayAttempt(id));
    },
    onUnload() {
      const state = states.get(this);
      if (state) state.closed = true;
    },
    showOrder(order: Order) {
      const state = states.get(this);
      if (state) state.order = order;
      this.setData({
        status: order.status,
        total: order.total.amount,
        currency: order.total.currency,
        lines: order.items.map((item) => ({
          sku: item.sku,
          name: localize(item.names, item.name),
          quantity: item.quantity,
          amount: item.unitPrice.amount * item.quantity,
          currency: item.unitPrice.currency,
        })),
      });
    },
    /** Shows a verdict; `sheetFailure` is the pay sheet's own failure text, if it failed. */
    showVerdict(verdict: Verdict, extra: { notice?: string; sheetFailure?: string } = {}) {
      this.showOrder(verdict.order);
      let kind = verdict.kind;
      let reason = '';
      let detail = '';
      if (kind === 'payable' && extra.sheetFailure !== undefined) kind = 'failed';
      if (kind === 'failed') {
        reason = errorMessage(verdict.order.lastPaymentError || 'PAYMENT_FAILED');
        if (extra.sheetFailure) detail = t('result.failedDetail', { detail: extra.sheetFailure });
      }
      this.setData({ state: kind, reason, detail, notice: kind === 'payable' ? extra.notice || '' : '', error: '' });
    },
    /** Starts a check; a newer one makes this one's answers stale. */
    begin(): { state: ResultState; run: number; stale: () => boolean } | null {
      const state = states.get(this);
      if (!state) return null;
      state.run += 1;
      const run = state.run;
      return { state, run, stale: () => state.closed || state.run !== run };
    },
    /** Finds out where the order stands, after a pay attempt (`attempt`) or from scratch. */
    async check(attempt: PayAttempt | null, refresh = false) {
      const ctx = this.begin();
      if (!ctx) return;
      const { state, stale } = ctx;
      try {
        if (attempt && attempt.outcome.kind === 'ok') {
          state.confirming = { errorBefore: attempt.errorBefore };
          await this.confirm(attempt.order);
          return;
        }
        this.setData({ state: 'loading', error: '' });
        let order: Order;
        try {
          order = await getOrder(state.id, { refresh });
        } catch (err) {
          // The sheet's own answer still tells the shopper something useful.
          if (!attempt) throw err;
          order = attempt.order;
        }
        if (stale()) return;
        const verdict = classify(order, attempt ? attempt.errorBefore : null);
        if (verdict.kind === 'pending') {
          state.confirming = { errorBefore: attempt ? attempt.errorBefore : order.lastPaymentError };
          await this.confirm(order);
          return;
        }
        if (attempt && attempt.outcome.kind === 'cancel') {
          this.showVerdict(verdict, { notice: t('result.cancelledByShopper') });
        } else if (attempt && attempt.outcome.kind === 'fail') {
          this.showVerdict(verdict, { sheetFailure: attempt.outcome.detail });
        } else {
          this.showVerdict(verdict);
        }
      } catch (err) {
        if (!stale()) this.setData({ state: 'error', error: errorMessage(err) });
      }
    },
    /** Waits (bounded) for the server to settle a payment the sheet reported as made. */
    async confirm(order: Order) {
      const ctx = this.begin();
      if (!ctx) return;
      const { state, stale } = ctx;
      this.showOrder(order);
      this.setData({ state: 'waiting', error: '', notice: '', reason: '', detail: '' });
      try {
        const verdict = await waitForVerdict({
          order,
          errorBefore: state.confirming ? state.confirming.errorBefore : null,
          isCancelled: stale,
          onUpdate: (fresh) => {
            if (!stale()) this.showOrder(fresh);
          },
        });
        if (stale()) return;
        if (verdict.kind !== 'pending') state.confirming = null;
        this.showVerdict(verdict);
      } catch (err) {
        // No answer while confirming is not a verdict: keep the order "being confirmed".
        if (!stale()) this.setData({ state: 'pending', error: errorMessage(err) });
      }
    },
    async onPayTap() {
      const state = states.get(this);
      if (this.data.busy || !state) return;
      this.setData({ busy: true, error: '' });
      try {
        const attempt = await payOrder(state.id);
        takePayAttempt(state.id);
        this.setData({ busy: false });
        await this.check(attempt);
      } catch (err) {
        this.setData({ busy: false, error: errorMessage(err) });
        if (isApiError(err, 'ORDER_NOT_PAYABLE')) this.refreshKeepingError();
      }
    },
    async refreshKeepingError() {
      const error = this.data.error;
      await this.check(null);
      if (this.data.state !== 'error') this.setData({ error });
    },
    onRefreshTap() {
      const state = states.get(this);
      if (!state) return;
      if (state.confirming) {
        // Ask the server to re-check with Airwallex, then keep waiting (bounded) for the verdict.
        const ctx = this.begin();
        this.setData({ state: 'waiting', error: '' });
        getOrder(state.id, { refresh: true }).then(
          (order) => {
            if (ctx && !ctx.stale()) this.confirm(order);
          },
          (err: unknown) => {
            if (ctx && !ctx.stale()) this.setData({ state: 'pending', error: errorMessage(err) });
          },
        );
      } else {
        this.check(null, true);
      }
    },
    async onCancelOrderTap() {
      const state = states.get(this);
      if (this.data.busy || !state) return;
      const yes = await confirm(t('result.cancelTitle'), t('result.cancelConfirm'), t('result.cancelYes'), t('result.cancelNo'));
      if (!yes) return;
      this.setData({ busy: true, error: '' });
      try {
        const order = await cancelOrder(state.id);
        this.begin();
        this.showVerdict(classify(order));
      } catch (err) {
        this.setData({ error: errorMessage(err) });
      }
      this.setData({ busy: false });
    },
    onOrdersTap() {
      navigateTo('/pages/orders/orders');
    },
    onShopTap() {
      reLaunch('/pages/shop/shop');
    },
  },
});
