// The tab bar: its texts in the shopper's language (app.json holds the Chinese ones) and the cart badge.
// WeChat refuses these calls on pages without a tab bar, so only tab pages call them.
import { t } from './i18n';

/** Sets the tab texts in the current language. */
export function localizeTabBar(): void {
  wx.setTabBarItem({ index: 0, text: t('tab.shop'), fail: () => undefined });
  wx.setTabBarItem({ index: 1, text: t('tab.orders'), fail: () => undefined });
}

/** Shows how many items the cart holds on the Shop tab (none at 0). */
export function showCartBadge(count: number): void {
  if (count > 0) wx.setTabBarBadge({ index: 0, text: count > 99 ? '99+' : String(count), fail: () => undefined });
  else wx.removeTabBarBadge({ index: 0, fail: () => undefined });
}
