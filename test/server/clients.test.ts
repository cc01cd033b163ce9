// The upstream clients on their own: token handling, retries, and WeChat error mapping.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AirwallexClient } from '../../server/airwallex/client';
import { createLogger } from '../../server/logger';
import { appErrorOf } from '../../server/services/upstream-errors';
import { WechatClient } from '../../server/wechat/client';
import { startTestServer, type TestServer } from './helpers';

const logger = createLogger('silent');

/** A tiny local HTTP server answering with `handler`; records each request. */
async function fakeUpstream(handler: (req: http.IncomingMessage, body: string) => { status: number; body: unknown }) {
  const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const answer = handler(req, body);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const intent = { id: 'int_1', amount: 1, currency: 'CNY', status: 'REQUIRES_PAYMENT_METHOD', created_at: '2026-01-01T00:00:00+0000', updated_at: '2026-01-01T00:00:00+0000' };
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString().replace('Z', '+0000');

describe('AirwallexClient against the simulator', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  test('logs in once for many concurrent calls and reuses the token', async () => {
    const client = new AirwallexClient({ baseUrl: `${server.url}/simulator/airwallex`, clientId: 'sim-client', apiKey: 'sim-key', logger });
    server.simulator!.resetStats();
    const created = await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.createPaymentIntent({ requestId: `req-${i}-${Date.now()}`, amountMinor: 1999, currency: 'CNY', merchantOrderId: `ord_${i}_${Date.now()}` })),
    );
    for (const one of created) await client.retrievePaymentIntent(one.id);
    const calls = server.simulator!.stats().airwallex.calls;
    expect(calls.login).toBe(1);
    expect(calls.create).toBe(5);
    expect(calls.retrieve).toBe(5);
    expect(created[0].amount).toBe(19.99);
  });

  test('refuses bad credentials as its own error (UPSTREAM_REJECTED for the app) without retrying them', async () => {
    const client = new AirwallexClient({ baseUrl: `${server.url}/simulator/airwallex`, clientId: 'sim-client', apiKey: 'wrong', logger });
    server.simulator!.resetStats();
    const error = await client.retrievePaymentIntent('int_x').catch((err: unknown) => err);
    expect(error).toMatchObject({ name: 'AirwallexCredentialsError', kind: 'credentials', httpStatus: 401 });
    expect(appErrorOf(error)).toMatchObject({ code: 'UPSTREAM_REJECTED', message: 'Airwallex rejected the API credentials.' });
    expect(server.simulator!.stats().airwallex.calls.login).toBe(1);
  });

  test('maps an unknown intent to a non-retried error carrying resource_not_found', async () => {
    const client = new AirwallexClient({ baseUrl: `${server.url}/simulator/airwallex`, clientId: 'sim-client', apiKey: 'sim-key', logger });
    server.simulator!.resetStats();
    await expect(client.retrievePaymentIntent('int_missing')).rejects.toMatchObject({ airwallexCode: 'resource_not_found', httpStatus: 404 });
    expect(server.simulator!.stats().airwallex.calls.retrieve).toBe(1);
  });
});

