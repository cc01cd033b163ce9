// Configuration from the environment, validated at boot.
import { ConfigError, loadConfig } from '../../server/config';

describe('configuration', () => {
  test('runs on the simulator with no configuration at all', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('simulator');
    expect(config.port).toBe(3000);
    expect(config.currency).toBe('CNY');
    expect(config.databasePath).toMatch(/data[/\\]app\.sqlite$/);
    expect(config.airwallex.clientId).toBe('sim-client');
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

  test('honours the webhook secret in simulator mode too', () => {
    expect(loadConfig({ AIRWALLEX_WEBHOOK_SECRET: 'mine' }).airwallex.webhookSecret).toBe('mine');
  });
});
