// Secrets stay on the server: not in answers, not in logs; simulator routes do not exist in live mode.
import { startServer } from '../../server/server';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { openIdFor } from '../../server/simulator';
import { CART, startTestServer, testConfig } from './helpers';

const SECRETS = {
  AIRWALLEX_WEBHOOK_SECRET: 'whsec_never_logged_9f8e7d',
};

describe('secrets', () => {
  test('no secret, session_key or openid appears in any answer or captured log line of a full flow', async () => {
    const server = await startTestServer(testConfig(SECRETS));
    const bodies: string[] = [];
    try {
      const code = await server.loginCode('sophie');
      const session = await server.request('POST', '/api/sessions', { body: { code } });
      const token = session.body.token;
      bodies.push(JSON.stringify(session.body));
      const order = await server.request('POST', '/api/orders', { token, body: CART, headers: { 'idempotency-key': 'secret-flow' } });
      bodies.push(JSON.stringify(order.body));
      const payment = await server.request('POST', `/api/orders/${order.body.order.id}/payment`, { token });
      bodies.push(JSON.stringify(payment.body));
      await server.pay(payment.body.requestPayment.package);
      const polled = await server.request('GET', `/api/orders/${order.body.order.id}?waitSeconds=5&unlessStatus=awaiting_payment`, { token });
      expect(polled.body.order.status).toBe('paid');
      bodies.push(JSON.stringify(polled.body));
      bodies.push(JSON.stringify((await server.request('GET', '/api/config')).body));
      bodies.push(JSON.stringify((await server.request('GET', '/api/orders', { token })).body));

      const forbidden = [
        SECRETS.AIRWALLEX_WEBHOOK_SECRET,
        'sim-key', // the Airwallex API key the simulator accepts
        'simulator-app-secret', // the WeChat app secret
        'session_key',
        openIdFor('sophie'),
        code,
      ];
      for (const secret of forbidden) {
        for (const body of bodies) expect(body).not.toContain(secret);
      }
      // The token is in the session answer, by design, and nowhere else.
      expect(bodies.filter((body) => body.includes(token))).toHaveLength(1);
      const logs = server.logs.join('\n');
      expect(server.logs.length).toBeGreaterThan(10);
      for (const secret of [SECRETS.AIRWALLEX_WEBHOOK_SECRET, 'sim-key', 'simulator-app-secret', token, code]) {
        expect(logs).not.toContain(secret);
      }
      expect(logs).not.toMatch(/"session_key":"(?!\[REDACTED\])/);
    } finally {
      await server.close();
    }
  });
});

describe('live mode', () => {
  test('has no simulator routes and reports mode live', async () => {
    const config = {
      ...loadConfig({
        AIRWALLEX_CLIENT_ID: 'live-id',
        AIRWALLEX_API_KEY: 'live-key',
        AIRWALLEX_WEBHOOK_SECRET: 'live-secret',
        // Never contacted by this test; a closed local port makes any attempt fail fast instead of leaving the machine.
        AIRWALLEX_BASE_URL: 'http://127.0.0.1:9',
        WECHAT_BASE_URL: 'http://127.0.0.1:9',
        WECHAT_APPID: 'wx0000',
        WECHAT_APP_SECRET: 'live-app-secret',
        ALLOW_INSECURE_UPSTREAM: '1',
        PUBLIC_URL: 'https://shop.example',
        METRICS_TOKEN: 'off',
        PORT: '0',
        DATABASE_PATH: ':memory:',
      }),
    };
    const server = await startServer(config, { logger: createLogger('silent'), sweep: false, reconcile: false });
    try {
      for (const [method, path] of [
        ['POST', '/simulator/wechat/login'],
        ['POST', '/simulator/wechat/pay'],
        ['POST', '/simulator/airwallex/api/v1/authentication/login'],
        ['GET', '/simulator/wechat/sns/jscode2session?appid=a&secret=b&js_code=c&grant_type=authorization_code'],
        ['GET', '/simulator/stats'],
        ['POST', '/simulator/wechat/cgi-bin/stable_token'],
        ['POST', '/simulator/wechat/_subscriptions'],
      ]) {
        const response = await fetch(server.url + path, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
        expect(response.status).toBe(404);
        expect((await response.json()).error.code).toBe('NOT_FOUND');
      }
      const config = await (await fetch(`${server.url}/api/config`)).json();
      expect(config.mode).toBe('live');
      expect(JSON.stringify(config)).not.toMatch(/live-key|live-secret|live-app-secret/);
    } finally {
      await server.close();
    }
  });
});
