// My orders (a tab): this shopper's history, newest first, with pictures, status, total and refunds;
// Pay now on unpaid orders straight from the list (its error shown on that order); tap an order for
// its details; pull down to refresh. The server sends the latest 100 orders: the list says so when full.
import type { ConfigResponse, Order, Product } from '../../../server/contract';
import { errorMessage } from '../../utils/error-message';
import { listOf, localize, t } from '../../utils/i18n';
import { formatPrice } from '../../utils/money';
import { formatDateTime, withQuery } from '../../utils/text';
import { localizeTabBar, showCartBadge } from '../../utils/tab-bar';
import { navigateTo, setTitle, switchTab } from '../../utils/wx-async';
import { getConfig } from '../../services/app-config';
import { cartCount, getCart } from '../../services/cart';
import { listOrders, refundSummary } from '../../services/orders';
import { payOrder } from '../../services/payment';
import { askSubscriptions, sendSubscriptions } from '../../services/subscriptions';
import { imageOf, knownProducts } from '../../services/products';

interface OrderView {
  id: string;
  status: string;
  summary: string;
  images: string[];
  count: string;
  created: string;
  amount: number;
  currency: string;
  payable: boolean;
  refund: string;
}

/** How many orders GET /api/orders sends at most (server/services/orders.ts): a full list may have older ones. */
const LIST_LIMIT = 100;

function strings() {
  return {
    loading: t('orders.loading'),
    empty: t('orders.empty'),
    shop: t('orders.shop'),
    total: t('common.total'),
    pay: t('result.pay'),
    retry: t('common.retry'),
    capped: t('orders.capped', { count: LIST_LIMIT }),
  };
}

function toView(order: Order, products: Product[], config: ConfigResponse): OrderView {
  const count = order.items.reduce((sum, item) => sum + item.quantity, 0);
  const refunds = refundSummary(order);
  const money = (amount: number) => formatPrice({ amount, currency: order.total.currency }, config);
  return {
    id: order.id,
    status: order.status === 'paid' && refunds.full ? 'refunded' : order.status,
    summary: listOf(order.items.map((item) => localize(item.names, item.name))),
    images: order.items.slice(0, 4).map((item) => imageOf(products, item.sku)),
    count: t('orders.itemCount', { count }),
    created: formatDateTime(order.createdAt),
    amount: order.total.amount,
    currency: order.total.currency,
    payable: order.status === 'awaiting_payment',
    refund:
      refunds.pending > 0
        ? t('refund.pending', { amount: money(refunds.pending) })
        : refunds.refunded > 0
          ? t('refund.done', { amount: money(refunds.refunded) })
          : '',
  };
}

Component({
  data: {
    text: {} as ReturnType<typeof strings>,
    loading: true,
    error: '',
    orders: [] as OrderView[],
    precision: 2,
    paying: '',
    /** The order whose Pay now failed, and why: shown on that order, not at the top of the list. */
    payErrorId: '',
    payError: '',
    capped: false,
  },
  methods: {
    onLoad() {
      setTitle(t('orders.title'));
      localizeTabBar();
      this.setData({ text: strings() });
      this.load(false);
    },
    onShow() {
      // A payment made elsewhere emptied the cart: the Shop tab's badge must say so here too.
      showCartBadge(cartCount(getCart()));
      // Back from an order, or switched to from another tab: statuses may have changed.
      if (!this.data.loading) this.load(true);
    },
    onPullDownRefresh() {
      this.load(true).then(() => wx.stopPullDownRefresh());
    },
    /** Loads the history; `quiet` keeps the current list on screen while refreshing. */
    load(quiet: boolean): Promise<void> {
      this.setData({ loading: !quiet, error: '' });
      return Promise.all([listOrders(), getConfig(), knownProducts().catch(() => [] as Product[])]).then(
        (all) => {
          this.setData({
            loading: false,
            orders: all[0].map((order) => toView(order, all[2], all[1])),
            precision: all[1].currencyPrecision,
            capped: all[0].length >= LIST_LIMIT,
          });
        },
        (err: unknown) => this.setData({ loading: false, error: errorMessage(err) }),
      );
    },
    onRetryTap() {
      this.load(false);
    },
    onOrderTap(e: WechatMiniprogram.TouchEvent<{}, {}, { id: string }>) {
      navigateTo(withQuery('/pages/result/result', { id: e.currentTarget.dataset.id }));
    },
    /** Pay now from the list: the same order and intent; its page then waits for the server's verdict. */
    onPayTap(e: WechatMiniprogram.TouchEvent<{}, {}, { id: string }>) {
      const id = e.currentTarget.dataset.id;
      if (this.data.paying) return;
      // First, before anything asynchronous: WeChat opens its subscription panel only from the tap.
      sendSubscriptions(id, askSubscriptions(id));
      this.setData({ paying: id, payErrorId: '', payError: '' });
      payOrder(id).then(
        () => {
          this.setData({ paying: '' });
          navigateTo(withQuery('/pages/result/result', { id }));
        },
        (err: unknown) => {
          this.setData({ paying: '', payErrorId: id, payError: errorMessage(err) });
          this.load(true);
        },
      );
    },
    onShopTap() {
      switchTab('/pages/shop/shop');
    },
  },
});
