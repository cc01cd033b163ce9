// Checkout: the cart's items and the server's total, and one Pay button that locks while busy. Pay
// asks for the shop's subscription messages (from the tap itself, never waiting for the answer),
// creates the order once per checkout (Idempotency-Key), then pays it; the result page takes over.
// Leaving the page (Back) while Pay is in flight stops there: no pay sheet, no redirect.
import type { ConfigResponse, Money, Order, OrderItem } from '../../../server/contract';
import { errorMessage } from '../../utils/error-message';
import { t } from '../../utils/i18n';
import { formatPrice } from '../../utils/money';
import { newIdempotencyKey, withQuery } from '../../utils/text';
import { back, redirectTo, setTitle } from '../../utils/wx-async';
import { getConfig } from '../../services/app-config';
import type { CartLine } from '../../services/cart';
import { cartTotal, clearCart, getCart } from '../../services/cart';
import { createOrder, quoteItems } from '../../services/orders';
import { payOrder } from '../../services/payment';
import { askSubscriptions, sendSubscriptions } from '../../services/subscriptions';
import { lineViews } from '../../services/products';
import type { LineView } from '../../services/products';

/** Per page instance: the checkout's idempotency key, its cart, the order once created, whether closed. */
interface CheckoutState {
  key: string;
  lines: CartLine[];
  order: Order | null;
  config: ConfigResponse | null;
  closed: boolean;
}

const states = new WeakMap<object, CheckoutState>();

function strings() {
  return {
    empty: t('checkout.empty'),
    backToShop: t('checkout.backToShop'),
    total: t('common.total'),
    paying: t('checkout.paying'),
    loading: t('common.loading'),
  };
}

Component({
  data: {
    text: {} as ReturnType<typeof strings>,
    loading: true,
    empty: false,
    lines: [] as LineView[],
    currency: 'CNY',
    precision: 2,
    total: 0,
    payLabel: '',
    paying: false,
    error: '',
  },
  methods: {
    onLoad() {
      setTitle(t('checkout.title'));
      const lines = getCart();
      states.set(this, { key: newIdempotencyKey(Date.now()), lines, order: null, config: null, closed: false });
      this.setData({
        text: strings(),
        empty: lines.length === 0,
        lines: lineViews(
          lines.map((l) => ({ sku: l.product.sku, name: l.product.name, names: l.product.names, quantity: l.quantity, unitPrice: l.product.price })),
          lines.map((l) => l.product),
        ),
        total: cartTotal(lines),
        currency: lines.length ? lines[0].product.price.currency : 'CNY',
      });
      this.loadQuote(lines);
    },
    onUnload() {
      const state = states.get(this);
      if (state) state.closed = true;
    },
    /** The configuration, and the total as the server computes it (POST /api/quote). */
    loadQuote(lines: CartLine[]) {
      const items = lines.map((l) => ({ sku: l.product.sku, quantity: l.quantity }));
      Promise.all([getConfig(), items.length ? quoteItems(items) : null])
        .then(
          (both) => {
            const state = states.get(this);
            if (state) state.config = both[0];
            this.setData({ loading: false, precision: both[0].currencyPrecision, currency: both[0].currency });
            if (both[1]) this.showLines(both[1].items, both[1].total);
          },
          (err: unknown) => this.setData({ loading: false, error: errorMessage(err) }),
        )
        .then(() => this.updatePayLabel());
    },
    /** Shows the lines and total the server computed (a quote, then the order). */
    showLines(items: OrderItem[], total: Money) {
      const state = states.get(this);
      const products = state ? state.lines.map((l) => l.product) : [];
      this.setData({
        lines: lineViews(items, products),
        total: total.amount,
        currency: total.currency,
      });
    },
    updatePayLabel() {
      const state = states.get(this);
      const amount = formatPrice({ amount: this.data.total, currency: this.data.currency }, state ? state.config : null);
      this.setData({ payLabel: t('checkout.pay', { amount }) });
    },
    onPayTap() {
      const state = states.get(this);
      // A disabled button still fires bindtap in WeChat, and setData updates this.data at once: this
      // check is the lock (a second tap in the same tick already sees paying).
      if (this.data.paying || this.data.loading || !state || state.lines.length === 0) return;
      // Then first, before anything asynchronous: WeChat opens its subscription panel only from the tap
      // itself. The answer goes to the server once the order exists; it never holds up the payment.
      const answers = askSubscriptions(state.order ? state.order.id : undefined);
      this.setData({ paying: true, error: '' });
      const items = state.lines.map((l) => ({ sku: l.product.sku, quantity: l.quantity }));
      const ordered = state.order
        ? Promise.resolve(state.order)
        : createOrder(items, state.key).then((order) => {
            state.order = order;
            if (!state.closed) {
              clearCart();
              // From here on the lines and total shown are the order's own.
              this.showLines(order.items, order.total);
              this.updatePayLabel();
            }
            return order;
          });
      ordered
        .then((order) => {
          sendSubscriptions(order.id, answers);
          return state.closed ? null : payOrder(order.id, () => state.closed);
        })
        .then(
          (attempt) => {
            // Whatever the sheet said, the result page asks the server what really happened.
            if (attempt && !state.closed) redirectTo(withQuery('/pages/result/result', { id: attempt.order.id }));
          },
          (err: unknown) => {
            if (!state.closed) this.setData({ paying: false, error: errorMessage(err) });
          },
        );
    },
    onBackTap() {
      back();
    },
  },
});
