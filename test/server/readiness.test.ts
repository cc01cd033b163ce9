// GET /readyz: what a load balancer asks before sending an instance traffic.
import { startTestServer, type TestServer } from './helpers';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

test('answers ready while the store is reachable (and its change feed connected)', async () => {
  server = await startTestServer();
  const ready = await server.request('GET', '/readyz');
  expect(ready.status).toBe(200);
  expect(ready.body).toEqual({ status: 'ready' });
});

test('answers 503 with the reason when the store is not ready', async () => {
  server = await startTestServer();
  const ready = server.store.ready;
  server.store.ready = async () => ({ ok: false, detail: 'LISTEN connection down: the connection ended' });
  try {
    const answer = await server.request('GET', '/readyz');
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ status: 'not_ready', detail: 'LISTEN connection down: the connection ended' });
  } finally {
    server.store.ready = ready;
  }
});
