/**
 * Ollama TEST DOUBLE — the per-slot prompt cache and its cost model.
 *
 * Follows Ollama's Go runner (runner/ollamarunner/cache.go, single-user mode, the default): a
 * model's runner has `parallel` cache slots; a request takes the slot NOT in use whose cached
 * tokens share the longest common prefix with its prompt (the first slot in slot order among
 * equals, so an unrelated prompt evicts slot 0 even when another slot is empty), keeps that prefix
 * and evaluates the rest — at least the last token, so that there is something to sample from.
 * The slot then holds the prompt (chosen: generated tokens are not added, since the toy tokenizer
 * does not split them as the prompt's) and is in use until the request ends. A (re)load empties
 * every slot. Tokens are the toy tokenizer's.
 */

export interface CacheLease {
  /** The cache slot taken (−1: none was free; the whole prompt is evaluated and nothing is kept). */
  readonly slot: number;
  readonly promptTokens: number;
  /** Tokens served from the cache, and evaluated (≥ 1, prompt tokens − cached). */
  readonly cached: number;
  readonly uncached: number;
  /** Frees the slot (idempotent). */
  release(): void;
}

interface Slot {
  tokens: readonly string[];
  inUse: boolean;
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** One model's slots. */
export class SlotCache {
  private readonly slots: Slot[];

  constructor(parallel: number) {
    this.slots = Array.from({ length: Math.max(1, parallel) }, () => ({ tokens: [], inUse: false }));
  }

  /** The free slot with the longest common prefix (findLongestCacheSlot), or −1 when every slot is in use. */
  choose(tokens: readonly string[]): { slot: number; shared: number } {
    let slot = -1;
    let shared = -1;
    this.slots.forEach((s, i) => {
      if (s.inUse) return;
      const n = commonPrefix(s.tokens, tokens);
      if (n > shared) {
        shared = n;
        slot = i;
      }
    });
    return { slot, shared: Math.max(0, shared) };
  }

  lease(tokens: readonly string[]): CacheLease {
    const { slot, shared } = this.choose(tokens);
    const cached = Math.min(shared, Math.max(0, tokens.length - 1));
    const s = slot >= 0 ? this.slots[slot] : undefined;
    if (s) {
      s.inUse = true;
      s.tokens = tokens;
    }
    let released = false;
    return {
      slot,
      promptTokens: tokens.length,
      cached,
      uncached: Math.max(1, tokens.length - cached),
      release: (): void => {
        if (released || !s) return;
        released = true;
        s.inUse = false;
      },
    };
  }

  /** What each slot holds (for tests). */
  contents(): string[][] {
    return this.slots.map((s) => [...s.tokens]);
  }

  clear(): void {
    for (const s of this.slots) s.tokens = [];
  }
}

/** Every model's slot cache. */
export class PromptCaches {
  private readonly byModel = new Map<string, SlotCache>();

  constructor(private readonly parallel: number) {}

  lease(model: string, tokens: readonly string[]): CacheLease {
    let cache = this.byModel.get(model);
    if (!cache) {
      cache = new SlotCache(this.parallel);
      this.byModel.set(model, cache);
    }
    return cache.lease(tokens);
  }

  /** A fresh runner (load, reload after an option change) starts with empty slots; leases in flight keep their slot index. */
  drop(model: string): void {
    this.byModel.get(model)?.clear();
  }

  contents(model: string): string[][] {
    return this.byModel.get(model)?.contents() ?? [];
  }
}
