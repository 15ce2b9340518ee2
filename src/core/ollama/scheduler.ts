interface Queued {
  suffix: string;
  run: () => void;
}

/**
 * Runs at most `concurrency` requests at once (Ollama's default OLLAMA_NUM_PARALLEL is 1) and,
 * among waiting requests, starts the one that shares the longest prefix with the one started
 * last, so Ollama's prompt cache is reused instead of evicted. Requests are queued per prompt:
 * within the last prompt only the suffixes are compared, so the cost of a pick does not grow
 * with the prompt's length; prompts are compared only when the last one has nothing left.
 */
export class RequestScheduler {
  private active = 0;
  private lastPrompt: string | undefined;
  private lastSuffix = '';
  /** Waiting requests by prompt, prompts in order of first arrival. */
  private readonly buckets = new Map<string, Queued[]>();
  private waiting = 0;
  maxActive = 0;
  /** Characters compared to pick requests (for tests and the bench: it must not grow with prompt length). */
  comparedChars = 0;

  constructor(readonly concurrency = 1) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  }

  get pending(): number {
    return this.waiting;
  }

  /** Queues `task`, a request for `prompt + suffix`. */
  run<T>(prompt: string, suffix: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const bucket = this.buckets.get(prompt);
      const entry: Queued = {
        suffix,
        run: () => {
          task().then(resolve, reject).finally(() => {
            this.active--;
            this.dispatch();
          });
        },
      };
      if (bucket) bucket.push(entry);
      else this.buckets.set(prompt, [entry]);
      this.waiting++;
      // Let callers enqueue a whole batch before the first pick, so ordering can take effect.
      queueMicrotask(() => this.dispatch());
    });
  }

  private dispatch(): void {
    while (this.active < this.concurrency && this.waiting > 0) {
      const prompt = this.nextPrompt();
      const bucket = this.buckets.get(prompt)!;
      const index = prompt === this.lastPrompt ? this.closestSuffix(bucket) : 0;
      const [next] = bucket.splice(index, 1);
      if (bucket.length === 0) this.buckets.delete(prompt);
      this.waiting--;
      this.active++;
      this.maxActive = Math.max(this.maxActive, this.active);
      this.lastPrompt = prompt;
      this.lastSuffix = next!.suffix;
      next!.run();
    }
  }

  /** The last prompt while it has waiting requests, else the waiting prompt sharing most with it. */
  private nextPrompt(): string {
    if (this.lastPrompt !== undefined && this.buckets.has(this.lastPrompt)) return this.lastPrompt;
    let best = '';
    let bestShared = -1;
    for (const prompt of this.buckets.keys()) {
      const shared = this.lastPrompt === undefined ? 0 : this.shared(this.lastPrompt, prompt);
      if (shared > bestShared) {
        best = prompt;
        bestShared = shared;
      }
    }
    return best;
  }

  private closestSuffix(bucket: readonly Queued[]): number {
    let best = 0;
    let bestShared = -1;
    for (let i = 0; i < bucket.length; i++) {
      const shared = this.shared(this.lastSuffix, bucket[i]!.suffix);
      if (shared > bestShared) {
        best = i;
        bestShared = shared;
        // Nothing can share more than the whole last suffix: the first such request wins (FIFO among
        // equals), which keeps a queue of identical prompts (sampling) linear instead of quadratic.
        if (shared === this.lastSuffix.length) break;
      }
    }
    return best;
  }

  private shared(a: string, b: string): number {
    const n = sharedPrefixLength(a, b);
    this.comparedChars += n + 1;
    return n;
  }
}

export function sharedPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
