// Group commit on SQLite: one commit for the writes of a turn, each write atomic on its own, nothing acknowledged before
// its commit, and no lock held between turns.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteBatcher } from '../../server/store/sqlite-batch';

let dir: string;
let file: string;
let db: Database.Database;
let other: Database.Database;
let batcher: SqliteBatcher;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-'));
  file = path.join(dir, 'app.sqlite');
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0'); // the log only grows: its size counts the pages commits wrote
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)');
  other = new Database(file, { timeout: 0 }); // another process: fails at once if it finds the write lock taken
  batcher = new SqliteBatcher(db);
});
afterEach(() => {
  other.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const insert = (body: string) => () => db.prepare('INSERT INTO rows (body) VALUES (?)').run(body).lastInsertRowid;
const bodies = (connection: Database.Database) => (connection.prepare('SELECT body FROM rows ORDER BY id').all() as Array<{ body: string }>).map((row) => row.body);
const logPages = () => Math.round((fs.statSync(`${file}-wal`).size - 32) / (4096 + 24));

test('the writes asked for in one turn share one commit', async () => {
  const patient = new SqliteBatcher(db, 60_000);
  const start = logPages();
  await Promise.all(Array.from({ length: 50 }, (_, i) => patient.run(insert(`row ${i}`))));
  const together = logPages() - start;
  for (let i = 50; i < 100; i++) await batcher.run(insert(`row ${i}`));
  const apart = logPages() - start - together;
  expect(bodies(other)).toHaveLength(100);
  // One commit rewrites the table's last page once; fifty commits write it fifty times.
  expect(together).toBeLessThanOrEqual(3);
  expect(apart).toBeGreaterThanOrEqual(50);
});

test('each write gets its own result, in the order asked, and sees the writes queued before it', async () => {
  const first = batcher.run(insert('a'));
  const second = batcher.run(() => db.prepare('SELECT COUNT(*) AS n FROM rows').get() as { n: number });
  const third = batcher.run(insert('b'));
  expect(await first).toBe(1);
  expect(await second).toEqual({ n: 1 });
  expect(await third).toBe(2);
});

test('nothing is visible, to this connection or another, before the batch runs: a caller hears back after the commit', async () => {
  let settled = false;
  const write = batcher.run(insert('queued')).then(() => {
    settled = true;
    expect(bodies(other)).toEqual(['queued']);
  });
  expect(bodies(db)).toEqual([]);
  expect(bodies(other)).toEqual([]);
  expect(settled).toBe(false);
  await write;
  expect(settled).toBe(true);
});

test('no lock is held between turns: another connection writes while a batch is queued', async () => {
  const queued = batcher.run(insert('ours'));
  other.prepare('INSERT INTO rows (body) VALUES (?)').run('theirs'); // with timeout 0: SQLITE_BUSY if the lock were held
  await queued;
  expect(bodies(other)).toEqual(['theirs', 'ours']);
});

test('a write that throws undoes only itself and rejects only its caller', async () => {
  const outcomes = await Promise.allSettled([
    batcher.run(insert('kept 1')),
    batcher.run(() => {
      insert('undone')();
      insert('kept 1')(); // UNIQUE violation: this write's first row goes with it
    }),
    batcher.run(insert('kept 2')),
  ]);
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
  expect(bodies(other)).toEqual(['kept 1', 'kept 2']);
});

test('a write alone in its turn that throws leaves nothing behind', async () => {
  await expect(
    batcher.run(() => {
      insert('undone')();
      throw new Error('decided against it');
    }),
  ).rejects.toThrow('decided against it');
  expect(bodies(other)).toEqual([]);
  await batcher.run(insert('next'));
  expect(bodies(other)).toEqual(['next']);
});

test('an error that ends the whole transaction rejects every write of the batch and keeps none of them', async () => {
  const outcomes = await Promise.allSettled([
    batcher.run(insert('before')),
    batcher.run(() => db.exec('ROLLBACK')), // as SQLITE_FULL or SQLITE_IOERR would: the transaction is gone
    batcher.run(insert('after')),
  ]);
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
  expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/rolled back/);
  expect(bodies(other)).toEqual([]);
  expect(db.inTransaction).toBe(false);
  await batcher.run(insert('next turn'));
  expect(bodies(other)).toEqual(['next turn']);
});

test('flush runs and commits what is queued at once', async () => {
  const queued = batcher.run(insert('flushed'));
  batcher.flush();
  expect(bodies(other)).toEqual(['flushed']);
  await queued;
});

test('a write waits for company at most maxWaitMs: past that, the next write runs the batch at once', async () => {
  const patient = new SqliteBatcher(db, 5);
  const first = patient.run(insert('first'));
  const until = performance.now() + 6;
  while (performance.now() < until); // a long turn: callbacks of other requests keep the loop busy
  const second = patient.run(insert('second'));
  expect(bodies(other)).toEqual(['first', 'second']); // committed before this turn ends
  expect(await first).toBe(1);
  expect(await second).toBe(2);
  const third = patient.run(insert('third'));
  expect(bodies(other)).toEqual(['first', 'second']); // a new batch, young: it waits for the end of the turn
  await third;
  expect(bodies(other)).toEqual(['first', 'second', 'third']);
});

test('a write alone in its turn takes the write lock before it reads, so another process cannot slip in between', async () => {
  // Read, then write: in a deferred transaction the other connection could commit between the two, and the
  // write would then fail (SQLITE_BUSY_SNAPSHOT); another process such as `npm run reconcile` shares the file.
  const othersAttempt = await batcher.run(() => {
    db.prepare('SELECT COUNT(*) AS n FROM rows').get();
    let refused: string | undefined;
    try {
      other.prepare('INSERT INTO rows (body) VALUES (?)').run('theirs');
    } catch (err) {
      refused = (err as { code?: string }).code;
    }
    insert('ours')();
    return refused;
  });
  expect(othersAttempt).toBe('SQLITE_BUSY');
  expect(bodies(other)).toEqual(['ours']);
});
