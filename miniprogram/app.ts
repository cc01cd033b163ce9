// The app entry. State lives in services (module scope), not in getApp(), so pages and tests share it.
import './services/session';

App({});
