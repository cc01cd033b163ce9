// The harness's fake `wx`: fresh fakes per test that answer on the microtask queue (docs/reference/wechat.md §B1
// pitfall 7) and refuse what WeChat refuses (docs/reference/wechat.md §A8): showModal's button text limits, tab bar
// calls off tab pages, navigation through the fake app's page stack; and, from fake-wx-open.ts, the
// tap rule of subscription messages, the privacy agreement and the update manager.
import { APP_JSON, TAB_ROUTES } from './page-loader';
import { FakeApp, setCurrentApp } from './page-runner';
import { standardServer } from './fake-server';
import type { FakeServer } from './fake-server';
import { answer, asGesture, fakePrivacy, fakeSubscribe, fakeUpdates } from './fake-wx-open';
import type { PrivacyFake, PrivacyOptions, SubscribeFake, SubscribeOptions, UpdateFake } from './fake-wx-open';

/** Width of a button text as WeChat counts it: a Chinese character is 2, a Latin one 1 (limit 8, i.e. 4 Chinese). */
export function buttonTextWidth(textValue: string): number {
  let width = 0;
  for (const ch of textValue) width += ch.charCodeAt(0) > 0xff ? 2 : 1;
  return width;
}

export interface WxFakes {
  server: FakeServer;
  app: FakeApp;
  login: jest.Mock;
  requestPayment: jest.Mock;
  showActionSheet: jest.Mock;
  /** Every wx.showModal call, shown or refused. */
  showModal: jest.Mock;
  /** The dialogs WeChat actually showed. */
  modals: Array<{ title?: string; content?: string; confirmText?: string; cancelText?: string }>;
  /** The action sheets WeChat actually showed. */
  sheets: Array<{ itemList: string[]; alertText?: string }>;
  navigateTo: jest.Mock;
  redirectTo: jest.Mock;
  navigateBack: jest.Mock;
  switchTab: jest.Mock;
  reLaunch: jest.Mock;
  stopPullDownRefresh: jest.Mock;
  setClipboardData: jest.Mock;
  /** What wx.setClipboardData really put on the clipboard ('' until a copy went through). */
  clipboard: () => string;
  showToast: jest.Mock;
  /** The toasts shown: their titles. */
  toasts: string[];
  subscribe: SubscribeFake;
  privacy: PrivacyFake;
  update: UpdateFake;
  /** Tab bar state: each item's text (as set) and badge. */
  tabBar: Array<{ text: string; badge: string }>;
  storage: Map<string, unknown>;
}

export interface FakeWxOptions {
  server?: FakeServer;
  language?: string;
  envVersion?: 'develop' | 'trial' | 'release';
  /** errMsg wx.requestPayment answers with. */
  payResult?: string;
  /** The mini program's version as WeChat reports it ('' outside release builds). */
  version?: string;
  subscribe?: SubscribeOptions;
  privacy?: PrivacyOptions;
  /** The shopper's answer to each wx.showModal: true taps its confirm button (the default), false its cancel button. */
  modal?: (shown: { title?: string; content?: string }) => boolean;
  /** The shopper's tap in each wx.showActionSheet: an item's index (the first, by default), or -1 to dismiss it. */
  sheet?: (shown: { itemList: string[]; alertText?: string }) => number;
}

let current: WxFakes | null = null;

/** The wx fakes of the current test (made by `fakeWx`). */
export function currentWx(): WxFakes {
  if (!current) throw new Error('currentWx(): call fakeWx() first');
  return current;
}

