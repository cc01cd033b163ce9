// One upstream operation per key at a time in this process: concurrent callers share the one in flight.

/** Runs `task` once per key at a time; concurrent callers share its promise. */
export async function singleFlight<T>(map: Map<string, Promise<T>>, key: string, task: () => Promise<T>): Promise<T> {
  const running = map.get(key);
  if (running) return running;
  const promise = task().finally(() => map.delete(key));
  map.set(key, promise);
  return promise;
}
