// A time limit for one outbound call that costs nothing once the call is over.

/**
 * An abort signal that fires a TimeoutError after `ms` unless cleared. AbortSignal.timeout's timer cannot be
 * cleared: it fired for every call, long after the call had ended, and built its TimeoutError (a stack trace)
 * each time, about 30 µs per call, three calls per payment.
 */
export function deadline(ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
