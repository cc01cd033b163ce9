// The harness's fakes of WeChat's open abilities, as strict as WeChat: the tap rule (user gestures),
// wx.requestSubscribeMessage (https://developers.weixin.qq.com/miniprogram/dev/api/open-api/subscribe-message/wx.requestSubscribeMessage.html
// ), the privacy agreement in front of privacy APIs
// (wx.setClipboardData; https://developers.weixin.qq.com/miniprogram/dev/framework/user-privacy/PrivacyAuthorize.html),
// and the update manager.

/** Answers a wx call on the microtask queue, as WeChat answers after the caller's code returned. */
export function answer(o: any, ok: boolean, res: any): void {
  queueMicrotask(() => {
    if (ok) o.success?.(res);
    else o.fail?.(res);
    o.complete?.(res);
  });
}

// ---------------------------------------------------------------- user gestures

// WeChat lets some APIs run only inside a user's tap (wx.requestSubscribeMessage): the tap's handlers,
// run synchronously, and what they call synchronously (a component's triggerEvent included). Every
// tap reaches the page through exparser's dispatchEvent, so that is where a gesture starts and ends
// (package.json pins the exparser that j-component's "latest" resolves to, so both share one copy).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const exparser: { Event: { dispatchEvent: (...args: any[]) => unknown } } = require('miniprogram-exparser');
const GESTURES = ['tap', 'longpress', 'longtap'];
let gestureDepth = 0;
const exparserDispatch = exparser.Event.dispatchEvent;
exparser.Event.dispatchEvent = function (this: unknown, ...args: any[]) {
  const event = args[1] as { type?: string } | undefined;
  const gesture = !!event && GESTURES.indexOf(event.type || '') >= 0;
  if (gesture) gestureDepth += 1;
  try {
    return exparserDispatch.apply(this, args);
  } finally {
    if (gesture) gestureDepth -= 1;
  }
};

/** Whether code runs synchronously inside a user's tap (or a callback WeChat treats as one). */
export function inGesture(): boolean {
  return gestureDepth > 0;
}

/** Runs `fn` as WeChat runs a wx.requestPayment success callback: it counts as a user gesture. */
export function asGesture<T>(fn: () => T): T {
  gestureDepth += 1;
  try {
    return fn();
  } finally {
    gestureDepth -= 1;
  }
}

// ---------------------------------------------------------------- wx.requestSubscribeMessage

/** A template in the MP console: its title and type (2: one-time, 3: long-term). */
export interface Template {
  title: string;
  type: 2 | 3;
}

export interface SubscribeOptions {
  /** The app's templates; by default the two the fake server's TEMPLATES name. */
  templates?: Record<string, Template>;
  /** The shopper's main switch for this mini program's messages (off: 20004). */
  mainSwitch?: boolean;
  /** "Always keep this choice" answers: no panel for these ids, the kept answer instead. */
  kept?: Record<string, 'accept' | 'reject' | 'ban'>;
  /** What the shopper taps in the panel for each id shown (default: accept). */
  choose?: (ids: string[]) => Record<string, string>;
  /** Keep the panel open until the test calls `answer()` (a shopper who takes their time). */
  held?: boolean;
}

export interface SubscribeFake {
  requestSubscribeMessage: jest.Mock;
  /** wx.getSetting: with `withSubscriptions`, the main switch and the "always keep" answers only. */
  getSetting: jest.Mock;
  /** Every call: the ids asked for, whether it came inside a gesture, and how WeChat answered. */
  calls: Array<{ ids: unknown; gesture: boolean; result?: Record<string, unknown> }>;
  /** Closes a held panel with the shopper's choice. */
  answer(): void;
}

/** Default templates: the ids of the fake server's TEMPLATES. */
export const WX_TEMPLATES: Record<string, Template> = {
  tmpl_paid: { title: '支付成功通知', type: 2 },
  tmpl_refund: { title: '退款成功通知', type: 2 },
};

