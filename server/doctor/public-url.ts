// The doctor's PUBLIC_URL section: https with a certificate good for 14 more days, /healthz answering from here, and /webhooks/airwallex refusing an unsigned post but taking a ping signed with AIRWALLEX_WEBHOOK_SECRET.
import { randomUUID } from 'node:crypto';
import { DOCTOR_PING_EVENT, DOCTOR_PING_OUTCOME } from '../airwallex/webhook-events';
import { signWebhook } from '../airwallex/webhooks';
import { describeCause, inspectTls, request, trustedCas, type HttpAnswer } from './network';
import { fail, ok, skip, type CheckResult, type DoctorContext } from './types';

const G = 'public_url' as const;
/** A certificate must stay valid at least this long (Let's Encrypt renews 30 days ahead; 14 leaves time to notice a failed renewal). */
export const CERTIFICATE_MIN_DAYS = 14;
const DAY_MS = 24 * 3600_000;
const WEBHOOK_PATH = '/webhooks/airwallex';

export async function publicUrlChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const base = ctx.config.publicUrl;
  if (!base) return [fail(G, 'public_url.https', 'https', 'PUBLIC_URL is not set', 'set PUBLIC_URL to the https origin shoppers and Airwallex reach this server at (e.g. https://shop.example.com)')];
  const results: CheckResult[] = [];
  const ca = trustedCas(ctx.ca, ctx.env);
  const https = base.startsWith('https://');
  results.push(
    https
      ? ok(G, 'public_url.https', 'https', `${base} is https`)
      : fail(G, 'public_url.https', 'https', `${base} is plain http: WeChat calls only https servers, and the console's cookie would travel in clear`, 'put TLS in front of the server (deploy/nginx/shop.conf) and set PUBLIC_URL=https://your-domain'),
  );
  let verified = https;
  if (https) {
    const certificate = await certificateCheck(base, ca, ctx.timeoutMs, ctx.now());
    results.push(certificate);
    verified = certificate.status === 'ok';
  } else {
    results.push(skip(G, 'public_url.certificate', 'certificate', 'skipped: no TLS on an http PUBLIC_URL'));
  }
  // With a bad certificate the rest still runs, unverified, so one run tells everything; the line above already fails.
  const note = https && !verified ? ' (certificate not verified: see above)' : '';
  const call = (method: 'GET' | 'POST', path: string, headers?: Record<string, string>, body?: string) =>
    request(`${base}${path}`, { method, headers, body, ca, verify: verified, timeoutMs: ctx.timeoutMs });

  let health: HttpAnswer;
  try {
    health = await call('GET', '/healthz');
  } catch (err) {
    results.push(fail(G, 'public_url.healthz', '/healthz', `${base}/healthz cannot be reached from here: ${describeCause(err)}`, "check the DNS name points at the proxy, its firewall lets port 443 in, and the proxy and the server run (systemctl status)"));
    for (const [id, title] of [['public_url.webhook_unsigned', 'unsigned webhook'], ['public_url.webhook_signed', 'signed ping']]) results.push(skip(G, id, title, 'skipped: PUBLIC_URL must answer first'));
    return results;
  }
  results.push(
    health.status === 200 && /"ok"/.test(health.body)
      ? ok(G, 'public_url.healthz', '/healthz', `answered 200 in ${Math.round(health.ms)} ms${note}`)
      : fail(G, 'public_url.healthz', '/healthz', `${base}/healthz answered ${health.status}${health.status === 502 || health.status === 504 ? ' (from the proxy: the server behind it did not answer)' : ''}${note}`, 'start the server instances (systemctl start shop@3001 shop@3002) and check the proxy\'s upstream addresses'),
  );
  results.push(await unsignedCheck(call, base, note));
  results.push(await signedCheck(call, base, ctx.config.airwallex.webhookSecret, note));
  return results;
}

async function certificateCheck(base: string, ca: string[] | undefined, timeoutMs: number, now: number): Promise<CheckResult> {
  const id = 'public_url.certificate';
  const host = new URL(base).host;
  let report;
  try {
    report = await inspectTls(base, ca, timeoutMs);
  } catch (err) {
    return fail(G, id, 'certificate', `no TLS handshake with ${host}: ${describeCause(err)}`, 'check the proxy listens with TLS on that port (listen 443 ssl) and the DNS name points at it');
  }
  const { certificate, authorizationError, hostMismatch, protocol } = report;
  const validTo = Date.parse(certificate.valid_to);
  const until = new Date(validTo).toISOString().slice(0, 10);
  const daysLeft = Math.floor((validTo - now) / DAY_MS);
  const renew = 'renew it (certbot renew, or your CA\'s tool), install the new certificate and key, and reload the proxy (nginx -s reload)';
  if (validTo <= now || authorizationError === 'CERT_HAS_EXPIRED') return fail(G, id, 'certificate', `the certificate of ${host} expired on ${until}: browsers, WeChat and Airwallex refuse it`, renew);
  if (Date.parse(certificate.valid_from) > now || authorizationError === 'CERT_NOT_YET_VALID') {
    return fail(G, id, 'certificate', `the certificate of ${host} is valid only from ${certificate.valid_from}`, "check this machine's clock and the proxy's, then the certificate");
  }
  // Node reports a certificate for another name as an authorization error too (ERR_TLS_CERT_ALTNAME_INVALID): say that, not "untrusted CA".
  if (hostMismatch) return fail(G, id, 'certificate', `the certificate is not valid for ${host}: ${hostMismatch}`, `get a certificate naming ${new URL(base).hostname} (its subjectAltName), or set PUBLIC_URL to the name it has`);
  if (authorizationError) {
    return fail(
      G,
      id,
      'certificate',
      `the certificate of ${host} is not signed by a certificate authority this machine trusts (${authorizationError}): WeChat and Airwallex would refuse it too`,
      'use a certificate from a public CA (e.g. Let\'s Encrypt) and give the proxy its full chain (fullchain.pem); for a private test CA only, trust it with --ca FILE or NODE_EXTRA_CA_CERTS',
    );
  }
  const issuer = certificate.issuer?.O ?? certificate.issuer?.CN ?? 'unknown issuer';
  if (daysLeft < CERTIFICATE_MIN_DAYS) return fail(G, id, 'certificate', `the certificate of ${host} expires in ${daysLeft} days (${until})`, renew);
  return ok(G, id, 'certificate', `valid for ${host} until ${until} (${daysLeft} days), issued by ${issuer}, ${protocol ?? 'TLS'}`);
}

