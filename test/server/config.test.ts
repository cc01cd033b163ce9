// Configuration from the environment, validated at boot.
import { ConfigError, describeDatabase, loadConfig } from '../../server/config';

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
    const config = loadConfig({
      AIRWALLEX_CLIENT_ID: 'id',
      AIRWALLEX_API_KEY: 'key',
      AIRWALLEX_WEBHOOK_SECRET: 'whsec',
      WECHAT_APPID: 'wx123',
      WECHAT_APP_SECRET: 'secret',
    });
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
    // Simulating in production is possible, but only on purpose.
    expect(loadConfig({ NODE_ENV: 'production', APP_MODE: 'simulator' }).mode).toBe('simulator');
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
    const live = loadConfig({ AIRWALLEX_CLIENT_ID: 'id', AIRWALLEX_API_KEY: 'key', AIRWALLEX_WEBHOOK_SECRET: 'w', WECHAT_APPID: 'wx1', WECHAT_APP_SECRET: 's' });
    expect(live.adminToken).toBeUndefined();
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN must be at least 24 characters/);
    expect(loadConfig({ ADMIN_TOKEN: 'x'.repeat(32) })).toMatchObject({ adminToken: 'x'.repeat(32), adminTokenGenerated: false });
  });

  test('reads the abuse limits and the proxies to trust', () => {
    const config = loadConfig({ RATE_LIMIT_SHOPPER_PER_MINUTE: '10', MAX_OPEN_ORDERS_PER_SHOPPER: '3', TRUST_PROXY: '10.0.0.0/8' });
    expect(config.limits).toMatchObject({ shopperPerMinute: 10, maxOpenOrders: 3 });
    expect(config.trustProxy).toBe('10.0.0.0/8');
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });

  test('reads the simulator settings in simulator mode only: a live server ignores SIMULATOR_* and never loads the simulator', () => {
    const live = { AIRWALLEX_CLIENT_ID: 'id', AIRWALLEX_API_KEY: 'key', AIRWALLEX_WEBHOOK_SECRET: 'w', WECHAT_APPID: 'wx1', WECHAT_APP_SECRET: 's' };
    expect(loadConfig({ ...live, SIMULATOR_LATENCY_MS: 'slow' }).simulator).toBeUndefined();
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
    const sources = ['server/config.ts', 'server/simulator/settings.ts', 'server/simulator/finance-settings.ts'].map((file) => fs.readFileSync(path.join(root, file), 'utf8')).join('\n');
    const patterns = [
      /['"`]((?:AIRWALLEX|WECHAT|SIMULATOR|APP|ORDER|SESSION|SWEEP|WEBHOOK|DATABASE|LOG|CURRENCY|PORT|HOST|NODE|TRUST|RATE|MAX|ADMIN|METRICS)[A-Z0-9_]*)['"`]/g, // str('KEY', …)
      /^\s+(SIMULATOR_[A-Z0-9_]+):/gm, // the simulator's env table
      /env\.([A-Z][A-Z0-9_]+)/g, // env.KEY
    ];
    const read = new Set(patterns.flatMap((pattern) => [...sources.matchAll(pattern)].map((m) => m[1])));
    expect(read.size).toBeGreaterThan(25);
    const missing = [...read].filter((key) => !documented.has(key) && !key.endsWith('_'));
    expect(missing).toEqual([]);
  });
});
