// The app entry. State lives in services (module scope), not in getApp(), so pages and tests share it.
import { ensureSession } from './services/session';

App({
  onLaunch() {
    // Log in while the shopper browses, so the first Pay does not wait for wx.login and a session.
    // A failure here is quiet: the first call that needs the session tries again.
    ensureSession().catch(() => undefined);
  },
});
