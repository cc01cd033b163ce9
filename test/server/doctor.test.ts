// npm run doctor against a standalone simulator and a live server behind TLS: green when everything is right, and each broken setting a named ✗ with its fix.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { makeCertificates, type TestCertificates } from '../../scripts/lib/certificates';
import { airwallexEnvironment } from '../../server/airwallex/inferred-setup';
import { RECOMMENDED_WEBHOOK_EVENTS } from '../../server/airwallex/webhook-events';
import { loadConfig } from '../../server/config';
import { formatHuman } from '../../server/doctor/report';
import { runDoctor, type DoctorReport } from '../../server/doctor/run';
import { startServer, type RunningServer } from '../../server/server';
import { registerSimulator, SIMULATOR_CREDENTIALS, templateIdFor, type Simulator } from '../../server/simulator';
import { liveEnvForSimulator } from '../../server/simulator/settings';
import { ROOT, runNode } from './processes';
import { startTlsFront, type TlsFront } from './tls-front';

const ADMIN_TOKEN = 'c3a9f1e07b5d2846a1f0e9c7b3d5a2e8';
const METRICS_TOKEN = '5b0e8d2c7a91f4e63d0c8b7a2f9e1d45';

let dir: string;
let certs: TestCertificates;
let front: TlsFront;
let simulatorApp: FastifyInstance;
let simulator: Simulator;
let simulatorUrl: string;
let server: RunningServer;
let project: string;
/** The environment the server got, as the doctor reads it (an operator's .env). */
let env: Record<string, string>;

