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
  return pino(loggerOptions(level), logDestination());
}

/**
 * Standard output, written without blocking the event loop: a line is handed to the OS by an
 * asynchronous write, and lines logged while one is in flight go out together in the next. pino
 * flushes what is left synchronously when the process exits, by process.exit, a signal handled by
 * main.ts or an uncaught exception (its on-exit hook on a non-sync destination); a SIGKILL loses at
 * most the lines of the write in flight.
 */
export function logDestination(fd = 1): pino.DestinationStream {
  return pino.destination({ dest: fd, sync: false, minLength: 0 });
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
