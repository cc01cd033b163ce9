// Every package the server, the scripts, the tests and jest's own setup load is declared in package.json (none
// arrives only as another package's dependency, as miniprogram-compiler once did).
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCES = ['server', 'scripts', 'test', 'jest', 'miniprogram'];

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : files(full);
    return /\.(ts|js|cjs|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);

test('every package loaded by the code, the tests and the jest setup is declared in package.json', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]);
  const builtins = new Set(builtinModules);
  const loaded = new Map<string, string>();
  const sources = [...SOURCES.flatMap((dir) => files(path.join(ROOT, dir))), ...['jest.config.js', 'jest.screenshots.config.js'].map((file) => path.join(ROOT, file))];
  for (const file of sources) {
    const text = fs.readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*|\brequire\.resolve\(\s*|\.resolve\(\s*|testEnvironment:\s*)['"]([^'"./][^'"]*)['"]/g)].map((m) => m[1]);
    for (const specifier of specifiers) {
      if (specifier.startsWith('node:') || builtins.has(specifier) || !/^[@a-z0-9][\w.@/-]*$/i.test(specifier)) continue;
      // jest's environments by their short names: `jsdom` is a package of its own, `node` comes with jest.
      const name = specifier === 'jsdom' ? 'jest-environment-jsdom' : specifier === 'node' ? 'jest' : packageOf(specifier);
      if (!loaded.has(name)) loaded.set(name, path.relative(ROOT, file));
    }
  }
  // Also what jest itself is told to load.
  for (const name of ['jest', 'jest-environment-jsdom', 'esbuild', 'tsx', 'typescript']) loaded.set(name, loaded.get(name) ?? 'jest / npm scripts');
  const undeclared = [...loaded].filter(([name]) => !declared.has(name)).map(([name, file]) => `${name} (loaded by ${file})`);
  expect(undeclared).toEqual([]);
  expect(loaded.size).toBeGreaterThan(15);
});
