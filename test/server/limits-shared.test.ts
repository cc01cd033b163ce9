// Two instances on one PostgreSQL database enforce one budget per limit: the counters are rows every instance counts
// in (one statement per check), not memory, so a load balancer spreading a flood over N instances gains it nothing.
import { createDatabase, dropDatabase, newDatabaseName, postgresAvailable } from './postgres-helpers';
import { startTestServer, testConfig, type TestServer } from './helpers';

const describePostgres = postgresAvailable ? describe : describe.skip;

describePostgres('[postgres] abuse limits shared by instances', () => {
  const database = newDatabaseName('wxlimits');
  let a: TestServer;
  let b: TestServer;
  let shopper: string;

  beforeAll(async () => {
    const url = await createDatabase(database);
    const config = testConfig({
      DATABASE_URL: url,
      ADMIN_TOKEN: '7d1e4a9c2b8f0356e1d2c3b4a5f60718293a4b5c',
      RATE_LIMIT_ADDRESS_PER_MINUTE: '10',
      RATE_LIMIT_SHOPPER_PER_MINUTE: '12',
      RATE_LIMIT_ADMIN_SIGN_INS_PER_MINUTE: '4',
    });
    a = await startTestServer(config);
    b = await startTestServer(config);
    // A login has no session yet: it spends one of this address's 10.
    shopper = await a.sessionFor('shared-shopper');
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await dropDatabase(database);
  });

  test('requests spread over two instances spend one address budget', async () => {
    const statuses = [];
    for (let i = 0; i < 14; i++) statuses.push((await (i % 2 ? b : a).request('GET', '/api/config')).status);
    expect(statuses).toEqual([...Array(9).fill(200), ...Array(5).fill(429)]);
  });

  test("one shopper's budget, and the budget of token guesses, are one across instances too", async () => {
    const statuses = [];
    for (let i = 0; i < 14; i++) statuses.push((await (i % 2 ? b : a).request('GET', '/api/orders', { token: shopper })).status);
    expect(statuses).toEqual([...Array(12).fill(200), ...Array(2).fill(429)]);

    const guesses = [];
    for (let i = 0; i < 6; i++) guesses.push((await (i % 2 ? a : b).request('GET', '/admin/api/orders', { token: `guess-${i}-abcdefghijklmnop0123456789` })).status);
    expect(guesses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});
