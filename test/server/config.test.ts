// Configuration from the environment, validated at boot.
import { ConfigError, describeDatabase, loadConfig } from '../../server/config';
import { operatorNotes, weakTokenReason } from '../../server/config-safety';
import { LIVE, problemsOf } from './config-fixtures';

/** A token like `openssl rand -hex 24` makes. */
const GOOD_TOKEN = '9c2f4e1a7b0d3c58e6f1a2b4c7d9e0f3a5b8c1d2e4f60718';


describe('configuration', () => {
  test('runs on the simulator with no configuration at all', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('simulator');
    expect(config.port).toBe(3000);
    expect(config.currency).toBe('CNY');
    expect(config.databasePath).toMatch(/data[/\\]app\.sqlite$/);
    expect(config.airwallex.clientId).toBe('sim-client');
  });

  test('selects PostgreSQL with DATABASE_URL, and describes it for logs without the password', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    const config = loadConfig({ DATABASE_URL: 'postgres://shop:s3cr%40t@db.internal:5432/wechatpay?sslpassword=x' });
    expect(config.databaseUrl).toBe('postgres://shop:s3cr%40t@db.internal:5432/wechatpay?sslpassword=x');
    const described = describeDatabase(config);
    expect(described).toBe('postgres://shop:***@db.internal:5432/wechatpay');
    expect(described).not.toContain('s3cr');
    expect(describeDatabase(loadConfig({ DATABASE_PATH: '/var/lib/app.sqlite' }))).toBe('sqlite:/var/lib/app.sqlite');
  });

  test('takes the PostgreSQL pool size and statement timeout, within bounds', () => {
    expect(loadConfig({})).toMatchObject({ databasePoolSize: 10, databaseStatementTimeoutMs: 15_000 });
    expect(loadConfig({ DATABASE_POOL_SIZE: '4', DATABASE_STATEMENT_TIMEOUT_MS: '2500' })).toMatchObject({ databasePoolSize: 4, databaseStatementTimeoutMs: 2500 });
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '10' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
  });

  test('refuses a DATABASE_URL that is not a PostgreSQL URL naming a database, without echoing it', () => {
    for (const [value, reason] of [
      ['mysql://u:topsecret@h/db', /postgres:\/\/ or postgresql:\/\//],
      ['postgres://u:topsecret@h:5432', /must name a database/],
      ['//u:topsecret@h/db', /must be a URL/],
    ] as const) {
      let error: unknown;
      try {
        loadConfig({ DATABASE_URL: value });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(reason);
      expect((error as Error).message).not.toContain('topsecret');
    }
  });

  test('switches to live mode when Airwallex credentials are set', () => {
    const config = loadConfig(LIVE);
    expect(config.mode).toBe('live');
    expect(config.airwallex.baseUrl).toBe('https://api-demo.airwallex.com');
    expect(config.airwallex.apiKey).toBe('key');
  });

  test('forced live mode without credentials fails naming every missing key', () => {
    let error: unknown;
    try {
      loadConfig({ APP_MODE: 'live', AIRWALLEX_CLIENT_ID: 'id' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const key of ['AIRWALLEX_API_KEY', 'AIRWALLEX_WEBHOOK_SECRET', 'WECHAT_APPID', 'WECHAT_APP_SECRET']) {
      expect(message).toContain(key);
    }
    expect(message).not.toContain('AIRWALLEX_CLIENT_ID is required');
  });

  test('names a malformed value and what it should be', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT must be an integer between 0 and 65535, got "eighty"/);
    expect(() => loadConfig({ AIRWALLEX_BASE_URL: 'ftp://x' })).toThrow(/AIRWALLEX_BASE_URL must be an http\(s\) URL/);
    expect(() => loadConfig({ APP_MODE: 'prod' })).toThrow(/APP_MODE must be/);
    expect(() => loadConfig({ CURRENCY: 'yuan' })).toThrow(/CURRENCY/);
  });

  test('in production, missing Airwallex credentials are a refusal that names what to set, never a silent simulator', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AIRWALLEX_CLIENT_ID and AIRWALLEX_API_KEY.*APP_MODE=simulator/);
    // Simulating in production is possible, but only on purpose, twice over.
    expect(problemsOf({ NODE_ENV: 'production', APP_MODE: 'simulator' })).toEqual([expect.stringMatching(/\/simulator\/\*.*SIMULATOR_IN_PRODUCTION=1/)]);
    expect(loadConfig({ NODE_ENV: 'production', APP_MODE: 'simulator', SIMULATOR_IN_PRODUCTION: '1' }).mode).toBe('simulator');
  });

  test('refuses real WeChat credentials with a simulated Airwallex unless asked for', () => {
    expect(() => loadConfig({ WECHAT_APPID: 'wx1234567890', WECHAT_APP_SECRET: 'real' })).toThrow(/WECHAT_APPID.*APP_MODE=simulator/);
    const onPurpose = loadConfig({ APP_MODE: 'simulator', WECHAT_APPID: 'wx1234567890', WECHAT_APP_SECRET: 'real' });
    expect(onPurpose.mode).toBe('simulator');
    // …and then the simulator never makes every unknown wx.login code the same default shopper.
    expect(onPurpose.simulator?.acceptUnknownCodes).toBe(false);
    expect(loadConfig({}).simulator?.acceptUnknownCodes).toBe(true);
  });

  test('generates an admin token in simulator mode only, and checks one that is set', () => {
    const simulated = loadConfig({});
    expect(simulated.adminToken).toMatch(/^[\w-]{24,}$/);
    expect(simulated.adminTokenGenerated).toBe(true);
    const live = loadConfig(LIVE);
    expect(live.adminToken).toBeUndefined();
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN must be at least 24 characters/);
    expect(loadConfig({ ADMIN_TOKEN: GOOD_TOKEN })).toMatchObject({ adminToken: GOOD_TOKEN, adminTokenGenerated: false });
  });

  test('generates (and prints) an admin token only on a loopback HOST; elsewhere the console is off until ADMIN_TOKEN is set, and says so', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect([host, loadConfig({ HOST: host }).adminTokenGenerated]).toEqual([host, true]);
    const lan = loadConfig({ HOST: '0.0.0.0' });
    expect(lan).toMatchObject({ adminToken: undefined, adminTokenGenerated: false, metricsToken: undefined });
    const notes = operatorNotes(lan, 'http://127.0.0.1:3000').join('\n');
    expect(notes).toMatch(/admin API and merchant console are off: HOST=0\.0\.0\.0 .*set ADMIN_TOKEN.*openssl rand -hex 24/);
    // The simulator's controls are unauthenticated: said when they can be reached from other machines, only then.
    expect(notes).toMatch(/simulator's controls \(\/simulator\/\*.*\) answer anyone who can reach HOST=0\.0\.0\.0/);
    expect(operatorNotes(loadConfig({}), 'http://127.0.0.1:3000').join('\n')).toMatch(/admin token for this run: [\w-]{24}/);
    expect(operatorNotes(loadConfig({}), 'http://127.0.0.1:3000').join('\n')).not.toMatch(/simulator's controls/);
    expect(operatorNotes(loadConfig({ HOST: '0.0.0.0', ADMIN_TOKEN: GOOD_TOKEN }), 'http://127.0.0.1:3000').join('\n')).not.toContain(GOOD_TOKEN);
  });

  test('reads the abuse limits and the proxies to trust', () => {
    const config = loadConfig({ RATE_LIMIT_SHOPPER_PER_MINUTE: '10', MAX_OPEN_ORDERS_PER_SHOPPER: '3', TRUST_PROXY: '10.0.0.0/8' });
    expect(config.limits).toMatchObject({ shopperPerMinute: 10, maxOpenOrders: 3 });
    expect(config.trustProxy).toBe('10.0.0.0/8');
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,loopback' }).trustProxy).toBe('10.0.0.0/8,127.0.0.1,::1,loopback');
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    for (const value of ['everyone', '10.0.0.0/33', '10.0.0', '1.2.3.4/8/9']) expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY must be a number of hops/);
  });

  test('refuses TRUST_PROXY=true, which would let any client choose its address, naming what to set instead', () => {
    expect(problemsOf({ TRUST_PROXY: 'true' })).toEqual([expect.stringMatching(/TRUST_PROXY=true .*X-Forwarded-For.*TRUST_PROXY=1.*TRUST_PROXY=10\.0\.0\.0\/8/)]);
    // A range of every address is the same door, however it is spelled.
    for (const value of ['0.0.0.0/0', '::/0', '10.0.0.1, 0.0.0.0/00']) {
      expect(problemsOf({ TRUST_PROXY: value })).toEqual([expect.stringMatching(/is every address, as TRUST_PROXY=true would be.*X-Forwarded-For.*TRUST_PROXY=10\.0\.0\.0\/8/)]);
    }
  });

  test('refuses tokens with little entropy (few different characters, a repeated pattern), saying how to make one', () => {
    for (const token of ['adminadminadminadminadmin01', 'x'.repeat(32), 'abcdefghijklmnopabcdefghijklmnop', 'Pa55word-Pa55word-2024-Pa55word', 'password1234password1234']) {
      expect([token, problemsOf({ ADMIN_TOKEN: token })]).toEqual([token, [expect.stringMatching(/^ADMIN_TOKEN is too easy to guess: .*openssl rand -hex 24$/)]]);
      expect([token, problemsOf({ METRICS_TOKEN: token })]).toEqual([token, [expect.stringMatching(/^METRICS_TOKEN is too easy to guess: .*openssl rand -hex 24$/)]]);
    }
    expect(weakTokenReason('adminadminadminadminadmin01')).toMatch(/only 7 different characters/);
    expect(weakTokenReason('abcdefghijklmnopabcdefghijklmnop')).toMatch(/a run of 8 characters repeats/);
    // The refusal never quotes the token.
    expect(problemsOf({ ADMIN_TOKEN: 'abcdefghijklmnopabcdefghijklmnop' }).join('\n')).not.toMatch(/abc|ab…/);
    // What openssl rand -hex 24 and -base64 24 make, 48 hex digits or 32 base64 characters, is never refused
    // (48 random hex digits lack one of the 16 about half the time: a rule of 16 different characters refused them).
    for (const token of [GOOD_TOKEN, 'q3Jx8Vb0Lm2N+kR7tY5wZ1aC4dE6fG9h']) expect([token, weakTokenReason(token)]).toEqual([token, undefined]);
    const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
    const refused = [];
    for (let i = 0; i < 5000; i++) {
      for (const token of [randomBytes(24).toString('hex'), randomBytes(24).toString('base64'), randomBytes(18).toString('base64url')]) if (weakTokenReason(token)) refused.push(token);
    }
    expect(refused).toEqual([]);
  });

  test('live mode needs METRICS_TOKEN (or METRICS_TOKEN=off), never falling back to the admin token, and one of its own', () => {
    const { METRICS_TOKEN: _, ...withoutMetrics } = LIVE;
    expect(problemsOf(withoutMetrics)).toEqual([expect.stringMatching(/^METRICS_TOKEN is required in live mode: .*openssl rand -hex 24.*METRICS_TOKEN=off/)]);
    expect(problemsOf({ ...withoutMetrics, ADMIN_TOKEN: GOOD_TOKEN })).toEqual([expect.stringMatching(/^METRICS_TOKEN is required in live mode/)]);
    expect(loadConfig({ ...LIVE, METRICS_TOKEN: 'off', ADMIN_TOKEN: GOOD_TOKEN }).metricsToken).toBeUndefined();
    expect(loadConfig(LIVE).metricsToken).toBe(LIVE.METRICS_TOKEN);
    expect(problemsOf({ ...LIVE, ADMIN_TOKEN: GOOD_TOKEN, METRICS_TOKEN: GOOD_TOKEN })).toEqual([expect.stringMatching(/METRICS_TOKEN must differ from ADMIN_TOKEN/)]);
    // On a laptop (simulator mode) /metrics takes the admin token, and the start says so.
    const laptop = loadConfig({ ADMIN_TOKEN: GOOD_TOKEN });
    expect(laptop.metricsToken).toBe(GOOD_TOKEN);
    expect(operatorNotes(laptop, 'http://127.0.0.1:3000').join('\n')).toMatch(/GET \/metrics takes the admin token \(simulator mode only\): set METRICS_TOKEN/);
  });

  test('live mode needs PUBLIC_URL, an https origin (plain http on a loopback host only)', () => {
    const { PUBLIC_URL: _, ...withoutUrl } = LIVE;
    expect(problemsOf(withoutUrl)).toEqual([expect.stringMatching(/^PUBLIC_URL is required in live mode: .*https:\/\/shop\.example\.com/)]);
    expect(problemsOf({ ...LIVE, PUBLIC_URL: 'http://shop.example.com' })).toEqual([expect.stringMatching(/^PUBLIC_URL must be https:\/\/ in live mode/)]);
    for (const value of ['https://shop.example.com/admin', 'https://u:p@shop.example.com', 'shop.example.com']) {
      expect([value, problemsOf({ ...LIVE, PUBLIC_URL: value })]).toEqual([value, [expect.stringMatching(/^PUBLIC_URL must be an origin like https:\/\/shop\.example\.com/)]]);
    }
    expect(problemsOf({ ...LIVE, PUBLIC_URL: 'https://u:hunter2@shop.example.com' }).join('\n')).not.toContain('hunter2');
    expect(loadConfig({ ...LIVE, PUBLIC_URL: 'https://Shop.Example.com/' }).publicUrl).toBe('https://shop.example.com');
    expect(loadConfig({ ...LIVE, PUBLIC_URL: 'http://127.0.0.1:3000' }).publicUrl).toBe('http://127.0.0.1:3000');
    expect(loadConfig({}).publicUrl).toBeUndefined();
  });

  test('live mode refuses http base URLs (the API key and app secret would travel in clear) unless ALLOW_INSECURE_UPSTREAM=1, which production refuses', () => {
    const insecure = { ...LIVE, AIRWALLEX_BASE_URL: 'http://airwallex.internal', WECHAT_BASE_URL: 'http://wechat.internal' };
    expect(problemsOf(insecure)).toEqual([
      expect.stringMatching(/^AIRWALLEX_BASE_URL must be https:\/\/ in live mode .*API key.*ALLOW_INSECURE_UPSTREAM=1/),
      expect.stringMatching(/^WECHAT_BASE_URL must be https:\/\/ in live mode .*app secret.*ALLOW_INSECURE_UPSTREAM=1/),
    ]);
    expect(loadConfig({ ...insecure, ALLOW_INSECURE_UPSTREAM: '1' }).airwallex.baseUrl).toBe('http://airwallex.internal');
    const production = problemsOf({ ...insecure, ALLOW_INSECURE_UPSTREAM: '1', NODE_ENV: 'production' });
    expect(production).toContainEqual(expect.stringMatching(/ALLOW_INSECURE_UPSTREAM=1 .* refused with NODE_ENV=production/));
    expect(production).toContainEqual(expect.stringMatching(/^AIRWALLEX_BASE_URL must be https/));
    // The simulator itself is plain HTTP on this machine, in simulator mode.
    expect(problemsOf({ AIRWALLEX_BASE_URL: 'http://127.0.0.1:9' })).toEqual([]);
  });

  test('reads the simulator settings in simulator mode only: a live server ignores SIMULATOR_* and never loads the simulator', () => {
    expect(loadConfig({ ...LIVE, SIMULATOR_LATENCY_MS: 'slow' }).simulator).toBeUndefined();
    expect(() => loadConfig({ SIMULATOR_LATENCY_MS: 'slow' })).toThrow(/SIMULATOR_LATENCY_MS must be a number of milliseconds/);
    expect(loadConfig({ DATABASE_PATH: '/srv/shop/app.sqlite', SIMULATOR_LATENCY_MS: '5' }).simulator).toMatchObject({
      databasePath: '/srv/shop/simulator.sqlite',
      faults: { latencyMs: 5 },
    });
  });

  test('honours the webhook secret in simulator mode too', () => {
    expect(loadConfig({ AIRWALLEX_WEBHOOK_SECRET: 'mine' }).airwallex.webhookSecret).toBe('mine');
  });
});

