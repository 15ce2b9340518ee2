/**
 * A keyed debouncer (one pending call per key, e.g. per document): re-scheduling a key restarts
 * its delay, keys are independent. The timers are injectable so tests run on a fake clock.
 */

/** The two timer functions the debouncer needs; default: the global ones. */
export interface DebounceTimers<Handle = unknown> {
  setTimeout(fn: () => void, ms: number): Handle;
  clearTimeout(handle: Handle): void;
}

/** The global timers (Node and browsers). */
export const realTimers: DebounceTimers<ReturnType<typeof setTimeout>> = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

/** A scheduled call; its result (or rejection) is awaited only to report failures. */
export type DebouncedFn = () => void | Promise<unknown>;

/** Runs the last call scheduled for a key once the key has been quiet for `delayMs`. */
export class Debouncer<Key = string, Handle = unknown> {
  private readonly timers: DebounceTimers<Handle>;
  private readonly waiting = new Map<Key, Handle>();
  private disposed = false;

  /**
   * @param delayMs quiet time before a key's call runs
   * @param timers default: the global timers
   * @param onError receives what a call threw or rejected with (the debouncer keeps working)
   */
  constructor(
    private readonly delayMs: number,
    timers?: DebounceTimers<Handle>,
    private readonly onError: (err: unknown, key: Key) => void = () => {},
  ) {
    this.timers = timers ?? (realTimers as unknown as DebounceTimers<Handle>);
  }

  /** Schedules `fn` for `key`, replacing and restarting a call already pending for it. No-op once disposed. */
  schedule(key: Key, fn: DebouncedFn): void {
    if (this.disposed) return;
    this.cancel(key);
    const handle = this.timers.setTimeout(() => {
      this.waiting.delete(key);
      this.run(key, fn);
    }, this.delayMs);
    this.waiting.set(key, handle);
  }

  /** Drops the call pending for `key`; returns whether there was one. */
  cancel(key: Key): boolean {
    if (!this.waiting.has(key)) return false;
    const handle = this.waiting.get(key) as Handle;
    this.waiting.delete(key);
    this.timers.clearTimeout(handle);
    return true;
  }

  /** Whether a call is waiting for `key` (false once it has started running). */
  pending(key: Key): boolean {
    return this.waiting.has(key);
  }

  /** Cancels every pending call; later schedules are ignored. */
  dispose(): void {
    this.disposed = true;
    for (const key of [...this.waiting.keys()]) this.cancel(key);
  }

  private run(key: Key, fn: DebouncedFn): void {
    const report = (err: unknown) => {
      try {
        this.onError(err, key);
      } catch {
        // An error handler that throws must not break the timer callback either.
      }
    };
    try {
      const result = fn();
      if (result !== undefined) Promise.resolve(result).catch(report);
    } catch (err) {
      report(err);
    }
  }
}
