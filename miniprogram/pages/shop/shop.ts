// Shop: the server's products with prices, quantity steppers, the cart total, and Checkout.
import type { Product } from '../../../server/contract';
import { errorMessage } from '../../utils/error-message';
import { localize, t } from '../../utils/i18n';
import { navigateTo, setTitle } from '../../utils/wx-async';
import { getConfig, isSandbox } from '../../services/app-config';
import { cartTotal, getCart, quantityOf, setCart } from '../../services/cart';
import { listProducts } from '../../services/products';

interface ProductView {
  sku: string;
  name: string;
  amount: number;
  currency: string;
  quantity: number;
}

let catalogue: Product[] = [];

function strings() {
  return {
    loading: t('shop.loading'),
    empty: t('shop.empty'),
    total: t('shop.total'),
    checkout: t('shop.checkout'),
    orders: t('shop.orders'),
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
  },
  methods: {
    onLoad() {
      setTitle(t('shop.title'));
      this.setData({ text: strings() });
      this.load();
    },
    onShow() {
      // Back from checkout: the cart may have become an order (and been emptied).
      if (catalogue.length) this.showCart();
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const [config, products] = await Promise.all([getConfig(), listProducts()]);
        catalogue = products;
        this.setData({
          loading: false,
          sandbox: isSandbox(config),
          currency: config.currency,
          precision: config.currencyPrecision,
        });
        this.showCart();
      } catch (err) {
        this.setData({ loading: false, error: errorMessage(err) });
      }
    },
    showCart() {
      const products: ProductView[] = catalogue.map((p) => ({
        sku: p.sku,
        name: localize(p.names, p.name),
        amount: p.price.amount,
        currency: p.price.currency,
        quantity: quantityOf(p.sku),
      }));
      const cart = getCart();
      this.setData({
        products,
        total: cartTotal(cart),
        count: cart.reduce((sum, line) => sum + line.quantity, 0),
      });
    },
    onRetryTap() {
      this.load();
    },
    onQuantityChange(e: WechatMiniprogram.CustomEvent<{ value: number }, {}, { sku: string }>) {
      const sku = e.currentTarget.dataset.sku;
      const quantity = e.detail.value;
      const lines = catalogue.map((product) => ({
        product,
        quantity: product.sku === sku ? quantity : quantityOf(product.sku),
      }));
      setCart(lines);
      this.showCart();
    },
    onCheckoutTap() {
      if (this.data.count === 0) return;
      navigateTo('/pages/checkout/checkout');
    },
    onOrdersTap() {
      navigateTo('/pages/orders/orders');
    },
  },
});
