// A coloured label for an order status (awaiting_payment, processing, paid, cancelled, expired).
import { hasMessage, t } from '../../utils/i18n';

Component({
  properties: {
    status: { type: String, value: '' },
  },
  data: {
    label: '',
  },
  observers: {
    status: function () {
      this.relabel();
    },
  },
  lifetimes: {
    attached() {
      this.relabel();
    },
  },
  methods: {
    relabel() {
      const key = `status.${this.data.status}`;
      this.setData({ label: hasMessage(key) ? t(key) : this.data.status });
    },
  },
});
