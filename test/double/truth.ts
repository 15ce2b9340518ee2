/**
 * Ollama TEST DOUBLE — ground truth, written independently of the server code and computed
 * over BYTES.
 *
 * groundTruth(model, prompt, answer) = Σ over every token sequence whose bytes are exactly the
 * UTF-8 of `answer` of Π step probabilities, each step's distribution being the script lookup for
 * the bytes of prompt + answer so far, normalised to 1 − (vocabulary tail). Byte pieces join
 * like any other piece (E6 97 + A5 spells "日"). End, control and filler tokens never spell text.
 * With {terminated:true} each path is also multiplied by P(terminator) at prompt + answer (an end
 * token, or a text piece starting with "\n"), and paths whose last piece crosses the end of the
 * answer into a "\n" (piece = rest-of-answer + "\n…") are counted too.
 *
 * Tokenizer-aware models (D5) with the default conditioning `paths`: a step whose token path is
 * not the canonical tokenization of its text uses the off-path distribution (the model's own
 * probability of generating the answer). `conditioning: 'text'` gives what a walk that re-sends
 * prompt + prefix as text measures instead.
 */
import { DEFAULT_EOS, DEFAULT_FILLER_PROB, DEFAULT_VOCAB_SIZE, FILLER_MARK, isCanonicalPath, pathKeyOf, perturbWeights, type Piece } from './model';
import { tokenize } from './tokenizer';
import type { ScriptedModel, TokenDist, TruthOptions } from './types';
import { binFromBytes, toBin } from './utf8';

interface Tok {
  /** 'spell' = text bytes; 'end' = ends generation; 'none' = control / never text. */
  kind: 'spell' | 'end' | 'none';
  bin: string;
  p: number;
  piece: Piece;
}

export function groundTruth(model: ScriptedModel, prompt: string, answer: string, opts?: TruthOptions): number {
  const terminated = opts?.terminated === true;
  if (answer.includes(FILLER_MARK)) throw new Error('ollama-double: answers cannot contain U+E000 (filler tokens)');
  const eos = model.eosToken || DEFAULT_EOS;
  const ends = new Set([eos, ...(model.endTokens ?? [])]);
  const controls = new Set(model.controlTokens ?? []);
  const size = Math.max(0, Math.floor(model.vocabulary?.size ?? DEFAULT_VOCAB_SIZE));
  const tail = size > 0 ? size * (model.vocabulary?.tokenProb ?? DEFAULT_FILLER_PROB) : 0;
  const fallback: TokenDist = model.fallback ?? [
    { token: '\n', prob: 0.9 },
    { token: '', prob: 0.1 },
  ];
  const aware = model.tokenizerAware ? (model.tokenizerAware === true ? {} : model.tokenizerAware) : undefined;
  const byPaths = aware !== undefined && (opts?.conditioning ?? 'paths') === 'paths';
  const promptBin = toBin(prompt);
  const answerBin = toBin(answer);

  function classify(e: TokenDist[number], p: number): Tok {
    if (e.bytes !== undefined) {
      const bin = binFromBytes(e.bytes);
      return { kind: 'spell', bin, p, piece: { kind: 'text', bin, name: '' } };
    }
    if (e.token === '' || ends.has(e.token)) {
      const name = e.token === '' ? eos : e.token;
      return { kind: 'end', bin: '', p, piece: { kind: 'end', bin: toBin(name), name } };
    }
    if (controls.has(e.token)) return { kind: 'none', bin: '', p, piece: { kind: 'control', bin: toBin(e.token), name: e.token } };
    const bin = toBin(e.token);
    return { kind: 'spell', bin, p, piece: { kind: 'text', bin, name: '' } };
  }

  function normalise(raw: TokenDist): Tok[] {
    const kept = raw.filter((e) => e.prob > 0);
    let total = 0;
    for (const e of kept) total += e.prob;
    return kept.map((e) => classify(e, (e.prob / total) * (1 - tail)));
  }

  /** The scripted raw distribution after the bytes `bin`, and whether it came from the first entry (for aware overrides). */
  function rawAt(bin: string): { raw: TokenDist; ctx: string; first: boolean } {
    let best: { index: number; prompt: string } | undefined;
    model.script.forEach((e, index) => {
      const p = toBin(e.prompt);
      if (bin.startsWith(p) && (best === undefined || p.length > best.prompt.length)) best = { index, prompt: p };
    });
    if (!best) return { raw: fallback, ctx: bin, first: false };
    const entry = model.script[best.index]!;
    const ctx = bin.slice(best.prompt.length);
    let raw: TokenDist | undefined;
    for (const key of Object.keys(entry.nodes)) if (toBin(key) === ctx) raw = entry.nodes[key];
    for (const bn of entry.byteNodes ?? []) if (binFromBytes(bn.ctx) === ctx) raw = bn.dist;
    return { raw: raw ?? fallback, ctx, first: best.index === 0 };
  }

  function distAt(bin: string): Tok[] {
    return normalise(rawAt(bin).raw);
  }

  function offPathAt(bin: string, key: string): Tok[] {
    const { raw, ctx, first } = rawAt(bin);
    if (first && aware?.nodes) {
      for (const k of Object.keys(aware.nodes)) if (toBin(k) === ctx) return normalise(aware.nodes[k]!);
    }
    const kept = raw.filter((e) => e.prob > 0);
    const w = perturbWeights(kept.map((e) => e.prob), key, aware?.strength ?? 0.5);
    return normalise(kept.map((e, i) => ({ ...e, prob: w[i]! })));
  }

  /** Probability mass of spelling the rest from this distribution, given how to go on after a piece. */
  function step(dist: Tok[], pos: number, next: (tok: Tok) => number): number {
    const rest = answerBin.slice(pos);
    let sum = 0;
    for (const tok of dist) {
      if (tok.kind === 'end') {
        if (terminated && rest === '') sum += tok.p;
        continue;
      }
      if (tok.kind !== 'spell' || tok.bin === '') continue;
      if (rest.length >= tok.bin.length && rest.startsWith(tok.bin)) sum += tok.p * next(tok);
      else if (terminated && tok.bin.startsWith(`${rest}\n`)) sum += tok.p;
    }
    return sum;
  }

  if (!byPaths) {
    const memo = new Map<number, number>();
    // f(pos) = probability of spelling answer[pos:] (then terminating, if asked) from prompt + answer[:pos].
    const f = (pos: number): number => {
      const cached = memo.get(pos);
      if (cached !== undefined) return cached;
      const sum = pos === answerBin.length && !terminated ? 1 : step(distAt(promptBin + answerBin.slice(0, pos)), pos, (tok) => f(pos + tok.bin.length));
      memo.set(pos, sum);
      return sum;
    };
    return f(0);
  }

  // Token paths: canonical states use the scripted node, the others the off-path distribution.
  const promptTokens = tokenize(prompt);
  const g = (pos: number, path: Piece[]): number => {
    if (pos === answerBin.length && !terminated) return 1;
    const bin = promptBin + answerBin.slice(0, pos);
    const canonical = isCanonicalPath(prompt, promptTokens, path);
    const dist = canonical ? distAt(bin) : offPathAt(bin, pathKeyOf(prompt, path.map((p) => p.bin)));
    return step(dist, pos, (tok) => g(pos + tok.bin.length, [...path, tok.piece]));
  };
  return g(0, []);
}
