// Shows an amount of money. Takes integer minor units, the currency and its precision (−1: the usual one).
import { defaultPrecision, formatMoney } from '../../utils/money';

Component({
  properties: {
    amount: { type: Number, value: 0 },
    currency: { type: String, value: 'CNY' },
    precision: { type: Number, value: -1 },
    strong: { type: Boolean, value: false },
  },
  data: {
    text: '',
  },
  observers: {
    'amount, currency, precision': function () {
      this.format();
    },
  },
  lifetimes: {
    attached() {
      this.format();
    },
  },
  methods: {
    format() {
      const { amount, currency, precision } = this.data;
      this.setData({ text: formatMoney(amount, currency, precision >= 0 ? precision : defaultPrecision(currency)) });
    },
  },
});
