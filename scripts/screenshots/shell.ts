// The frame around a rendered page for the screenshots: an approximation of WeChat's built-in
// components (view, text, image, button, icon) and of its status, navigation and tab bars and the
// home indicator, at 750 px wide with 1 rpx = 1 px (WeChat's points scaled to the frame's width).
// Not WeChat's renderer: close, not exact.

/** CSS for WeChat's built-in components as simulate renders them (wx-* elements, attributes as data-*). */
export function nativeCss(): string {
  return `
wx-view { display: block; }
wx-text { display: inline; white-space: pre-wrap; }
/* <image> draws its picture inside itself: a page's background on it stays behind, never resizes it. */
wx-image { display: inline-block; overflow: hidden; width: 640px; height: 480px;
  background-position: center !important; background-size: cover !important; background-repeat: no-repeat !important; }
wx-image[data-mode=aspectFit] { background-size: contain !important; }
price-tag, status-badge { display: inline; }
order-lines { display: block; }
quantity-stepper { display: inline-block; }
wx-button { position: relative; display: block; box-sizing: border-box; padding: 24px 48px; font-size: 34px; font-weight: 700;
  line-height: 1.41176471; text-align: center; border-radius: 16px; overflow: hidden; color: #06ae56; background: #f2f2f2; }
/* style v2: every button but size="mini" is 184 px (368 here) wide with auto side margins, as in WeChat. */
wx-button:not([data-size=mini]) { width: 368px; margin-left: auto; margin-right: auto; }
wx-button[data-size=mini] { display: inline-block; padding: 0 1.34em; line-height: 2.3; font-size: 26px; border-radius: 8px; }
wx-button[data-type=primary] { color: #fff; background: #07c160; }
wx-button[data-disabled] { color: rgba(0, 0, 0, 0.18); background: #f2f2f2; }
wx-button[data-loading]::before { content: ''; display: inline-block; width: 28px; height: 28px; margin: 0 12px -4px 0;
  border: 4px solid rgba(255, 255, 255, 0.4); border-top-color: #fff; border-radius: 50%; box-sizing: border-box; }
wx-icon { display: inline-block; vertical-align: middle; }
wx-icon svg { display: block; }
@media (prefers-color-scheme: dark) {
  wx-button { background: rgba(255, 255, 255, 0.08); color: #07c160; }
  wx-button[data-type=primary] { background: #07c160; color: rgba(255, 255, 255, 0.9); }
  wx-button[data-disabled] { color: rgba(255, 255, 255, 0.2); background: rgba(255, 255, 255, 0.08); }
}
`;
}

/** WeUI-like drawings of the native <icon> types the pages use. */
const ICONS: Record<string, (c: string) => string> = {
  success: (c) => `<circle cx="12" cy="12" r="12" fill="${c || '#07c160'}"/><path d="M6.5 12.5l3.6 3.6 7.4-7.6" fill="none" stroke="#fff" stroke-width="1.8"/>`,
  info: (c) => `<circle cx="12" cy="12" r="12" fill="${c || '#10aeff'}"/><rect x="11" y="10" width="2" height="8" fill="#fff"/><circle cx="12" cy="7" r="1.3" fill="#fff"/>`,
  warn: (c) => `<circle cx="12" cy="12" r="12" fill="${c || '#fa5151'}"/><rect x="11" y="5.5" width="2" height="8.5" fill="#fff"/><circle cx="12" cy="17.3" r="1.3" fill="#fff"/>`,
  waiting: (c) => `<circle cx="12" cy="12" r="12" fill="${c || '#10aeff'}"/><path d="M12 5.5V12l4.2 2.6" fill="none" stroke="#fff" stroke-width="1.8"/>`,
  cancel: (c) => `<circle cx="12" cy="12" r="12" fill="${c || '#fa5151'}"/><path d="M8 8l8 8M16 8l-8 8" stroke="#fff" stroke-width="1.8"/>`,
};

