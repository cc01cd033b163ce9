// `npm run events:listen` as a developer runs it (a real process): it prints a verified delivery and refuses a forged one;
// and the dozen lines of TypeScript docs/events.md gives a merchant verify what the server's signer sends, and refuse the rest.
import fs from 'node:fs';
import path from 'node:path';
import { transformSync } from 'esbuild';
import { EventsClient } from '../../server/merchant/events-client';
import { signPayload } from '../../server/signature';
import { ROOT, runNode, waitFor, type Running } from './processes';

const SECRET = 'events-secret-for-tests-5b7c9d1e3f';
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function eventBody(id: string): string {
  const order = { id: 'ord_1', status: 'paid', total: { amount: 4200, currency: 'CNY' }, refunds: [] };
  return JSON.stringify({ id, type: 'order.paid', createdAt: new Date().toISOString(), data: { order } });
}

describe('npm run events:listen', () => {
  let listener: Running | undefined;
  afterEach(async () => {
    await listener?.stop();
  });

  test('prints a delivery signed with EVENTS_SECRET and answers 200; one signed with another secret is answered 401 and said why', async () => {
    listener = runNode([TSX, 'scripts/events-listen.ts', '--port', '0'], { EVENTS_SECRET: SECRET });
    const url = await waitFor(listener, /Listening for order events at (\S+)/);
    const good = await new EventsClient({ url, secret: SECRET, timeoutMs: 5_000 }).send({ id: 'evt_good', body: eventBody('evt_good') });
    expect(good).toEqual({ ok: true, status: 200 });
    await waitFor(listener, /(200 +order\.paid +evt_good +order ord_1 paid CNY 4200)/);
    const forged = await new EventsClient({ url, secret: 'another-secret-0123456789abcdef', timeoutMs: 5_000 }).send({ id: 'evt_forged', body: eventBody('evt_forged') });
    expect(forged).toMatchObject({ ok: false, status: 401 });
    await waitFor(listener, /(REFUSED 401 +evt_forged: x-signature does not match)/);
  });

  test('refuses to start without EVENTS_SECRET, saying so', async () => {
    listener = runNode([TSX, 'scripts/events-listen.ts'], {});
    expect(await listener.exited).toBe(2);
    expect(listener.output()).toContain('EVENTS_SECRET is not set');
  });
});

describe('the verification in docs/events.md', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/events.md'), 'utf8');
  const block = /<!-- verify-event:[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  type Verify = (rawBody: string, headers: Record<string, string | undefined>, secret: string) => { id: string } | undefined;
  let verifyEvent: Verify;

  beforeAll(() => {
    expect(block).toBeDefined();
    expect(block!.trim().split('\n').length).toBeLessThanOrEqual(12);
    const { code } = transformSync(block!, { loader: 'ts', format: 'cjs' });
    const module = { exports: {} as { verifyEvent: Verify } };
    new Function('module', 'exports', 'require', code)(module, module.exports, require);
    verifyEvent = module.exports.verifyEvent;
  });

  test("takes what the server's signer sends; refuses another secret, a changed body, an old timestamp, no signature", () => {
    const body = eventBody('evt_doc');
    const timestamp = String(Date.now());
    const headers = { 'x-event-id': 'evt_doc', 'x-timestamp': timestamp, 'x-signature': signPayload(SECRET, timestamp, body) };
    expect(verifyEvent(body, headers, SECRET)).toMatchObject({ id: 'evt_doc', type: 'order.paid' });
    expect(verifyEvent(body, headers, 'another-secret-0123456789abcdef')).toBeUndefined();
    expect(verifyEvent(body.replace('4200', '4201'), headers, SECRET)).toBeUndefined();
    const old = String(Date.now() - 6 * 60_000);
    expect(verifyEvent(body, { ...headers, 'x-timestamp': old, 'x-signature': signPayload(SECRET, old, body) }, SECRET)).toBeUndefined();
    expect(verifyEvent(body, { ...headers, 'x-signature': undefined }, SECRET)).toBeUndefined();
    expect(verifyEvent(body, { ...headers, 'x-timestamp': undefined }, SECRET)).toBeUndefined();
  });
});
