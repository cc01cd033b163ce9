// The layering rules (.dependency-cruiser.cjs, written out in docs/layout.md) hold for server/, miniprogram/ and scripts/:
// no import from a lower layer to a higher one, the simulator reached only from the composition root, the mini program
// alone with the contract's types, no import circle. And the rules bite: a tree planted with one breach of each is caught.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const CRUISER = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: Array<{ name: string }>;
}

async function cruise(cwd: string, dirs: string[]): Promise<{ violations: Violation[]; totalCruised: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, [CRUISER, '--config', CONFIG, '--output-type', 'json', ...dirs], { cwd, maxBuffer: 64 * 1024 * 1024 }).catch(
    // dependency-cruiser exits non-zero when it finds violations; its JSON is on stdout all the same.
    (err: { stdout?: string }) => {
      if (!err.stdout) throw err;
      return { stdout: err.stdout };
    },
  );
  const result = JSON.parse(stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  return result.summary;
}

const describeViolation = (v: Violation) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (${v.cycle.map((step) => step.name).join(' → ')})` : ''}`;

test('server/, miniprogram/ and scripts/ keep every layering rule, with no import circle', async () => {
  const { violations, totalCruised } = await cruise(ROOT, ['server', 'miniprogram', 'scripts']);
  expect(violations.map(describeViolation)).toEqual([]);
  // Every source file was read: a cruise that found nothing to read would pass too.
  const sources = ['server', 'miniprogram', 'scripts'].flatMap((dir) =>
    (fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[]).filter((file) => /\.(ts|js)$/.test(file)),
  );
  expect(totalCruised).toBeGreaterThanOrEqual(sources.length);
});

test('each rule catches its breach in a planted tree, and lets the allowed imports through', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'CommonJS', strict: true } }),
    // allowed: each layer importing a lower one, config.ts asking the simulator's settings, server.ts mounting the simulator
    'server/contract.ts': "export type Status = 'paid';\n",
    'server/errors.ts': "export const E = 1;\n",
    'server/services/allowed.ts': "import { E } from '../errors';\nimport { S } from '../store/allowed';\nexport const A = E + S;\n",
    'server/store/allowed.ts': "import { E } from '../errors';\nexport const S = E;\n",
    'server/routes/allowed.ts': "import { A } from '../services/allowed';\nexport const R = A;\n",
    'server/simulator/settings.ts': 'export const SETTINGS = 1;\n',
    'server/simulator/index.ts': "import { E } from '../errors';\nexport const SIM = E;\n",
    'server/server.ts': "import { SIM } from './simulator/index';\nimport { R } from './routes/allowed';\nexport const ROOT = SIM + R;\n",
    'server/config.ts': "import { SETTINGS } from './simulator/settings';\nimport { SIM } from './simulator/index';\nexport const C = SETTINGS + SIM;\n",
    'miniprogram/allowed.ts': "import type { Status } from '../server/contract';\nexport const s: Status = 'paid';\n",
    // one breach of each rule
    'server/services/up.ts': "import { R } from '../routes/allowed';\nexport const U = R;\n",
    'server/routes/up.ts': "import { ROOT } from '../server';\nexport const U = ROOT;\n",
    'server/store/up.ts': "import { A } from '../services/allowed';\nexport const U = A;\n",
    'server/airwallex/client.ts': "import { S } from '../store/allowed';\nexport const U = S;\n",
    'server/money.ts': "import { A } from './services/allowed';\nimport { T } from '../scripts/tool';\nexport const U = A + T;\n",
    'server/routes/simulator.ts': "import { SIM } from '../simulator/index';\nexport const U = SIM;\n",
    'server/simulator/app.ts': "import { A } from '../services/allowed';\nexport const U = A;\n",
    'scripts/tool.ts': 'export const T = 1;\n',
    'scripts/circle-a.ts': "import type { B } from './circle-b';\nexport type A = { b?: B };\n",
    'scripts/circle-b.ts': "import type { A } from './circle-a';\nexport type B = { a?: A };\n",
    'miniprogram/server-code.ts': "import { E } from '../server/errors';\nimport fs from 'node:fs';\nexport const U = [E, fs];\n",
    'miniprogram/contract-value.ts': "import { Status } from '../server/contract';\nexport const U: Status = 'paid';\n",
  };
  try {
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    const { violations } = await cruise(dir, ['server', 'miniprogram', 'scripts']);
    const found = new Set(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`));
    const expected = [
      'services-not-up: server/services/up.ts → server/routes/allowed.ts',
      'http-not-up: server/routes/up.ts → server/server.ts',
      'root-from-above-only: server/routes/up.ts → server/server.ts',
      'adapters-not-up: server/store/up.ts → server/services/allowed.ts',
      'adapters-apart: server/airwallex/client.ts → server/store/allowed.ts',
      'foundation-imports-foundation: server/money.ts → server/services/allowed.ts',
      'server-not-scripts-or-tests: server/money.ts → scripts/tool.ts',
      'no-simulator-outside-root: server/routes/simulator.ts → server/simulator/index.ts',
      'config-asks-simulator-settings-only: server/config.ts → server/simulator/index.ts',
      'foundation-imports-foundation: server/config.ts → server/simulator/index.ts',
      'simulator-over-http: server/simulator/app.ts → server/services/allowed.ts',
      'miniprogram-alone: miniprogram/server-code.ts → server/errors.ts',
      'miniprogram-alone: miniprogram/server-code.ts → fs',
      'miniprogram-contract-types-only: miniprogram/contract-value.ts → server/contract.ts',
    ];
    for (const breach of expected) expect(found).toContain(breach);
    // The circle of type-only imports is caught.
    expect([...found].filter((v) => v.startsWith('no-circular: scripts/circle-')).length).toBeGreaterThan(0);
    // Nothing else: the allowed imports pass.
    expect([...found].filter((v) => !expected.includes(v) && !v.startsWith('no-circular: scripts/circle-'))).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
