// SQLite's WAL checkpoints off the event loop: a second connection in a worker thread copies the log back as it grows.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** The log's size, in pages, past which a commit checkpoints (the default of `logLimitPages`). */
export const LOG_LIMIT_PAGES = 8192;

export interface CheckpointerOptions {
  /** How often the worker copies the log back while it grows. */
  intervalMs?: number;
  /**
   * How often it looks once a pass found the log as the pass before had left it: an idle server's
   * checkpointer woke ten times a second for nothing (3.7 ms of CPU a second, measured).
   */
  idleIntervalMs?: number;
  /** The log's size, in pages, at which a commit finishes the checkpoint itself so the log starts over. */
  logLimitPages?: number;
}

/**
 * WAL checkpoints (copying the log back into the database, with an fsync) take milliseconds, and
 * SQLite runs them inside whichever commit crosses the threshold: a request would pay for them. A
 * second connection in a worker thread copies the log back every `intervalMs` instead, off the event loop
 * (every `idleIntervalMs` while nothing is written).
 *
 * That alone cannot bound the log under steady writes: SQLite starts the log over only when a write
 * transaction begins with every frame already copied, and a checkpoint in another thread always ends
 * with the frames committed while it ran still uncopied, so at a few hundred payments a second the log
 * grew by some 50 MB a second for as long as the load lasted (each frame written to fresh disk blocks,
 * the disk flushing all of it). So past `logLimitPages` the commit that crosses the limit checkpoints
 * too: the worker has copied all but the frames since its last pass, so that commit copies only those
 * (and syncs), and the next transaction starts the log over, truncated to twice the limit if a burst
 * left it larger.
 */
export function startCheckpointer(db: Database.Database, file: string, options: CheckpointerOptions = {}): { stop(): Promise<void> } | undefined {
  const { intervalMs = 100, idleIntervalMs = 1000, logLimitPages = LOG_LIMIT_PAGES } = options;
  let worker: Worker;
  try {
    worker = new Worker(CHECKPOINT_WORKER, {
      eval: true,
      workerData: { driver: createRequire(__filename).resolve('better-sqlite3'), file, intervalMs, idleIntervalMs },
    });
  } catch {
    return undefined; // keep SQLite's own automatic checkpoints
  }
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${logLimitPages}`);
  db.pragma(`journal_size_limit = ${2 * logLimitPages * pageSize}`);
  worker.unref();
  // If the worker dies, commits go back to checkpointing by themselves, every 1,000 pages (SQLite's default).
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
let lastLog = -1;
const pass = () => {
  let grew = false;
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)'); // { busy, log: frames in the log, checkpointed }
    grew = result.log !== lastLog;
    lastLog = result.log;
  } catch {}
  timer = setTimeout(pass, grew ? workerData.intervalMs : workerData.idleIntervalMs);
};
let timer = setTimeout(pass, workerData.intervalMs);
parentPort.on('message', () => {
  clearTimeout(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;
