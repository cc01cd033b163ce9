// Test harness: a TLS-terminating reverse proxy in front of a plain-HTTP server, with a certificate the test chooses (the doctor's PUBLIC_URL checks, an https upstream).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KeyPair } from '../../scripts/lib/certificates';

export interface TlsFront {
  /** https://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Where requests go from now on (http://127.0.0.1:PORT). */
  setTarget(target: string): void;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 with `pair`, forwarding each request (method, path, headers, body) to the target. */
export async function startTlsFront(pair: KeyPair, target = 'http://127.0.0.1:9'): Promise<TlsFront> {
  let upstream = new URL(target);
  const server = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    const forwarded = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-proto': 'https' }, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    setTarget: (next) => {
      upstream = new URL(next);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
