// A − n + stepper (only + at the minimum). Takes `value`, `min`, `max` and `label` (the product's
// name, for screen readers); answers with a `change` event ({ value }). Keeps no state.
import { t } from '../../utils/i18n';

Component({
  properties: {
    value: { type: Number, value: 0 },
    min: { type: Number, value: 0 },
    max: { type: Number, value: 99 },
    disabled: { type: Boolean, value: false },
    label: { type: String, value: '' },
  },
  data: {
    decreaseLabel: '',
    increaseLabel: '',
  },
  observers: {
    label() {
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
      const name = this.data.label;
      this.setData({ decreaseLabel: t('stepper.decrease', { name }), increaseLabel: t('stepper.increase', { name }) });
    },
    onDecreaseTap() {
      this.change(this.data.value - 1);
    },
    onIncreaseTap() {
      this.change(this.data.value + 1);
    },
    change(next: number) {
      if (this.data.disabled || next < this.data.min || next > this.data.max) return;
      this.triggerEvent('change', { value: next });
    },
  },
});
