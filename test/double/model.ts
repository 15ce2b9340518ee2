/**
 * Ollama TEST DOUBLE — compiled scripted models: naming, validation, normalised
 * distributions over pieces (byte strings) and the script lookup used by the server.
 *
 * Lookup rule (over bytes): among the script entries, the one whose `prompt` is the longest
 * prefix of the text (first one wins among equal lengths); ctx = the rest; dist = the node
 * keyed by ctx (`nodes` by text, `byteNodes` by bytes) ?? fallback. No entry matches → fallback.
 * Every distribution is normalised to 1 − (vocabulary tail) and followed, in rank order, by the
 * virtual filler tokens of the tail.
 */
import { createHash } from 'node:crypto';
import { gaussian, rngFromString } from './rng';
import { tokenize } from './tokenizer';
import type { ScriptEntry, ScriptedModel, TokenDist } from './types';
import { binFromBytes, isValidUtf8, toBin } from './utf8';

/** `text`: ordinary bytes; `end`: ends generation (EOS and other end tokens); `control`: a control token that does not. */
export type PieceKind = 'text' | 'end' | 'control';

export interface Piece {
  kind: PieceKind;
  /** The piece's bytes as a binary string (text pieces); the literal name's bytes for control tokens. */
  bin: string;
  /** Literal name of a control / end token ("" for text pieces). */
  name: string;
}

export interface NormDist {
  pieces: Piece[];
  /** Normalised to 1 − tail. */
  probs: number[];
  /** Indices sorted by probability, descending (stable: script order among ties). */
  order: number[];
  /** Virtual filler tokens after the scripted ones with prob ≥ fillerProb. */
  fillerCount: number;
  fillerProb: number;
  /** How many scripted tokens (in `order`) rank before the fillers. */
  fillerRank: number;
}

export const DEFAULT_VOCAB_SIZE = 32768;
export const DEFAULT_FILLER_PROB = 1e-8;
export const DEFAULT_EOS = '<eos>';
/** Filler texts start with this private-use character (no answer may contain it). */
export const FILLER_MARK = '\ue000';

export function fillerPiece(k: number): Piece {
  return { kind: 'text', bin: toBin(`${FILLER_MARK}${k.toString(36)}`), name: '' };
}

/** Number of ranks (scripted tokens + fillers) of a distribution. */
export function rankCount(d: NormDist): number {
  return d.pieces.length + d.fillerCount;
}

/** The piece and probability at a rank (0 = most probable). */
export function atRank(d: NormDist, rank: number): { piece: Piece; prob: number } {
  if (rank < d.fillerRank) {
    const i = d.order[rank] as number;
    return { piece: d.pieces[i] as Piece, prob: d.probs[i] ?? 0 };
  }
  if (rank < d.fillerRank + d.fillerCount) return { piece: fillerPiece(rank - d.fillerRank), prob: d.fillerProb };
  const i = d.order[rank - d.fillerCount] as number;
  return { piece: d.pieces[i] as Piece, prob: d.probs[i] ?? 0 };
}

export interface CompiledModel {
  spec: ScriptedModel;
  name: string;
  digest: string;
  /** Literal name of the EOS token. */
  eos: string;
  capabilities: string[];
  family: string;
  parameterSize: string;
  size: number;
  modifiedAt: Date;
  /** The scripted distribution after the text whose bytes are `bin` (every state canonical). */
  lookup(bin: string): NormDist;
  /** Tokenizer-aware models: the distribution for a state reached by a non-canonical path. */
  offPath?(bin: string, pathKey: string): NormDist;
}

export function hasTag(name: string): boolean {
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':');
}

/** The name the double serves a model under: contains "double", has a tag. */
export function servedName(name: string): string {
  let n = name.trim();
  if (!/double/i.test(n)) {
    const slash = n.lastIndexOf('/');
    n = `${n.slice(0, slash + 1)}double-${n.slice(slash + 1)}`;
  }
  if (!hasTag(n)) n += ':latest';
  return n;
}

/** Key used to resolve a requested name: lower case, ":latest" added when no tag. */
export function nameKey(name: string): string {
  let n = name.trim().toLowerCase();
  if (n === '') return n;
  if (!hasTag(n)) n += ':latest';
  return n;
}

export function defaultFallback(): TokenDist {
  return [
    { token: '\n', prob: 0.9 },
    { token: '', prob: 0.1 },
  ];
}

export interface Vocab {
  eos: string;
  ends: Set<string>;
  controls: Set<string>;
  fillerCount: number;
  fillerProb: number;
  tail: number;
}

