// `npm run build`: the compiled server and standalone simulator run under plain node and serve what the sources serve; live mode loads none of dist/simulator/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { smokeCheck } from '../../scripts/lib/smoke';
import { buildServer } from '../../scripts/lib/build';
import { freePort, liveEnv, modulesLoadedBy, ROOT, runNode, waitFor } from './processes';

let dir: string;
let dist: string;

beforeAll(async () => {
  // A build of its own (not the developer's dist/), beside the project's node_modules.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-test-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  dist = (await buildServer(path.join(dir, 'dist'))).outdir;
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the build', () => {
  test('has every server module compiled and every file the server reads from disk, at the same place as in server/', () => {
    const source = path.join(ROOT, 'server');
    const files = (fs.readdirSync(source, { recursive: true }) as string[]).filter((file) => fs.statSync(path.join(source, file)).isFile());
    const missing = files.map((file) => file.replace(/\.ts$/, '.js')).filter((file) => !fs.existsSync(path.join(dist, file)));
    expect(missing).toEqual([]);
    expect(files).toEqual(expect.arrayContaining([path.join('store', 'migrations', 'sqlite', '001_initial.sql'), path.join('console', 'console.css')]));
    expect(fs.readdirSync(dist).filter((file) => file.endsWith('.ts'))).toEqual([]);
  });

  test('runs in simulator mode under plain node: a shopper pays, the pictures and the console are served', async () => {
    const loaded = await modulesLoadedBy([path.join(dist, 'main.js')], { ADMIN_TOKEN: 'c3a9f1e07b5d2846a1f0e9c7b3d5a2e8' }, dir, async (url) => {
      const checks = await smokeCheck({ server: url, simulator: url });
      expect(checks).toHaveLength(4);
    });
    expect(loaded).toEqual(expect.arrayContaining([path.join('dist', 'main.js'), path.join('dist', 'simulator', 'index.js')]));
  }, 40_000);

  test('the built standalone simulator and a built live server take a payment, and the live server loads nothing from dist/simulator/', async () => {
    const serverPort = await freePort();
    const simulator = runNode([path.join(dist, 'simulator', 'main.js')], {
      PORT: '0',
      LOG_LEVEL: 'warn',
      SIMULATOR_WEBHOOK_URL: `http://127.0.0.1:${serverPort}/webhooks/airwallex`,
    });
    try {
      const simulatorUrl = await waitFor(simulator, /Airwallex API\s+(http:\/\/[\d.:]+)\/simulator\/airwallex/);
      const loaded = await modulesLoadedBy([path.join(dist, 'main.js')], liveEnv(simulatorUrl, serverPort), dir, async (url) => {
        await smokeCheck({ server: url, simulator: simulatorUrl });
      });
      expect(loaded).toEqual(expect.arrayContaining([path.join('dist', 'airwallex', 'client.js'), path.join('dist', 'services', 'webhooks.js')]));
      expect(loaded.filter((module) => module.startsWith(path.join('dist', 'simulator')))).toEqual([]);
    } finally {
      expect(await simulator.stop()).toBe(0);
    }
  }, 40_000);
});
