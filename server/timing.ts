// Per-request timing, reported in the Server-Timing header: how long the server waited on upstreams
// (Airwallex, WeChat) and on long polls, and how long it spent itself.
import { AsyncLocalStorage } from 'node:async_hooks';

export type TimingPart = 'upstream' | 'wait';

interface RequestTiming {
  started: number;
  parts: Record<TimingPart, number>;
}

const storage = new AsyncLocalStorage<RequestTiming>();

/** Runs `fn` (the rest of one request's handling) with a fresh timing record. */
export function runWithTiming(fn: () => void): void {
  storage.run({ started: performance.now(), parts: { upstream: 0, wait: 0 } }, fn);
}

/**
 * Runs `fn` outside any request's timing record: for timers a request starts but that outlive it
 * or serve others too (a long poll's shared retrieve poller), whose time is nobody's request time.
 */
export function untimed<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** Adds time spent waiting on something outside the server to the current request, if any. */
export function addTiming(part: TimingPart, ms: number): void {
  const timing = storage.getStore();
  if (timing) timing.parts[part] += ms;
}

/** Measures `work` as `part` of the current request. */
export async function timed<T>(part: TimingPart, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    addTiming(part, performance.now() - started);
  }
}

/** `app;dur=…, upstream;dur=…, wait;dur=…` for the current request; `app` is the server's own time. */
export function serverTimingHeader(): string | undefined {
  const timing = storage.getStore();
  if (!timing) return undefined;
  const total = performance.now() - timing.started;
  const { upstream, wait } = timing.parts;
  const app = Math.max(0, total - upstream - wait);
  return `app;dur=${app.toFixed(2)}, upstream;dur=${upstream.toFixed(2)}, wait;dur=${wait.toFixed(2)}`;
}