/** A standalone simulator (its own fastify app and port, as `npm run simulator`), its webhook subscribed at `webhookUrl`. */
async function startSimulator(webhookUrl: string, events: readonly string[] | undefined): Promise<{ app: FastifyInstance; sim: Simulator; url: string }> {
  const app = Fastify({ logger: false });
  const sim = await registerSimulator(app, {
    clientId: SIMULATOR_CREDENTIALS.clientId,
    apiKey: SIMULATOR_CREDENTIALS.apiKey,
    webhookSecret: SIMULATOR_CREDENTIALS.webhookSecret,
    webhookUrl: () => webhookUrl,
    wechatAppId: SIMULATOR_CREDENTIALS.wechatAppId,
    wechatAppSecret: SIMULATOR_CREDENTIALS.wechatAppSecret,
    databasePath: ':memory:',
    webhookEvents: events,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, sim, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

/** A checkout of the mini program whose AppID and release URL are the given ones. */
function writeProject(root: string, appid: string, releaseUrl: string): string {
  fs.mkdirSync(path.join(root, 'miniprogram'), { recursive: true });
  fs.writeFileSync(path.join(root, 'project.config.json'), JSON.stringify({ appid, miniprogramRoot: 'miniprogram/' }, null, 2));
  fs.writeFileSync(path.join(root, 'miniprogram', 'config.ts'), `export const PRODUCTION_API_BASE_URL = '${releaseUrl}';\n`);
  return root;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-test-'));
  certs = makeCertificates(path.join(dir, 'certs'));
  front = await startTlsFront(certs.good);
  ({ app: simulatorApp, sim: simulator, url: simulatorUrl } = await startSimulator(`${front.url}/webhooks/airwallex`, RECOMMENDED_WEBHOOK_EVENTS));
  env = {
    ...liveEnvForSimulator(simulatorUrl),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_PATH: path.join(dir, 'data', 'app.sqlite'),
    ADMIN_TOKEN,
    METRICS_TOKEN,
    PUBLIC_URL: front.url,
    TRUST_PROXY: '1',
    // In this process the upstreams are the simulator over plain HTTP; the test of `npm run doctor` below puts TLS in front.
  };
  server = await startServer(loadConfig(env), { logger: pino({ level: 'silent' }), sweep: false, reconcile: false, shutdownGraceMs: 200 });
  front.setTarget(server.url);
  project = writeProject(path.join(dir, 'project'), SIMULATOR_CREDENTIALS.wechatAppId, front.url);
});

afterAll(async () => {
  await server?.close();
  await front?.close();
  await simulatorApp?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function doctor(overrides: Record<string, string | undefined> = {}, options: { ca?: string | null; projectRoot?: string } = {}): Promise<DoctorReport> {
  return runDoctor({
    env: { ...env, ...overrides },
    projectRoot: options.projectRoot ?? project,
    ca: options.ca === null ? undefined : (options.ca ?? certs.ca),
    timeoutMs: 5_000,
  });
}

const check = (report: DoctorReport, id: string) => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in:\n${formatHuman(report)}`);
  return found;
};
const failed = (report: DoctorReport) => report.checks.filter((c) => c.status === 'fail').map((c) => c.id);

describe('the doctor, in this process', () => {
  test('passes every check against the simulator but NODE_ENV (this run allows plain-HTTP upstreams), one line each', async () => {
    const report = await doctor();
    expect(failed(report)).toEqual(['configuration.node_env']);
    expect(report.checks.filter((c) => c.status === 'skip').map((c) => c.id)).toEqual(['wechat.templates']);
    expect(report.checks.map((c) => c.id)).toEqual([
      'configuration.boot', 'configuration.mode', 'configuration.node_env', 'configuration.log_level', 'configuration.admin_token', 'configuration.metrics_token',
      'database.reachable', 'database.migrations',
      'airwallex.environment', 'airwallex.login', 'airwallex.payment_intents', 'airwallex.refunds', 'airwallex.webhooks',
      'wechat.credentials', 'wechat.templates',
      'public_url.https', 'public_url.certificate', 'public_url.healthz', 'public_url.webhook_unsigned', 'public_url.webhook_signed',
      'miniprogram.appid', 'miniprogram.server_url', 'miniprogram.request_domain',
    ]);
    expect(check(report, 'public_url.certificate').detail).toMatch(/^valid for 127\.0\.0\.1:\d+ until \d{4}-\d\d-\d\d \(8\d days\), issued by Throwaway test CA/);
    expect(check(report, 'airwallex.webhooks').detail).toContain(`points at ${front.url}/webhooks/airwallex, subscribed to the 9 events`);
    // The signed ping reached the server through TLS and left nothing behind.
    expect(await server.store.listAnomalies({ openOnly: false, limit: 5, offset: 0 })).toEqual([]);
    const text = formatHuman(report);
    expect(text.split('\n').filter((line) => /^ {2}[✓✗–] /.test(line))).toHaveLength(report.checks.length);
    expect(text).toMatch(/✗ NODE_ENV +NODE_ENV is not set\. Fix: set NODE_ENV=production/);
  });

  test('checks the configured message templates against gettemplate: both listed with their keys; a wrong id or key set names the template and the fix', async () => {
    const PAY = templateIdFor(SIMULATOR_CREDENTIALS.wechatAppId, 'paymentSucceeded');
    const REFUND = templateIdFor(SIMULATOR_CREDENTIALS.wechatAppId, 'refundSucceeded');
    const good = await doctor({ WECHAT_TEMPLATE_PAYMENT_SUCCEEDED: PAY, WECHAT_TEMPLATE_REFUND_SUCCEEDED: REFUND });
    expect(check(good, 'wechat.templates')).toMatchObject({ status: 'ok', detail: 'paymentSucceeded, refundSucceeded: each listed, one-time, with the keys the server fills' });
    const wrong = await doctor({ WECHAT_TEMPLATE_PAYMENT_SUCCEEDED: 'not-a-template-id', WECHAT_TEMPLATE_REFUND_SUCCEEDED: REFUND, WECHAT_TEMPLATE_REFUND_SUCCEEDED_KEYS: 'character_string1=order,amount2=amount' });
    const templates = check(wrong, 'wechat.templates');
    expect(templates.status).toBe('fail');
    expect(templates.detail).toContain('paymentSucceeded: template not-a-template-id is not among this mini program\'s templates');
    expect(templates.detail).toContain(`refundSucceeded: template ${REFUND} has the keys character_string1, amount2, thing3, time4, phrase5`);
  });

  test('a wrong API key: the login fails, says which keys to copy, and the reads after it are skipped', async () => {
    const report = await doctor({ AIRWALLEX_API_KEY: 'not-the-key' });
    expect(report.ok).toBe(false);
    const login = check(report, 'airwallex.login');
    expect(login).toMatchObject({ status: 'fail', detail: expect.stringContaining('Airwallex refused AIRWALLEX_CLIENT_ID / AIRWALLEX_API_KEY') });
    expect(login.fix).toContain('API keys');
    expect(check(report, 'airwallex.payment_intents').status).toBe('skip');
    expect(check(report, 'airwallex.webhooks').status).toBe('skip');
  });

  test('a wrong app secret, a wrong AppID, and a machine not on the IP allow-list each name their WeChat errcode and fix', async () => {
    const secret = check(await doctor({ WECHAT_APP_SECRET: 'not-the-secret' }), 'wechat.credentials');
    expect(secret).toMatchObject({ status: 'fail', detail: expect.stringContaining('(40125)') });
    expect(secret.fix).toContain('WECHAT_APP_SECRET');
    const appId = check(await doctor({ WECHAT_APPID: 'wx0000000000000000' }), 'wechat.credentials');
    expect(appId).toMatchObject({ status: 'fail', detail: expect.stringContaining('(40013)') });
    expect(appId.fix).toContain('set WECHAT_APPID');
    simulator.wechat.setSwitches({ allowedIps: ['203.0.113.7'] });
    try {
      const ip = check(await doctor(), 'wechat.credentials');
      expect(ip).toMatchObject({ status: 'fail', detail: expect.stringContaining('(40164)') });
      expect(ip.fix).toMatch(/add 127\.0\.0\.1 .*IP allow-list/);
    } finally {
      simulator.wechat.resetSwitches();
    }
  });

  test('a wrong webhook secret: the subscription signs with another one, and the server behind PUBLIC_URL refuses the ping', async () => {
    const report = await doctor({ AIRWALLEX_WEBHOOK_SECRET: 'whsec_not_the_one' });
    expect(check(report, 'airwallex.webhooks')).toMatchObject({ status: 'fail', detail: expect.stringContaining('signs its events with another secret than AIRWALLEX_WEBHOOK_SECRET') });
    const ping = check(report, 'public_url.webhook_signed');
    expect(ping).toMatchObject({ status: 'fail', detail: expect.stringContaining('refused a ping signed with this AIRWALLEX_WEBHOOK_SECRET') });
    expect(ping.fix).toContain('same AIRWALLEX_WEBHOOK_SECRET');
    // The unsigned probe is still the expected 401.
    expect(check(report, 'public_url.webhook_unsigned').status).toBe('ok');
  });

  test('an http PUBLIC_URL fails the https check and the request domain, and its certificate check is skipped', async () => {
    const report = await doctor({ PUBLIC_URL: server.url }, { projectRoot: writeProject(path.join(dir, 'project-http'), SIMULATOR_CREDENTIALS.wechatAppId, server.url) });
    expect(check(report, 'public_url.https')).toMatchObject({ status: 'fail', detail: expect.stringContaining('is plain http') });
    expect(check(report, 'public_url.certificate').status).toBe('skip');
    expect(check(report, 'miniprogram.request_domain').status).toBe('fail');
    expect(check(report, 'public_url.healthz').status).toBe('ok');
  });

  test('an expired, an expiring, a self-signed and an untrusted certificate each fail the certificate check; the rest still runs', async () => {
    const cases = [
      [certs.expired, /expired on \d{4}-\d\d-\d\d/, certs.ca],
      [certs.expiring, /expires in [45] days/, certs.ca],
      [certs.selfSigned, /not signed by a certificate authority this machine trusts \(DEPTH_ZERO_SELF_SIGNED_CERT\)/, certs.ca],
      [certs.good, /not signed by a certificate authority this machine trusts \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/, null],
    ] as const;
    for (const [pair, why, ca] of cases) {
      const other = await startTlsFront(pair, server.url);
      try {
        const report = await doctor({ PUBLIC_URL: other.url }, { ca });
        const certificate = check(report, 'public_url.certificate');
        expect(certificate).toMatchObject({ status: 'fail', detail: expect.stringMatching(why) });
        expect(certificate.fix).toBeTruthy();
        expect(check(report, 'public_url.healthz')).toMatchObject({ status: 'ok', detail: expect.stringContaining('certificate not verified') });
        expect(check(report, 'public_url.webhook_signed').status).toBe('ok');
        expect(report.ok).toBe(false);
      } finally {
        await other.close();
      }
    }
  });

  test('a certificate of a trusted CA for another host name fails the certificate check as a name mismatch, with its own fix', async () => {
    const other = makeCertificates(path.join(dir, 'certs-other-host'), ['shop.example.com']);
    const front = await startTlsFront(other.good, server.url);
    try {
      const certificate = check(await doctor({ PUBLIC_URL: front.url }, { ca: other.ca }), 'public_url.certificate');
      expect(certificate).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^the certificate is not valid for 127\.0\.0\.1:\d+: .*does not match certificate's altnames/) });
      expect(certificate.fix).toContain('get a certificate naming 127.0.0.1');
    } finally {
      await front.close();
    }
  });

  test('a subscription at another URL, or without the refund events, fails with what to make in the web app', async () => {
    const elsewhere = await startSimulator('https://old.example.com/hooks', RECOMMENDED_WEBHOOK_EVENTS);
    const partial = await startSimulator(`${front.url}/webhooks/airwallex`, ['payment_intent.succeeded', 'payment_intent.cancelled']);
    try {
      const none = check(await doctor({ AIRWALLEX_BASE_URL: `${elsewhere.url}/simulator/airwallex`, WECHAT_BASE_URL: `${elsewhere.url}/simulator/wechat` }), 'airwallex.webhooks');
      expect(none).toMatchObject({ status: 'fail', detail: `no webhook points at ${front.url}/webhooks/airwallex (the account's point at https://old.example.com/hooks)` });
      expect(none.fix).toContain('add a webhook at');
      const missing = check(await doctor({ AIRWALLEX_BASE_URL: `${partial.url}/simulator/airwallex` }), 'airwallex.webhooks');
      expect(missing.status).toBe('fail');
      expect(missing.detail).toContain('is not subscribed to payment_intent.requires_payment_method, payment_intent.pending, payment_intent.pending_review, refund.received');
      expect(missing.fix).toContain("fixes a webhook's events when it is made");
    } finally {
      await elsewhere.app.close();
      await partial.app.close();
    }
  });

  test("the mini program: the tourist AppID, another app's AppID and a release URL that is not PUBLIC_URL each fail", async () => {
    const tourist = await doctor({}, { projectRoot: writeProject(path.join(dir, 'project-tourist'), 'touristappid', 'https://api.example.com') });
    expect(check(tourist, 'miniprogram.appid')).toMatchObject({ status: 'fail', detail: "project.config.json still has DevTools' tourist AppID" });
    expect(check(tourist, 'miniprogram.server_url')).toMatchObject({ status: 'fail', detail: `miniprogram/config.ts sends trial and release builds to https://api.example.com, not PUBLIC_URL (${front.url})` });
    const other = await doctor({}, { projectRoot: writeProject(path.join(dir, 'project-other'), 'wx1234567890abcdef', front.url) });
    expect(check(other, 'miniprogram.appid').detail).toContain('40029');
    expect(check(other, 'miniprogram.server_url').status).toBe('ok');
    // The repository's own mini program ships the tourist AppID and the example domain: not ready to go live as it is.
    expect(failed(await doctor({}, { projectRoot: ROOT }))).toEqual(expect.arrayContaining(['miniprogram.appid', 'miniprogram.server_url']));
  });

  test('a key that may not read payment intents fails that line with the permissions to give; an API without webhook listing skips its line with what to check by hand', async () => {
    // Airwallex as a restricted key sees it: the login works, intents answer 403, refunds 200, and /api/v1/webhooks is not there.
    const restricted = Fastify({ logger: false });
    restricted.post('/api/v1/authentication/login', async (_request, reply) => reply.code(201).send({ token: 'restricted-token', expires_at: new Date(Date.now() + 1_800_000).toISOString() }));
    restricted.get('/api/v1/pa/payment_intents', async (_request, reply) => reply.code(403).send({ code: 'unauthorized', message: 'Access denied: the key lacks payment intents (read)' }));
    restricted.get('/api/v1/pa/refunds', async () => ({ items: [], has_more: false }));
    await restricted.listen({ port: 0, host: '127.0.0.1' });
    try {
      const report = await doctor({ AIRWALLEX_BASE_URL: `http://127.0.0.1:${(restricted.server.address() as AddressInfo).port}` });
      expect(check(report, 'airwallex.login').status).toBe('ok');
      expect(check(report, 'airwallex.payment_intents')).toMatchObject({
        status: 'fail',
        detail: 'the API key may not read payment intents: GET /api/v1/pa/payment_intents answered 403 unauthorized',
        fix: expect.stringContaining('give the key the Payments permissions'),
      });
      expect(check(report, 'airwallex.refunds').status).toBe('ok');
      expect(check(report, 'airwallex.webhooks')).toMatchObject({ status: 'skip', detail: expect.stringMatching(/^skipped: this API key cannot list webhooks \(GET \/api\/v1\/webhooks answered 404\); check by hand: /) });
      expect(report.ok).toBe(false);
    } finally {
      await restricted.close();
    }
  });

  test("names Airwallex's environment by its host: production, the sandbox, a simulator here, anything else refused", () => {
    expect(['https://api.airwallex.com', 'https://api-demo.airwallex.com', 'https://api.sandbox.airwallex.com/', 'https://API.AIRWALLEX.COM', 'https://api.airwallex.com.evil.example', 'not a url'].map(airwallexEnvironment)).toEqual([
      'production', 'demo', 'demo', 'production', 'other', 'other',
    ]);
  });

  test('a PostgreSQL that cannot be reached fails the database line, its password masked, and nothing more is asked of it', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const report = await doctor({ DATABASE_PATH: undefined, DATABASE_URL: `postgresql://shop:s3cret-pw@127.0.0.1:${closed}/shop` });
    const reachable = check(report, 'database.reachable');
    expect(reachable.status).toBe('fail');
    expect(reachable.detail).toMatch(/^postgresql:\/\/shop:\*\*\*@127\.0\.0\.1:\d+\/shop does not answer: .*ECONNREFUSED/);
    expect(`${reachable.detail} ${reachable.fix}`).not.toContain('s3cret-pw');
    // Nothing is asked of a database that does not answer; the other groups still run.
    expect(report.checks.filter((c) => c.id.startsWith('database.')).map((c) => c.id)).toEqual(['database.reachable']);
    expect(check(report, 'airwallex.login').status).toBe('ok');
  });

  test('a database file that does not exist, simulator mode, and a refused configuration each stop at their first line', async () => {
    const missing = check(await doctor({ DATABASE_PATH: path.join(dir, 'nowhere', 'app.sqlite') }), 'database.reachable');
    expect(missing).toMatchObject({ status: 'fail', detail: expect.stringContaining('no database file at') });
    expect(fs.existsSync(path.join(dir, 'nowhere'))).toBe(false); // the doctor never creates one
    const simulated = await doctor({ APP_MODE: 'simulator', AIRWALLEX_CLIENT_ID: undefined, AIRWALLEX_API_KEY: undefined, WECHAT_APPID: undefined, WECHAT_APP_SECRET: undefined });
    expect(failed(simulated)).toEqual(['configuration.mode', 'configuration.node_env']);
    expect(simulated.checks.filter((c) => c.group !== 'configuration').every((c) => c.status === 'skip')).toBe(true);
    const refused = await doctor({ ADMIN_TOKEN: 'adminadminadminadminadmin01' });
    expect(refused.checks[0]).toMatchObject({ status: 'fail', detail: expect.stringContaining('ADMIN_TOKEN is too easy to guess') });
    expect(refused.checks.slice(1).every((c) => c.status === 'skip')).toBe(true);
  });
});

