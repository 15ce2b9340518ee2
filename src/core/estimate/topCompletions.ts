import { isEndOfSequence, type NextTokenSource } from './tokenSource';

export interface Completion {
  /** The completed line, without its terminator. */
  text: string;
  /** Probability of this line followed by a terminator, summed over the seen token paths (a lower bound). */
  probability: number;
}

export interface TopCompletionsOptions {
  /** How many completions to return. */
  k: number;
  /** Paths kept per step (default max(2k, 8)). */
  beamWidth?: number;
  /** Maximum tokens per completion. */
  maxDepth?: number;
  /** Paths below this probability are dropped. */
  minProbability?: number;
  signal?: AbortSignal;
}

export interface TopCompletionsResult {
  completions: Completion[];
  requests: number;
  complete: boolean;
  error?: unknown;
}

/**
 * The K most probable terminated completions, by beam search over top_logprobs (paper §7): a
 * completion ends at a newline or end of sequence. Memoised token sources make the nodes already
 * walked by teacher-forced scoring free.
 */
export async function topCompletions(source: NextTokenSource, options: TopCompletionsOptions): Promise<TopCompletionsResult> {
  const k = Math.max(1, options.k);
  const width = options.beamWidth ?? Math.max(2 * k, 8);
  const maxDepth = options.maxDepth ?? 16;
  const minProbability = options.minProbability ?? 1e-4;
  const startRequests = source.requests;
  const found = new Map<string, number>();
  let beams: Array<{ text: string; p: number }> = [{ text: '', p: 1 }];
  let complete = true;
  let error: unknown;

  const kthBest = () => {
    const values = [...found.values()].sort((a, b) => b - a);
    return values.length >= k ? values[k - 1]! : 0;
  };

  try {
    for (let depth = 0; depth < maxDepth && beams.length > 0; depth++) {
      const replies = await Promise.all(beams.map((b) => source.next(b.text, options.signal)));
      const next = new Map<string, number>();
      beams.forEach((beam, i) => {
        for (const entry of replies[i]!.top) {
          const p = beam.p * Math.exp(entry.logprob);
          if (isEndOfSequence(entry)) {
            found.set(beam.text, (found.get(beam.text) ?? 0) + p);
            continue;
          }
          const newline = entry.token.indexOf('\n');
          if (newline >= 0) {
            const text = beam.text + entry.token.slice(0, newline);
            found.set(text, (found.get(text) ?? 0) + p);
            continue;
          }
          const text = beam.text + entry.token;
          next.set(text, (next.get(text) ?? 0) + p);
        }
      });
      // A path can only matter if it could still reach the top K: as a new completion (its own
      // probability is an upper bound) or by adding to a completion already found that it extends to.
      const kth = kthBest();
      const canMatter = (b: { text: string; p: number }) =>
        b.p >= minProbability && (b.p >= kth || [...found.entries()].some(([text, q]) => text.startsWith(b.text) && q + b.p >= kth));
      beams = [...next.entries()]
        .map(([text, p]) => ({ text, p }))
        .filter(canMatter)
        .sort((a, b) => b.p - a.p || a.text.localeCompare(b.text))
        .slice(0, width);
    }
  } catch (err) {
    complete = false;
    error = err;
  }
  const completions = [...found.entries()]
    .map(([text, probability]) => ({ text, probability }))
    .sort((a, b) => b.probability - a.probability || a.text.localeCompare(b.text))
    .slice(0, k);
  return { completions, requests: source.requests - startRequests, complete, ...(complete ? {} : { error }) };
}
