// Checkout: the cart's items and total, and one Pay button that locks while busy. Pay creates the
// order once per checkout (Idempotency-Key), then pays it; the result page takes over from there.
import type { ConfigResponse, Money, Order, OrderItem } from '../../../server/contract';
import { errorMessage } from '../../utils/error-message';
import { localize, t } from '../../utils/i18n';
import { formatPrice } from '../../utils/money';
import { newIdempotencyKey, withQuery } from '../../utils/text';
import { redirectTo, setTitle } from '../../utils/wx-async';
import { getConfig } from '../../services/app-config';
import type { CartLine } from '../../services/cart';
import { cartTotal, clearCart, getCart } from '../../services/cart';
import { createOrder, quoteItems } from '../../services/orders';
import { payOrder } from '../../services/payment';

interface LineView {
  sku: string;
  name: string;
  quantity: number;
  amount: number;
  currency: string;
}

/** Per page instance: the checkout's idempotency key, its cart, and the order once created. */
interface CheckoutState {
  key: string;
  lines: CartLine[];
  order: Order | null;
  config: ConfigResponse | null;
}

const states = new WeakMap<object, CheckoutState>();

function strings() {
  return {
    empty: t('checkout.empty'),
    backToShop: t('checkout.backToShop'),
    total: t('checkout.total'),
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
      states.set(this, { key: newIdempotencyKey(), lines, order: null, config: null });
      this.setData({
        text: strings(),
        empty: lines.length === 0,
        lines: lines.map((l) => ({
          sku: l.product.sku,
          name: localize(l.product.names, l.product.name),
          quantity: l.quantity,
          amount: l.product.price.amount * l.quantity,
          currency: l.product.price.currency,
        })),
        total: cartTotal(lines),
        currency: lines.length ? lines[0].product.price.currency : 'CNY',
      });
      this.loadConfig();
    },
    /** The configuration, and the total as the server computes it (POST /api/quote). */
    async loadConfig() {
      const state = states.get(this);
      try {
        const items = state ? state.lines.map((l) => ({ sku: l.product.sku, quantity: l.quantity })) : [];
        const [config, quote] = await Promise.all([getConfig(), items.length > 0 ? quoteItems(items) : Promise.resolve(null)]);
        if (state) state.config = config;
        this.setData({ loading: false, precision: config.currencyPrecision, currency: config.currency });
        if (quote) this.showLines(quote.items, quote.total);
      } catch (err) {
        this.setData({ loading: false, error: errorMessage(err) });
      }
      this.updatePayLabel();
    },
    /** Shows the lines and total the server computed (a quote, then the order). */
    showLines(items: OrderItem[], total: Money) {
      this.setData({
        lines: items.map((item) => ({
          sku: item.sku,
          name: localize(item.names, item.name),
          quantity: item.quantity,
          amount: item.unitPrice.amount * item.quantity,
          currency: item.unitPrice.currency,
        })),
        total: total.amount,
        currency: total.currency,
      });
    },
    updatePayLabel() {
      const state = states.get(this);
      const amount = formatPrice({ amount: this.data.total, currency: this.data.currency }, state ? state.config : null);
      this.setData({ payLabel: t('checkout.pay', { amount }) });
    },
    async onPayTap() {
      const state = states.get(this);
      // setData updates this.data synchronously, so a second tap in the same tick is already locked out.
      if (this.data.paying || !state || state.lines.length === 0) return;
      this.setData({ paying: true, error: '' });
      try {
        if (!state.order) {
          const items = state.lines.map((l) => ({ sku: l.product.sku, quantity: l.quantity }));
          state.order = await createOrder(items, state.key);
          clearCart();
          // From here on the lines and total shown are the order's own.
          this.showLines(state.order.items, state.order.total);
          this.updatePayLabel();
        }
        await payOrder(state.order.id);
        // Whatever the sheet said, the result page asks the server what really happened.
        redirectTo(withQuery('/pages/result/result', { id: state.order.id }));
      } catch (err) {
        this.setData({ paying: false, error: errorMessage(err) });
      }
    },
    onBackTap() {
      wx.navigateBack({ fail: () => redirectTo('/pages/shop/shop') });
    },
  },
});
