// `npm run deploy:check`: deploy/ tested for real. Debian's nginx runs deploy/nginx/shop.conf (TLS with a throwaway CA) in front of two built
// instances (node dist/main.js) on PostgreSQL, with the built standalone simulator as Airwallex and WeChat; a shopper pays through
// https://127.0.0.1:<port>, and npm run doctor passes against that PUBLIC_URL. Prints each step's time.
//
//   pg_virtualenv -t -o fsync=off npm run deploy:check     (.ci/run; without pg_virtualenv or DATABASE_URL, a throwaway cluster)
//
// Needs nginx (apt-get install nginx; run unprivileged on high ports, from a temp folder: no system nginx file is touched), openssl,
// and PostgreSQL's server. KEEP_TEMP=1 keeps the temp folders (nginx's config and logs, the instances' logs) for a look afterwards.
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SIMULATOR_CREDENTIALS } from '../server/simulator/settings';
import { client, check, type Call } from './deploy-check/client';
import { startNginx, type RunningNginx } from './deploy-check/nginx';
import { consoleCookie, failover, fullLongPoll, healthAndRedirect, limitsSeeClients, shopperPays, upstreamsUsed, webhooksThroughProxy, type ScenarioContext } from './deploy-check/scenario';
import { sandboxedInstance } from './deploy-check/sandbox';
import { verifyUnit } from './deploy-check/systemd';
import { buildServer } from './lib/build';
import { makeCertificates } from './lib/certificates';
import { providePostgres, type TestPostgres } from './lib/postgres';
import { HOST, installCleanup, makeTempDir, ROOT, sleep, spawnNode, stopProcess, waitReady, type NodeProcess } from './lib/proc';

const ADMIN_TOKEN = '9d41c7e2b05af3186e7c2d9b4a0f58e1';
const METRICS_TOKEN = '2f8a6c0d4e19b7a35c6e8f1d0b2a7c94';
const SESSIONS_PER_MINUTE = 3;

const timings: Array<[string, number]> = [];
async function step<T>(name: string, work: () => Promise<T> | T): Promise<T> {
  console.log(`--- ${name}`);
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  timings.push([name, ms]);
  if (typeof result === 'string') console.log(`  ✓ ${result}`);
  return result;
}

/** pg_virtualenv sets libpq's PG* variables; providePostgres reads DATABASE_URL (else it makes a cluster of its own). */
function postgresFromEnvironment(): void {
  const { PGHOST, PGPORT, PGUSER, PGPASSWORD, DATABASE_URL } = process.env;
  if (DATABASE_URL || (!PGHOST && !PGPORT)) return;
  const auth = `${encodeURIComponent(PGUSER || 'postgres')}${PGPASSWORD ? `:${encodeURIComponent(PGPASSWORD)}` : ''}@`;
  const host = PGHOST || 'localhost';
  process.env.DATABASE_URL = host.startsWith('/')
    ? `postgres://${auth}/postgres?host=${encodeURIComponent(host)}&port=${PGPORT || '5432'}`
    : `postgres://${auth}${host}:${PGPORT || '5432'}/postgres`;
}