export function vocabOf(spec: ScriptedModel): Vocab {
  const eos = spec.eosToken || DEFAULT_EOS;
  const ends = new Set([eos, ...(spec.endTokens ?? [])]);
  const controls = new Set((spec.controlTokens ?? []).filter((t) => !ends.has(t)));
  const fillerCount = Math.max(0, Math.floor(spec.vocabulary?.size ?? DEFAULT_VOCAB_SIZE));
  const fillerProb = spec.vocabulary?.tokenProb ?? DEFAULT_FILLER_PROB;
  if (fillerCount > 0 && !(fillerProb > 0)) throw new Error('ollama-double: vocabulary.tokenProb must be > 0');
  const tail = fillerCount > 0 ? fillerCount * fillerProb : 0;
  if (!(tail < 0.5)) throw new Error(`ollama-double: the vocabulary tail (${tail}) must be below 0.5`);
  return { eos, ends, controls, fillerCount, fillerProb: fillerCount > 0 ? fillerProb : 0, tail };
}

export function pieceOf(e: TokenDist[number], v: Vocab, where: string): Piece {
  if (typeof e.token !== 'string') throw new Error(`ollama-double: ${where}: token must be a string`);
  if (e.bytes !== undefined) {
    if (e.token !== '') throw new Error(`ollama-double: ${where}: a byte piece has token ""`);
    if (!Array.isArray(e.bytes) || e.bytes.length === 0 || e.bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) {
      throw new Error(`ollama-double: ${where}: bytes must be 1+ integers in 0..255`);
    }
    return { kind: 'text', bin: binFromBytes(e.bytes), name: '' };
  }
  if (e.token === '' || v.ends.has(e.token)) {
    const name = e.token === '' ? v.eos : e.token;
    return { kind: 'end', bin: toBin(name), name };
  }
  if (v.controls.has(e.token)) return { kind: 'control', bin: toBin(e.token), name: e.token };
  if (e.token.includes(FILLER_MARK)) throw new Error(`ollama-double: ${where}: U+E000 is reserved for filler tokens`);
  return { kind: 'text', bin: toBin(e.token), name: '' };
}

export function normalizeDist(dist: TokenDist, v: Vocab, where: string): NormDist {
  const pieces: Piece[] = [];
  const weights: number[] = [];
  for (const e of dist) {
    if (typeof e.prob !== 'number' || !Number.isFinite(e.prob) || e.prob < 0) {
      throw new Error(`ollama-double: ${where}: bad probability ${String(e.prob)} for ${JSON.stringify(e.token)}`);
    }
    const piece = pieceOf(e, v, where);
    if (e.prob === 0) continue;
    pieces.push(piece);
    weights.push(e.prob);
  }
  let total = 0;
  for (const w of weights) total += w;
  if (!(total > 0)) throw new Error(`ollama-double: ${where}: distribution has no mass`);
  const probs = weights.map((w) => (w / total) * (1 - v.tail));
  const order = pieces.map((_, i) => i).sort((a, b) => (probs[b] ?? 0) - (probs[a] ?? 0));
  let fillerRank = 0;
  while (fillerRank < order.length && (probs[order[fillerRank] as number] ?? 0) >= v.fillerProb) fillerRank++;
  return { pieces, probs, order, fillerCount: v.fillerCount, fillerProb: v.fillerProb, fillerRank };
}

function own<T>(rec: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(rec, key) ? rec[key] : undefined;
}

/**
 * D5: the weights of a non-canonical state — the scripted ones × exp(strength·z), z ~ N(0,1)
 * drawn in entry order from a PRNG seeded by the path. Shared by the server and the ground truth
 * (it is part of the model's definition).
 */
export function perturbWeights(weights: readonly number[], pathKey: string, strength: number): number[] {
  const rng = rngFromString(`ollama-double offpath\u0000${pathKey}`);
  return weights.map((w) => w * Math.exp(strength * gaussian(rng)));
}

/** Key of a token path: the prompt text and the generated pieces' bytes. */
export function pathKeyOf(promptText: string, pieceBins: readonly string[]): string {
  return `${promptText}\u0000${pieceBins.join('\u0001')}`;
}

/**
 * Is the state after `prompt` + these pieces canonical, i.e. the token sequence the server's
 * tokenizer (the toy tokenizer) gives for the text? Control tokens and partial-UTF-8 pieces are never canonical.
 */
export function isCanonicalPath(prompt: string, promptTokens: readonly string[], pieces: readonly Piece[]): boolean {
  if (pieces.length === 0) return true;
  let text = '';
  const texts: string[] = [];
  for (const p of pieces) {
    if (p.kind !== 'text' || !isValidUtf8(p.bin)) return false;
    const t = Buffer.from(p.bin, 'latin1').toString('utf8');
    texts.push(t);
    text += t;
  }
  const want = tokenize(prompt + text);
  if (want.length !== promptTokens.length + texts.length) return false;
  for (let i = 0; i < promptTokens.length; i++) if (want[i] !== promptTokens[i]) return false;
  for (let i = 0; i < texts.length; i++) if (want[promptTokens.length + i] !== texts[i]) return false;
  return true;
}

