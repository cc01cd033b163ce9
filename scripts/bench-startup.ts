// `npm run bench:startup [-- --runs N]`: how long the server takes from launch to its first answered /healthz, from the sources (npm start, tsx) and from the build (npm run start:prod).
//
// Builds dist/ first (npm run build). Each way is started --runs times (default 5) in each mode on
// one SQLite file per way and mode (the first start creates it and applies the migrations, as a
// first deploy does; the median is what a restart takes), in turns so that the machine's load hits
// every way alike. Live mode is what production runs (its upstreams are not called at startup);
// simulator mode loads and compiles the simulator too. Prints every time and the median.
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServer } from './lib/build';
import { SIMULATOR_CREDENTIALS } from '../server/simulator/settings';
import { freePort, HOST, ROOT, sleep } from './lib/proc';
import { Options } from './lib/stats';

const WAYS: Array<{ name: string; command: string; args: string[] }> = [
  { name: 'npm start (tsx server/main.ts)', command: 'npm', args: ['start', '--silent'] },
  { name: 'npm run start:prod (node dist/main.js)', command: 'npm', args: ['run', 'start:prod', '--silent'] },
  { name: 'node --import tsx server/main.ts', command: process.execPath, args: ['--import', 'tsx', 'server/main.ts'] },
  { name: 'node dist/main.js', command: process.execPath, args: ['dist/main.js'] },
];

const MODES: Record<string, Record<string, string>> = {
  live: {
    APP_MODE: 'live',
    AIRWALLEX_CLIENT_ID: SIMULATOR_CREDENTIALS.clientId,
    AIRWALLEX_API_KEY: SIMULATOR_CREDENTIALS.apiKey,
    AIRWALLEX_WEBHOOK_SECRET: SIMULATOR_CREDENTIALS.webhookSecret,
    WECHAT_APPID: SIMULATOR_CREDENTIALS.wechatAppId,
    WECHAT_APP_SECRET: SIMULATOR_CREDENTIALS.wechatAppSecret,
    // Never called while starting; a port nobody listens on, so nothing leaves the machine.
    AIRWALLEX_BASE_URL: `http://${HOST}:9`,
    WECHAT_BASE_URL: `http://${HOST}:9`,
  },
  simulator: { APP_MODE: 'simulator' },
};

/** Milliseconds from spawn to the first 200 of /healthz; the process is stopped afterwards. */
async function startupMs(way: (typeof WAYS)[number], modeEnv: Record<string, string>, databasePath: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(way.command, way.args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), PORT: String(port), HOST, DATABASE_PATH: databasePath, LOG_FORMAT: 'json', LOG_LEVEL: 'warn', ...modeEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${way.name} exited with ${child.exitCode}:\n${stderr}`);
      if (performance.now() - started > 30_000) throw new Error(`${way.name}: no answer in 30 s\n${stderr}`);
      try {
        const response = await fetch(`http://${HOST}:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await sleep(5);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  const options = new Options(process.argv.slice(2), ['runs']);
  const runs = options.number('runs', 5, 1, 100);
  await buildServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-startup-'));
  try {
    const times = new Map<string, number[]>();
    for (let run = 0; run < runs; run++) {
      for (const [mode, env] of Object.entries(MODES)) {
        for (const way of WAYS) {
          const key = `${mode.padEnd(10)} ${way.name}`;
          const ms = await startupMs(way, env, path.join(dir, `${key.replace(/\W+/g, '-')}.sqlite`));
          times.set(key, [...(times.get(key) ?? []), ms]);
        }
      }
    }
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(`Startup to the first answered /healthz on SQLite; Node ${process.version}, ${os.cpus().length} × ${cpu}, load ${os.loadavg()[0].toFixed(1)}, ${runs} runs each (the first creates the database)`);
    for (const [name, values] of times) {
      const sorted = [...values].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      console.log(`  ${name.padEnd(53)} median ${Math.round(median).toString().padStart(5)} ms   runs: ${values.map((v) => Math.round(v)).join(', ')}`);
    }
    const npmVersion = execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim();
    console.log(`  (npm ${npmVersion}: the npm lines include npm's own start)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
