// Turns a symbolic fuzz case into the exact HTTP request, against the live fixture (tokens, order ids, fresh signatures).
import { toMajorUnits } from '../../server/money';
import { signWebhook } from '../../server/airwallex/webhooks';
import type { AdminAuth, BodySpec, FuzzCase, OrderRef, SignatureSpec, TimestampSpec, TokenRef } from './model';
import type { RawRequest } from './http';
import { headerValue, percentEncode, serializeJson } from './strings';
import type { OrderInfo, World } from './world';

export function orderId(ref: OrderRef, world: World): string {
  if (ref.kind === 'random') return ref.id;
  const id = world.orders[ref.order].id;
  if (ref.kind === 'order') return id;
  switch (ref.how) {
    case 'appendX':
      return `${id}x`;
    case 'upper':
      return id.toUpperCase() === id ? id.toLowerCase() : id.toUpperCase();
    case 'truncate':
      return id.slice(0, -1);
    case 'dropPrefix':
      return id.replace(/^ord_/, '');
    case 'zeroWidth':
      return `${id}\u200B`;
  }
}

function authorization(token: TokenRef, world: World): string | undefined {
  const alice = world.tokens.alice;
  switch (token.kind) {
    case 'valid':
      return `Bearer ${world.tokens[token.shopper]}`;
    case 'missing':
      return undefined;
    case 'expired':
      return `Bearer ${world.expiredToken}`;
    case 'unknown':
      return `Bearer ${token.token}`;
    case 'raw':
      return headerValue(token.header);
    case 'mangled':
      switch (token.how) {
        case 'lowercaseScheme':
          return `bearer ${alice}`;
        case 'noScheme':
          return alice;
        case 'appendBang':
          return `Bearer ${alice}!`;
        case 'appendChar':
          return `Bearer ${alice}A`;
        case 'truncate':
          return `Bearer ${alice.slice(0, 20)}`;
        case 'doubleSpace':
          return `Bearer  ${alice}`;
        case 'basicScheme':
          return `Basic ${alice}`;
        case 'tokenTwice':
          return `Bearer ${alice} Bearer ${alice}`;
        case 'tab':
          return `Bearer\t${alice}`;
        case 'tooLong':
          return `Bearer ${alice.repeat(4)}`;
      }
  }
}

/** Replaces the generators' placeholders: "@used" (a spent wx.login code) and "@fixture" intent events. */
function resolveValue(value: unknown, world: World): unknown {
  if (value === '@used') return world.usedCode;
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, world));
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record['@fixture'] === 'string') return fixtureIntent(record['@fixture'], Number(record.amount), world);
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, resolveValue(item, world)]));
  }
  return value;
}

const isoAt = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000').replace(/\.\d{3}/, '');

/** An intent snapshot about a fixture order that the server's rules must not apply. */
function fixtureIntent(rule: string, wrongAmount: number, world: World): Record<string, unknown> {
  const intent = (order: OrderInfo, extra: Record<string, unknown>) => ({
    id: order.paymentIntentId,
    merchant_order_id: order.id,
    amount: toMajorUnits(order.totalAmount, world.currency),
    currency: world.currency,
    status: 'SUCCEEDED',
    created_at: isoAt(Date.now() - 60_000),
    updated_at: isoAt(Date.now() + 3_600_000),
    ...extra,
  });
  const open = world.orders.aliceOpen;
  switch (rule) {
    case 'wrongIntent':
      return intent(open, { id: 'int_fuzz_not_this_orders' });
    case 'wrongAmount': {
      // Integers never equal a total with fen (the fixture totals all have them).
      const amount = wrongAmount === toMajorUnits(open.totalAmount, world.currency) ? wrongAmount + 1 : wrongAmount;
      return intent(open, { amount });
    }
    case 'olderSnapshot':
      return intent(open, { updated_at: '2001-01-01T00:00:00+0000' });
    default:
      return intent(world.orders.alicePaid, { status: 'CANCELLED', cancelled_at: isoAt(Date.now()) });
  }
}

