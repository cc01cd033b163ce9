// Process orchestration for bench and chaos: free ports, spawning the server and simulator as plain node processes, readiness, /proc metrics, cleanup.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { liveEnvForSimulator } from '../../server/simulator/settings';

export const ROOT = path.resolve(__dirname, '..', '..');
export const HOST = '127.0.0.1';

/** Every child still alive; killed on exit, on SIGINT/SIGTERM and on an uncaught error. */
const children = new Set<ChildProcess>();
let cleanupInstalled = false;
const tempDirs: string[] = [];

function killAll(signal: NodeJS.Signals): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(child.pid, signal);
      } catch {
        // already gone
      }
    }
  }
}

function removeTempDirs(): void {
  if (process.env.KEEP_TEMP) return;
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Installs the exit hooks once: children die with us, whatever the way out. */
export function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    killAll('SIGKILL');
    removeTempDirs();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping children\n`);
      killAll('SIGKILL');
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`uncaught: ${err.stack ?? err}\n`);
    killAll('SIGKILL');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`unhandled rejection: ${err instanceof Error ? err.stack : String(err)}\n`);
    killAll('SIGKILL');
    process.exit(1);
  });
}

export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface NodeProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<string>;
  /** Last lines of stderr, for error messages. */
  stderrTail(): string;
}

export interface SpawnOptions {
  name: string;
  script: string;
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Append stdout here (pino JSON lines), else discard. */
  stdoutFile?: string;
  /** Run the script through tsx (default), or with plain node (a compiled .js). */
  tsx?: boolean;
  /** Working folder (default: the project). */
  cwd?: string;
}

/**
 * Runs `node --import tsx <script>` (or plain node) directly (no npm, no shell), so the pid we hold is the
 * process doing the work and /proc/<pid> measures it alone.
 */
export function spawnNode(options: SpawnOptions): NodeProcess {
  installCleanup();
  const out = options.stdoutFile ? fs.openSync(options.stdoutFile, 'a') : 'ignore';
  const loader = options.tsx === false ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, options.script], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? os.tmpdir(), NODE_ENV: 'production', ...options.env },
    stdio: ['ignore', out, 'pipe'],
  });
  if (typeof out === 'number') fs.closeSync(out);
  if (!child.pid) throw new Error(`could not start ${options.name}`);
  children.add(child);
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(signal ?? String(code));
    });
  });
  return { name: options.name, child, pid: child.pid, exited, stderrTail: () => tail };
}

/** Polls `url` until it answers 200, the process dies, or `timeoutMs` passes. */
export async function waitReady(proc: NodeProcess, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void proc.exited.then(() => {
    dead = true;
  });
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${proc.name} exited before it was ready:\n${proc.stderrTail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`${proc.name} not ready at ${url} after ${timeoutMs} ms:\n${proc.stderrTail()}`);
}

/** Sends `signal` and waits (bounded) for the exit; SIGKILL after the grace period. */
export async function stopProcess(proc: NodeProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  try {
    process.kill(proc.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }, graceMs);
  await proc.exited;
  clearTimeout(timer);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]); // field 14 overall
    const stime = Number(fields[12]); // field 15 overall
    return (utime + stime) / ticksPerSecond();
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds the whole machine has spent busy so far, every core together (user, nice, system, irq,
 * softirq, and steal: time a hypervisor gave our CPUs to someone else), from /proc/stat; NaN elsewhere.
 */
export function machineBusySeconds(): number {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / ticksPerSecond();
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds used so far by every process `include` picks (by pid and command line): the helpers a
 * phase depends on (a PostgreSQL cluster's backends, another server instance), so a bench counts
 * them as its own load and not as another job's.
 */
export function cpuSecondsOf(include: (pid: number, command: string) => boolean): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let command: string;
    try {
      command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue; // gone meanwhile
    }
    if (include(pid, command)) {
      const seconds = cpuSeconds(pid);
      if (Number.isFinite(seconds)) total += seconds;
    }
  }
  return total;
}

/** Peak resident memory (VmHWM) in MiB, and the current one (VmRSS). */
export function memoryMiB(pid: number): { peak: number; current: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { peak: kib('VmHWM') / 1024, current: kib('VmRSS') / 1024 };
  } catch {
    return { peak: NaN, current: NaN };
  }
}

/** Resets VmHWM to the current RSS (Linux clear_refs "5"), so each phase gets its own peak; false if refused. */
export function resetPeakMemory(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() || 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

export interface SimulatorSpec {
  port: number;
  serverPort: number;
  secret: string;
  databasePath: string;
  /** SIMULATOR_* fault variables. */
  faults?: Record<string, string>;
  logLevel?: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

export function startSimulator(spec: SimulatorSpec): NodeProcess {
  return spawnNode({
    name: 'simulator',
    script: 'server/simulator/main.ts',
    nodeArgs: spec.nodeArgs,
    env: {
      PORT: String(spec.port),
      HOST,
      SIMULATOR_WEBHOOK_URL: `http://${HOST}:${spec.serverPort}/webhooks/airwallex`,
      AIRWALLEX_WEBHOOK_SECRET: spec.secret,
      SIMULATOR_DATABASE_PATH: spec.databasePath,
      LOG_LEVEL: spec.logLevel ?? 'warn',
      ...(spec.faults ?? {}),
    },
  });
}

export interface ServerSpec {
  port: number;
  simPort: number;
  secret: string;
  databasePath: string;
  logLevel?: string;
  /** Extra env: AIRWALLEX_TIMEOUT_MS, SWEEP_INTERVAL_SECONDS, ORDER_LIFETIME_SECONDS, ... */
  env?: Record<string, string>;
  nodeArgs?: string[];
  stdoutFile?: string;
}

/** The server in live mode pointed at the simulator process: the code path a merchant runs. */
export function startServer(spec: ServerSpec): NodeProcess {
  return spawnNode({
    name: 'server',
    script: 'server/main.ts',
    nodeArgs: spec.nodeArgs,
    stdoutFile: spec.stdoutFile,
    env: {
      ...liveEnvForSimulator(`http://${HOST}:${spec.simPort}`),
      AIRWALLEX_WEBHOOK_SECRET: spec.secret,
      PORT: String(spec.port),
      HOST,
      DATABASE_PATH: spec.databasePath,
      LOG_LEVEL: spec.logLevel ?? 'warn',
      // The bench and chaos tools stand in for the load balancer: each virtual shopper has its own address.
      TRUST_PROXY: '127.0.0.1',
      // Live mode against the simulator process on this machine: plain HTTP that never leaves it (which the server
      // allows only outside production).
      NODE_ENV: 'test',
      PUBLIC_URL: `http://${HOST}:${spec.port}`,
      METRICS_TOKEN: 'off',
      // No daily reconciliation behind a tool's back (its calls would count in the figures): chaos asks for its own.
      RECONCILE_AT: 'off',
      ...(spec.env ?? {}),
    },
  });
}
