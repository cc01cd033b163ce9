/** @jest-environment node */
// The offline checks closest to "DevTools compiles it" (docs/reference/wechat.md §B3), plus layout rules DevTools relies on.
import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

const ROOT = path.join(__dirname, '../..');
const MP_ROOT = path.join(ROOT, 'miniprogram');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wxmlToJs } = require('miniprogram-compiler');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wcsc: (root: string, files: string[]) => unknown = require('miniprogram-compiler/src/wcsc');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [path.relative(MP_ROOT, full)];
  });
}

const FILES = walk(MP_ROOT);
const withExt = (ext: string) => FILES.filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length));

describe('offline compile checks', () => {
  test('miniprogram-ci compiles the project with WXML and WXSS minification on', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/miniprogram-compile.js')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 40000,
    });
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain('mini program compiled');
    // The budgets this project keeps (WeChat's limit is 2 MB a package): the main package, downloaded
    // before the first page shows, and everything together, so a move to a subpackage hides no growth.
    const bytes = Number((run.stdout.match(/main package bytes: (\d+)/) || [])[1]);
    expect(bytes).toBeGreaterThan(10 * 1024);
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    const total = Number((run.stdout.match(/all packages bytes: (\d+)/) || [])[1]);
    expect(total).toBeLessThanOrEqual(80 * 1024);
    // The payment pages are subpackages, preloaded from the tab pages so the first Checkout need not wait.
    expect(run.stdout).toMatch(/subpackage pages\/checkout bytes: \d+/);
    expect(run.stdout).toMatch(/subpackage pages\/result bytes: \d+/);
  }, 45000);

  test('the official WXML compiler (wcc) accepts every template', () => {
    expect(withExt('.wxml').length).toBeGreaterThanOrEqual(7);
    expect(() => wxmlToJs(MP_ROOT)).not.toThrow();
  });

  test('the official WXSS compiler (wcsc) accepts every stylesheet', () => {
    const result = wcsc(MP_ROOT, withExt('.wxss'));
    expect(result).not.toBeInstanceOf(Error);
  });

  test('the WXML and WXSS compilers do reject broken files (the checks are not vacuous)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-broken-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.wxml'), '<view>\n  <text>unclosed</view>\n');
      fs.writeFileSync(path.join(dir, 'a.wxss'), '.a { color: red;\n');
      expect(() => wxmlToJs(dir)).toThrow();
      expect(wcsc(dir, ['a'])).toBeInstanceOf(Error);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('project layout', () => {
  const appJson = JSON.parse(fs.readFileSync(path.join(MP_ROOT, 'app.json'), 'utf8'));
  const subpackages = (appJson.subpackages || []) as Array<{ root: string; name: string; pages: string[] }>;
  const pages: string[] = appJson.pages.concat(...subpackages.map((sub) => sub.pages.map((page) => `${sub.root}/${page}`)));

  test('the payment pages are subpackages that the tab pages preload, and tab pages stay in the main package', () => {
    expect(subpackages.map((sub) => sub.root)).toEqual(['pages/checkout', 'pages/result']);
    for (const tab of appJson.tabBar.list) expect(appJson.pages).toContain(tab.pagePath);
    const preloaded = Object.keys(appJson.preloadRule).flatMap((page) => appJson.preloadRule[page].packages as string[]);
    for (const sub of subpackages) expect(preloaded).toContain(sub.name);
    expect(Object.keys(appJson.preloadRule).every((page) => appJson.pages.indexOf(page) >= 0)).toBe(true);
  });

  test('WeChat checks privacy APIs against the privacy guide (__usePrivacyCheck__)', () => {
    expect(appJson.__usePrivacyCheck__).toBe(true);
  });

  test('every page and component has its .ts, .wxml, .wxss and .json, named after its folder', () => {
    const units = [
      ...pages,
      ...fs.readdirSync(path.join(MP_ROOT, 'components')).map((c: string) => `components/${c}/${c}`),
    ];
    for (const unit of units) {
      const [, folder, name] = unit.split('/');
      expect(name).toBe(folder);
      for (const ext of ['.ts', '.wxml', '.wxss', '.json']) expect(FILES).toContain(`${unit}${ext}`);
    }
  });

  test('pages are Component()s whose json declares usingComponents', () => {
    for (const page of pages) {
      const json = JSON.parse(fs.readFileSync(path.join(MP_ROOT, `${page}.json`), 'utf8'));
      expect(json.usingComponents).toBeDefined();
      expect(fs.readFileSync(path.join(MP_ROOT, `${page}.ts`), 'utf8')).toMatch(/^Component\(\{/m);
    }
  });

  test('no compiled .js sits beside a .ts, no index.* files, and names are kebab-case', () => {
    expect(FILES.filter((f) => f.endsWith('.js'))).toEqual([]);
    expect(FILES.filter((f) => /(^|\/)index\./.test(f))).toEqual([]);
    expect(FILES.filter((f) => !/^[a-z0-9/.-]+$/.test(f))).toEqual([]);
  });

  test('only services/request.ts calls wx.request, and nothing imports server code at runtime', () => {
    const sources = FILES.filter((f) => f.endsWith('.ts'));
    const callers = sources.filter((f) => /\bwx\.request\(/.test(fs.readFileSync(path.join(MP_ROOT, f), 'utf8')));
    expect(callers).toEqual(['services/request.ts']);
    for (const f of sources) {
      const code = fs.readFileSync(path.join(MP_ROOT, f), 'utf8');
      const serverImports = code.match(/import\s[^;]*?from\s+'(?:\.\.\/)+server\/[^']+'/g) || [];
      expect(serverImports.filter((statement) => !/^import type\s/.test(statement))).toEqual([]);
      expect(code).not.toMatch(/require\([^)]*server\//);
    }
  });

  test('components import utils only', () => {
    for (const f of FILES.filter((x) => x.startsWith('components/') && x.endsWith('.ts'))) {
      const code = fs.readFileSync(path.join(MP_ROOT, f), 'utf8');
      const imports = code.match(/from '[^']+'/g) || [];
      expect(imports.filter((i) => !i.startsWith("from '../../utils/"))).toEqual([]);
    }
  });

  test('no secret ships in the mini program', () => {
    for (const f of FILES) {
      const code = fs.readFileSync(path.join(MP_ROOT, f), 'utf8');
      expect(code).not.toMatch(/session_key|app_?secret|api_?key|private_?key|whsec_|sim-key/i);
    }
  });

  test('dark mode: app.json takes its colours from theme.json, which defines each for light and dark', () => {
    expect(appJson.darkmode).toBe(true);
    const theme = JSON.parse(fs.readFileSync(path.join(MP_ROOT, appJson.themeLocation), 'utf8'));
    const used = (JSON.stringify(appJson).match(/"@(\w+)"/g) || []).map((v) => v.slice(2, -1));
    expect(used.length).toBeGreaterThan(5);
    for (const name of used) {
      expect(theme.light[name]).toBeDefined();
      expect(theme.dark[name]).toBeDefined();
    }
    expect(fs.readFileSync(path.join(MP_ROOT, 'app.wxss'), 'utf8')).toContain('@media (prefers-color-scheme: dark)');
  });

  test('the tab bar has its icons in the package, each small', () => {
    for (const item of appJson.tabBar.list) {
      for (const icon of [item.iconPath, item.selectedIconPath]) {
        expect(FILES).toContain(icon);
        expect(fs.statSync(path.join(MP_ROOT, icon)).size).toBeLessThan(2048);
      }
    }
  });

  test('project.config.json opens the TypeScript sources in DevTools', () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'project.config.json'), 'utf8'));
    expect(config).toMatchObject({
      miniprogramRoot: 'miniprogram/',
      compileType: 'miniprogram',
      appid: 'touristappid',
      setting: { useCompilerPlugins: ['typescript'], urlCheck: false, es6: true },
    });
  });
});