describe('npm run doctor, as a process', () => {
  test('in production, with https everywhere: every line ✓, exit 0, no simulator code loaded; a wrong API key: exit 1', async () => {
    // The upstreams behind TLS too, so NODE_ENV=production accepts them; NODE_EXTRA_CA_CERTS trusts the test CA for every call.
    const upstream = await startTlsFront(certs.good, simulatorUrl);
    const modulesFile = path.join(dir, 'modules.json');
    const production: Record<string, string> = {
      ...env,
      NODE_ENV: 'production',
      ALLOW_INSECURE_UPSTREAM: '',
      AIRWALLEX_BASE_URL: `${upstream.url}/simulator/airwallex`,
      WECHAT_BASE_URL: `${upstream.url}/simulator/wechat`,
      NODE_EXTRA_CA_CERTS: certs.caFile,
      LOADED_MODULES_FILE: modulesFile,
    };
    const preload = path.join(__dirname, 'fixtures', 'report-loaded-modules.js');
    try {
      const green = runNode(['--require', preload, '--import', 'tsx', 'server/doctor/main.ts', '--project', project], production);
      const red = runNode(['--import', 'tsx', 'server/doctor/main.ts', '--project', project, '--json'], { ...production, AIRWALLEX_API_KEY: 'not-the-key', LOADED_MODULES_FILE: '' });
      const [greenCode, redCode] = await Promise.all([green.exited, red.exited]);
      const lines = green.output().split('\n').filter((line) => /^ {2}[✓✗–] /.test(line));
      expect({ code: greenCode, failed: lines.filter((line) => !line.startsWith('  ✓')) }).toEqual({ code: 0, failed: ['  – message templates     skipped: no subscription message template is configured, so the server sends none'] });
      expect(lines).toHaveLength(23);
      expect(green.output()).toMatch(/22 ✓, 1 – skipped: ready to go live/);
      const loaded = (JSON.parse(fs.readFileSync(modulesFile, 'utf8')) as string[]).map((file) => path.relative(ROOT, file));
      expect(loaded).toEqual(expect.arrayContaining(['server/doctor/main.ts', 'server/airwallex/client.ts']));
      expect(loaded.filter((file) => file.startsWith('server/simulator/'))).toEqual([]);

      expect(redCode).toBe(1);
      const json = JSON.parse(red.output()) as { ok: boolean; checks: Array<{ id: string; status: string; fix?: string }> };
      expect(json.ok).toBe(false);
      expect(json.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['airwallex.login']);
    } finally {
      await upstream.close();
    }
  }, 60_000);
});