/** Replaces each <wx-icon data-type=… data-size=…> with its drawing (size in WeChat px, scaled by `scale`). */
export function drawIcons(html: string, scale = 2): string {
  return html.replace(/<wx-icon([^>]*)><\/wx-icon>/g, (whole, attrs: string) => {
    const type = (attrs.match(/data-type="([^"]+)"/) || [])[1] || '';
    const size = Math.round(Number((attrs.match(/data-size="([^"]+)"/) || [])[1] || 23) * scale);
    const color = (attrs.match(/data-color="([^"]+)"/) || [])[1] || '';
    const draw = ICONS[type];
    if (!draw) return whole;
    return `<wx-icon${attrs}><svg width="${size}" height="${size}" viewBox="0 0 24 24">${draw(color)}</svg></wx-icon>`;
  });
}

/** A phone screen, in WeChat's points: its size, the status bar, and the home indicator's safe area. */
export interface Frame {
  /** The file name's suffix ('' for the default frame). */
  name: string;
  width: number;
  height: number;
  statusBar: number;
  /** The bottom safe-area inset (env(safe-area-inset-bottom)): 34 on iPhone X and later, else 0. */
  homeIndicator: number;
}

/** iPhone 8 (the default), iPhone X and later (safe area shown), and a 320 pt wide phone (iPhone SE). */
export const FRAMES: Record<'iphone8' | 'iphoneX' | 'narrow', Frame> = {
  iphone8: { name: '', width: 375, height: 667, statusBar: 20, homeIndicator: 0 },
  iphoneX: { name: '375x812', width: 375, height: 812, statusBar: 44, homeIndicator: 34 },
  narrow: { name: '320', width: 320, height: 568, statusBar: 20, homeIndicator: 0 },
};

/**
 * The frame's size in the document: 750 px wide (1 rpx = 1 px, as the pages' CSS is written) and as
 * tall as the phone at that scale; draw.ts renders it at 2 device pixels per point.
 */
export function frameSize(frame: Frame): { width: number; height: number; scale: number } {
  return { width: 750, height: Math.round((frame.height * 750) / frame.width), scale: (2 * frame.width) / 750 };
}

/** CSS written in points × 2 (a 375 pt phone at 750 px), scaled to `frame`'s 750 px. */
export function scalePx(css: string, frame: Frame): string {
  const factor = 375 / frame.width;
  return css.replace(/(-?\d*\.?\d+)px/g, (whole, n: string) => `${+(Number(n) * factor).toFixed(2)}px`);
}

/** The page's CSS with the safe-area insets WeChat would give it in `frame` (none on a tab page). */
export function withSafeArea(css: string, frame: Frame, tabPage: boolean): string {
  const bottom = tabPage ? 0 : (frame.homeIndicator * 750) / frame.width;
  return css
    .replace(/(?:env|constant)\(safe-area-inset-bottom\)/g, `${bottom}px`)
    .replace(/(?:env|constant)\(safe-area-inset-(?:top|left|right)\)/g, '0px');
}

export interface ChromeOptions {
  title: string;
  back: boolean;
  tabs: Array<{ text: string; badge: string; selected: boolean; icon: string }> | null;
  /** The page's own styles (app.wxss, its WXSS and its components'), safe area applied. */
  css: string;
  body: string;
  lang: string;
  frame: Frame;
}

/** A phone screen: status bar, navigation bar, the page, the tab bar on tab pages, the home indicator. */
export function chrome(o: ChromeOptions): string {
  const f = o.frame;
  const size = frameSize(f);
  const tabBar = o.tabs
    ? `<div class="tabbar">${o.tabs
        .map(
          (tab) =>
            `<div class="tab${tab.selected ? ' on' : ''}"><span class="tab-icon"><img src="${tab.icon}">${
              tab.badge ? `<i class="tab-badge">${tab.badge}</i>` : ''
            }</span><span>${tab.text}</span></div>`,
        )
        .join('')}</div>`
    : '';
  // Written for a 375 pt phone at 750 px (WeChat's points doubled), then scaled to the frame.
  const shell = scalePx(
    `
.statusbar { height: ${f.statusBar * 2}px; display: flex; justify-content: space-between; align-items: flex-end; padding: 0 32px 4px; box-sizing: border-box;
  font: 600 26px/36px sans-serif; background: #ededed; color: #000; }
.navbar { height: 88px; display: flex; align-items: center; justify-content: center; position: relative;
  background: #ededed; color: rgba(0, 0, 0, 0.9); font-size: 34px; font-weight: 600; }
.navbar .back { position: absolute; left: 24px; top: 18px; width: 24px; height: 24px; border: solid currentColor;
  border-width: 0 0 5px 5px; transform: translateY(8px) rotate(45deg); }
.capsule { position: absolute; right: 14px; top: 12px; width: 174px; height: 64px; border-radius: 32px; box-sizing: border-box;
  border: 1px solid rgba(0, 0, 0, 0.1); background: rgba(255, 255, 255, 0.6); display: flex; align-items: center; justify-content: space-around; }
.capsule i { display: block; width: 10px; height: 10px; border-radius: 50%; background: #000; box-shadow: -16px 0 0 #000, 16px 0 0 #000; }
.capsule b { display: block; width: 30px; height: 30px; border-radius: 50%; border: 5px solid #000; box-sizing: border-box; }
.screen { position: absolute; left: 0; right: 0; top: ${f.statusBar * 2 + 88}px; bottom: ${o.tabs ? 98 + f.homeIndicator * 2 : 0}px; overflow: hidden; transform: translateZ(0); }
.tabbar { position: absolute; left: 0; right: 0; bottom: 0; height: 98px; padding-bottom: ${f.homeIndicator * 2}px; display: flex;
  background: #f7f7f7; border-top: 1px solid rgba(0, 0, 0, 0.1); }
.tab { flex: 1; display: flex; flex-direction: column; align-items: center; justify-content: center; font-size: 20px; color: #7f7f7f; }
.tab.on { color: #07c160; }
.tab-icon { position: relative; width: 48px; height: 48px; margin-bottom: 4px; }
.tab-icon img { width: 48px; height: 48px; }
.tab-badge { position: absolute; top: -6px; left: 34px; min-width: 32px; height: 32px; padding: 0 8px; box-sizing: border-box; border-radius: 16px;
  background: #fa5151; color: #fff; font: normal 22px/32px sans-serif; text-align: center; }
.home { position: absolute; left: 50%; bottom: 16px; width: 268px; height: 10px; margin-left: -134px; border-radius: 5px; background: #000; z-index: 99; }
@media (prefers-color-scheme: dark) {
  .statusbar, .navbar { background: #111; color: rgba(255, 255, 255, 0.8); }
  .capsule { border-color: rgba(255, 255, 255, 0.15); background: rgba(0, 0, 0, 0.4); }
  .capsule i { background: #fff; box-shadow: -16px 0 0 #fff, 16px 0 0 #fff; }
  .capsule b { border-color: #fff; }
  .tabbar { background: #191919; border-top-color: rgba(255, 255, 255, 0.1); }
  .home { background: #fff; }
}
${nativeCss()}`,
    f,
  );
  return `<!doctype html><html lang="${o.lang === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8">
<style>
html, body { margin: 0; height: 100%; }
body { width: ${size.width}px; height: ${size.height}px; overflow: hidden; position: relative;
  font-family: -apple-system, 'PingFang SC', 'Noto Sans CJK SC', 'Noto Sans', 'Helvetica Neue', sans-serif; }
${shell}
${o.css}
</style></head><body>
<div class="statusbar"><span>9:41</span><span>100%</span></div>
<div class="navbar">${o.back ? '<span class="back"></span>' : ''}<span>${o.title}</span><span class="capsule"><i></i><b></b></span></div>
<div class="screen">${drawIcons(o.body, 750 / f.width)}</div>
${tabBar}
${f.homeIndicator ? '<div class="home"></div>' : ''}
</body></html>`;
}
