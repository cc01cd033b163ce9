// The order page: the payment result and the order's details (items, total, refunds, number, times,
// a countdown while unpaid). The server decides: after the pay sheet said ok it waits for the server's
// verdict (bounded long polls); a cancel is not an error; a failure says why; both offer Pay again.
// The states live in result-machine.ts and what they show in result-view.ts; this page runs the
// machine's effects (requests, the pay sheet, dialogs) and renders its view. Closing the page aborts
// its requests; coming back from the background checks again. Help: the order number (Copy, behind
// the privacy agreement WeChat requires for the clipboard), the payment reference, customer service.
import type { ConfigResponse, Product } from '../../../server/contract';
import { errorCode } from '../../utils/error-message';
import { t } from '../../utils/i18n';
import { back, confirm, copy, setTitle, switchTab } from '../../utils/wx-async';
import { getConfig } from '../../services/app-config';
import { cancelOrder, getOrder } from '../../services/orders';
import { payOrder, takePayAttempt, waitForVerdict } from '../../services/payment';
import { knownProducts } from '../../services/products';
import { reportError } from '../../services/client-errors';
import { askSubscriptions, sendSubscriptions } from '../../services/subscriptions';
import { closeGroup, requestGroup } from '../../services/request';
import type { RequestGroup } from '../../services/request';
import { initial, step } from './result-machine';
import type { Effect, Event, Model } from './result-machine';
import { strings, view } from './result-view';

/** Per page instance: the machine's model, the page's requests, what the view needs, the countdown. */
interface PageState {
  model: Model;
  group: RequestGroup;
  config: ConfigResponse | null;
  products: Product[];
  countdown: ReturnType<typeof setInterval> | null;
  /** The data last rendered, per key (JSON), so only what changed is sent with setData. */
  shown: Record<string, string>;
  /** WeChat's onNeedPrivacyAuthorization resolve while the privacy popup is open. */
  privacy: PrivacyResolve | null;
}

/** Tells WeChat what the shopper chose in the privacy popup ("agree" names the agree button). */
type PrivacyResolve = (res: { event: string; buttonId?: string }) => void;

const states = new WeakMap<object, PageState>();

function codeOf(err: unknown): string {
  return errorCode(err) || 'GENERIC';
}

function safeDecode(value: string | undefined): string {
  if (!value) return '';
  try {
    return decodeURIComponent(value);
  } catch (err) {
    return value;
  }
}

