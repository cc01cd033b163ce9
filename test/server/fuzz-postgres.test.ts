// `npm run fuzz -- --postgres`: the server on PostgreSQL (where a NUL in a path was a 500), a short seeded sample, and
// the watch that compares its tables: it hears a write only once committed, and names the table written.
import pg from 'pg';
import { formatReport, runFuzz } from '../../scripts/fuzz/run';
import { diffSnapshots, takeSnapshot } from '../../scripts/fuzz/tables';
import { createWorld, type World } from '../../scripts/fuzz/world';
import { createDatabase, dropDatabase, newDatabaseName, postgresAvailable } from './postgres-helpers';

const describePostgres = postgresAvailable ? describe : describe.skip;

describePostgres('[postgres] fuzzing with the server on PostgreSQL', () => {
  const databases: string[] = [];
  const freshDatabase = async () => {
    const name = newDatabaseName('wxfuzz');
    databases.push(name);
    return createDatabase(name);
  };
  afterAll(async () => {
    for (const name of databases) await dropDatabase(name);
  });

  test('a seeded sample passes: no 5xx, every refusal its envelope, no table written but by a case allowed to', async () => {
    const report = await runFuzz({ cases: 300, seed: 20_261_204, concurrency: 8, databaseUrl: await freshDatabase() });
    if (!report.pass) throw new Error(formatReport(report));
    expect(report.store).toBe('postgres');
    expect(report.perStatus).not.toHaveProperty('500');
    expect(report.stateChecks.snapshots).toBeGreaterThan(5);
    expect(Object.keys(report.writesSeen)).toEqual(expect.arrayContaining(['server.audit_log', 'server.webhook_events']));
  }, 60_000);

  describe('the watch', () => {
    let world: World;
    let client: pg.Client;
    beforeAll(async () => {
      const url = await freshDatabase();
      world = await createWorld({ databaseUrl: url });
      client = new pg.Client({ connectionString: url });
      await client.connect();
    }, 30_000);
    afterAll(async () => {
      await client?.end();
      await world?.close();
    });

    const changed = async () => (await Promise.all(world.watches.map((watch) => watch.changed()))).includes(true);

    test('hears a write only once it is committed, and the comparison then names the table', async () => {
      await changed();
      const before = await takeSnapshot(world.watches);
      await client.query('BEGIN');
      await client.query("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (1, 'planted', 'planted', NULL, '{}')");
      // Written, not committed: nothing to see yet (a look now would find no new row).
      expect(await changed()).toBe(false);
      await client.query('COMMIT');
      expect(await changed()).toBe(true);
      const after = await takeSnapshot(world.watches, before);
      expect(diffSnapshots(before, after).map((change) => `${change.table} ${change.kind}`)).toEqual(['server.audit_log insert']);
      expect(await changed()).toBe(false);
    });

    test('names an update of any column, and reads the counters every request writes without a look of their own', async () => {
      const before = await takeSnapshot(world.watches);
      await client.query("UPDATE sessions SET expires_at = expires_at + 1 WHERE token_hash = (SELECT min(token_hash) FROM sessions)");
      expect(await changed()).toBe(true);
      expect(diffSnapshots(before, await takeSnapshot(world.watches, before))).toEqual([
        { table: 'server.sessions', kind: 'update', key: expect.any(String), columns: ['expires_at'] },
      ]);
      await client.query("INSERT INTO rate_limits (key, hits, resets_at) VALUES ('planted:1', 1, 1)");
      expect(await changed()).toBe(false);
    });
  });
});
