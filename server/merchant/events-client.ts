// The merchant's events endpoint (EVENTS_URL): one signed POST of an order event per call, as Airwallex signs its webhooks
// (signature.ts: x-timestamp in ms, x-signature = hex HMAC-SHA256 over timestamp + raw body), and what came of it in words
// an operator acts on (the console's "last error"). An upstream client like airwallex/ and wechat/: it knows nothing of the store.
import { signPayload } from '../signature';
import { deadline } from '../deadline';

export interface EventsClientOptions {
  url: string;
  secret: string;
  /** A try with no complete answer after this long is abandoned (10 s by default, EVENTS_TIMEOUT_MS). */
  timeoutMs: number;
  now?: () => number;
}

/** What one try came to: a 2xx, or why not. `stopped`: this server is shutting down (the try does not count). */
export type SendOutcome = { ok: true; status: number } | { ok: false; error: string; status?: number; stopped?: boolean };

/** Bytes of an answer's body kept for the error an operator reads. */
const BODY_SNIPPET = 200;

export class EventsClient {
  private readonly now: () => number;

  constructor(private readonly options: EventsClientOptions) {
    this.now = options.now ?? Date.now;
  }

  /** POSTs `body` (the exact bytes signed) with its id; any 2xx is delivered, anything else is a failure to retry. Never throws. */
  async send(event: { id: string; body: string }, stop?: AbortSignal): Promise<SendOutcome> {
    const timestamp = String(this.now());
    const limit = deadline(this.options.timeoutMs);
    const timeout = limit.signal;
    try {
      const answer = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'wechatpay-shop-events/1',
          'x-event-id': event.id,
          'x-timestamp': timestamp,
          'x-signature': signPayload(this.options.secret, timestamp, event.body),
        },
        body: event.body,
        // A redirect is not followed: a POST turned into a GET elsewhere is no delivery.
        redirect: 'manual',
        signal: stop ? AbortSignal.any([timeout, stop]) : timeout,
      });
      const snippet = await readSnippet(answer);
      if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status };
      const redirect = answer.status >= 300 && answer.status < 400 ? ` (redirects are not followed: set EVENTS_URL to ${answer.headers.get('location') ?? 'the final address'})` : '';
      return { ok: false, status: answer.status, error: `HTTP ${answer.status}${redirect}${snippet ? `: ${snippet}` : ''}` };
    } catch (err) {
      if (stop?.aborted && !timeout.aborted) return { ok: false, error: 'the server stopped during the try', stopped: true };
      if (timeout.aborted) return { ok: false, error: `no answer within ${formatSeconds(this.options.timeoutMs)}` };
      return { ok: false, error: describeNetworkError(err) };
    } finally {
      limit.clear();
    }
  }
}

/** The start of an answer's body, as one line; the rest is not read (the connection is then closed). */
async function readSnippet(answer: Response): Promise<string> {
  if (!answer.body) return '';
  const reader = answer.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < BODY_SNIPPET) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
    }
  } catch {
    // An answer cut off after its status: the status is what counts.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, BODY_SNIPPET).replace(/\s+/g, ' ').trim();
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens at EVENTS_URL)',
  ECONNRESET: 'connection reset before an answer',
  ENOTFOUND: "EVENTS_URL's host name does not resolve",
  EAI_AGAIN: "EVENTS_URL's host name could not be resolved now",
  EHOSTUNREACH: "EVENTS_URL's host cannot be reached",
  ENETUNREACH: 'no network route to EVENTS_URL',
  UND_ERR_SOCKET: 'the connection closed before an answer',
  UND_ERR_CONNECT_TIMEOUT: 'no connection within the time allowed',
  DEPTH_ZERO_SELF_SIGNED_CERT: "TLS: EVENTS_URL's certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "TLS: EVENTS_URL's certificate chain is self-signed",
  CERT_HAS_EXPIRED: "TLS: EVENTS_URL's certificate has expired",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS: EVENTS_URL's certificate chain is incomplete or untrusted",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS: EVENTS_URL's certificate is for another host name",
};

/** fetch's "fetch failed", said with its cause. */
function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  if (code && NETWORK_ERRORS[code]) return NETWORK_ERRORS[code];
  if (code) return `${code}: ${cause?.message ?? 'network error'}`;
  return err instanceof Error ? (cause?.message ?? err.message) : String(err);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
