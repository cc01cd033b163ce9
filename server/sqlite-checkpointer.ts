// SQLite's WAL checkpoints off the event loop: a second connection in a worker thread copies the log back every second.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * WAL checkpoints (copying the log back into the database, with an fsync) take milliseconds, and
 * SQLite runs them inside whichever commit crosses the threshold: a request would pay for them. A
 * second connection in a worker thread checkpoints every second instead, off the event loop.
 */
export function startCheckpointer(db: Database.Database, file: string): { stop(): Promise<void> } | undefined {
  let worker: Worker;
  try {
    worker = new Worker(CHECKPOINT_WORKER, {
      eval: true,
      workerData: { driver: createRequire(__filename).resolve('better-sqlite3'), file, intervalMs: 1000 },
    });
  } catch {
    return undefined; // keep SQLite's own automatic checkpoints
  }
  db.pragma('wal_autocheckpoint = 0');
  worker.unref();
  // If the worker dies, commits go back to checkpointing by themselves, so the log cannot grow forever.
  worker.on('error', () => db.open && db.pragma('wal_autocheckpoint = 1000'));
  return {
    async stop() {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]);
      await worker.terminate();
    },
  };
}

const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;
