// CI's proof of a production install: the build plus `npm ci --omit=dev` (offline, from npm's cache) in an empty folder, run with plain node and no TypeScript tooling.
//
//   npx tsx scripts/production-install.ts      (.ci/run runs it; about a minute, most of it npm ci)
//
// In that folder: dist/ from the build, package.json, package-lock.json and .npmrc, nothing else.
// Checks that no TypeScript tooling was installed (tsx, typescript, esbuild, jest, pino-pretty),
// then runs `node dist/main.js` in simulator mode on a SQLite file, and the built standalone
// simulator with a live server on PostgreSQL (pg_virtualenv's, DATABASE_URL's or a throwaway
// cluster): a shopper pays through each, the pictures and the console's page are served.
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { liveEnvForSimulator } from '../server/simulator/settings';
import { buildServer } from './lib/build';
import { providePostgres } from './lib/postgres';
import { freePort, HOST, installCleanup, makeTempDir, ROOT, spawnNode, stopProcess, waitReady, type NodeProcess } from './lib/proc';
import { smokeCheck } from './lib/smoke';

const TOOLING = ['tsx', 'typescript', 'esbuild', '@esbuild', 'jest', 'pino-pretty', '.bin/tsx', '.bin/tsc'];

function step(message: string): void {
  console.log(`--- ${message}`);
}

async function main(): Promise<void> {
  installCleanup();
  const app = makeTempDir('production-install-');
  for (let dir = path.dirname(app); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) throw new Error(`${dir}/node_modules would be visible to the install in ${app}: use another TMPDIR`);
  }
  await buildServer(path.join(app, 'dist'));
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
    if (fs.existsSync(path.join(ROOT, file))) fs.copyFileSync(path.join(ROOT, file), path.join(app, file));
  }
  step(`npm ci --omit=dev --offline in ${app}`);
  const started = performance.now();
  try {
    execFileSync('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: app, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    throw new Error("npm ci --omit=dev --offline failed: npm's cache must hold every package (run npm ci in the project first)");
  }
  console.log(`installed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const present = TOOLING.filter((name) => fs.existsSync(path.join(app, 'node_modules', name)));
  if (present.length > 0) throw new Error(`the production install holds development tooling: ${present.join(', ')}`);
  console.log(`no TypeScript tooling installed (${TOOLING.join(', ')}: absent)`);

  // Only node itself on PATH: nothing from the project's node_modules/.bin.
  const base = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, LOG_LEVEL: 'warn', HOST };
  const run = (name: string, script: string, env: Record<string, string>): NodeProcess =>
    spawnNode({ name, script, cwd: app, tsx: false, nodeArgs: ['--enable-source-maps'], env: { ...base, ...env } });

  step('node dist/main.js, simulator mode, SQLite file, LOG_FORMAT=pretty (pino-pretty is not installed: JSON instead)');
  const port = await freePort();
  const simulated = run('server (simulator mode)', 'dist/main.js', {
    APP_MODE: 'simulator',
    PORT: String(port),
    DATABASE_PATH: path.join(app, 'data', 'app.sqlite'),
    LOG_FORMAT: 'pretty',
    ADMIN_TOKEN: 'e7b1c94f0a3d5e28b6f1a0c9d4e72b58',
    // spawnNode runs with NODE_ENV=production, where simulator mode must be asked for on purpose (a demo).
    SIMULATOR_IN_PRODUCTION: '1',
  });
  await waitReady(simulated, `http://${HOST}:${port}/healthz`);
  for (const line of await smokeCheck({ server: `http://${HOST}:${port}`, simulator: `http://${HOST}:${port}` })) console.log(`  ✓ ${line}`);
  await stopProcess(simulated);
  if ((await simulated.exited) !== '0') throw new Error(`the server exited with ${await simulated.exited}:\n${simulated.stderrTail()}`);

  step('node dist/simulator/main.js, and node dist/main.js in live mode on PostgreSQL');
  const postgres = await providePostgres(() => undefined);
  try {
    console.log(postgres.description);
    const [serverPort, simulatorPort] = [await freePort(), await freePort()];
    const simulator = run('standalone simulator', 'dist/simulator/main.js', {
      PORT: String(simulatorPort),
      SIMULATOR_WEBHOOK_URL: `http://${HOST}:${serverPort}/webhooks/airwallex`,
    });
    const simulatorUrl = `http://${HOST}:${simulatorPort}`;
    await waitReady(simulator, `${simulatorUrl}/simulator/stats`);
    const live = run('server (live mode)', 'dist/main.js', {
      ...liveEnvForSimulator(simulatorUrl),
      PORT: String(serverPort),
      DATABASE_URL: postgres.url,
      ADMIN_TOKEN: 'e7b1c94f0a3d5e28b6f1a0c9d4e72b58',
      // NODE_ENV=test: plain HTTP upstreams are allowed only outside production (nothing else depends on NODE_ENV).
      NODE_ENV: 'test',
      PUBLIC_URL: `http://${HOST}:${serverPort}`,
      METRICS_TOKEN: 'off',
    });
    await waitReady(live, `http://${HOST}:${serverPort}/healthz`);
    for (const line of await smokeCheck({ server: `http://${HOST}:${serverPort}`, simulator: simulatorUrl })) console.log(`  ✓ ${line}`);
    await stopProcess(live);
    await stopProcess(simulator);
    if ((await live.exited) !== '0') throw new Error(`the live server exited with ${await live.exited}:\n${live.stderrTail()}`);
  } finally {
    await postgres.stop();
  }
  console.log('production install: OK');
}

main().catch((err: unknown) => {
  console.error(`production install: FAILED\n${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
