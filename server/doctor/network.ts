// The doctor's own HTTP(S) calls to PUBLIC_URL (node:https, so it can trust an extra CA and look at the certificate), and readable network errors.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls, { type PeerCertificate } from 'node:tls';

/** The deepest code or message in an error's cause chain: `ECONNREFUSED`, `CERT_HAS_EXPIRED`, `timeout`, … */
export function describeCause(err: unknown): string {
  const seen: string[] = [];
  for (let current: unknown = err, depth = 0; current && depth < 6; depth++) {
    const e = current as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') seen.push('no answer in time');
    else if (typeof e.code === 'string' && !/^[A-Z_]+$/.test(String(e.message ?? ''))) seen.push(`${e.message as string} (${e.code})`);
    else if (typeof e.message === 'string' && e.message) seen.push(e.message);
    current = e.cause;
  }
  return seen.length > 0 ? seen[seen.length - 1] : String(err);
}

/**
 * The CAs to trust for PUBLIC_URL: undefined (Node's own: the system's plus NODE_EXTRA_CA_CERTS)
 * unless `extra` is given, then those plus `extra` (an explicit `ca` replaces Node's list).
 */
export function trustedCas(extra: string | undefined, env: Record<string, string | undefined>): string[] | undefined {
  if (!extra) return undefined;
  const fromEnv = env.NODE_EXTRA_CA_CERTS ? [fs.readFileSync(env.NODE_EXTRA_CA_CERTS, 'utf8')] : [];
  return [...tls.rootCertificates, ...fromEnv, extra];
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export interface RequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Trusted CAs (see trustedCas). */
  ca?: string[];
  /** false: do not check the certificate (the certificate check already said what is wrong with it). */
  verify: boolean;
  timeoutMs: number;
}

/** One request, on a connection of its own (no keep-alive: nothing lingers after the doctor). */
export function request(url: string, options: RequestOptions): Promise<HttpAnswer> {
  const started = performance.now();
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: options.method,
        headers: { ...options.headers, ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}) },
        agent: false,
        ca: options.ca,
        rejectUnauthorized: options.verify,
        timeout: options.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer in time'), { name: 'TimeoutError' })));
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface TlsReport {
  certificate: PeerCertificate;
  /** Whether the chain verifies against the trusted CAs; why not otherwise (CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT, …). */
  authorized: boolean;
  authorizationError: string | undefined;
  /** TLSv1.2, TLSv1.3 */
  protocol: string | null;
  /** Why the certificate does not name the host; undefined when it does. */
  hostMismatch: string | undefined;
}

/** Connects to the host of `url` (SNI = the host) and reports its certificate, verified or not. */
export function inspectTls(url: string, ca: string[] | undefined, timeoutMs: number): Promise<TlsReport> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || 443);
  const servername = /^[\d.]+$|:/.test(host) ? undefined : host; // no SNI for an IP address (RFC 6066)
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, servername, ca, rejectUnauthorized: false, timeout: timeoutMs });
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate();
      const mismatch = tls.checkServerIdentity(host, certificate);
      resolve({
        certificate,
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String((socket.authorizationError as Error & { code?: string }).code ?? socket.authorizationError) : undefined,
        protocol: socket.getProtocol(),
        hostMismatch: mismatch ? mismatch.message : undefined,
      });
      socket.end();
    });
    socket.once('timeout', () => socket.destroy(Object.assign(new Error('no TLS handshake in time'), { name: 'TimeoutError' })));
    socket.once('error', reject);
  });
}
