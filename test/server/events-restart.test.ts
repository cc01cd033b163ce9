// An order event whose delivery was cut by a crash: the server process is SIGKILLed while the merchant's receiver
// holds its answer, then started again on the same database; the event comes again, with the same id, and is taken.
// (The outbox's claim lapses after 2 × EVENTS_TIMEOUT_MS + 1 s; docs/events.md.)
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startEventsReceiver, type EventsReceiver } from '../../scripts/lib/events-receiver';
import { freePort, HOST, makeTempDir, ROOT, spawnNode, stopProcess, waitReady, type NodeProcess } from '../../scripts/lib/proc';

const EVENTS_SECRET = 'events-secret-for-tests-5b7c9d1e3f';
const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

let receiver: EventsReceiver | undefined;
let server: NodeProcess | undefined;
let dir = '';

afterEach(async () => {
  if (server) await stopProcess(server, 'SIGKILL');
  await receiver?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a server killed while the receiver holds an event delivers that event after its restart, with the same id', async () => {
  let hold = true;
  receiver = await startEventsReceiver({ secret: EVENTS_SECRET, answer: () => (hold ? 'hang' : 200) });
  dir = makeTempDir('events-restart-');
  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  const start = () =>
    spawnNode({
      name: 'server',
      script: 'server/main.ts',
      env: {
        // Simulator mode (no credentials), on one SQLite file that outlives the process.
        NODE_ENV: 'test',
        PORT: String(port),
        HOST,
        DATABASE_PATH: path.join(dir, 'app.sqlite'),
        ADMIN_TOKEN,
        EVENTS_URL: receiver!.url,
        EVENTS_SECRET,
        // A try lasts at most 1 s, so a dead instance's claim lapses after 3 s.
        EVENTS_TIMEOUT_MS: '1000',
        LOG_LEVEL: 'warn',
      },
    });
  server = start();
  await waitReady(server, `${base}/readyz`);

  // A shopper pays (the README's npm run demo, over HTTP); order.paid goes out and the receiver holds it.
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/demo-shopper.ts', '--base', base], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
  await receiver.until((ds) => ds.some((d) => d.event?.type === 'order.paid'));
  const cut = receiver.deliveries.find((d) => d.event?.type === 'order.paid')!;
  expect(cut.status).toBe(0); // never answered

  await stopProcess(server, 'SIGKILL');
  hold = false;
  server = start();
  await waitReady(server, `${base}/readyz`);
  await receiver.until((ds) => ds.some((d) => d.id === cut.id && d.status === 200), 15_000);

  const paid = receiver.deliveries.filter((d) => d.event?.type === 'order.paid');
  expect(new Set(paid.map((d) => d.id))).toEqual(new Set([cut.id]));
  expect(paid.filter((d) => d.status === 200)).toHaveLength(1);
  // The same event, byte for byte: the body was written with the change, not rebuilt after the restart.
  expect(paid.every((d) => d.body === cut.body)).toBe(true);
  expect(cut.event!.data.order.status).toBe('paid');
}, 60_000);
