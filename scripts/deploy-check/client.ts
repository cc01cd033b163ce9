// The deploy check's clients: HTTPS to nginx from a chosen local address (127.0.0.2, 127.0.0.3, … are different clients to nginx), trusting the throwaway CA.
import http from 'node:http';
import https from 'node:https';

export interface Answer<T = any> {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: T;
  ms: number;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (a webhook's exact bytes); `body` is JSON-encoded instead. */
  rawBody?: string | Buffer;
  token?: string;
  headers?: Record<string, string>;
  /** The local address to connect from: nginx sees it as the client's. */
  from?: string;
  timeoutMs?: number;
}

export function client(base: string, ca: string) {
  return function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const url = new URL(path, base);
    const started = performance.now();
    const body = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { method, headers, ca, agent: false, localAddress: options.from, timeout: options.timeoutMs ?? 30_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text && /json/.test(String(response.headers['content-type'])) ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body: parsed as T, ms: performance.now() - started });
        });
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`${method} ${path}: no answer in ${options.timeoutMs ?? 30_000} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  };
}

export type Call = ReturnType<typeof client>;

/** Throws with the answer when `answer` is not `status`. */
export function expectStatus(what: string, answer: Answer, status: number): void {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${answer.text.slice(0, 300)}`);
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
