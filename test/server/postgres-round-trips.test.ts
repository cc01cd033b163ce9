// PostgreSQL round trips per payment (issue 21): each statement the server sends for one shopper's payment, counted, so a change that adds some shows.
import pg from 'pg';
import { createDatabase, databaseUrl, dropDatabase, newDatabaseName, postgresAvailable } from './postgres-helpers';
import { eventually, startTestServer, testConfig, type TestServer } from './helpers';

const describePostgres = postgresAvailable ? describe : describe.skip;

/**
 * Round trips of one payment, 14 on 2026-12-05 (21 on main before issue 21, the same flow; 16 before an
 * answer from Airwallex was written against the order as the request read it, migrations/postgres/009): the
 * session (its two address limits, the insert), the order (the shopper's limit, the insert in one batch, the
 * intent applied in one), the payment (limit, read, the confirm applied in one), the
 * long poll (limit, read), the webhook (recorded and applied: two), and the subscription messages made due
 * by the payment claimed (one: templates are configured in simulator mode); at most one read more when the long
 * poll's periodic check comes round before the webhook lands (a slow machine). PostgreSQL's notification of a
 * change this instance made costs no read (OrderWatch.writing). Each
 * abuse limit hit is one here (one shopper: under load, the hits of one turn of the event loop share a
 * statement); the counters are shared by every instance.
 */
const MAX_ROUND_TRIPS_PER_PAYMENT = 15;

describePostgres('[postgres] round trips per payment', () => {
  const database = newDatabaseName();
  let server: TestServer;
  const sent: string[] = [];
  const original = pg.Client.prototype.query;

  beforeAll(async () => {
    await createDatabase(database);
    server = await startTestServer(testConfig({ DATABASE_URL: databaseUrl(database), LOG_LEVEL: 'warn' }));
    (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
      const [config] = args as [string | { text: string; values?: unknown[] }];
      sent.push(typeof config === 'string' ? config : `${config.text} -- ${JSON.stringify(config.values ?? [])}`);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }, 30_000);

  afterAll(async () => {
    pg.Client.prototype.query = original;
    await server?.close();
    await dropDatabase(database);
  });

  test(`one payment takes at most ${MAX_ROUND_TRIPS_PER_PAYMENT} round trips to PostgreSQL`, async () => {
    // As the mini program does: the long poll is waiting when the shopper pays and the webhook lands.
    const pay = async (shopper: string) => {
      const token = await server.sessionFor(shopper);
      const order = (await server.request<{ order: { id: string } }>('POST', '/api/orders', { token, body: { items: [{ sku: 'tea-oolong', quantity: 1 }] } })).body.order;
      const payment = await server.request<{ requestPayment: { package: string } }>('POST', `/api/orders/${order.id}/payment`, { token });
      const waiting = server.request<{ order: { status: string } }>('GET', `/api/orders/${order.id}?waitSeconds=10&unlessStatus=awaiting_payment`, { token });
      // The long poll has read the order (then it waits on it).
      await eventually(async () => sent.some((text) => text.includes('FROM orders o WHERE o.id = $1') && text.includes(order.id)));
      expect(await server.pay(payment.body.requestPayment.package)).toBe('requestPayment:ok');
      expect((await waiting).body.order.status).toBe('paid');
    };
    // What a payment sets going in the background (the claim of the subscription messages it made due) ends
    // before the count starts, and is counted before it ends.
    const quiet = async () => {
      for (let seen = -1; seen !== sent.length; ) {
        seen = sent.length;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    };
    await pay('rita'); // warm: statements prepared
    await quiet();
    sent.length = 0;
    await pay('rosa');
    await quiet();
    const trips = sent.filter((text) => !/^\s*(LISTEN|SELECT 1\b)/i.test(text) || /FOR UPDATE/.test(text));
    process.stdout.write(`PostgreSQL round trips for one payment: ${trips.length}\n${trips.map((t) => `  ${t.replace(/\s+/g, ' ').slice(0, 110)}`).join('\n')}\n`);
    expect(trips.length).toBeLessThanOrEqual(MAX_ROUND_TRIPS_PER_PAYMENT);
  });
});
