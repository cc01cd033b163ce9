// The deploy check's nginx: deploy/nginx/shop.conf with its CHANGE lines rewritten, run unprivileged on high ports from a folder of its own (no system nginx file touched).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../lib/proc';

export const SITE_FILE = path.join(ROOT, 'deploy', 'nginx', 'shop.conf');

export interface NginxSetup {
  /** Where nginx keeps everything: config, certificate, pid, logs, temp files. */
  dir: string;
  httpsPort: number;
  httpPort: number;
  /** The instances' ports, in place of 3001 and 3002. */
  instancePorts: [number, number];
  certFile: string;
  keyFile: string;
  /** A TLS front for the simulator (not part of the site): the servers' https upstreams. */
  simulator: { tlsPort: number; httpPort: number };
}

export interface RunningNginx {
  process: ChildProcess;
  /** nginx's access log so far (one line per request, with the upstream that answered). */
  accessLog(): string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Replaces `from` in `text`, which must occur exactly `times` times: a changed site file fails loudly here. */
function replace(text: string, from: string, to: string, times: number): string {
  const found = text.split(from).length - 1;
  if (found !== times) throw new Error(`deploy/nginx/shop.conf: expected "${from}" ${times} time(s), found ${found}; update scripts/deploy-check/nginx.ts with the file`);
  return text.split(from).join(to);
}

/** The site as an operator would edit it: this machine's ports and certificate, IPv6 listens dropped. */
export function renderSite(setup: NginxSetup): string {
  let site = fs.readFileSync(SITE_FILE, 'utf8');
  site = replace(site, 'server_name shop.example.com;', 'server_name 127.0.0.1 localhost;', 2);
  site = replace(site, 'listen 80;', `listen 127.0.0.1:${setup.httpPort};`, 1);
  site = replace(site, 'listen [::]:80;', '', 1);
  site = replace(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${setup.httpsPort} ssl http2;`, 1);
  site = replace(site, 'listen [::]:443 ssl http2;', '', 1);
  site = replace(site, '/etc/letsencrypt/live/shop.example.com/fullchain.pem', setup.certFile, 1);
  site = replace(site, '/etc/letsencrypt/live/shop.example.com/privkey.pem', setup.keyFile, 1);
  site = replace(site, 'server 127.0.0.1:3001 ', `server 127.0.0.1:${setup.instancePorts[0]} `, 1);
  site = replace(site, 'server 127.0.0.1:3002 ', `server 127.0.0.1:${setup.instancePorts[1]} `, 1);
  return site;
}

/** The main configuration around the site: nginx's own files in `dir`, and the simulator's TLS front. */
function mainConfig(setup: NginxSetup): string {
  const d = setup.dir;
  return `# Written by scripts/deploy-check: nginx for the deploy check, everything under ${d}.
daemon off;
worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log notice;
events { worker_connections 512; }
http {
    log_format check '$remote_addr "$request" $status upstream=$upstream_addr "$http_x_forwarded_for"';
    access_log ${d}/access.log check;
    client_body_temp_path ${d}/temp/client_body;
    proxy_temp_path ${d}/temp/proxy;
    fastcgi_temp_path ${d}/temp/fastcgi;
    uwsgi_temp_path ${d}/temp/uwsgi;
    scgi_temp_path ${d}/temp/scgi;
    include ${d}/shop.conf;

    # Not part of deploy/: the simulated Airwallex and WeChat over https, as the real ones are.
    server {
        listen 127.0.0.1:${setup.simulator.tlsPort} ssl;
        ssl_certificate ${setup.certFile};
        ssl_certificate_key ${setup.keyFile};
        location / { proxy_pass http://127.0.0.1:${setup.simulator.httpPort}; }
    }
}
`;
}

/** The nginx binary: on PATH, or Debian's /usr/sbin/nginx (sbin is not on every PATH). */
export function nginxBinary(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) if (fs.existsSync(candidate)) return candidate;
  try {
    return execFileSync('which', ['nginx'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('nginx is not installed: apt-get install nginx (the check runs it unprivileged, from a folder of its own)');
  }
}

/** As root, nginx runs as `nobody` instead (it needs no privilege on high ports); its folder is given to that user. */
function unprivilegedIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startNginx(setup: NginxSetup): Promise<RunningNginx> {
  const binary = nginxBinary();
  fs.mkdirSync(path.join(setup.dir, 'temp'), { recursive: true });
  // The certificate and key inside nginx's own folder, which its (unprivileged) user owns.
  const own = { ...setup, certFile: path.join(setup.dir, 'fullchain.pem'), keyFile: path.join(setup.dir, 'privkey.pem') };
  fs.copyFileSync(setup.certFile, own.certFile);
  fs.copyFileSync(setup.keyFile, own.keyFile);
  fs.writeFileSync(path.join(setup.dir, 'shop.conf'), renderSite(own));
  const conf = path.join(setup.dir, 'nginx.conf');
  fs.writeFileSync(conf, mainConfig(own));
  const ids = unprivilegedIds();
  if (ids) {
    for (const entry of [setup.dir, ...(fs.readdirSync(setup.dir, { recursive: true }) as string[]).map((file) => path.join(setup.dir, file))]) fs.chownSync(entry, ids.uid, ids.gid);
    fs.chmodSync(setup.dir, 0o700);
  }
  // -e: nginx's early error log, before it reads its config (the default, /var/log/nginx, is not ours).
  const args = ['-p', setup.dir, '-c', conf, '-e', path.join(setup.dir, 'error.log')];
  execFileSync(binary, [...args, '-t'], { stdio: ['ignore', 'pipe', 'pipe'], ...ids });
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], ...ids });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const read = (file: string) => (fs.existsSync(path.join(setup.dir, file)) ? fs.readFileSync(path.join(setup.dir, file), 'utf8') : '');
  return {
    process: child,
    accessLog: () => read('access.log'),
    stderr: () => `${stderr}${read('error.log')}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT'); // graceful: lets requests finish
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
