// `npm start` as a process: refuses a production start without credentials, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Runs `npm start` with `env`; resolves with its exit code and output, after `whileRunning` if given. */
function runMain(env: Record<string, string>, whileRunning?: (output: () => string, kill: (signal: NodeJS.Signals) => void) => Promise<void>) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    // `npm start` itself: a signal to npm must reach the server (the script execs tsx, which relays it).
    const child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
    whileRunning?.(() => output, (signal) => child.kill(signal)).catch((err) => {
      child.kill('SIGKILL');
      reject(err);
    });
  });
}

/** A port nobody listens on right now (held until just before use). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('npm start', () => {
  test('NODE_ENV=production without Airwallex credentials exits non-zero naming what to set, and serves nothing', async () => {
    const port = await freePort();
    const { code, output } = await runMain({ NODE_ENV: 'production', PORT: String(port), DATABASE_PATH: ':memory:' });
    expect(code).toBe(1);
    expect(output).toContain('AIRWALLEX_CLIENT_ID');
    expect(output).toContain('AIRWALLEX_API_KEY');
    expect(output).toContain('APP_MODE=simulator');
    expect(await listening(port)).toBe(false);
  }, 30_000);

  test('starts in simulator mode, prints the admin token, and stops on SIGTERM with exit code 0', async () => {
    const port = await freePort();
    const { code, output } = await runMain({ PORT: String(port), DATABASE_PATH: ':memory:' }, async (output, kill) => {
      const deadline = Date.now() + 20_000;
      while (!output().includes('Listening on')) {
        if (Date.now() > deadline) throw new Error(`no start:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      kill('SIGTERM');
    });
    expect(output).toMatch(/admin token/i);
    expect(code).toBe(0);
  }, 30_000);

  test('on a HOST other machines reach, generates no admin token: the console is off, and the start says why and what to set', async () => {
    const port = await freePort();
    const { code, output } = await runMain({ PORT: String(port), HOST: '0.0.0.0', DATABASE_PATH: ':memory:' }, async (output, kill) => {
      const deadline = Date.now() + 20_000;
      while (!output().includes('merchant console are off')) {
        if (Date.now() > deadline) throw new Error(`no start:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await fetch(`http://127.0.0.1:${port}/admin/sign-in`)).status).toBe(404);
      kill('SIGTERM');
    });
    expect(output).toMatch(/HOST=0\.0\.0\.0 can be reached from other machines, so no admin token is generated; set ADMIN_TOKEN/);
    expect(output).not.toMatch(/admin token for this run/);
    expect(code).toBe(0);
  }, 30_000);
});
