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
  /** The root's text pieces, most probable first (at most FIRST_STEPS): how the answer collapses at step one. */
  firstSteps: FirstStep[];
  requests: number;
  /** False when the walk stopped early (cancel/error); bounds then cover what was not walked. */
  complete: boolean;
  error?: unknown;
}

interface NodeState {
  bytes: Uint8Array;
  /** Probability of reaching the node on seen paths; final once every shorter node is expanded. */
  mass: number;
  /** The part of `mass` known when the node's parents replied (a lower bound), for early requests. */
  provisional: number;
  pending?: Promise<NextTokenReply | undefined>;
  reply?: NextTokenReply;
  processed: boolean;
  /** Its mass by the first token of the paths reaching it (the collapse view). */
  origins?: Map<string, number>;
}

/** One first token of the answer and the mass of each answer on paths starting with it (seen paths). */
export interface FirstStep {
  token: string;
  probability: number;
  /** P(first token ∧ answer i), in answer order: P(answer i | token) = answers[i] / probability. */
  answers: number[];
}

const NEWLINE = 0x0a;
export const FIRST_STEPS = 8;

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

  /** Mass of answer i on seen paths, by first token. */
  const firstMass = new Map<string, number[]>();
  /** Shares of a node's mass by first token; `token` is the piece leaving the node (the root's own). */
  const sharesOf = (node: NodeState, token: string): Array<[string, number]> =>
    node.bytes.length === 0 ? [[token, 1]] : [...(node.origins ?? [])].map(([o, m]) => [o, node.mass > 0 ? m / node.mass : 0]);
  const gain = (i: number, p: number, shares: Array<[string, number]>) => {
    lower[i]! += p;
    for (const [o, share] of shares) {
      let row = firstMass.get(o);
      if (!row) firstMass.set(o, (row = new Array<number>(targets.length).fill(0)));
      row[i]! += p * share;
    }
  };

  const addNode = (bytes: Uint8Array, mass: number, shares: Array<[string, number]>) => {
    const key = bytesKey(bytes);
    let node = nodes.get(key);
    if (node) node.mass += mass;
    else nodes.set(key, (node = { bytes, mass, provisional: 0, processed: false }));
    node.origins ??= new Map();
    for (const [o, share] of shares) node.origins.set(o, (node.origins.get(o) ?? 0) + mass * share);
  };

  /**
   * Credits answer i with a piece's mass p when the bytes reached (`child`) spell it at a token
   * boundary (terminated: followed by a newline inside the piece); says whether the walk must go on
   * below `child` for it. `walkable` is false for a partial piece, whose bytes after `child` are
   * unknown non-ASCII ones: it neither ends an answer at `child` nor can be walked.
   */
  const credit = (child: Uint8Array, p: number, i: number, walkable: boolean, shares: Array<[string, number]>): boolean => {
    const t = targets[i]!;
    if (startsWithBytes(t, child)) {
      if (t.length > child.length || terminated) return walkable;
      if (walkable) gain(i, p, shares);
      return false;
    }
    // A piece that finishes the answer and the line at once, e.g. "1\n".
    if (terminated && child.length > t.length && startsWithBytes(child, t) && child[t.length] === NEWLINE) gain(i, p, shares);
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
    const smallest = probs.reduce((a, b) => Math.min(a, b), Infinity);
    const endsHere = (i: number) => targets[i]!.length === node.bytes.length && startsWithBytes(targets[i]!, node.bytes);
    top.forEach((entry, j) => {
      const p = node.mass * probs[j]!;
      const kind = classifyPiece(entry, eosPieces);
      const shares = sharesOf(node, entry.token);
      if (kind === 'eos') {
        if (terminated) targets.forEach((_, i) => endsHere(i) && gain(i, p, shares));
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
          else if (kind === 'partial') credit(known, p, i, false, shares);
        });
        return;
      }
      const child = concatBytes(node.bytes, tokenBytes(entry));
      let continues = false;
      targets.forEach((_, i) => (continues = credit(child, p, i, true, shares) || continues));
      if (continues) addNode(child, p, shares);
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

  /** Continuing children of a node, known from its reply alone (which pieces extend an answer). */
  const speculate = (node: NodeState, reply: NextTokenReply) => {
    for (const entry of reply.top) {
      if (classifyPiece(entry, eosPieces) !== 'text') continue;
      const child = concatBytes(node.bytes, tokenBytes(entry));
      if (!needsRequest(child)) continue;
      const key = bytesKey(child);
      let state = nodes.get(key);
      if (!state) nodes.set(key, (state = { bytes: child, mass: 0, provisional: 0, processed: false }));
      state.provisional += node.provisional * Math.exp(entry.logprob);
      if (state.provisional >= minNodeMass) request(state);
    }
  };

  let failure: { error: unknown } | undefined;
  let finished = false;
  let inFlight = 0;
  /**
   * Sends a node's request as soon as the node is known to need one (its provisional mass, a lower
   * bound of its mass, is reason enough), so the walk takes as many rounds as the trie has tokens.
   */
  const request = (node: NodeState) => {
    if (node.pending || failure || finished || node.provisional <= 0 || !needsRequest(node.bytes)) return;
    const text = decodeComplete(node.bytes);
    if (text === undefined) return;
    inFlight++;
    node.pending = source.next(text, batch.signal).then(
      (reply) => {
        inFlight--;
        options.onProgress?.(source.requests - startRequests, nodes.size);
        if (!failure && !finished) speculate(node, reply);
        return reply;
      },
      (err: unknown) => {
        inFlight--;
        if (finished) return undefined;
        failure ??= { error: err };
        batch.abort(err);
        return undefined;
      },
    );
  };

  nodes.set('', { bytes: new Uint8Array(0), mass: 1, provisional: 1, processed: false });
  let complete = true;
  let error: unknown;
  try {
    for (;;) {
      const level = shortestPending(nodes);
      if (level.length === 0) break;
      const toExpand: NodeState[] = [];
      for (const node of level) {
        if (!needsRequest(node.bytes) || node.mass <= 0) node.processed = true;
        else if (decodeComplete(node.bytes) === undefined || node.mass < minNodeMass) {
          // Ends inside a UTF-8 character (cannot be sent as text) or too unlikely to be worth a request.
          for (const i of dependents(node.bytes)) gap[i]! += node.mass;
          node.processed = true;
        } else toExpand.push(node);
      }
      // Nodes whose mass became enough only now; the others were sent when their parent replied.
      for (const node of toExpand) {
        node.provisional = Math.max(node.provisional, node.mass);
        request(node);
      }
      // Expand in byte order, each node once every shorter one is done (its mass is then final):
      // the sums, and so the results, do not depend on reply timing. When a request fails, the
      // replies that did arrive still count; the rest widen the bounds.
      toExpand.sort((a, b) => (bytesKey(a.bytes) < bytesKey(b.bytes) ? -1 : 1));
      for (const node of toExpand) {
        const reply = await node.pending;
        if (!reply) continue;
        node.reply = reply;
        node.processed = true;
        expand(node, reply);
      }
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
  } finally {
    finished = true;
    // Early requests of nodes that turned out not to need one (their mass ended at 0).
    if (inFlight > 0) batch.abort(new Error('no longer needed'));
  }

  const scores = answers.map((answer, i): AnswerScore => {
    const lo = Math.min(1, lower[i]!);
    const hi = Math.min(1, lo + gap[i]!);
    return { answer, lower: lo, upper: hi, exact: gap[i]! === 0, steps: bestPath(nodes, targets[i]!) };
  });
  return { scores, firstSteps: firstStepsOf(nodes.get('')?.reply, firstMass, eosPieces, targets.length), requests: source.requests - startRequests, complete, ...(complete ? {} : { error }) };
}

/** The root's most probable text pieces with each answer's mass behind them. */
function firstStepsOf(root: NextTokenReply | undefined, firstMass: ReadonlyMap<string, number[]>, eosPieces: ReadonlySet<string>, answers: number): FirstStep[] {
  // Pieces with the same text (byte-fallback duplicates) are one first step.
  const byToken = new Map<string, number>();
  for (const entry of root?.top ?? []) {
    if (classifyPiece(entry, eosPieces) === 'text') byToken.set(entry.token, (byToken.get(entry.token) ?? 0) + Math.exp(entry.logprob));
  }
  return [...byToken]
    .sort((a, b) => b[1] - a[1])
    .slice(0, FIRST_STEPS)
    .map(([token, probability]) => ({ token, probability, answers: firstMass.get(token) ?? new Array<number>(answers).fill(0) }));
}

/** The unprocessed nodes of the shortest byte length, in insertion order. */
function shortestPending(nodes: ReadonlyMap<string, NodeState>): NodeState[] {
  let shortest = Infinity;
  for (const node of nodes.values()) if (!node.processed && node.bytes.length < shortest) shortest = node.bytes.length;
  return [...nodes.values()].filter((n) => !n.processed && n.bytes.length === shortest);
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
