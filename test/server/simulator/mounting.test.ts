// registerSimulator stays inside its own plugin: the host app's parsing and error handling are untouched.
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { registerSimulator } from '../../../server/simulator';
import { call, CREDENTIALS } from './helpers';

describe('registerSimulator', () => {
  it('leaves the host app\'s JSON parsing, not-found answers and routes as they were', async () => {
    const app = Fastify({ logger: false });
    app.post('/api/echo', async (request) => ({ got: request.body }));
    const sim = await registerSimulator(app, { ...CREDENTIALS, webhookUrl: () => undefined, databasePath: ':memory:' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      expect((await call(`${base}/api/echo`, { method: 'POST', body: { a: 1 } })).body).toEqual({ got: { a: 1 } });
      const badJson = await call(`${base}/api/echo`, { method: 'POST', body: '{oops' });
      expect(badJson.status).toBe(400);
      expect(badJson.body.code).toBe('FST_ERR_CTP_INVALID_JSON_BODY'); // fastify's own error, not Airwallex's shape
      expect((await call(`${base}/elsewhere`)).body.code).not.toBe('not_found');
      expect((await call(`${base}/simulator/elsewhere`)).body.code).toBe('not_found');
    } finally {
      await sim.close();
      await app.close();
    }
  });
});
