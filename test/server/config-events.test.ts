// The order events' settings, validated at boot: EVENTS_URL https in live mode (with the upstreams' escape hatch for tests), a strong secret of its own.
import { loadConfig } from '../../server/config';
import { eventsNotes } from '../../server/config-events';
import { LIVE, problemsOf } from './config-fixtures';

const SECRET = '7d1f3a9c5e2b8046f1a3c5e7d9b2f4a6';


describe('order events settings', () => {
  test('without EVENTS_URL there is nothing to deliver: events are recorded for the feed, and the start says so', () => {
    const config = loadConfig({});
    expect(config.events).toBeUndefined();
    expect(eventsNotes(config).join('\n')).toMatch(/recorded for the feed.*set EVENTS_URL and EVENTS_SECRET/);
  });

  test('takes EVENTS_URL and EVENTS_SECRET, with a 10 s timeout and a first retry within 5 s by default', () => {
    const config = loadConfig({ ...LIVE, EVENTS_URL: 'https://erp.example.com/hooks/shop', EVENTS_SECRET: SECRET });
    expect(config.events).toEqual({ url: 'https://erp.example.com/hooks/shop', secret: SECRET, timeoutMs: 10_000, firstRetryMs: 5_000 });
    expect(eventsNotes(config).join('\n')).toContain('POSTed to https://erp.example.com/hooks/shop');
    expect(eventsNotes(config).join('\n')).not.toContain(SECRET);
    expect(loadConfig({ EVENTS_URL: 'http://127.0.0.1:4020/', EVENTS_SECRET: SECRET, EVENTS_TIMEOUT_MS: '500', EVENTS_FIRST_RETRY_MS: '50' }).events).toMatchObject({ timeoutMs: 500, firstRetryMs: 50 });
    expect(problemsOf({ EVENTS_URL: 'http://127.0.0.1:4020/', EVENTS_SECRET: SECRET, EVENTS_FIRST_RETRY_MS: '6000' })).toEqual([expect.stringMatching(/EVENTS_FIRST_RETRY_MS must be an integer between 10 and 5000/)]);
  });

  test('refuses plain http in live mode (the orders would travel in clear), unless ALLOW_INSECURE_UPSTREAM=1 outside production for a local receiver', () => {
    const env = { ...LIVE, EVENTS_URL: 'http://erp.example.com/hooks', EVENTS_SECRET: SECRET };
    expect(problemsOf(env)).toEqual([expect.stringMatching(/EVENTS_URL must be https:\/\/ in live mode.*ALLOW_INSECURE_UPSTREAM=1/)]);
    expect(problemsOf({ ...env, EVENTS_URL: 'http://127.0.0.1:4020/', ALLOW_INSECURE_UPSTREAM: '1', AIRWALLEX_BASE_URL: 'http://127.0.0.1:1', WECHAT_BASE_URL: 'http://127.0.0.1:1' })).toEqual([]);
    expect(problemsOf({ ...env, ALLOW_INSECURE_UPSTREAM: '1', AIRWALLEX_BASE_URL: 'http://127.0.0.1:1', WECHAT_BASE_URL: 'http://127.0.0.1:1' })).toEqual([
      expect.stringMatching(/EVENTS_URL may be http:\/\/ only for a receiver on this machine/),
    ]);
    expect(problemsOf({ ...env, NODE_ENV: 'production', ALLOW_INSECURE_UPSTREAM: '1' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/ALLOW_INSECURE_UPSTREAM=1 is for tests/), expect.stringMatching(/EVENTS_URL must be https:\/\/ in live mode/)]),
    );
    // The simulator is a laptop's: a receiver there may be plain http.
    expect(problemsOf({ EVENTS_URL: 'http://192.168.1.5:4020/', EVENTS_SECRET: SECRET })).toEqual([]);
  });

  test('refuses a missing, weak or borrowed secret, a URL with credentials or of another scheme, and a secret without a URL', () => {
    expect(problemsOf({ EVENTS_URL: 'https://erp.example.com/' })).toEqual([expect.stringMatching(/EVENTS_SECRET is required with EVENTS_URL/)]);
    expect(problemsOf({ EVENTS_URL: 'https://erp.example.com/', EVENTS_SECRET: 'short' })).toEqual([expect.stringMatching(/EVENTS_SECRET must be at least 24 characters/)]);
    expect(problemsOf({ EVENTS_URL: 'https://erp.example.com/', EVENTS_SECRET: SECRET, ADMIN_TOKEN: SECRET })).toEqual([expect.stringMatching(/EVENTS_SECRET must differ from ADMIN_TOKEN/)]);
    const credentials = problemsOf({ EVENTS_URL: 'https://user:pa55word@erp.example.com/', EVENTS_SECRET: SECRET });
    expect(credentials).toEqual([expect.stringMatching(/must not hold credentials/)]);
    expect(credentials.join()).not.toContain('pa55word');
    expect(problemsOf({ EVENTS_URL: 'ftp://erp.example.com/', EVENTS_SECRET: SECRET })).toEqual([expect.stringMatching(/EVENTS_URL must be an https URL/)]);
    expect(problemsOf({ EVENTS_URL: 'not a url', EVENTS_SECRET: SECRET })).toEqual([expect.stringMatching(/EVENTS_URL must be an https URL/)]);
    expect(problemsOf({ EVENTS_SECRET: SECRET })).toEqual([expect.stringMatching(/EVENTS_SECRET is set but EVENTS_URL is not/)]);
  });
});
