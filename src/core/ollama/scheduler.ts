interface Queued {
  key: string;
  run: () => void;
}

/**
 * Runs at most `concurrency` requests at once (Ollama's default OLLAMA_NUM_PARALLEL is 1) and,
 * among waiting requests, starts the one whose prompt shares the longest prefix with the one
 * started last, so Ollama's prompt cache is reused instead of evicted.
 */
export class RequestScheduler {
  private active = 0;
  private lastKey = '';
  private readonly queue: Queued[] = [];
  maxActive = 0;

  constructor(readonly concurrency = 1) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  }

  get pending(): number {
    return this.queue.length;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        key,
        run: () => {
          task().then(resolve, reject).finally(() => {
            this.active--;
            this.dispatch();
          });
        },
      });
      // Let callers enqueue a whole batch before the first pick, so ordering can take effect.
      queueMicrotask(() => this.dispatch());
    });
  }

  private dispatch(): void {
    while (this.active < this.concurrency && this.queue.length > 0) {
      let best = 0;
      let bestShared = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const shared = sharedPrefixLength(this.lastKey, this.queue[i]!.key);
        if (shared > bestShared) {
          best = i;
          bestShared = shared;
          // Nothing can share more than the whole last key: the first such request wins (FIFO among
          // equals), which keeps a queue of identical prompts (sampling) linear instead of quadratic.
          if (shared === this.lastKey.length) break;
        }
      }
      const [next] = this.queue.splice(best, 1);
      this.active++;
      this.maxActive = Math.max(this.maxActive, this.active);
      this.lastKey = next!.key;
      next!.run();
    }
  }
}

export function sharedPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
