// What the configuration tests share: a complete live environment, and the problems a configuration is refused with.
import { ConfigError, loadConfig } from '../../server/config';

/** Everything live mode needs, as a merchant would set it; tests change one thing at a time. */
export const LIVE = {
  AIRWALLEX_CLIENT_ID: 'id',
  AIRWALLEX_API_KEY: 'key',
  AIRWALLEX_WEBHOOK_SECRET: 'whsec',
  WECHAT_APPID: 'wx123',
  WECHAT_APP_SECRET: 'secret',
  PUBLIC_URL: 'https://shop.example.com',
  METRICS_TOKEN: '3f9a1c0e7b2d48f6a5c1e9d07b3a2f64',
};

/** The problems a configuration is refused with (empty when it loads). */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
}
