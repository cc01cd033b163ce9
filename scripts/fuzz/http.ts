// A raw HTTP/1.1 client for the fuzzer: exact bytes, any header, explicit Content-Length, never leaves 127.0.0.1.
import http from 'node:http';

export interface RawRequest {
  method: string;
  /** Already percent-encoded path and query, sent as is. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  /** 0 when no answer came (connection error or timeout); `error` then says why. */
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  error?: string;
  ms: number;
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(baseUrl: string, private readonly timeoutMs = 15_000) {
    this.base = new URL(baseUrl);
    if (this.base.hostname !== '127.0.0.1' && this.base.hostname !== 'localhost') {
      throw new Error(`the fuzzer only talks to a local server, not ${this.base.hostname}`);
    }
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  async send(request: RawRequest): Promise<RawResponse> {
    const first = await this.attempt(request, this.agent);
    // A kept-alive socket the server had already closed (it closes after answering 413 before reading
    // a large body): not the request's fault. Node's advice is to retry once, here on a fresh connection.
    if (first.status === 0 && first.reusedSocket) return this.attempt(request, false);
    return first;
  }

  private attempt(request: RawRequest, agent: http.Agent | false): Promise<RawResponse & { reusedSocket?: boolean }> {
    const started = performance.now();
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) {
      if (request.chunked) headers['transfer-encoding'] = 'chunked';
      else headers['content-length'] = String(request.body.length);
    }
    return new Promise((resolve) => {
      let settled = false;
      let req: http.ClientRequest | undefined;
      const finish = (response: Omit<RawResponse, 'ms'>) => {
        if (settled) return;
        settled = true;
        resolve({ ...response, ms: performance.now() - started, reusedSocket: req?.reusedSocket });
      };
      try {
        req = http.request(
          { host: this.base.hostname, port: this.base.port, method: request.method, path: request.path, headers, agent, timeout: this.timeoutMs },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', (err) => finish({ status: 0, headers: res.headers, text: '', error: `response: ${err.message}` }));
          },
        );
      } catch (err) {
        // Node refused to build the request (e.g. an invalid header): a generator bug, not a server one.
        finish({ status: 0, headers: {}, text: '', error: `client: ${(err as Error).message}` });
        return;
      }
      const sent = req;
      sent.on('timeout', () => sent.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      sent.on('error', (err) => finish({ status: 0, headers: {}, text: '', error: err.message }));
      if (request.body === undefined) sent.end();
      else if (request.chunked && request.body.length > 1) {
        const half = request.body.length >> 1;
        sent.write(request.body.subarray(0, half));
        sent.end(request.body.subarray(half));
      } else sent.end(request.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
