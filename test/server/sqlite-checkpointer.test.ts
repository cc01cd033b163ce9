// The checkpointer: commits do not pay for checkpoints, the log is copied back in the background, and it stays bounded under steady writes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startCheckpointer, type CheckpointerOptions } from '../../server/sqlite-checkpointer';

let dir: string;
let file: string;
let db: Database.Database;
let checkpointer: { stop(): Promise<void> } | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpointer-'));
  file = path.join(dir, 'app.sqlite');
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
});
afterEach(async () => {
  await checkpointer?.stop();
  checkpointer = undefined;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const PAGE = 4096;
const start = (options: CheckpointerOptions) => {
  checkpointer = startCheckpointer(db, file, options);
  expect(checkpointer).toBeDefined();
};
const insert = (bytes: number) => db.prepare('INSERT INTO rows (body) VALUES (?)').run(Buffer.alloc(bytes, 7));
const size = (name: string) => fs.statSync(name).size;
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('commits below the limit only append to the log: none of them checkpoints', async () => {
  db.pragma('wal_checkpoint(TRUNCATE)');
  start({ intervalMs: 60_000, logLimitPages: 4096 });
  const before = size(file);
  // A page each and the pages above it: past SQLite's own 1,000-page threshold (which the limit replaces),
  // under the limit.
  for (let i = 0; i < 600; i++) insert(4000);
  expect(size(`${file}-wal`)).toBeGreaterThan(1200 * PAGE);
  expect(size(`${file}-wal`)).toBeLessThan(4096 * PAGE);
  expect(size(file)).toBe(before);
});

test('the worker copies the log into the database in the background', async () => {
  start({ intervalMs: 20 });
  const before = size(file);
  for (let i = 0; i < 100; i++) insert(1000);
  const deadline = Date.now() + 10_000;
  while (size(file) === before && Date.now() < deadline) await settle(20);
  expect(size(file)).toBeGreaterThan(before);
});

test('backs off while nothing is written: a pass that finds the log as the last one left it waits idleIntervalMs', async () => {
  const created = size(file);
  start({ intervalMs: 5, idleIntervalMs: 60_000 });
  // The first pass copies the table's creation; the one 5 ms after it finds nothing new.
  const deadline = Date.now() + 10_000;
  while (size(file) === created && Date.now() < deadline) await settle(10);
  await settle(200);
  const before = size(file);
  expect(before).toBeGreaterThan(created);
  for (let i = 0; i < 100; i++) insert(1000);
  await settle(300); // sixty passes at intervalMs
  expect(size(file)).toBe(before);
});

test('under writes that never pause, the log starts over instead of growing (it grew without bound with the worker alone)', async () => {
  const logLimitPages = 256;
  start({ intervalMs: 5, logLimitPages });
  // 20 times the limit, committed back to back on this thread while the worker checkpoints on its own.
  for (let i = 0; i < 5000; i++) insert(2000);
  expect(size(`${file}-wal`)).toBeLessThanOrEqual(2 * logLimitPages * PAGE + 8 * PAGE);
  expect((db.prepare('SELECT COUNT(*) AS n FROM rows').get() as { n: number }).n).toBe(5000);
  await checkpointer?.stop();
  checkpointer = undefined;
  const reopened = new Database(file, { readonly: true });
  try {
    expect((reopened.prepare('SELECT COUNT(*) AS n FROM rows').get() as { n: number }).n).toBe(5000);
  } finally {
    reopened.close();
  }
});
