// A small JSON-over-HTTP client on node:http with keep-alive, telling answers apart from connection failures.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 512 });

export interface Answer<T = unknown> {
  status: number;
  body: T;
  ms: number;
  /** The server's Server-Timing parts in ms (app = the server's own time), when it sent them. */
  timing: Record<string, number>;
}

/** `app;dur=1.20, upstream;dur=3.4` → { app: 1.2, upstream: 3.4 } */
function parseServerTiming(header: string | string[] | undefined): Record<string, number> {
  const timing: Record<string, number> = {};
  for (const part of String(header ?? '').split(',')) {
    const match = /^\s*([\w-]+)\s*;\s*dur=([\d.]+)/.exec(part);
    if (match) timing[match[1]] = Number(match[2]);
  }
  return timing;
}

/** The request got no HTTP answer at all (refused, reset, timed out): not the server's verdict. */
export class ConnectionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One request; resolves with any HTTP answer (check `status`), rejects only with ConnectionError. */
export function request<T = unknown>(method: string, url: string, options: RequestOptions = {}): Promise<Answer<T>> {
  const started = performance.now();
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string | number> = { accept: 'application/json', ...(options.headers ?? {}) };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = payload.length;
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent, timeout: options.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err: NodeJS.ErrnoException) => reject(new ConnectionError(err.code ?? 'ERESPONSE', err.message)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        if (text) {
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
        }
        resolve({ status: res.statusCode ?? 0, body: body as T, ms: performance.now() - started, timing: parseServerTiming(res.headers['server-timing']) });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => reject(new ConnectionError(err.code ?? 'ECONN', err.message)));
    req.end(payload);
  });
}

/** The error code of an API error envelope, if any. */
export function errorCode(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === 'string' ? error.code : undefined;
}

/** Closes idle keep-alive sockets so the process can exit. */
export function closeHttp(): void {
  agent.destroy();
}
