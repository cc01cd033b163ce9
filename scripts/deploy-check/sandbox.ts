// The deploy check's stand-in for the systemd unit's sandbox (no systemd runs here): the built server as an unprivileged user, with no new
// privileges, every mount read-only but its data folder, on SQLite; a shopper pays through it and SQLite's files land in that folder.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HOST, makeTempDir, stopProcess, waitReady, type NodeProcess } from '../lib/proc';
import { smokeCheck } from '../lib/smoke';
import { check } from './client';

/** What systemd's User=, NoNewPrivileges=, ProtectSystem=strict and StateDirectory= amount to, with util-linux's tools. */
const SANDBOX = `set -e
data="$1"; shift
mount --bind "$data" "$data"
for target in $(findmnt -rno TARGET | sort -r); do
  case "$target" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|"$data") continue ;; esac
  mount -o remount,bind,ro "$target" 2>/dev/null || true
done
exec setpriv --reuid="$SANDBOX_UID" --regid="$SANDBOX_GID" --clear-groups --no-new-privs -- "$@"`;

function available(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux (a mount namespace)';
  for (const tool of ['unshare', 'setpriv', 'findmnt']) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      return `needs ${tool} (util-linux)`;
    }
  }
  return undefined;
}

/**
 * Runs `node dist/main.js` of `app` in the sandbox on `port`, with `environment` (its upstreams and
 * credentials) and SQLite in a data folder of its own; `simulatorUrl` serves the wx.login codes and
 * the pay sheet. `readable` are folders the unprivileged user must be able to enter.
 */
export async function sandboxedInstance(app: string, environment: Record<string, string>, port: number, simulatorUrl: string, readable: string[]): Promise<string> {
  const missing = available();
  if (missing) return `skipped: the sandbox ${missing}`;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  const [uid, gid] = [id('-u'), id('-g')];
  for (const dir of readable) fs.chmodSync(dir, 0o755);
  // The unprivileged user must reach node and the project's node_modules (a Node installed under /root is not reachable).
  const probe = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', process.execPath, '-e', `require(${JSON.stringify(path.join(app, 'node_modules', 'better-sqlite3'))})`], { encoding: 'utf8' });
  if (probe.status !== 0) return `skipped: uid ${uid} cannot run ${process.execPath} with the project's node_modules (${(probe.stderr || probe.error?.message || '').split('\n')[0]})`;
  const data = makeTempDir('deploy-check-state-');
  fs.chownSync(data, uid, gid);
  fs.chmodSync(data, 0o700);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...environment,
    DATABASE_URL: '',
    DATABASE_PATH: path.join(data, 'app.sqlite'),
    PORT: String(port),
    HOST,
    PUBLIC_URL: `http://${HOST}:${port}`,
    SANDBOX_UID: String(uid),
    SANDBOX_GID: String(gid),
  };
  // unshare and sh exec into setpriv, which execs node: the pid held here is the server's.
  const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', SANDBOX, 'sandbox', data, process.execPath, '--enable-source-maps', path.join(app, 'dist', 'main.js')], {
    cwd: app,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr!.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000)));
  const server: NodeProcess = {
    name: 'sandboxed instance',
    child,
    pid: child.pid!,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code)))),
    stderrTail: () => tail,
  };
  try {
    await waitReady(server, `http://${HOST}:${port}/healthz`);
    const done = await smokeCheck({ server: `http://${HOST}:${port}`, simulator: simulatorUrl });
    const files = fs.readdirSync(data).sort();
    check(files.includes('app.sqlite') && files.includes('app.sqlite-wal'), `SQLite's files are not in the data folder: ${files.join(', ')}`);
    const owner = fs.statSync(path.join(data, 'app.sqlite')).uid;
    check(owner === uid, `app.sqlite belongs to uid ${owner}, not the unprivileged ${uid}`);
    const status = fs.readFileSync(`/proc/${server.pid}/status`, 'utf8');
    check(/^NoNewPrivs:\s+1$/m.test(status) && new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status), `the instance runs without the sandbox's user or no_new_privs:\n${status}`);
    await stopProcess(server);
    check((await server.exited) === '0', `the sandboxed instance exited with ${await server.exited}`);
    return `as uid ${uid} with no_new_privs, every mount read-only but its data folder: ${done.length} smoke checks passed (a payment on SQLite in WAL mode: ${files.join(', ')})`;
  } finally {
    await stopProcess(server);
  }
}