/** Installs fresh wx fakes onto the global `wx` (miniprogram-simulate's mock fills the rest) and a new fake app. */
export function fakeWx(options: FakeWxOptions = {}): WxFakes {
  const server = options.server ?? standardServer();
  let codes = 0;
  const storage = new Map<string, unknown>();
  const app = new FakeApp();
  setCurrentApp(app);
  const tabBar = APP_JSON.tabBar ? APP_JSON.tabBar.list.map((item) => ({ text: item.text, badge: '' })) : [];
  const onTabPage = () => app.stack.length > 0 && TAB_ROUTES.indexOf(app.top().route) >= 0;
  const tabCall = (api: string, o: any, change: () => void) => {
    // WeChat refuses the tab bar APIs on pages without a tab bar.
    if (!onTabPage()) return answer(o, false, { errMsg: `${api}:fail not TabBar page` });
    if (typeof o.index !== 'number' || !tabBar[o.index]) return answer(o, false, { errMsg: `${api}:fail tabbar item not found` });
    change();
    answer(o, true, { errMsg: `${api}:ok` });
  };
  const modals: WxFakes['modals'] = [];
  const sheets: WxFakes['sheets'] = [];
  const toasts: string[] = [];
  let clipboard = '';
  const subscribe = fakeSubscribe(options.subscribe);
  const privacy = fakePrivacy(options.privacy);
  const update = fakeUpdates();
  const fakes: WxFakes = {
    server,
    app,
    login: jest.fn((o: any) => {
      codes += 1;
      answer(o, true, { code: `code${codes}`, errMsg: 'login:ok' });
    }),
    requestPayment: jest.fn((o: any) => {
      const errMsg = options.payResult ?? 'requestPayment:ok';
      const res = { errMsg };
      // The success callback counts as a user gesture (wx.requestSubscribeMessage may run there).
      queueMicrotask(() => {
        if (errMsg === 'requestPayment:ok') asGesture(() => o.success?.(res));
        else o.fail?.(res);
        o.complete?.(res);
      });
    }),
    showActionSheet: jest.fn((o: any) => {
      // WeChat refuses a sheet of more than 6 items; tapping outside it or its cancel answers "fail cancel".
      if (!Array.isArray(o.itemList) || o.itemList.length === 0 || o.itemList.length > 6) {
        return answer(o, false, { errMsg: 'showActionSheet:fail parameter error: itemList should have 1 to 6 items' });
      }
      const shown = { itemList: [...o.itemList], alertText: o.alertText };
      sheets.push(shown);
      const tapped = options.sheet ? options.sheet(shown) : 0;
      if (tapped < 0) return answer(o, false, { errMsg: 'showActionSheet:fail cancel' });
      answer(o, true, { tapIndex: tapped, errMsg: 'showActionSheet:ok' });
    }),
    showModal: jest.fn((o: any) => {
      for (const key of ['confirmText', 'cancelText']) {
        if (o[key] !== undefined && buttonTextWidth(o[key]) > 8) {
          return answer(o, false, { errMsg: `showModal:fail ${key} length should not larger than 4 Chinese characters` });
        }
      }
      modals.push({ title: o.title, content: o.content, confirmText: o.confirmText, cancelText: o.cancelText });
      const confirmed = options.modal ? options.modal({ title: o.title, content: o.content }) : true;
      answer(o, true, { confirm: confirmed, cancel: !confirmed, errMsg: 'showModal:ok' });
    }),
    modals,
    sheets,
    navigateTo: jest.fn((o: any) => app.navigateTo(o)),
    redirectTo: jest.fn((o: any) => app.redirectTo(o)),
    navigateBack: jest.fn((o: any = {}) => app.navigateBack(o)),
    switchTab: jest.fn((o: any) => app.switchTab(o)),
    reLaunch: jest.fn((o: any) => app.reLaunch(o)),
    stopPullDownRefresh: jest.fn((o?: any) => o && answer(o, true, { errMsg: 'stopPullDownRefresh:ok' })),
    setClipboardData: jest.fn((o: any) =>
      privacy.gate('setClipboardData', 'clipboard', o, () => {
        clipboard = String(o.data);
        // WeChat shows its own "copied" toast.
        toasts.push('内容已复制');
        answer(o, true, { errMsg: 'setClipboardData:ok' });
      }),
    ),
    clipboard: () => clipboard,
    showToast: jest.fn((o: any) => {
      toasts.push(o.title);
      answer(o, true, { errMsg: 'showToast:ok' });
    }),
    toasts,
    subscribe,
    privacy,
    update,
    tabBar,
    storage,
  };
  const g = globalThis as unknown as { wx?: WechatMiniprogram.Wx; getCurrentPages?: () => unknown[] };
  if (!g.wx) g.wx = {} as WechatMiniprogram.Wx;
  g.getCurrentPages = () => app.stack.map((e) => e.page.instance);
  Object.assign(g.wx, {
    request: server.request,
    login: fakes.login,
    requestPayment: fakes.requestPayment,
    showActionSheet: fakes.showActionSheet,
    showModal: fakes.showModal,
    navigateTo: fakes.navigateTo,
    redirectTo: fakes.redirectTo,
    navigateBack: fakes.navigateBack,
    switchTab: fakes.switchTab,
    reLaunch: fakes.reLaunch,
    stopPullDownRefresh: fakes.stopPullDownRefresh,
    setClipboardData: fakes.setClipboardData,
    showToast: fakes.showToast,
    requestSubscribeMessage: subscribe.requestSubscribeMessage,
    getSetting: subscribe.getSetting,
    getUpdateManager: update.getUpdateManager,
    ...privacy.apis,
    setNavigationBarTitle: jest.fn((o: any) => {
      app.setTitle(o.title);
      answer(o, true, { errMsg: 'setNavigationBarTitle:ok' });
    }),
    setTabBarItem: jest.fn((o: any) => tabCall('setTabBarItem', o, () => (tabBar[o.index].text = o.text ?? tabBar[o.index].text))),
    setTabBarBadge: jest.fn((o: any) => tabCall('setTabBarBadge', o, () => (tabBar[o.index].badge = o.text))),
    removeTabBarBadge: jest.fn((o: any) => tabCall('removeTabBarBadge', o, () => (tabBar[o.index].badge = ''))),
    getAppBaseInfo: () => ({ language: options.language ?? 'en', SDKVersion: '3.0.0', theme: 'light' }),
    getSystemInfoSync: () => ({ language: options.language ?? 'en', SDKVersion: '3.0.0' }),
    getAccountInfoSync: () => ({
      miniProgram: { appId: 'touristappid', envVersion: options.envVersion ?? 'develop', version: options.version ?? '' },
    }),
    getStorageSync: (key: string) => (storage.has(key) ? storage.get(key) : ''),
    setStorageSync: (key: string, value: unknown) => storage.set(key, JSON.parse(JSON.stringify(value))),
    removeStorageSync: (key: string) => storage.delete(key),
  });
  current = fakes;
  return fakes;
}
