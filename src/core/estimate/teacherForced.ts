import type { NextTokenReply } from '../ollama/client';
import type { TokenLogprob } from '../ollama/types';
import {
  bytesKey,
  classifyPiece,
  concatBytes,
  continuesNonAscii,
  decodeComplete,
  knownPrefix,
  linkedAbort,
  startsWithBytes,
  tokenBytes,
  utf8,
  type NextTokenSource,
} from './tokenSource';

export interface TokenStep {
  /** Text of the answer before this token. */
  prefix: string;
  token: string;
  probability: number;
  /** The most probable alternatives at this step (including the token itself). */
  alternatives: Array<{ token: string; probability: number }>;
}

export interface AnswerScore {
  answer: string;
  /** Probability found on token paths that were seen (a lower bound; the value when exact). */
  lower: number;
  /** Lower plus every bit of mass that could still spell the answer (never below the truth). */
  upper: number;
  exact: boolean;
  /** The most probable seen token path spelling the answer (empty when none was seen). */
  steps: TokenStep[];
}

export interface TeacherForcedOptions {
  /** Also multiply by the probability of a terminator (newline or end of sequence) after the answer. */
  terminated?: boolean;
  /** Trie nodes reached with less mass than this are not requested; their mass widens the interval. */
  minNodeMass?: number;
  /** The model's end-of-sequence / stop pieces beyond the well-known ones. */
  eosPieces?: ReadonlySet<string>;
  signal?: AbortSignal;
  onProgress?: (done: number, known: number) => void;
}

export interface TeacherForcedResult {
  scores: AnswerScore[];
  requests: number;
  /** False when the walk stopped early (cancel/error); bounds then cover what was not walked. */
  complete: boolean;
  error?: unknown;
}

interface NodeState {
  bytes: Uint8Array;
  mass: number;
  reply?: NextTokenReply;
  processed: boolean;
}

const NEWLINE = 0x0a;

/** Bounds and "exact" hold up to this much: the rounding of 20 float32 logprobs. */
export const FLOAT32_NOISE = 1e-6;

/**
 * P(answer | prompt) the paper's way — the product of the answer's token probabilities, summed
 * over every token path that spells it — walked as one 1-token request per node of the trie of all
 * candidate answers. Nodes are byte strings; a node's mass is the probability of reaching it on a
 * seen path. Mass that leaves through tokens outside the top-20 can only be bounded: at most the
 * unseen mass R, and at most (number of unseen pieces that could continue the answer) × (smallest
 * top-20 probability), since no unseen token is more probable than the 20th.
 */
