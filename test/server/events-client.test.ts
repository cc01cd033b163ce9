// The merchant adapter's one signed POST: what the receiver gets, and each way a try fails told in words an operator acts on.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventsClient } from '../../server/merchant/events-client';
import { signPayload } from '../../server/signature';
import { startEventsReceiver } from '../../scripts/lib/events-receiver';
import { freePort } from '../../scripts/lib/proc';

const SECRET = 'events-secret-for-tests-5b7c9d1e3f';
const body = JSON.stringify({ id: 'evt_1', type: 'order.paid', createdAt: '2026-01-01T00:00:00.000Z', data: { order: { id: 'ord_1', name: '乌龙茶' } } });

/** A server answering every request with `handle`. */
async function serve(handle: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the events client', () => {
  test('POSTs the body as is, with its id, a millisecond timestamp and the signature over both; any 2xx is delivered', async () => {
    const receiver = await startEventsReceiver({ secret: SECRET, answer: () => 204, toleranceMs: Number.MAX_SAFE_INTEGER });
    try {
      const client = new EventsClient({ url: receiver.url, secret: SECRET, timeoutMs: 2_000, now: () => 1_767_225_600_123 });
      expect(await client.send({ id: 'evt_1', body }, undefined)).toEqual({ ok: true, status: 204 });
      const [delivery] = receiver.deliveries;
      expect(delivery).toMatchObject({ id: 'evt_1', timestamp: '1767225600123', body, verified: true, status: 204 });
      // Signed with another secret, the same bytes do not verify.
      expect(signPayload(`${SECRET}x`, '1767225600123', body)).not.toBe(signPayload(SECRET, '1767225600123', body));
    } finally {
      await receiver.close();
    }
  });

  test('says what went wrong: an HTTP status with the start of its body, a redirect not followed, no answer in time, nobody listening, a stop', async () => {
    // The slow answers' timers, cleared at the end: one left running kept jest's worker alive past its exit.
    const late = new Set<NodeJS.Timeout>();
    const hook = await serve((request, response) => {
      if (request.url === '/hook') response.writeHead(500).end('database down\n  retry later');
      else if (request.url === '/moved') response.writeHead(301, { location: 'https://erp.example.com/new' }).end();
      else late.add(setTimeout(() => response.end('late'), 2_000));
    });
    try {
      const send = (url: string, timeoutMs = 2_000, stop?: AbortSignal) => new EventsClient({ url, secret: SECRET, timeoutMs }).send({ id: 'evt_1', body }, stop);
      expect(await send(hook.url)).toEqual({ ok: false, status: 500, error: 'HTTP 500: database down retry later' });
      expect(await send(hook.url.replace('/hook', '/moved'))).toEqual({
        ok: false,
        status: 301,
        error: 'HTTP 301 (redirects are not followed: set EVENTS_URL to https://erp.example.com/new)',
      });
      expect(await send(hook.url.replace('/hook', '/slow'), 200)).toEqual({ ok: false, error: 'no answer within 200 ms' });
      expect(await send(`http://127.0.0.1:${await freePort()}/hook`)).toEqual({ ok: false, error: 'connection refused (nothing listens at EVENTS_URL)' });
      const stop = new AbortController();
      const stopped = send(hook.url.replace('/hook', '/slow'), 2_000, stop.signal);
      setTimeout(() => stop.abort(), 50);
      expect(await stopped).toEqual({ ok: false, error: 'the server stopped during the try', stopped: true });
    } finally {
      for (const timer of late) clearTimeout(timer);
      await hook.close();
    }
  });
});
