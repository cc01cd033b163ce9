// PostgreSQL round trips per payment (issue 21): each statement the server sends for one shopper's payment, counted, so a change that adds some shows.
import pg from 'pg';
import { createDatabase, databaseUrl, dropDatabase, newDatabaseName, postgresAvailable } from './postgres-helpers';
import { startTestServer, testConfig, type TestServer } from './helpers';

const describePostgres = postgresAvailable ? describe : describe.skip;

/**
 * Round trips of one payment, 15 on 2026-12-05: the session (its two address limits, the insert), the order
 * (the shopper's limit, the insert in one batch, the intent applied: lock and read, then write and commit),
 * the payment (limit, read, the confirm applied: two), the webhook (recorded and applied: two), the long
 * poll (limit, read). Each abuse limit hit is one: the counters are shared by every instance. It was 20
 * before a long poll stopped reading again an order its own instance had just written and notified (−2),
 * and before this process remembered the sessions it knows (−3).
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
      const [config] = args as [string | { text: string }];
      sent.push(typeof config === 'string' ? config : config.text);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }, 30_000);

  afterAll(async () => {
    pg.Client.prototype.query = original;
    await server?.close();
    await dropDatabase(database);
  });

  test(`one payment takes at most ${MAX_ROUND_TRIPS_PER_PAYMENT} round trips to PostgreSQL`, async () => {
    await server.paidOrder(await server.sessionFor('rita')); // warm: statements prepared, the token cached
    sent.length = 0;
    await server.paidOrder(await server.sessionFor('rosa'));
    const trips = sent.filter((text) => !/^\s*(LISTEN|SELECT 1\b)/i.test(text) || /FOR UPDATE/.test(text));
    process.stdout.write(`PostgreSQL round trips for one payment: ${trips.length}\n${trips.map((t) => `  ${t.replace(/\s+/g, ' ').slice(0, 110)}`).join('\n')}\n`);
    expect(trips.length).toBeLessThanOrEqual(MAX_ROUND_TRIPS_PER_PAYMENT);
  });
});
