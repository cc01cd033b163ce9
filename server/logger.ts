// Structured logging (pino) with every secret redacted, whatever path it takes into a log line.
import pino from 'pino';

export type Logger = pino.Logger;

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-client-id"]',
  'req.headers["x-signature"]',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.token',
  '*.apiKey',
  '*.appSecret',
  '*.secret',
  '*.webhookSecret',
  '*.databaseUrl',
  '*.connectionString',
  '*.password',
  '*.session_key',
  '*.sessionKey',
  '*.accessToken',
  '*.access_token',
];

/** Query parameters that carry secrets (jscode2session's `secret` and `js_code`; the access token of WeChat's other APIs). */
const SECRET_QUERY = /([?&](?:secret|js_code|appsecret|access_token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[REDACTED]');
}

export function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    serializers: {
      req(req: { method: string; url: string; id?: string; headers?: Record<string, unknown> }) {
        return { method: req.method, url: redactUrl(req.url), id: req.id };
      },
    },
  };
}

export function createLogger(level: string, format: 'json' | 'pretty' = 'json'): Logger {
  if (format === 'pretty' && prettyAvailable()) {
    return pino({ ...loggerOptions(level), transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino(loggerOptions(level));
}

/** pino-pretty is a development dependency: an install without it still logs, as JSON. */
function prettyAvailable(): boolean {
  try {
    require('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
