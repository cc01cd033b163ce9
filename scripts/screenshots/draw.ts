// npm run screenshots, step 2: draws the HTML pages written by pages.shots.ts with the headless
// Chromium from Debian's packages (playwright-core drives it; nothing is downloaded) at each page's
// frame (750 × 1334 for an iPhone 8, 750 × 1624 for an iPhone X, 640 × 1136 for a 320 pt phone),
// serves the product pictures from server/static/, and writes small PNGs to docs/screenshots/.
import '../../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { frameSize } from './shell';
import type { Frame } from './shell';

const ROOT = path.join(__dirname, '../..');
const HTML_DIR = process.env.SCREENSHOTS_HTML_DIR || path.join(ROOT, 'node_modules/.cache/screenshots-html');
const OUT = path.join(ROOT, 'docs/screenshots');
const STATIC = path.join(ROOT, 'server/static');

async function main(): Promise<void> {
  const files = fs.readdirSync(HTML_DIR).filter((f) => f.endsWith('.html')).sort();
  if (files.length === 0) throw new Error(`no pages in ${HTML_DIR}: run the jest step first (npm run screenshots)`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  fs.mkdirSync(OUT, { recursive: true });
  let total = 0;
  try {
    for (const file of files) {
      const meta = JSON.parse(fs.readFileSync(path.join(HTML_DIR, file.replace(/\.html$/, '.json')), 'utf8')) as { dark: boolean; frame: Frame };
      // The frame's 750 px document at 2 device pixels per WeChat point: 750 × 1334 for an iPhone 8.
      const frame = frameSize(meta.frame);
      const context = await browser.newContext({
        viewport: { width: frame.width, height: frame.height },
        deviceScaleFactor: frame.scale,
        colorScheme: meta.dark ? 'dark' : 'light',
      });
      const page = await context.newPage();
      // Product pictures: what the server would serve under /static/ (any host); nothing else leaves the page.
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.protocol === 'data:') return route.continue();
        const file = url.pathname.startsWith('/static/') ? path.join(STATIC, url.pathname.slice('/static/'.length)) : '';
        if (file && file.startsWith(STATIC) && fs.existsSync(file)) return route.fulfill({ path: file, contentType: 'image/png' });
        return route.abort();
      });
      await page.setContent(fs.readFileSync(path.join(HTML_DIR, file), 'utf8'), { waitUntil: 'load' });
      // Freeze animations (skeleton pulse, spinners) at a fixed frame.
      await page.addStyleTag({ content: '*, *::before, *::after { animation-play-state: paused !important; animation-delay: -0.3s !important; }' });
      const target = path.join(OUT, file.replace(/\.html$/, '.png'));
      await page.screenshot({ path: target });
      await context.close();
      try {
        execFileSync('pngquant', ['--force', '--skip-if-larger', '--strip', '--quality', '70-90', '--output', target, '64', target]);
      } catch {
        // pngquant missing or no gain: keep Chromium's PNG.
      }
      const size = fs.statSync(target).size;
      total += size;
      console.log(`${path.relative(ROOT, target)}  ${(size / 1024).toFixed(1)} KB`);
    }
  } finally {
    await browser.close();
  }
  console.log(`${files.length} screenshots, ${(total / 1024).toFixed(0)} KB`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
