// The app entry. State lives in services (module scope), not in getApp(), so pages and tests share it.
import { onAppError, onRejection } from './services/client-errors';
import { ensureSession } from './services/session';
import { watchForUpdates } from './services/updates';

App({
  onLaunch() {
    // Log in while the shopper browses, so the first Pay does not wait for wx.login and a session.
    // A failure here is quiet: the first call that needs the session tries again.
    ensureSession().catch(() => undefined);
    watchForUpdates();
  },
  // Script errors and unhandled rejections go to the server's log, rate limited, without personal data.
  onError: onAppError,
  onUnhandledRejection: onRejection,
});