/** Another site, for Origin headers that must be refused. */
const FOREIGN_ORIGIN = 'http://evil.example';

/** The console session's CSRF token as `auth` sends it: right, wrong, or none at all. */
function csrfFor(auth: AdminAuth | undefined, world: World): string | undefined {
  if (auth === 'sessionNoCsrf') return undefined;
  if (auth === 'sessionWrongCsrf') return `${world.console.csrf.slice(0, -1)}${world.console.csrf.endsWith('A') ? 'B' : 'A'}`;
  return world.console.csrf;
}

/** The Origin a browser would send with `auth`'s request (a POST), or none. */
function originFor(auth: AdminAuth | undefined, world: World): string | undefined {
  if (auth === 'sessionForeignOrigin') return FOREIGN_ORIGIN;
  if (auth === 'sessionNullOrigin') return 'null';
  return world.url;
}

/** The admin token, a console session or their look-alikes, as headers. */
function adminHeaders(c: FuzzCase, world: World): Record<string, string> {
  const auth = c.admin;
  const headers: Record<string, string> = {};
  const cookieOf = (value: string) => `console_session=${value}`;
  switch (auth) {
    case undefined:
    case 'none':
      break;
    case 'token':
      headers.authorization = `Bearer ${world.adminToken}`;
      break;
    case 'shopperToken':
      headers.authorization = `Bearer ${world.tokens.alice}`;
      break;
    case 'wrongToken':
      headers.authorization = `Bearer ${world.adminToken.replace(/.$/, (last) => (last === 'a' ? 'b' : 'a'))}`;
      break;
    case 'lowercaseScheme':
      headers.authorization = `bearer ${world.adminToken}`;
      break;
    case 'tokenAppended':
      headers.authorization = `Bearer ${world.adminToken}x`;
      break;
    case 'shopperAsSession':
      headers.cookie = cookieOf(world.tokens.alice);
      break;
    case 'tokenAsSession':
      headers.cookie = cookieOf(world.adminToken);
      break;
    case 'garbageSession':
      headers.cookie = `${cookieOf('%zz')}; console_session=${world.console.cookie.split('=')[1]}x`;
      break;
    default:
      // A console session: its cookie; a change from the API also sends the CSRF token in its header.
      headers.cookie = world.console.cookie;
      if (c.method !== 'GET' && c.contract !== 'console') {
        const csrf = csrfFor(auth, world);
        if (csrf !== undefined) headers['x-csrf-token'] = csrf;
      }
  }
  if (auth !== undefined && c.method !== 'GET') {
    const origin = originFor(auth, world);
    if (origin !== undefined) headers.origin = origin;
  }
  return headers;
}

/** Replaces a form's placeholders: the session's CSRF token (as the case's auth sends it), the admin and alice's tokens. */
function formText(fields: Array<[string, string]>, c: FuzzCase, world: World): string {
  const params = new URLSearchParams();
  for (const [name, value] of fields) {
    if (value === '@csrf') {
      const csrf = csrfFor(c.admin, world);
      if (csrf !== undefined) params.append(name, csrf);
      continue;
    }
    params.append(name, value.replace('@adminToken', world.adminToken).replace('@aliceToken', world.tokens.alice));
  }
  return params.toString();
}

function bodyBytes(body: BodySpec, world: World, c?: FuzzCase): Buffer | undefined {
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'form':
      return Buffer.from(c ? formText(body.fields, c, world) : '', 'utf8');
    case 'text':
      return Buffer.from(body.text, body.latin1 ? 'latin1' : 'utf8');
    case 'json': {
      const value = resolveValue(body.value, world);
      if (!body.pad) return Buffer.from(serializeJson(value), 'utf8');
      const padded = value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as object), _pad: 'x'.repeat(body.pad) } : value;
      const text = serializeJson(padded);
      return Buffer.from(padded === value ? text + ' '.repeat(body.pad) : text, 'utf8');
    }
  }
}

