// New versions of the mini program: WeChat downloads one at cold start and tells us when it is ready.
// The shopper is asked to restart into it; when the server speaks a newer contract than this build
// (ConfigResponse.contractVersion), the restart is not optional.
import { CONTRACT_VERSION } from '../config';
import { t } from '../utils/i18n';
import { getConfig, onConfig } from './app-config';

let manager: WechatMiniprogram.UpdateManager | null = null;
let ready = false;
let required = false;
let asked = false;

function ask(): void {
  if (!manager || !ready || asked) return;
  asked = true;
  const update = manager;
  wx.showModal({
    title: t('update.title'),
    content: t(required ? 'update.required' : 'update.ready'),
    confirmText: t('update.restart'),
    cancelText: t('update.later'),
    showCancel: !required,
    success: (res) => {
      if (res.confirm || required) update.applyUpdate();
      else asked = false;
    },
    fail: () => {
      asked = false;
    },
  });
}

/** Marks this build as too old for the server: the update is applied as soon as it is ready. */
export function requireUpdate(): void {
  required = true;
  ask();
}

/** Listens for a downloaded update (once per launch, from App.onLaunch) and checks the server's contract. */
export function watchForUpdates(): void {
  if (manager || typeof wx.getUpdateManager !== 'function') return;
  manager = wx.getUpdateManager();
  manager.onUpdateReady(() => {
    ready = true;
    ask();
  });
  onConfig((config) => {
    if (config.contractVersion > CONTRACT_VERSION) requireUpdate();
  });
  getConfig().catch(() => undefined);
}
