// npm run draw-images: draws the demo product pictures (server/static/products/, served by the server)
// and the tab bar icons (miniprogram/assets/, inside the package) from the SVGs below, with the
// headless Chromium from Debian's packages, then shrinks them with pngquant when it is installed.
// The PNGs are committed; run this only after changing a drawing.
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = path.join(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Product pictures: 240 × 240, flat, on a soft tint (shown at 144–160 rpx). */
const PRODUCTS: Record<string, string> = {
  'tea-oolong': `
    <rect width="240" height="240" fill="#e6f4ea"/>
    <path d="M92 62c-8 10 8 16 0 28M120 56c-8 10 8 16 0 28M148 62c-8 10 8 16 0 28" stroke="#9cc9a8" stroke-width="6" fill="none" stroke-linecap="round"/>
    <ellipse cx="120" cy="182" rx="82" ry="16" fill="#cfe6d6"/>
    <path d="M62 108h116v22c0 32-26 54-58 54s-58-22-58-54z" fill="#ffffff"/>
    <path d="M178 118c22 0 24 34-4 36" stroke="#ffffff" stroke-width="10" fill="none"/>
    <ellipse cx="120" cy="110" rx="58" ry="12" fill="#a8c97f"/>
    <ellipse cx="120" cy="110" rx="58" ry="12" fill="none" stroke="#ffffff" stroke-width="4"/>`,
  'mooncake-lotus': `
    <rect width="240" height="240" fill="#fbeedd"/>
    <ellipse cx="120" cy="188" rx="84" ry="14" fill="#f0d9bb"/>
    <g transform="translate(120 120)">
      ${Array.from({ length: 12 }, (_, i) => `<circle r="22" cx="${(Math.cos((i * Math.PI) / 6) * 62).toFixed(1)}" cy="${(Math.sin((i * Math.PI) / 6) * 62).toFixed(1)}" fill="#d99a4e"/>`).join('')}
      <circle r="66" fill="#e3a95c"/>
      <circle r="46" fill="none" stroke="#c9863a" stroke-width="5"/>
      <path d="M0-28v56M-28 0h56M-18-18l36 36M18-18l-36 36" stroke="#c9863a" stroke-width="5" stroke-linecap="round"/>
      <circle r="10" fill="#e3a95c" stroke="#c9863a" stroke-width="5"/>
    </g>`,
  'coffee-beans': `
    <rect width="240" height="240" fill="#f2e9e1"/>
    <ellipse cx="120" cy="196" rx="80" ry="12" fill="#e3d3c4"/>
    <path d="M76 64h88l10 130H66z" fill="#b98a5a"/>
    <path d="M76 64l8-16h72l8 16z" fill="#a47548"/>
    <rect x="88" y="104" width="64" height="52" rx="6" fill="#fbf6ef"/>
    <ellipse cx="120" cy="130" rx="14" ry="19" fill="#6b4226" transform="rotate(25 120 130)"/>
    <path d="M114 116c10 8 2 20 12 28" stroke="#fbf6ef" stroke-width="3" fill="none"/>
    <ellipse cx="186" cy="182" rx="12" ry="16" fill="#6b4226" transform="rotate(-30 186 182)"/>
    <ellipse cx="52" cy="184" rx="11" ry="15" fill="#6b4226" transform="rotate(35 52 184)"/>`,
  postcard: `
    <rect width="240" height="240" fill="#e4eef7"/>
    <g transform="rotate(-6 120 120)">
      <rect x="34" y="62" width="172" height="118" rx="6" fill="#ffffff"/>
      <rect x="46" y="74" width="98" height="94" rx="4" fill="#bcd8ee"/>
      <path d="M46 140c16-10 30-10 46 0s32 10 52 0v28H46z" fill="#7fb2d9"/>
      <path d="M70 132v-26h10v-8h-8l11-12 11 12h-8v8h10v26" fill="#58799a"/>
      <circle cx="124" cy="94" r="9" fill="#fdf3d0"/>
      <rect x="158" y="76" width="34" height="40" rx="2" fill="#fa9d3b"/>
      <rect x="163" y="81" width="24" height="30" fill="#ffd08f"/>
      <path d="M156 134h38M156 148h38M156 162h26" stroke="#c8d3dc" stroke-width="4" stroke-linecap="round"/>
    </g>`,
};

/** Tab bar icons: 81 × 81 (WeChat's recommended size), grey and WeChat green when selected. */
const TAB_ICONS: Record<string, string> = {
  shop: `<path d="M18 30h45l-4 36H22z" fill="none" stroke="C" stroke-width="5" stroke-linejoin="round"/>
    <path d="M30 32v-6a10.5 10.5 0 0 1 21 0v6" fill="none" stroke="C" stroke-width="5" stroke-linecap="round"/>`,
  orders: `<rect x="19" y="14" width="43" height="54" rx="5" fill="none" stroke="C" stroke-width="5"/>
    <path d="M29 31h23M29 42h23M29 53h14" stroke="C" stroke-width="5" stroke-linecap="round"/>`,
};

const TAB_COLOURS = { '': '#7f7f7f', '-on': '#07c160' };

async function main(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 240, height: 240 }, deviceScaleFactor: 1 });
    const draw = async (svg: string, size: number, file: string) => {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
      shrink(file);
      console.log(`${path.relative(ROOT, file)}: ${fs.statSync(file).size} bytes`);
    };
    for (const [name, body] of Object.entries(PRODUCTS)) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">${body}</svg>`;
      await draw(svg, 240, path.join(ROOT, 'server/static/products', `${name}.png`));
    }
    for (const [name, body] of Object.entries(TAB_ICONS)) {
      for (const [suffix, colour] of Object.entries(TAB_COLOURS)) {
        const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="81" height="81" viewBox="0 0 81 81">${body.replace(/"C"/g, `"${colour}"`)}</svg>`;
        await draw(svg, 81, path.join(ROOT, 'miniprogram/assets', `tab-${name}${suffix}.png`));
      }
    }
  } finally {
    await browser.close();
  }
}

/** Palette PNG through pngquant when available (a few KB per picture instead of tens). */
function shrink(file: string): void {
  try {
    execFileSync('pngquant', ['--force', '--skip-if-larger', '--strip', '--quality', '60-90', '--output', file, '32', file]);
  } catch {
    // pngquant missing or nothing gained: keep Chromium's PNG.
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