describe('AirwallexClient against a scripted upstream', () => {
  test('logs in again once when a call answers 401, then succeeds', async () => {
    let logins = 0;
    let firstRetrieve = true;
    const upstream = await fakeUpstream((req) => {
      if (req.url === '/api/v1/authentication/login') return { status: 201, body: { token: `tok${++logins}`, expires_at: inAnHour() } };
      if (firstRetrieve) {
        firstRetrieve = false;
        return { status: 401, body: { code: 'unauthorized', message: 'token revoked' } };
      }
      return { status: 200, body: intent };
    });
    try {
      const client = new AirwallexClient({ baseUrl: upstream.url, clientId: 'c', apiKey: 'k', logger });
      await expect(client.retrievePaymentIntent('int_1')).resolves.toMatchObject({ id: 'int_1' });
      expect(logins).toBe(2);
      expect(upstream.seen.filter((r) => r.url.startsWith('/api/v1/pa')).map((r) => r.headers.authorization)).toEqual(['Bearer tok1', 'Bearer tok2']);
    } finally {
      await upstream.close();
    }
  });

  test('a 401 to a call made with the old token does not throw away the new one', async () => {
    // Calls A and B both go out with tok1. A's 401 comes first: A logs in (tok2) and retries.
    // Only after A's retry succeeded does B's 401 arrive: B must retry with tok2, not log in again.
    let logins = 0;
    let revoked = false;
    let answerB: (() => void) | undefined;
    let retriedA!: () => void;
    const aRetried = new Promise<void>((resolve) => (retriedA = resolve));
    const upstream = http.createServer((req, res) => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/api/v1/authentication/login') return answer(201, { token: `tok${++logins}`, expires_at: inAnHour() });
      const id = req.url!.split('/').pop();
      if (req.headers.authorization === 'Bearer tok1' && revoked) {
        if (id === 'int_b') answerB = () => answer(401, { code: 'unauthorized', message: 'revoked' });
        else answer(401, { code: 'unauthorized', message: 'revoked' });
        return;
      }
      answer(200, { ...intent, id });
      if (id === 'int_a' && req.headers.authorization === 'Bearer tok2') retriedA();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    try {
      const client = new AirwallexClient({ baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, clientId: 'c', apiKey: 'k', logger });
      await client.retrievePaymentIntent('int_warmup'); // tok1 cached
      revoked = true;
      const b = client.retrievePaymentIntent('int_b');
      while (!answerB) await new Promise((resolve) => setTimeout(resolve, 5)); // B is held, sent with tok1
      const a = client.retrievePaymentIntent('int_a');
      await aRetried;
      answerB();
      await expect(Promise.all([a, b])).resolves.toEqual([expect.objectContaining({ id: 'int_a' }), expect.objectContaining({ id: 'int_b' })]);
      expect(logins).toBe(2);
    } finally {
      upstream.closeAllConnections();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  });

  test('refreshes a token that is about to expire before using it', async () => {
    let logins = 0;
    const upstream = await fakeUpstream((req) => {
      if (req.url === '/api/v1/authentication/login') {
        logins++;
        // Valid for 30 seconds only: inside the refresh margin, so each call logs in anew.
        return { status: 201, body: { token: `tok${logins}`, expires_at: new Date(Date.now() + 30_000).toISOString().replace('Z', '+0000') } };
      }
      return { status: 200, body: intent };
    });
    try {
      const client = new AirwallexClient({ baseUrl: upstream.url, clientId: 'c', apiKey: 'k', logger });
      await client.retrievePaymentIntent('int_1');
      await client.retrievePaymentIntent('int_1');
      expect(logins).toBe(2);
    } finally {
      await upstream.close();
    }
  });

  test('retries a 503 with the same request_id and stops after the attempt limit', async () => {
    const upstream = await fakeUpstream((req) => {
      if (req.url === '/api/v1/authentication/login') return { status: 201, body: { token: 't', expires_at: inAnHour() } };
      return { status: 503, body: { code: 'service_unavailable', message: 'down' } };
    });
    try {
      const client = new AirwallexClient({ baseUrl: upstream.url, clientId: 'c', apiKey: 'k', logger, maxAttempts: 3, backoffBaseMs: 1 });
      const error = await client.createPaymentIntent({ requestId: 'fixed-request-id', amountMinor: 100, currency: 'CNY', merchantOrderId: 'ord_1' }).catch((err: unknown) => err);
      expect(error).toMatchObject({ kind: 'answer', httpStatus: 503, airwallexCode: 'service_unavailable', retryable: true });
      expect(appErrorOf(error)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      const creates = upstream.seen.filter((r) => r.url.endsWith('/create'));
      expect(creates).toHaveLength(3);
      expect(new Set(creates.map((r) => JSON.parse(r.body).request_id))).toEqual(new Set(['fixed-request-id']));
      expect(JSON.parse(creates[0].body).amount).toBe(1);
    } finally {
      await upstream.close();
    }
  });

  test('does not retry a business error', async () => {
    const upstream = await fakeUpstream((req) => {
      if (req.url === '/api/v1/authentication/login') return { status: 201, body: { token: 't', expires_at: inAnHour() } };
      return { status: 400, body: { code: 'provider_declined', message: 'no', trace_id: 'tr_1' } };
    });
    try {
      const client = new AirwallexClient({ baseUrl: upstream.url, clientId: 'c', apiKey: 'k', logger });
      const error = await client.confirmWechatMiniProgram('int_1', { requestId: 'r', openId: 'o' }).catch((err: unknown) => err);
      expect(error).toMatchObject({ kind: 'answer', airwallexCode: 'provider_declined', traceId: 'tr_1', upstreamMessage: 'no', retryable: false });
      // Airwallex's own code and text are for logs: the app's answer carries the catalogue's message.
      expect(appErrorOf(error)).toMatchObject({ code: 'PAYMENT_DECLINED', message: expect.not.stringContaining('provider_declined') });
      expect(upstream.seen.filter((r) => r.url.includes('/confirm'))).toHaveLength(1);
    } finally {
      await upstream.close();
    }
  });
});

describe('WechatClient', () => {
  test.each([
    [40029, 'code', 'WECHAT_CODE_INVALID'],
    [40163, 'code', 'WECHAT_CODE_INVALID'],
    [45011, 'quota', 'WECHAT_RATE_LIMITED'],
    [40226, 'login_blocked', 'WECHAT_LOGIN_BLOCKED'],
    [-1, 'busy', 'UPSTREAM_UNAVAILABLE'],
    [40125, 'credentials', 'UPSTREAM_REJECTED'],
    [99999, 'unknown', 'UPSTREAM_REJECTED'],
  ])('refuses errcode %i as its own error (%s), %s for the app', async (errcode, kind, code) => {
    const upstream = await fakeUpstream(() => ({ status: 200, body: { errcode, errmsg: 'x' } }));
    try {
      const client = new WechatClient({ baseUrl: upstream.url, appId: 'wx1', appSecret: 'app-secret-value', logger });
      const error = await client.code2Session('c0de').catch((err: unknown) => err);
      expect(error).toMatchObject({ name: 'WechatError', kind, api: 'jscode2session', errcode });
      expect(appErrorOf(error)).toMatchObject({ code });
      expect(upstream.seen).toHaveLength(1);
    } finally {
      await upstream.close();
    }
  });

  test('sends the four documented parameters and returns only the openid', async () => {
    const upstream = await fakeUpstream(() => ({ status: 200, body: { openid: 'oABC', session_key: 'sk-secret' } }));
    try {
      const client = new WechatClient({ baseUrl: upstream.url, appId: 'wx1', appSecret: 'app-secret-value', logger });
      const identity = await client.code2Session('c0de');
      expect(identity).toEqual({ openId: 'oABC' });
      const query = new URL(upstream.seen[0].url, 'http://x').searchParams;
      expect(Object.fromEntries(query)).toEqual({ appid: 'wx1', secret: 'app-secret-value', js_code: 'c0de', grant_type: 'authorization_code' });
    } finally {
      await upstream.close();
    }
  });

  test('refuses as unreachable (UPSTREAM_UNAVAILABLE for the app) when WeChat cannot be reached', async () => {
    const client = new WechatClient({ baseUrl: 'http://127.0.0.1:9', appId: 'wx1', appSecret: 's', logger });
    const error = await client.code2Session('c0de').catch((err: unknown) => err);
    expect(error).toMatchObject({ kind: 'unreachable', retryable: true });
    expect(appErrorOf(error)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: 'WeChat login service is unreachable; retry with a new wx.login code.' });
  });
});
