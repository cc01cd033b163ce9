// A long poll's periodic re-check wakes it with a change it was not told about (stored by another process, with no change feed to hear it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openStore } from '../../server/store/open';
import { CART, startTestServer, testConfig } from './helpers';

test('a change stored by another process reaches a waiting long poll at its next re-check', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'awx-recheck-'));
  const config = testConfig({ DATABASE_PATH: path.join(dir, 'app.sqlite'), LONG_POLL_RECHECK_MS: '200' });
  const server = await startTestServer(config);
  // Another process on the same database: on SQLite its changes raise no event in the server.
  const other = await openStore(config, pino({ level: 'silent' }));
  try {
    const token = await server.sessionFor('rosa');
    const order = (await server.request('POST', '/api/orders', { token, body: CART })).body.order;
    const poll = server.request('GET', `/api/orders/${order.id}?waitSeconds=20&unlessStatus=awaiting_payment`, { token });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await other.updateOrder(order.id, () => ({ patch: { status: 'cancelled', updatedAt: Date.now() } }));
    const answer = await poll;
    expect(answer.body.order.status).toBe('cancelled');
    // Answered early (a re-check every 200 ms), not at the end of its 20 s wait.
    expect(Number(/wait;dur=([\d.]+)/.exec(answer.headers.get('server-timing') ?? '')?.[1])).toBeLessThan(10_000);
  } finally {
    await other.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