export async function scoreAnswers(source: NextTokenSource, answers: readonly string[], options: TeacherForcedOptions = {}): Promise<TeacherForcedResult> {
  const terminated = options.terminated ?? false;
  const minNodeMass = options.minNodeMass ?? 0;
  const eosPieces = options.eosPieces ?? new Set<string>();
  // Stops the requests still queued as soon as one fails (or the caller cancels).
  const batch = linkedAbort(options.signal);
  const targets = answers.map((a) => utf8(a));
  const lower = new Array<number>(answers.length).fill(0);
  const gap = new Array<number>(answers.length).fill(0);
  const nodes = new Map<string, NodeState>();
  const startRequests = source.requests;

  /** Does this node need a request: some answer continues past it, or (terminated) ends at it. */
  const needsRequest = (bytes: Uint8Array) =>
    targets.some((t) => startsWithBytes(t, bytes) && (t.length > bytes.length || terminated));
  /** Answers whose outcome still depends on what follows this node. */
  const dependents = (bytes: Uint8Array) =>
    targets.map((t, i) => (startsWithBytes(t, bytes) && (t.length > bytes.length || terminated) ? i : -1)).filter((i) => i >= 0);

  const addNode = (bytes: Uint8Array, mass: number) => {
    const key = bytesKey(bytes);
    const node = nodes.get(key);
    if (node) node.mass += mass;
    else nodes.set(key, { bytes, mass, processed: false });
  };

  /**
   * Credits answer i with a piece's mass p when the bytes reached (`child`) spell it at a token
   * boundary (terminated: followed by a newline inside the piece); says whether the walk must go on
   * below `child` for it. `walkable` is false for a partial piece, whose bytes after `child` are
   * unknown non-ASCII ones: it neither ends an answer at `child` nor can be walked.
   */
  const credit = (child: Uint8Array, p: number, i: number, walkable: boolean): boolean => {
    const t = targets[i]!;
    if (startsWithBytes(t, child)) {
      if (t.length > child.length || terminated) return walkable;
      if (walkable) lower[i]! += p;
      return false;
    }
    // A piece that finishes the answer and the line at once, e.g. "1\n".
    if (terminated && child.length > t.length && startsWithBytes(child, t) && child[t.length] === NEWLINE) lower[i]! += p;
    return false;
  };

  const expand = (node: NodeState, reply: NextTokenReply) => {
    const top = reply.top;
    if (top.length === 0) {
      // No logprobs (e.g. Go runners when the greedy token is end-of-sequence): nothing is known here.
      for (const i of dependents(node.bytes)) gap[i]! += node.mass;
      return;
    }
    const probs = top.map((t) => Math.exp(t.logprob));
    const seenMass = probs.reduce((a, b) => a + b, 0);
    // Ollama sends float32 logprobs: a shortfall below their rounding noise is not unseen mass.
    const unseen = 1 - seenMass < FLOAT32_NOISE ? 0 : 1 - seenMass;
    const smallest = Math.min(...probs);
    const endsHere = (i: number) => targets[i]!.length === node.bytes.length && startsWithBytes(targets[i]!, node.bytes);
    top.forEach((entry, j) => {
      const p = node.mass * probs[j]!;
      const kind = classifyPiece(entry, eosPieces);
      if (kind === 'eos') {
        if (terminated) targets.forEach((_, i) => endsHere(i) && (lower[i]! += p));
        return;
      }
      if (kind === 'special' || kind === 'ambiguous') {
        // A control piece we cannot read (or llama-server's "", which may be one) may or may not end the text.
        if (terminated) targets.forEach((_, i) => endsHere(i) && (gap[i]! += p));
        if (kind === 'special') return;
      }
      if (kind === 'ambiguous' || kind === 'partial') {
        // Bytes of a split character that Ollama does not send: they may continue any answer whose
        // next byte (after the piece's readable start) is non-ASCII. Only an uncertainty.
        const known = kind === 'partial' ? concatBytes(node.bytes, knownPrefix(entry)) : node.bytes;
        targets.forEach((t, i) => {
          if (startsWithBytes(t, known) && continuesNonAscii(t, known.length)) gap[i]! += p;
          else if (kind === 'partial') credit(known, p, i, false);
        });
        return;
      }
      const child = concatBytes(node.bytes, tokenBytes(entry));
      let continues = false;
      targets.forEach((_, i) => (continues = credit(child, p, i, true) || continues));
      if (continues) addNode(child, p);
    });
    if (unseen <= 0) return;
    for (const i of dependents(node.bytes)) {
      const target = targets[i]!;
      if (terminated) {
        gap[i]! += node.mass * unseen;
        continue;
      }
      // Every prefix of the rest may still be an unseen piece, even one whose text was seen:
      // vocabularies hold pieces with identical bytes (byte-fallback tokens such as <0x38> = "8").
      const candidates = target.length - node.bytes.length;
      gap[i]! += node.mass * Math.min(unseen, candidates * smallest);
    }
  };

  addNode(new Uint8Array(0), 1);
  let complete = true;
  let error: unknown;
  try {
    for (;;) {
      const pending = [...nodes.values()].filter((n) => !n.processed);
      if (pending.length === 0) break;
      const shortest = Math.min(...pending.map((n) => n.bytes.length));
      const level = pending.filter((n) => n.bytes.length === shortest);
      const toRequest: Array<{ node: NodeState; text: string }> = [];
      for (const node of level) {
        const text = decodeComplete(node.bytes);
        if (!needsRequest(node.bytes) || node.mass <= 0) node.processed = true;
        else if (text === undefined || node.mass < minNodeMass) {
          // Ends inside a UTF-8 character (cannot be sent as text) or too unlikely to be worth a request.
          for (const i of dependents(node.bytes)) gap[i]! += node.mass;
          node.processed = true;
        } else toRequest.push({ node, text });
      }
      let failure: { error: unknown } | undefined;
      const replies = await Promise.all(
        toRequest.map(async ({ text }) => {
          try {
            const reply = await source.next(text, batch.signal);
            options.onProgress?.(source.requests - startRequests, nodes.size);
            return reply;
          } catch (err) {
            failure ??= { error: err };
            batch.abort(err);
            return undefined;
          }
        }),
      );
      // Expand in a fixed order so sums (and results) do not depend on reply timing. When the
      // level was cut short, the replies that did arrive still count; the rest widen the bounds.
      toRequest
        .map((r, k) => ({ ...r, reply: replies[k] }))
        .sort((a, b) => (bytesKey(a.node.bytes) < bytesKey(b.node.bytes) ? -1 : 1))
        .forEach(({ node, reply }) => {
          if (!reply) return;
          node.reply = reply;
          node.processed = true;
          expand(node, reply);
        });
      if (failure) throw failure.error;
    }
  } catch (err) {
    complete = false;
    error = err;
    // What was not walked is unknown: its whole mass widens the intervals.
    for (const node of nodes.values()) {
      if (node.processed) continue;
      for (const i of dependents(node.bytes)) gap[i]! += node.mass;
      node.processed = true;
    }
  }

  const scores = answers.map((answer, i): AnswerScore => {
    const lo = Math.min(1, lower[i]!);
    const hi = Math.min(1, lo + gap[i]!);
    return { answer, lower: lo, upper: hi, exact: gap[i]! === 0, steps: bestPath(nodes, targets[i]!) };
  });
  return { scores, requests: source.requests - startRequests, complete, ...(complete ? {} : { error }) };
}

