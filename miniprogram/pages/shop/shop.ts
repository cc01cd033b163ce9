// Shop (a tab): the server's products with picture, one-line description, price and a stepper; the
// cart bar with count, total and Checkout. Pull down to refresh (a failed refresh keeps the products on
// screen and says why above them); the cart survives a relaunch.
import type { Product } from '../../../server/contract';
import { errorMessage } from '../../utils/error-message';
import { localize, t } from '../../utils/i18n';
import { localizeTabBar, showCartBadge } from '../../utils/tab-bar';
import { navigateTo, setTitle } from '../../utils/wx-async';
import { getConfig, isSandbox } from '../../services/app-config';
import { cartCount, cartTotal, getCart, quantityOf, setQuantity, syncCart } from '../../services/cart';
import { imageUrl, listProducts } from '../../services/products';

interface ProductView {
  sku: string;
  name: string;
  description: string;
  image: string;
  amount: number;
  currency: string;
  quantity: number;
}

let catalogue: Product[] = [];

function strings() {
  return {
    loading: t('shop.loading'),
    empty: t('shop.empty'),
    total: t('common.total'),
    checkout: t('shop.checkout'),
    sandbox: t('shop.sandbox'),
    retry: t('common.retry'),
  };
}

Component({
  data: {
    text: {} as ReturnType<typeof strings>,
    loading: true,
    error: '',
    sandbox: false,
    products: [] as ProductView[],
    currency: 'CNY',
    precision: 2,
    total: 0,
    count: 0,
    cartLabel: '',
  },
  methods: {
    onLoad() {
      // Titles and tab texts first, before anything else: WeChat has nothing better than these calls
      // (page json titles are blank, so no title shows in the wrong language).
      setTitle(t('tab.shop'));
      localizeTabBar();
      this.setData({ text: strings() });
      this.load(false);
    },
    onShow() {
      // Back from checkout: the cart may have become an order (and been emptied).
      if (catalogue.length) this.showCart();
    },
    onPullDownRefresh() {
      this.load(true).then(() => wx.stopPullDownRefresh());
    },
    onShareAppMessage() {
      return { title: t('shop.share'), path: '/pages/shop/shop' };
    },
    /** Loads the catalogue; `quiet` keeps the list on screen (pull-down refresh). */
    load(quiet: boolean): Promise<void> {
      this.setData({ loading: !quiet, error: '' });
      return Promise.all([getConfig(), listProducts()]).then(
        (both) => {
          const config = both[0];
          catalogue = both[1];
          syncCart(catalogue);
          this.setData({ loading: false, sandbox: isSandbox(config), currency: config.currency, precision: config.currencyPrecision });
          this.showCart();
        },
        (err: unknown) => this.setData({ loading: false, error: errorMessage(err) }),
      );
    },
    showCart() {
      const cart = getCart();
      const count = cartCount(cart);
      this.setData({
        products: catalogue.map((p) => ({
          sku: p.sku,
          name: localize(p.names, p.name),
          description: localize(p.descriptions, p.description),
          image: imageUrl(p.image),
          amount: p.price.amount,
          currency: p.price.currency,
          quantity: quantityOf(p.sku),
        })),
        total: cartTotal(cart),
        count,
        cartLabel: t('shop.cart', { count }),
      });
      showCartBadge(count);
    },
    onRetryTap() {
      this.load(false);
    },
    onQuantityChange(e: WechatMiniprogram.CustomEvent<{ value: number }, {}, { sku: string }>) {
      const product = catalogue.filter((p) => p.sku === e.currentTarget.dataset.sku)[0];
      if (!product) return;
      setQuantity(product, e.detail.value);
      this.showCart();
    },
    onCheckoutTap() {
      // A disabled button still fires bindtap in WeChat: check the state here too.
      if (this.data.count === 0) return;
      navigateTo('/pages/checkout/checkout');
    },
  },
});