function timestampHeader(ts: TimestampSpec): string | undefined {
  switch (ts.kind) {
    case 'now':
      return String(Date.now());
    case 'offset':
      return String(Math.max(0, Date.now() + ts.ms));
    case 'seconds':
      return String(Math.floor(Date.now() / 1000));
    case 'raw':
      return headerValue(ts.value);
    case 'missing':
      return undefined;
  }
}

function signatureHeader(sig: SignatureSpec, secret: string, timestamp: string | undefined, body: Buffer): string | undefined {
  const ts = timestamp ?? '';
  const valid = () => signWebhook(secret, ts, body);
  switch (sig.kind) {
    case 'valid':
      return valid();
    case 'uppercase':
      return valid().toUpperCase();
    case 'missing':
      return undefined;
    case 'random':
      return sig.hex;
    case 'raw':
      return headerValue(sig.value);
    case 'wrongSecret':
      return signWebhook(sig.secret === secret ? `${secret}x` : sig.secret, ts, body);
    case 'otherBody': {
      const other = Buffer.from(sig.body, 'utf8');
      return signWebhook(secret, ts, other.equals(body) ? Buffer.concat([other, Buffer.from(' ')]) : other);
    }
    case 'otherTimestamp':
      return signWebhook(secret, String(Number(ts || '0') + sig.deltaMs), body);
    case 'prefixed':
      return `sha256=${valid()}`;
    case 'truncated':
      return valid().slice(0, 63);
  }
}

export function buildRequest(c: FuzzCase, world: World): RawRequest {
  let path = c.path.replace('{id}', c.order ? percentEncode(orderId(c.order, world)) : 'x').replace('@anomaly', String(world.anomalyIds[0]));
  if (c.query?.length) path += `?${c.query.map((part) => (part.raw ? `${percentEncode(part.key)}=${part.value}` : `${percentEncode(part.key)}=${percentEncode(part.value)}`)).join('&')}`;

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(c.headers)) if (!name.startsWith('@')) headers[name] = headerValue(value);
  const auth = authorization(c.token, world);
  if (auth !== undefined) headers.authorization = auth;
  Object.assign(headers, adminHeaders(c, world));
  // `@origin`: the sign-in form's Origin, chosen by the case (own, none, another site, null).
  const origin = c.headers['@origin'];
  if (origin === 'own') headers.origin = world.url;
  else if (origin === 'foreign') headers.origin = FOREIGN_ORIGIN;
  else if (origin === 'null') headers.origin = 'null';
  else if (origin === 'none') delete headers.origin;

  let body = bodyBytes(c.body, world, c);
  if (c.body.kind === 'form') headers['content-type'] = 'application/x-www-form-urlencoded';
  else if (c.body.kind !== 'none') {
    const contentType = c.body.contentType === undefined ? 'application/json' : c.body.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
  }

  if (c.webhook) {
    const replayed = world.acceptedDelivery;
    let timestamp: string | undefined;
    let signature: string | undefined;
    if (c.webhook.replay === 'exact') {
      ({ timestamp, signature } = replayed);
      body = Buffer.from(replayed.body);
    } else if (c.webhook.replay === 'newTimestamp') {
      timestamp = String(Number(replayed.timestamp) + 1_000);
      signature = replayed.signature;
      body = Buffer.from(replayed.body);
    } else if (c.webhook.replay === 'otherBody') {
      ({ timestamp, signature } = replayed);
      body = Buffer.from(replayed.body.replace('fuzz.setup', 'fuzz.other'));
    } else {
      timestamp = timestampHeader(c.webhook.timestamp);
      signature = signatureHeader(c.webhook.signature, world.webhookSecret, timestamp, body ?? Buffer.alloc(0));
    }
    if (c.webhook.replay) headers['content-type'] = 'application/json';
    if (timestamp !== undefined) headers['x-timestamp'] = timestamp;
    if (signature !== undefined) headers['x-signature'] = signature;
  }

  const chunked = (c.body.kind === 'json' || c.body.kind === 'text') && c.body.chunked === true;
  return { method: c.method, path, headers, body, chunked };
}