type Call = (method: 'GET' | 'POST', path: string, headers?: Record<string, string>, body?: string) => Promise<HttpAnswer>;

function pingBody(base: string): string {
  return JSON.stringify({
    id: `evt_doctor_${randomUUID()}`,
    name: DOCTOR_PING_EVENT,
    created_at: new Date().toISOString(),
    data: { object: { note: 'npm run doctor: proves PUBLIC_URL reaches a server holding AIRWALLEX_WEBHOOK_SECRET; stores nothing', public_url: base } },
  });
}

/** The server's error code in an answer, if it is the server's envelope. */
function errorCode(answer: HttpAnswer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

async function unsignedCheck(call: Call, base: string, note: string): Promise<CheckResult> {
  const id = 'public_url.webhook_unsigned';
  const title = 'unsigned webhook';
  let answer: HttpAnswer;
  try {
    answer = await call('POST', WEBHOOK_PATH, { 'content-type': 'application/json' }, pingBody(base));
  } catch (err) {
    return fail(G, id, title, `POST ${base}${WEBHOOK_PATH} failed: ${describeCause(err)}`, 'check the proxy passes POST /webhooks/airwallex to the server');
  }
  if (answer.status === 401 && errorCode(answer) === 'WEBHOOK_SIGNATURE_INVALID') return ok(G, id, title, `an unsigned POST ${WEBHOOK_PATH} is refused with 401${note}`);
  if (answer.status === 404) return fail(G, id, title, `POST ${base}${WEBHOOK_PATH} answered 404${note}`, 'pass /webhooks/airwallex to the server in the proxy (deploy/nginx/shop.conf passes every path)');
  if (answer.status >= 200 && answer.status < 300) {
    return fail(G, id, title, `an unsigned POST ${WEBHOOK_PATH} answered ${answer.status}: something in front of the server answers for it, without checking signatures${note}`, 'make the proxy pass /webhooks/airwallex to this server, untouched');
  }
  return fail(G, id, title, `an unsigned POST ${WEBHOOK_PATH} answered ${answer.status}${errorCode(answer) ? ` ${errorCode(answer)}` : ''}, not the server's 401${note}`, 'check the proxy passes POST /webhooks/airwallex to the server with its body and headers untouched');
}

async function signedCheck(call: Call, base: string, secret: string, note: string): Promise<CheckResult> {
  const id = 'public_url.webhook_signed';
  const title = 'signed ping';
  const body = pingBody(base);
  const timestamp = String(Date.now());
  let answer: HttpAnswer;
  try {
    answer = await call('POST', WEBHOOK_PATH, { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signWebhook(secret, timestamp, body) }, body);
  } catch (err) {
    return fail(G, id, title, `POST ${base}${WEBHOOK_PATH} failed: ${describeCause(err)}`, 'check the proxy passes POST /webhooks/airwallex to the server');
  }
  let outcome: unknown;
  try {
    outcome = (JSON.parse(answer.body) as { outcome?: unknown }).outcome;
  } catch {
    outcome = undefined;
  }
  if (answer.status === 200 && outcome === DOCTOR_PING_OUTCOME) {
    return ok(G, id, title, `a ${DOCTOR_PING_EVENT} signed with AIRWALLEX_WEBHOOK_SECRET was accepted: PUBLIC_URL reaches a server holding the same secret (nothing was stored)${note}`);
  }
  if (answer.status === 401) {
    return fail(
      G,
      id,
      title,
      `the server behind ${base} refused a ping signed with this AIRWALLEX_WEBHOOK_SECRET (${errorCode(answer) ?? '401'}): it holds another secret${errorCode(answer) === 'WEBHOOK_TIMESTAMP_STALE' ? ", or this machine's clock and the server's differ by minutes" : ''}${note}`,
      "give the server and this doctor the same AIRWALLEX_WEBHOOK_SECRET (the webhook's secret in Airwallex's web app) and restart the server",
    );
  }
  if (answer.status === 200) return fail(G, id, title, `the server behind ${base} recorded the ping as "${String(outcome)}": it is an older release that does not know ${DOCTOR_PING_EVENT}${note}`, 'deploy this release on the server behind PUBLIC_URL');
  return fail(G, id, title, `a signed POST ${WEBHOOK_PATH} answered ${answer.status}${errorCode(answer) ? ` ${errorCode(answer)}` : ''}${note}`, 'check the proxy passes the webhook body and the x-timestamp and x-signature headers untouched (deploy/nginx/shop.conf)');
}
