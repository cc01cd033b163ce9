// An unsupported Node is refused with a sentence, not a crash: npm install (engine-strict), and every entry point before it loads native code.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeVersionProblem, SUPPORTED_NODE } from '../../server/node-version';
import { buildServer } from '../../scripts/lib/build';
import { ROOT } from './processes';

const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };

describe('the supported Node versions', () => {
  test('are package.json\'s engines, which npm install enforces (engine-strict in the project\'s .npmrc)', () => {
    expect(SUPPORTED_NODE).toBe(packageJson.engines.node);
    expect(fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
  });

  test.each([
    ['20.20.2', /better-sqlite3\) crashes on older versions/],
    ['22.11.0', /crashes on older versions/],
    ['22.12.0', undefined],
    ['22.23.3', undefined],
    ['23.11.1', /other versions are not tested/],
    ['24.0.0', undefined],
    ['25.2.0', /other versions are not tested/],
  ])('Node %s: %p', (version, problem) => {
    const text = nodeVersionProblem(version, '/opt/node/bin/node');
    if (!problem) return expect(text).toBeUndefined();
    expect(text).toMatch(problem);
    // Says which Node this is, which to install, and how.
    expect(text).toContain(`this is Node ${version} (/opt/node/bin/node)`);
    expect(text).toMatch(/needs Node\.js 22 \(22\.12 or later\) or 24/);
    expect(text).toContain('nvm install 24');
    expect(text).toContain('npm install --prefix ~/.cache/node24 node@24');
  });

  test('every npm script that runs project code checks the version first', () => {
    // An entry point's first import is server/node-version.ts; a script that runs no such entry
    // (jest, a plain .js) has a pre-script that runs the check.
    const checkedFirst = (file: string): boolean => {
      const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const first = /^import [^;]*;/m.exec(source)?.[0] ?? '';
      return /^import '(\.\.?\/)+(server\/)?node-version';$/.test(first) && path.resolve(path.dirname(path.join(ROOT, file)), first.slice(8, -2)) === path.join(ROOT, 'server', 'node-version');
    };
    const unchecked: string[] = [];
    for (const [name, command] of Object.entries(packageJson.scripts)) {
      if (name.startsWith('pre') || name === 'typecheck') continue;
      const entries = [...command.matchAll(/(?:tsx|node(?: --[\w-]+)*) (\S+\.[jt]s)\b/g)].map((m) => m[1].replace(/^dist\/(.*)\.js$/, 'server/$1.ts'));
      const runsCode = /\b(tsx|node|jest)\b/.test(command);
      if (!runsCode) continue;
      const preCheck = packageJson.scripts[`pre${name}`] === 'tsx server/node-version.ts';
      const firstEntry = entries[0];
      if (preCheck) continue;
      if (!firstEntry || !firstEntry.endsWith('.ts') || !checkedFirst(firstEntry)) unchecked.push(`${name}: ${command}`);
    }
    expect(unchecked).toEqual([]);
  });
});

/** A Node older than 22 on this machine (the system's, often), to try the refusals for real. */
function findOldNode(): string | undefined {
  const candidates = [process.env.OLD_NODE, '/usr/bin/node', '/usr/local/bin/node', ...(process.env.PATH ?? '').split(':').map((dir) => path.join(dir, 'node'))];
  for (const candidate of candidates) {
    if (!candidate || !fs.existsSync(candidate)) continue;
    try {
      const version = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 5_000 }).trim();
      if (Number(version.split('.')[0]) < 22) return candidate;
    } catch {
      // not a working node
    }
  }
  return undefined;
}

const oldNode = findOldNode();
const oldNpm = oldNode && fs.existsSync(path.join(path.dirname(oldNode), 'npm')) ? path.join(path.dirname(oldNode), 'npm') : undefined;
if (!oldNode) console.warn('SKIPPED: no Node older than 22 on this machine (set OLD_NODE=/path/to/node) to try the refusals with');
const describeOnOldNode = oldNode ? describe : describe.skip;
const testWithOldNpm = oldNpm ? test : test.skip;

describeOnOldNode(`on an old Node (${oldNode})`, () => {
  const version = oldNode ? execFileSync(oldNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim() : '';
  // The old Node first on PATH, as on a machine that has only it; npm's scripts find tsx in node_modules/.bin.
  const env = { PATH: `${path.dirname(oldNode ?? '')}:/usr/bin:/bin`, DATABASE_PATH: ':memory:', PORT: '0' };
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'old-node-'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    await buildServer(path.join(dir, 'dist'));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function refused(command: string, args: string[]): Promise<void> {
    const child = spawn(command, args, { cwd: ROOT, env: { HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    expect({ code, output }).toEqual({ code: 1, output: expect.stringContaining(`needs Node.js 22 (22.12 or later) or 24; this is Node ${version} (${oldNode})`) });
    expect(output).toContain('npm install --prefix ~/.cache/node24 node@24');
    expect(output).not.toMatch(/Listening on|Segmentation/);
  }

  testWithOldNpm('npm install stops with npm\'s EBADENGINE error naming the versions, and installs nothing', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'old-node-install-'));
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
    let output = '';
    let code = 0;
    try {
      execFileSync(oldNpm!, ['install', '--offline', '--no-audit', '--no-fund'], { cwd: copy, env: { HOME: process.env.HOME ?? '', PATH: env.PATH }, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const failure = err as { status: number; stdout: string; stderr: string };
      code = failure.status;
      output = failure.stdout + failure.stderr;
    }
    const installed = fs.existsSync(path.join(copy, 'node_modules'));
    fs.rmSync(copy, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(output).toContain('EBADENGINE');
    expect(output).toContain(`Required: {"node":"${SUPPORTED_NODE}"}`);
    expect(installed).toBe(false);
  });

  testWithOldNpm('npm start exits 1 naming the Node to install, instead of crashing', () => refused(oldNpm!, ['start', '--silent']));
  testWithOldNpm('npm run simulator exits 1 the same way', () => refused(oldNpm!, ['run', 'simulator', '--silent']));
  testWithOldNpm('a script (npm run demo) exits 1 the same way', () => refused(oldNpm!, ['run', 'demo', '--silent', '--', '--base', 'http://127.0.0.1:9']));
  testWithOldNpm('npm test stops at its pre-script, before jest', () => refused(oldNpm!, ['test', '--silent']));
  test('the built server (node dist/main.js) exits 1 the same way', () => refused(oldNode!, [path.join(dir, 'dist', 'main.js')]));
  test('the built standalone simulator exits 1 the same way', () => refused(oldNode!, [path.join(dir, 'dist', 'simulator', 'main.js')]));
});