const SUBSCRIBE_FAILS: Record<number, string> = {
  10001: "TmplIds can't be empty",
  10004: 'Invalid template id',
  20001: 'No template data return, verify the template id exist',
  20002: 'Templates type must be same',
  20003: 'Templates count out of max bounds',
  20004: 'The main switch is switched off',
};

/**
 * wx.requestSubscribeMessage with WeChat's rules: only inside a tap or a payment success callback
 * (else a failure without errCode), at most 3 ids, one call at a time, known ids of one type, the main
 * switch, duplicate titles filtered, "always keep" answers given without a panel.
 */
export function fakeSubscribe(options: SubscribeOptions = {}): SubscribeFake {
  const templates = options.templates || WX_TEMPLATES;
  let open: (() => void) | null = null;
  const fake: SubscribeFake = {
    calls: [],
    getSetting: jest.fn((o: any) => {
      const res: Record<string, unknown> = { authSetting: {}, errMsg: 'getSetting:ok' };
      if (o && o.withSubscriptions) res.subscriptionsSetting = { mainSwitch: options.mainSwitch !== false, itemSettings: Object.assign({}, options.kept) };
      answer(o, true, res);
    }),
    answer: () => {
      const close = open;
      open = null;
      if (close) close();
    },
    requestSubscribeMessage: jest.fn((o: any) => {
      const call: SubscribeFake['calls'][number] = { ids: o.tmplIds, gesture: inGesture() };
      fake.calls.push(call);
      const fail = (errMsg: string, errCode?: number) => {
        call.result = errCode === undefined ? { errMsg } : { errMsg, errCode };
        answer(o, false, call.result);
      };
      if (!call.gesture) return fail('requestSubscribeMessage:fail can only be invoked by user TAP gesture.');
      if (open) return fail('requestSubscribeMessage:fail last call has not ended');
      const ids = o.tmplIds as string[];
      const code = !Array.isArray(ids)
        ? 10004
        : ids.length === 0
          ? 10001
          : ids.length > 3
            ? 20003
            : ids.some((id) => !templates[id])
              ? 20001
              : ids.some((id) => templates[id].type !== templates[ids[0]].type)
                ? 20002
                : options.mainSwitch === false
                  ? 20004
                  : 0;
      if (code) return fail(`requestSubscribeMessage:fail ${SUBSCRIBE_FAILS[code]}`, code);
      const kept = options.kept || {};
      const shown = ids.filter((id) => !kept[id]);
      const settle = () => {
        const chosen = options.choose ? options.choose(shown) : {};
        const result: Record<string, unknown> = { errMsg: 'requestSubscribeMessage:ok' };
        const titles: string[] = [];
        ids.forEach((id) => {
          const title = templates[id].title;
          result[id] = kept[id] || (titles.indexOf(title) >= 0 ? 'filter' : chosen[id] || 'accept');
          titles.push(title);
        });
        call.result = result;
        answer(o, true, result);
      };
      // No panel when every answer is kept; otherwise the panel stays until the shopper answers.
      if (shown.length === 0 || !options.held) {
        open = () => undefined;
        queueMicrotask(() => {
          open = null;
          settle();
        });
      } else {
        open = settle;
      }
    }),
  };
  return fake;
}

// ---------------------------------------------------------------- the privacy agreement

export interface PrivacyOptions {
  /** What the MP console's privacy guide declares; the clipboard by default (the README's setup step). */
  declared?: string[];
  /** Whether this shopper already agreed to the privacy guide (default: not yet). */
  agreed?: boolean;
}

export interface PrivacyFake {
  agreed: boolean;
  /** The agree buttons (`open-type="agreePrivacyAuthorization"`) the shopper tapped, by id. */
  tappedButtons: string[];
  /** What each onNeedPrivacyAuthorization resolve was called with. */
  resolutions: Array<Record<string, unknown>>;
  openedContract: number;
  apis: Record<string, jest.Mock>;
  /** Runs a privacy API behind the agreement: `proceed` once allowed, else fails as WeChat does. */
  gate(api: string, scope: string, o: any, proceed: () => void): void;
}

