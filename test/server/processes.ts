// Test harness for entry points run as real processes: spawn node, wait for a line, stop, and list the modules a process loaded.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { liveEnvForSimulator } from '../../server/simulator/settings';

export const ROOT = path.resolve(__dirname, '../..');
/** Preloaded with --require: writes the path of every module the process loaded to LOADED_MODULES_FILE at exit. */
const PRELOAD = path.join(__dirname, 'fixtures', 'report-loaded-modules.js');

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `node args…` in the project folder with a minimal environment plus `env`. */
export function runNode(args: string[], env: Record<string, string>, node = process.execPath): Running {
  const child = spawn(node, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Waits for `pattern` in the process's output; returns its first group. */
export async function waitFor(proc: Running, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(proc.output());
    if (match) return match[1];
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in:\n${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The environment of a live server whose Airwallex and WeChat are the simulator at `simulatorUrl`. */
export function liveEnv(simulatorUrl: string, port: number): Record<string, string> {
  return {
    ...liveEnvForSimulator(simulatorUrl),
    PORT: String(port),
    ADMIN_TOKEN: 'c3a9f1e07b5d2846a1f0e9c7b3d5a2e8',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    METRICS_TOKEN: 'off',
  };
}

/**
 * Runs the server `entry` (node arguments) with `env`, lets `use` talk to it at its URL, stops it
 * (expecting exit code 0), and returns the modules it loaded below `under`, relative to it.
 */
export async function modulesLoadedBy(entry: string[], env: Record<string, string>, under: string, use: (url: string) => Promise<void>): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loaded-modules-'));
  const file = path.join(dir, 'modules.json');
  const server = runNode(['--require', PRELOAD, ...entry], { PORT: '0', DATABASE_PATH: ':memory:', LOADED_MODULES_FILE: file, ...env });
  try {
    await use(await waitFor(server, /Listening on (http:\/\/[\d.:]+)/));
  } finally {
    expect(await server.stop()).toBe(0);
  }
  const loaded = JSON.parse(fs.readFileSync(file, 'utf8')) as string[];
  fs.rmSync(dir, { recursive: true, force: true });
  return loaded.filter((module) => module.startsWith(under + path.sep) && !module.includes(`${path.sep}node_modules${path.sep}`)).map((module) => path.relative(under, module));
}
