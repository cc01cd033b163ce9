// My orders: this shopper's history, newest first; pull down to refresh; tap to open an order.
import type { Order } from '../../../server/contract';
import { errorMessage } from '../../utils/error-message';
import { localize, t } from '../../utils/i18n';
import { formatDateTime, withQuery } from '../../utils/text';
import { navigateTo, setTitle } from '../../utils/wx-async';
import { getConfig } from '../../services/app-config';
import { listOrders } from '../../services/orders';

interface OrderView {
  id: string;
  status: string;
  summary: string;
  count: string;
  created: string;
  amount: number;
  currency: string;
}

function strings() {
  return {
    loading: t('orders.loading'),
    empty: t('orders.empty'),
    retry: t('common.retry'),
  };
}

function toView(order: Order): OrderView {
  const count = order.items.reduce((sum, item) => sum + item.quantity, 0);
  return {
    id: order.id,
    status: order.status,
    summary: order.items.map((item) => localize(item.names, item.name)).join(', '),
    count: t('orders.itemCount', { count }),
    created: formatDateTime(order.createdAt),
    amount: order.total.amount,
    currency: order.total.currency,
  };
}

Component({
  data: {
    text: {} as ReturnType<typeof strings>,
    loading: true,
    error: '',
    orders: [] as OrderView[],
    precision: 2,
  },
  methods: {
    onLoad() {
      setTitle(t('orders.title'));
      this.setData({ text: strings() });
      this.load();
    },
    onShow() {
      // Back from an order's result page: its status may have changed.
      if (!this.data.loading) this.load(true);
    },
    onPullDownRefresh() {
      this.load(true).then(() => wx.stopPullDownRefresh());
    },
    /** Loads the history; `quiet` keeps the current list on screen while refreshing. */
    async load(quiet = false) {
      this.setData({ loading: !quiet, error: '' });
      try {
        const [orders, config] = await Promise.all([listOrders(), getConfig()]);
        this.setData({ loading: false, orders: orders.map(toView), precision: config.currencyPrecision });
      } catch (err) {
        this.setData({ loading: false, error: errorMessage(err) });
      }
    },
    onRetryTap() {
      this.load();
    },
    onOrderTap(e: WechatMiniprogram.TouchEvent<{}, {}, { id: string }>) {
      navigateTo(withQuery('/pages/result/result', { id: e.currentTarget.dataset.id }));
    },
  },
});