/**
 * The privacy agreement as WeChat enforces it since base library 2.32.3: an API whose scope the guide
 * does not declare fails with errno 112; before the shopper agreed, the call waits for the app's
 * onNeedPrivacyAuthorization listener to resolve (agree only after the agree button was tapped),
 * and with no listener it fails with errno 104.
 */
export function fakePrivacy(options: PrivacyOptions = {}): PrivacyFake {
  const declared = options.declared || ['clipboard'];
  let listener: ((resolve: (r: Record<string, unknown>) => void, info: { referrer: string }) => void) | null = null;
  const fake: PrivacyFake = {
    agreed: !!options.agreed,
    tappedButtons: [],
    resolutions: [],
    openedContract: 0,
    gate(api, scope, o, proceed) {
      if (declared.indexOf(scope) < 0) {
        return answer(o, false, { errMsg: `${api}:fail api scope is not declared in the privacy agreement`, errno: 112 });
      }
      if (fake.agreed) return proceed();
      const refuse = () => answer(o, false, { errMsg: `${api}:fail privacy permission is not authorized`, errno: 104 });
      if (!listener) return refuse();
      let settled = false;
      listener(
        (r) => {
          fake.resolutions.push(r);
          if (settled || r.event === 'exposureAuthorization') return;
          settled = true;
          if (r.event === 'agree' && typeof r.buttonId === 'string' && fake.tappedButtons.indexOf(r.buttonId) >= 0) {
            fake.agreed = true;
            proceed();
          } else {
            refuse();
          }
        },
        { referrer: api },
      );
    },
    apis: {
      onNeedPrivacyAuthorization: jest.fn((fn: typeof listener) => {
        // Registering replaces the previous listener.
        listener = fn;
      }),
      getPrivacySetting: jest.fn((o: any) =>
        answer(o, true, { needAuthorization: !fake.agreed, privacyContractName: '《示例小店隐私保护指引》', errMsg: 'getPrivacySetting:ok' }),
      ),
      openPrivacyContract: jest.fn((o: any = {}) => {
        fake.openedContract += 1;
        answer(o, true, { errMsg: 'openPrivacyContract:ok' });
      }),
    },
  };
  return fake;
}

// ---------------------------------------------------------------- the update manager

export interface UpdateFake {
  getUpdateManager: jest.Mock;
  /** How many times the app applied a downloaded update (WeChat then restarts into it). */
  applied: number;
  /** WeChat's check at launch came back: `hasUpdate` or not. */
  checked(hasUpdate: boolean): void;
  /** The new version finished downloading. */
  ready(): void;
  /** The download failed. */
  failed(): void;
}

/** wx.getUpdateManager: one manager per launch; the test plays WeChat's check, download and failure. */
export function fakeUpdates(): UpdateFake {
  const handlers: Record<string, Array<(res?: unknown) => void>> = { check: [], ready: [], failed: [] };
  let downloaded = false;
  const manager = {
    onCheckForUpdate: (fn: (res: unknown) => void) => handlers.check.push(fn),
    onUpdateReady: (fn: () => void) => handlers.ready.push(fn),
    onUpdateFailed: (fn: () => void) => handlers.failed.push(fn),
    applyUpdate: () => {
      // WeChat refuses to apply what it has not downloaded.
      if (downloaded) fake.applied += 1;
    },
  };
  const fire = (name: string, res?: unknown) => handlers[name].forEach((fn) => fn(res));
  const fake: UpdateFake = {
    applied: 0,
    getUpdateManager: jest.fn(() => manager),
    checked: (hasUpdate) => fire('check', { hasUpdate }),
    ready: () => {
      downloaded = true;
      fire('ready');
    },
    failed: () => fire('failed'),
  };
  return fake;
}
