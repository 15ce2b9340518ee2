import { bytesKey, classifyPiece, concatBytes, decodeComplete, linkedAbort, tokenBytes, type NextTokenSource } from './tokenSource';

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
  eosPieces?: ReadonlySet<string>;
  signal?: AbortSignal;
}

export interface TopCompletionsResult {
  completions: Completion[];
  requests: number;
  complete: boolean;
  error?: unknown;
}

export const COMPLETION_DEFAULTS = { maxDepth: 16, minProbability: 1e-4 };

const NEWLINE = 0x0a;

interface Beam {
  bytes: Uint8Array;
  p: number;
}

/**
 * The K most probable terminated completions, by beam search over top_logprobs (paper §7): a
 * completion ends at a newline or a known end-of-sequence piece. Paths are byte strings so
 * byte-fallback pieces join correctly; memoised token sources make the nodes already walked by
 * teacher-forced scoring free.
 */
export async function topCompletions(source: NextTokenSource, options: TopCompletionsOptions): Promise<TopCompletionsResult> {
  const k = Math.max(1, options.k);
  const width = options.beamWidth ?? Math.max(2 * k, 8);
  const maxDepth = options.maxDepth ?? COMPLETION_DEFAULTS.maxDepth;
  const minProbability = options.minProbability ?? COMPLETION_DEFAULTS.minProbability;
  const eosPieces = options.eosPieces ?? new Set<string>();
  const startRequests = source.requests;
  const batch = linkedAbort(options.signal);
  const found = new Map<string, number>();
  const add = (bytes: Uint8Array, p: number) => {
    const text = decodeComplete(bytes);
    if (text !== undefined) found.set(text, (found.get(text) ?? 0) + p);
  };
  let beams: Beam[] = [{ bytes: new Uint8Array(0), p: 1 }];
  let complete = true;
  let error: unknown;

  const kthBest = () => {
    const values = [...found.values()].sort((a, b) => b - a);
    return values.length >= k ? values[k - 1]! : 0;
  };

  try {
    for (let depth = 0; depth < maxDepth && beams.length > 0; depth++) {
      // Beams ending inside a UTF-8 character cannot be sent as text; they are dropped (lower bounds).
      const sendable = beams.filter((b) => decodeComplete(b.bytes) !== undefined);
      let failure: { error: unknown } | undefined;
      const replies = await Promise.all(
        sendable.map((b) =>
          source.next(decodeComplete(b.bytes)!, batch.signal).catch((err: unknown) => {
            failure ??= { error: err };
            batch.abort(err);
            return undefined;
          }),
        ),
      );
      const next = new Map<string, Beam>();
      // When the level was cut short, the completions ended by the replies that did arrive still count.
      sendable.forEach((beam, i) => {
        const reply = replies[i];
        if (!reply) return;
        for (const entry of reply.top) {
          const p = beam.p * Math.exp(entry.logprob);
          const kind = classifyPiece(entry, eosPieces);
          if (kind === 'eos') {
            add(beam.bytes, p);
            continue;
          }
          // A control piece, llama-server's "" (end, control or split character) or a piece with
          // unseen bytes is not a completion we can name: left out (completions are lower bounds).
          if (kind !== 'text') continue;
          const piece = tokenBytes(entry);
          const newline = piece.indexOf(NEWLINE);
          if (newline >= 0) {
            add(concatBytes(beam.bytes, piece.subarray(0, newline)), p);
            continue;
          }
          const bytes = concatBytes(beam.bytes, piece);
          const key = bytesKey(bytes);
          const existing = next.get(key);
          if (existing) existing.p += p;
          else next.set(key, { bytes, p });
        }
      });
      if (failure) throw failure.error;
      // A path can only matter if it could still reach the top K: as a new completion (its own
      // probability is an upper bound) or by adding to a completion already found that it extends to.
      const kth = kthBest();
      const canMatter = (b: Beam) => {
        if (b.p < minProbability) return false;
        if (b.p >= kth) return true;
        const text = decodeComplete(b.bytes);
        return text === undefined || [...found.entries()].some(([done, q]) => done.startsWith(text) && q + b.p >= kth);
      };
      beams = [...next.values()]
        .filter(canMatter)
        .sort((a, b) => b.p - a.p || (bytesKey(a.bytes) < bytesKey(b.bytes) ? -1 : 1))
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