export function compileModel(spec: ScriptedModel): CompiledModel {
  if (!spec || typeof spec.name !== 'string' || spec.name.trim() === '') {
    throw new Error('ollama-double: a scripted model needs a name');
  }
  const name = servedName(spec.name);
  const v = vocabOf(spec);
  const fallbackRaw = spec.fallback ?? defaultFallback();
  const fallback = normalizeDist(fallbackRaw, v, `${name} fallback`);
  const compileEntry = (e: ScriptEntry, label: string) => {
    const nodes = new Map<string, { raw: TokenDist; dist: NormDist }>();
    for (const ctx of Object.keys(e.nodes)) {
      const d = own(e.nodes, ctx);
      if (d) nodes.set(toBin(ctx), { raw: d, dist: normalizeDist(d, v, `${name} ${label} node ${JSON.stringify(ctx)}`) });
    }
    for (const [k, bn] of (e.byteNodes ?? []).entries()) {
      const key = binFromBytes(bn.ctx);
      if (nodes.has(key)) throw new Error(`ollama-double: ${name} ${label} byteNodes[${k}] repeats a node`);
      nodes.set(key, { raw: bn.dist, dist: normalizeDist(bn.dist, v, `${name} ${label} byteNodes[${k}]`) });
    }
    return { prompt: toBin(e.prompt), nodes };
  };
  const entries = spec.script.map((e, i) => compileEntry(e, `script[${i}]`));
  // Longest prompt first; Array.prototype.sort is stable, so the first entry wins among equal lengths.
  const byLength = [...entries].sort((a, b) => b.prompt.length - a.prompt.length);
  const onDemand: Array<ReturnType<typeof compileEntry>> = [];
  const scripted = (bin: string) => {
    if (!spec.scriptFor) return undefined;
    const hit = onDemand.find((e) => bin.startsWith(e.prompt));
    if (hit) return hit;
    let entry: ScriptEntry | undefined;
    try {
      entry = spec.scriptFor(Buffer.from(bin, 'latin1').toString('utf8'));
    } catch {
      entry = undefined;
    }
    if (!entry || !bin.startsWith(toBin(entry.prompt))) return undefined;
    const compiled = compileEntry(entry, 'scriptFor');
    onDemand.unshift(compiled);
    if (onDemand.length > 256) onDemand.pop();
    return compiled;
  };
  const find = (bin: string): { raw: TokenDist; dist: NormDist; ctx: string; entry: number } => {
    const fixed = byLength.find((e) => bin.startsWith(e.prompt));
    const ctxOf = (e: { prompt: string }) => bin.slice(e.prompt.length);
    const e = fixed && !ctxOf(fixed).includes('\n') ? fixed : (scripted(bin) ?? fixed);
    if (!e) return { raw: fallbackRaw, dist: fallback, ctx: bin, entry: -1 };
    const ctx = ctxOf(e);
    const n = e.nodes.get(ctx);
    const index = entries.indexOf(e);
    return n ? { ...n, ctx, entry: index } : { raw: fallbackRaw, dist: fallback, ctx, entry: index };
  };
  const digest = spec.digest ?? createHash('sha256').update(`ollama-double:${name}`).digest('hex');
  const size = 100_000_000 + (parseInt(digest.slice(0, 8), 16) % 4_000_000_000);
  const aware = spec.tokenizerAware ? (spec.tokenizerAware === true ? {} : spec.tokenizerAware) : undefined;
  const strength = aware?.strength ?? 0.5;
  const offNodes = new Map<string, NormDist>();
  for (const [ctx, d] of Object.entries(aware?.nodes ?? {})) offNodes.set(toBin(ctx), normalizeDist(d, v, `${name} tokenizerAware node ${JSON.stringify(ctx)}`));
  const compiled: CompiledModel = {
    spec,
    name,
    digest,
    eos: v.eos,
    capabilities: spec.capabilities ?? ['completion'],
    family: spec.family ?? 'double',
    parameterSize: spec.parameterSize ?? '0.0B',
    size,
    modifiedAt: new Date(),
    lookup: (bin) => find(bin).dist,
  };
  if (aware) {
    compiled.offPath = (bin, pathKey) => {
      const f = find(bin);
      const override = f.entry === 0 ? offNodes.get(f.ctx) : undefined;
      if (override) return override;
      const raw = f.raw.filter((e) => e.prob > 0);
      const w = perturbWeights(raw.map((e) => e.prob), pathKey, strength);
      return normalizeDist(raw.map((e, i) => ({ ...e, prob: w[i] ?? 0 })), v, `${name} off-path`);
    };
  }
  return compiled;
}