describe('.env.example', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const root = path.resolve(__dirname, '../..');
  const example = fs.readFileSync(path.join(root, '.env.example'), 'utf8');
  const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));

  test('loads as it is', () => {
    const env = Object.fromEntries([...example.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(loadConfig(env).mode).toBe('simulator');
  });

  test('documents every variable the server reads', () => {
    const sources = ['server/config.ts', 'server/config-safety.ts', 'server/config-reconciliation.ts', 'server/simulator/settings.ts', 'server/simulator/finance-settings.ts', 'server/config-events.ts', 'server/catalogue-file.ts']
      .map((file) => fs.readFileSync(path.join(root, file), 'utf8'))
      .join('\n');
    const patterns = [
      /['"`]((?:AIRWALLEX|WECHAT|SIMULATOR|APP|ORDER|SESSION|SWEEP|WEBHOOK|DATABASE|LOG|CURRENCY|PORT|HOST|NODE|TRUST|RATE|MAX|ADMIN|METRICS|MERCHANT|RECONCILE|EVENTS|CATALOGUE)[A-Z0-9_]*)['"`]/g, // str('KEY', …)
      /^\s+(SIMULATOR_[A-Z0-9_]+):/gm, // the simulator's env table
      /env\.([A-Z][A-Z0-9_]+)/g, // env.KEY
    ];
    const read = new Set(patterns.flatMap((pattern) => [...sources.matchAll(pattern)].map((m) => m[1])));
    expect(read.size).toBeGreaterThan(25);
    const missing = [...read].filter((key) => !documented.has(key) && !key.endsWith('_'));
    expect(missing).toEqual([]);
  });
});
