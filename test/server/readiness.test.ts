// GET /readyz: what a load balancer asks before sending an instance traffic.
import { NOT_READY_DETAIL } from '../../server/routes/public';
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

test('answers 503 with a fixed message when the store is not ready, and logs the reason (which may name a host, a port, a role)', async () => {
  server = await startTestServer();
  const ready = server.store.ready;
  const cause = 'database unreachable: connect ECONNREFUSED 10.1.2.3:5432 (role "shop")';
  server.store.ready = async () => ({ ok: false, detail: cause });
  try {
    const answer = await server.request('GET', '/readyz');
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ status: 'not_ready', detail: NOT_READY_DETAIL });
    expect(JSON.stringify(answer.body)).not.toMatch(/10\.1\.2\.3|5432|shop/);
    expect(server.logs.filter((line) => line.includes('"msg":"not ready"')).map((line) => JSON.parse(line).cause)).toEqual([cause]);
  } finally {
    server.store.ready = ready;
  }
});