Component({
  data: Object.assign({ text: {} as ReturnType<typeof strings>, privacy: false }, view(initial(''), { config: null, products: [], now: 0 })),
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      setTitle(t('result.title'));
      const id = safeDecode(query.id);
      const state: PageState = { model: initial(id), group: requestGroup(), config: null, products: [], countdown: null, shown: {}, privacy: null };
      states.set(this, state);
      this.setData({ text: strings() });
      getConfig().then(
        (config) => {
          state.config = config;
          this.render();
        },
        () => undefined,
      );
      knownProducts().then(
        (products) => {
          state.products = products;
          this.render();
        },
        () => undefined,
      );
      this.dispatch({ type: 'open', attempt: takePayAttempt(id) });
    },
    onUnload() {
      this.dispatch({ type: 'close' });
    },
    onHide() {
      this.dispatch({ type: 'hide' });
    },
    onShow() {
      // The privacy popup lives on this page: the listener follows the page on top (the last one registered wins).
      if (typeof wx.onNeedPrivacyAuthorization === 'function') {
        // The typings give the listener a result object; WeChat hands it `resolve` (see the API's docs).
        const listen = wx.onNeedPrivacyAuthorization as unknown as (fn: (resolve: PrivacyResolve) => void) => void;
        listen((resolve) => {
          const state = states.get(this);
          if (!state) return resolve({ event: 'disagree' });
          state.privacy = resolve;
          this.setData({ privacy: true });
        });
      }
      this.dispatch({ type: 'show' });
    },
    /** Steps the machine, renders the new state, then runs the effects it asked for. */
    dispatch(event: Event) {
      const state = states.get(this);
      if (!state) return;
      const next = step(state.model, event);
      state.model = next.model;
      this.render();
      next.effects.forEach((effect) => this.run(state, effect));
    },
    run(state: PageState, effect: Effect) {
      const id = state.model.id;
      switch (effect.type) {
        case 'read':
          getOrder(id, { refresh: effect.refresh }, state.group).then(
            (order) => this.dispatch({ type: 'read', run: effect.run, order }),
            (err: unknown) => this.dispatch({ type: 'readFailed', run: effect.run, error: codeOf(err) }),
          );
          break;
        case 'wait': {
          const stale = () => state.model.closed || state.model.run !== effect.run;
          waitForVerdict({
            order: effect.order,
            errorBefore: effect.errorBefore,
            isCancelled: stale,
            onUpdate: (order) => this.dispatch({ type: 'update', run: effect.run, order }),
            group: state.group,
          }).then(
            (verdict) => this.dispatch({ type: 'verdict', run: effect.run, verdict }),
            (err: unknown) => this.dispatch({ type: 'waitFailed', run: effect.run, error: codeOf(err) }),
          );
          break;
        }
        case 'pay':
          payOrder(id, () => state.model.closed).then(
            (attempt) => {
              takePayAttempt(id);
              this.dispatch({ type: 'paid', attempt });
            },
            (err: unknown) => this.dispatch({ type: 'payFailed', error: codeOf(err) }),
          );
          break;
        case 'askCancel':
          confirm(t('result.cancelTitle'), t('result.cancelConfirm'), t('result.cancelYes'), t('result.cancelNo')).then((yes) =>
            this.dispatch({ type: 'cancelAnswer', yes }),
          );
          break;
        case 'cancel':
          cancelOrder(id).then(
            (order) => this.dispatch({ type: 'cancelled', order }),
            (err: unknown) => this.dispatch({ type: 'cancelFailed', error: codeOf(err) }),
          );
          break;
        case 'restart':
          closeGroup(state.group);
          state.group = requestGroup();
          break;
        case 'abort':
          // A long poll must not outlive its page (RequestTask.abort).
          closeGroup(state.group);
          break;
      }
    },
    /** Sends what changed in the view, and keeps the countdown ticking while it shows. */
    render() {
      const state = states.get(this);
      if (!state) return;
      const data = view(state.model, { config: state.config, products: state.products, now: Date.now() }) as unknown as Record<string, unknown>;
      const changed: Record<string, unknown> = {};
      let any = false;
      Object.keys(data).forEach((key) => {
        const json = JSON.stringify(data[key]);
        if (state.shown[key] === json) return;
        state.shown[key] = json;
        changed[key] = data[key];
        any = true;
      });
      if (any) this.setData(changed);
      if (data.countdown && !state.countdown) {
        state.countdown = setInterval(() => {
          const order = state.model.order;
          if (order && Date.now() >= Date.parse(order.expiresAt)) this.dispatch({ type: 'timeUp' });
          else this.render();
        }, 1000);
      } else if (!data.countdown && state.countdown) {
        clearInterval(state.countdown);
        state.countdown = null;
      }
    },
    onPayTap() {
      const state = states.get(this);
      // A disabled button still fires bindtap in WeChat: nothing at all while busy.
      if (!state || state.model.busy) return;
      // First, before anything asynchronous: WeChat opens its panel only from the tap itself.
      sendSubscriptions(state.model.id, askSubscriptions(state.model.id));
      this.dispatch({ type: 'payTap' });
    },
    onRefreshTap() {
      this.dispatch({ type: 'refreshTap' });
    },
    onCancelOrderTap() {
      this.dispatch({ type: 'cancelTap' });
    },
    onCopyTap() {
      copy(this.data.orderId).then((errno) => {
        if (!errno) return;
        // The number stays selectable (long press); 112 is the merchant's to fix: tell the server's log.
        wx.showToast({ title: t('result.copyFailed'), icon: 'none' });
        if (errno === 112) reportError('error', 'setClipboardData: the clipboard is not declared in the privacy guide');
      });
    },
    onPrivacyAgree() {
      this.closePrivacy({ buttonId: 'agree-privacy', event: 'agree' });
    },
    onPrivacyDisagreeTap() {
      this.closePrivacy({ event: 'disagree' });
    },
    onPrivacyGuideTap() {
      wx.openPrivacyContract({ fail: () => undefined });
    },
    closePrivacy(res: { event: string; buttonId?: string }) {
      const state = states.get(this);
      const resolve = state && state.privacy;
      if (state) state.privacy = null;
      this.setData({ privacy: false });
      if (resolve) resolve(res);
    },
    onDoneTap() {
      // Back where the shopper came from (My orders, the shop); the shop when opened on its own.
      back();
    },
    onOrdersTap() {
      switchTab('/pages/orders/orders');
    },
    onShopTap() {
      switchTab('/pages/shop/shop');
    },
  },
});
