// A − n + stepper. Takes `value`, `min`, `max`; answers with a `change` event ({ value }). Keeps no state.
import { t } from '../../utils/i18n';

Component({
  properties: {
    value: { type: Number, value: 0 },
    min: { type: Number, value: 0 },
    max: { type: Number, value: 99 },
    disabled: { type: Boolean, value: false },
  },
  data: {
    decreaseLabel: '',
    increaseLabel: '',
  },
  lifetimes: {
    attached() {
      this.setData({ decreaseLabel: t('stepper.decrease'), increaseLabel: t('stepper.increase') });
    },
  },
  methods: {
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