/** The most probable seen path of whole pieces that spells the target (for the token view). */
function bestPath(nodes: Map<string, NodeState>, target: Uint8Array): TokenStep[] {
  // Dynamic programming over byte offsets: best[k] = best probability of reaching target[0:k].
  const best = new Array<number>(target.length + 1).fill(0);
  const via = new Array<{ from: number; entry: TokenLogprob; prob: number; top: TokenLogprob[] } | undefined>(target.length + 1);
  best[0] = 1;
  for (let k = 0; k < target.length; k++) {
    if (best[k]! <= 0) continue;
    const node = nodes.get(bytesKey(target.subarray(0, k)));
    if (!node?.reply) continue;
    for (const entry of node.reply.top) {
      if (classifyPiece(entry) !== 'text') continue;
      const piece = tokenBytes(entry);
      if (piece.length === 0 || !startsWithBytes(target, piece, k)) continue;
      const prob = Math.exp(entry.logprob);
      const reach = best[k]! * prob;
      if (reach > best[k + piece.length]!) {
        best[k + piece.length] = reach;
        via[k + piece.length] = { from: k, entry, prob, top: node.reply.top };
      }
    }
  }
  if (!via[target.length]) return [];
  const steps: TokenStep[] = [];
  for (let k = target.length; k > 0; ) {
    const step = via[k]!;
    steps.unshift({
      prefix: decodeComplete(target.subarray(0, step.from)) ?? '',
      token: step.entry.token,
      probability: step.prob,
      alternatives: step.top.slice(0, 8).map((t) => ({ token: t.token, probability: Math.exp(t.logprob) })),
    });
    k = step.from;
  }
  return steps;
}