/** `count` free ports, all different: each is held open until every one is known (freePort alone may hand out one twice). */
async function distinctPorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, HOST, () => resolve()));
    }
    return servers.map((server) => (server.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms`);
}

async function main(): Promise<void> {
  installCleanup();
  const started = performance.now();
  const tmp = makeTempDir('deploy-check-');
  // The install as deploy/systemd/shop@.service expects it in /opt/shop: dist/ beside node_modules.
  const app = path.join(tmp, 'app');
  fs.mkdirSync(app);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'));
  await step('npm run build (into a folder of its own)', async () => `${(await buildServer(path.join(app, 'dist'))).modules} modules`);
  const certs = await step('a throwaway CA and a certificate for 127.0.0.1 (openssl)', () => makeCertificates(path.join(tmp, 'certs')));
  postgresFromEnvironment();
  const postgres: TestPostgres = await step('PostgreSQL', () => providePostgres((line) => console.log(`  ${line}`)));
  console.log(`  ${postgres.description}`);

  const [httpsPort, httpPort, simulatorPort, simulatorTlsPort, first, second, sandboxPort] = await distinctPorts(7);
  const publicUrl = `https://${HOST}:${httpsPort}`;
  const processes: NodeProcess[] = [];
  let nginx: RunningNginx | undefined;
  try {
    const simulator = spawnNode({
      name: 'standalone simulator',
      script: 'dist/simulator/main.js',
      cwd: app,
      tsx: false,
      env: { PORT: String(simulatorPort), HOST, LOG_LEVEL: 'warn', SIMULATOR_WEBHOOK_URL: `${publicUrl}/webhooks/airwallex`, NODE_EXTRA_CA_CERTS: certs.caFile },
    });
    processes.push(simulator);
    nginx = await step('nginx, unprivileged, with deploy/nginx/shop.conf', async () => {
      const running = await startNginx({
        dir: makeTempDir('deploy-check-nginx-'),
        httpsPort,
        httpPort,
        instancePorts: [first, second],
        certFile: certs.good.certFile,
        keyFile: certs.good.keyFile,
        simulator: { tlsPort: simulatorTlsPort, httpPort: simulatorPort },
      });
      console.log(`  ✓ nginx (pid ${running.process.pid}${process.getuid?.() === 0 ? ', as nobody' : ''}) on ${publicUrl} → 127.0.0.1:${first}, 127.0.0.1:${second}`);
      return running;
    });
    // What /etc/shop/shop.env would hold, plus each instance's PORT and HOST (the unit's Environment=).
    const environment: Record<string, string> = {
      NODE_ENV: 'production',
      APP_MODE: 'live',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      DATABASE_URL: postgres.url,
      PUBLIC_URL: publicUrl,
      TRUST_PROXY: '1',
      ADMIN_TOKEN,
      METRICS_TOKEN,
      RATE_LIMIT_SESSIONS_PER_MINUTE: String(SESSIONS_PER_MINUTE),
      AIRWALLEX_CLIENT_ID: SIMULATOR_CREDENTIALS.clientId,
      AIRWALLEX_API_KEY: SIMULATOR_CREDENTIALS.apiKey,
      AIRWALLEX_WEBHOOK_SECRET: SIMULATOR_CREDENTIALS.webhookSecret,
      AIRWALLEX_BASE_URL: `https://${HOST}:${simulatorTlsPort}/simulator/airwallex`,
      WECHAT_APPID: SIMULATOR_CREDENTIALS.wechatAppId,
      WECHAT_APP_SECRET: SIMULATOR_CREDENTIALS.wechatAppSecret,
      WECHAT_BASE_URL: `https://${HOST}:${simulatorTlsPort}/simulator/wechat`,
      // The throwaway CA, for the simulator's TLS front (a real server trusts Airwallex's and WeChat's public CAs).
      NODE_EXTRA_CA_CERTS: certs.caFile,
    };
    const instances = await step('two instances: node --enable-source-maps dist/main.js, on PostgreSQL', async () => {
      const started = [first, second].map((port) =>
        spawnNode({ name: `instance ${port}`, script: 'dist/main.js', cwd: app, tsx: false, nodeArgs: ['--enable-source-maps'], stdoutFile: path.join(tmp, `instance-${port}.log`), env: { ...environment, PORT: String(port), HOST } }),
      );
      processes.push(...started);
      await Promise.all([...started.map((instance, i) => waitReady(instance, `http://${HOST}:${[first, second][i]}/healthz`)), waitReady(simulator, `http://${HOST}:${simulatorPort}/simulator/stats`)]);
      return started;
    });

    const call: Call = client(publicUrl, certs.ca);
    await waitFor('nginx', async () => (await call('GET', '/healthz')).status === 200);
    const ctx: ScenarioContext = {
      call,
      publicUrl,
      httpUrl: `http://${HOST}:${httpPort}`,
      simulator: client(`http://${HOST}:${simulatorPort}`, certs.ca),
      adminToken: ADMIN_TOKEN,
      webhookSecret: SIMULATOR_CREDENTIALS.webhookSecret,
      sessionsPerMinute: SESSIONS_PER_MINUTE,
      accessLog: () => nginx!.accessLog(),
    };
    await step('TLS and the redirect', () => healthAndRedirect(ctx));
    const paid = await step('a shopper pays through nginx, a long poll waiting', () => shopperPays(ctx));
    console.log(`  ✓ ${paid.line}`);
    await step('webhooks through nginx', () => webhooksThroughProxy(ctx, paid.orderId));
    await step('a long poll that runs its whole wait', () => fullLongPoll(ctx, paid.token));
    await step('the limits see the client, not nginx', () => limitsSeeClients(ctx));
    await step("the console's cookie behind TLS", () => consoleCookie(ctx));
    await step('npm run doctor against PUBLIC_URL', () => doctor(environment, tmp, app));
    await step('both instances served', () => {
      const used = upstreamsUsed(nginx!.accessLog());
      for (const port of [first, second]) check((used.get(`${HOST}:${port}`) ?? 0) > 0, `nginx sent nothing to ${port}: ${JSON.stringify([...used])}`);
      return `nginx spread the requests: ${[first, second].map((port) => `${used.get(`${HOST}:${port}`)} to ${port}`).join(', ')}`;
    });
    await step('one instance stops', async () => {
      await stopProcess(instances[0]);
      check((await instances[0].exited) === '0', `instance ${first} exited with ${await instances[0].exited}`);
      return failover(ctx, first, second);
    });
    await step('deploy/systemd/shop@.service', () => verifyUnit(tmp));
    await step("the unit's sandbox, stood in for by unshare and setpriv", async () =>
      sandboxedInstance(app, environment, sandboxPort, `http://${HOST}:${simulatorPort}`, [tmp, app, path.dirname(certs.caFile)]),
    );
  } catch (err) {
    if (nginx) console.error(`nginx's errors:\n${nginx.stderr().slice(-3000)}`);
    for (const name of fs.readdirSync(tmp).filter((file) => file.startsWith('instance-'))) console.error(`${name} (last lines):\n${fs.readFileSync(path.join(tmp, name), 'utf8').split('\n').slice(-15).join('\n')}`);
    throw err;
  } finally {
    await Promise.all(processes.map((proc) => stopProcess(proc)));
    await nginx?.stop();
    await postgres.stop();
  }
  const total = (performance.now() - started) / 1000;
  console.log('\ndeploy check: OK. Time per step:');
  for (const [name, ms] of timings) console.log(`  ${(ms / 1000).toFixed(1).padStart(5)} s  ${name}`);
  console.log(`  ${total.toFixed(1).padStart(5)} s  in all`);
}

/** `npm run doctor` (the sources) and `node dist/doctor/main.js` (the build), with the instances' environment and a mini program that points at PUBLIC_URL. */
function doctor(environment: Record<string, string>, tmp: string, app: string): string {
  const project = path.join(tmp, 'project');
  fs.mkdirSync(path.join(project, 'miniprogram'), { recursive: true });
  fs.writeFileSync(path.join(project, 'project.config.json'), JSON.stringify({ appid: environment.WECHAT_APPID }));
  fs.writeFileSync(path.join(project, 'miniprogram', 'config.ts'), `export const PRODUCTION_API_BASE_URL = '${environment.PUBLIC_URL}';\n`);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmp, ...environment };
  const sources = spawnSync('npm', ['run', '--silent', 'doctor', '--', '--project', project], { cwd: ROOT, env, encoding: 'utf8' });
  console.log(sources.stdout.replace(/^/gm, '    ').trimEnd());
  if (sources.status !== 0) throw new Error(`npm run doctor exited with ${sources.status}:\n${sources.stderr}`);
  const built = spawnSync(process.execPath, [path.join(app, 'dist', 'doctor', 'main.js'), '--json', '--project', project], { cwd: app, env, encoding: 'utf8' });
  const report = JSON.parse(built.stdout || '{}') as { ok?: boolean; counts?: { ok: number; skip: number } };
  if (built.status !== 0 || report.ok !== true) throw new Error(`node dist/doctor/main.js exited with ${built.status}:\n${built.stdout}${built.stderr}`);
  return `npm run doctor: exit 0; the built doctor (node dist/doctor/main.js --json): ok, ${report.counts?.ok} ✓ and ${report.counts?.skip} skipped`;
}

main().catch((err: unknown) => {
  console.error(`deploy check: FAILED\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
