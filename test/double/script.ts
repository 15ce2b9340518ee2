/**
 * Ollama TEST DOUBLE — script builders (toy distributions, not a real model).
 *
 * scriptFromAnswers: one ScriptEntry with a root distribution that gives each
 * answer's first token its mass, inner nodes that continue each answer with
 * probability close to 1, a terminator distribution after each complete
 * answer, and ≥ 30 heavy-tailed distractors at the root.
 *
 * randomScriptedModel: a random scripted model for property tests (several
 * tokenizations per answer, shared prefixes, heavy tails, EOS, crossing
 * "rest\n" tokens, leading-space variants).
 */
import { gaussian, randInt, rngFromSeed, rngFromString, shuffle, type Rng } from './rng';
import { tokenize } from './tokenizer';
import type { ScriptEntry, ScriptedModel, TokenDist, TokenSpec } from './types';

export interface ScriptFromAnswersOptions {
  /** Source of randomness (default: seeded from the prompt and answers, so the script is deterministic). */
  rng?: () => number;
  /** Root mass spread over distractors. Default 1 − Σ answer probs (must then be ≤ 1). */
  tail?: number;
  /** P("\n") after a complete answer. Default 0.9. */
  terminatorProb?: number;
  /** Number of root distractors (at least 30; default 40). */
  distractors?: number;
  /** The model's EOS token text (default ""). */
  eosToken?: string;
  /** Mass given to distractors at inner nodes (default random in [0.005, 0.03]). */
  innerNoise?: number;
}

interface Acc {
  through: number;
  cont: Map<string, number>;
  end: number;
  /** Number of answers ending here (whatever their mass). */
  endCount: number;
}

function addTo(m: Map<string, number>, k: string, v: number): void {
  m.set(k, (m.get(k) ?? 0) + v);
}

function toDist(m: Map<string, number>): TokenDist {
  return [...m].filter(([, p]) => p > 0).map(([token, prob]) => ({ token, prob }));
}

/** Heavy-tailed (Zipf-like, random order) weights summing to `mass`. */
function heavyTail(rng: Rng, n: number, mass: number, exponent = 1.1): number[] {
  const ranks = shuffle(rng, Array.from({ length: n }, (_, i) => i));
  const w = ranks.map((r) => (1 / Math.pow(r + 1, exponent)) * (0.75 + 0.5 * rng()));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => (x / s) * mass);
}

function capitalize(s: string): string {
  const cps = Array.from(s);
  const first = cps[0];
  return first === undefined ? s : first.toUpperCase() + cps.slice(1).join('');
}

const GENERIC_ROOT = [
  '\n', '\n\n', ' ', '-', '(', '"', "'", '.', ',', ':', '?', '>', '=', '+',
  'The', ' the', 'I', ' I', 'a', ' a', 'A', 'It', ' is', 'Answer', ' answer', 'No', 'Yes', 'x',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '12', '42', '99', '100',
  ' 1', ' 2', ' 10', 'one', 'two', 'un', 'dos', 'es', 'el', 'le', 'la',
];

const INNER_POOL = [' ', '-', '.', ',', 's', 'e', 'a', 'o', '0', '5', "'", '(', '\n\n'];

function rootDistractors(rng: Rng, firstTokens: string[], answerTexts: string[], n: number, exclude: Set<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>(exclude);
  const add = (t: string): void => {
    if (t === '' || seen.has(t)) return;
    seen.add(t);
    out.push(t);
  };
  for (const t of firstTokens) {
    if (!t.startsWith(' ')) add(` ${t}`); // leading-space variant, e.g. " 81"
    add(/[0-9]$/.test(t) ? `${t}0` : `${t}s`); // extends the answer token, e.g. "810"
    add(capitalize(t));
    add(t.toUpperCase());
    add(t.toLowerCase());
  }
  for (const a of answerTexts) {
    if (/^[0-9]+$/.test(a)) add(`${a}0`);
    if (/^[0-9]/.test(a)) add(a.slice(0, 1));
    add(` ${a}`);
  }
  for (const t of shuffle(rng, [...GENERIC_ROOT])) add(t);
  let k = 0;
  while (out.length < n) add(`tok${k++}`);
  return out.slice(0, n);
}

/** A raw byte piece for a scripted distribution, e.g. bytePiece([0xE6, 0x97], 0.6): the first two bytes of "日". */
export function bytePiece(bytes: number[], prob: number): TokenSpec {
  return { token: '', bytes, prob };
}

/**
 * Build one ScriptEntry for `prompt` from answers and their intended probabilities.
 * Answers sharing a first token share it (each later node splits by the answers' masses);
 * an answer that is a prefix of another gets a node mixing continuation and termination.
 */
export function scriptFromAnswers(
  prompt: string,
  answers: Array<{ text: string; prob: number; tokens?: string[] }>,
  opts: ScriptFromAnswersOptions = {},
): ScriptEntry {
  const rng: Rng =
    opts.rng ?? rngFromString(`scriptFromAnswers\u0000${prompt}\u0000${answers.map((a) => `${a.text}=${a.prob}`).join('\u0000')}`);
  const eos = opts.eosToken ?? '';
  const terminatorProb = opts.terminatorProb ?? 0.9;
  if (!(terminatorProb >= 0 && terminatorProb <= 1)) throw new Error('ollama-double: terminatorProb must be in [0, 1]');
  const nDistractors = Math.max(30, Math.floor(opts.distractors ?? 40));

  const seenText = new Set<string>();
  const paths = answers.map((a) => {
    if (typeof a.text !== 'string' || a.text === '') throw new Error('ollama-double: answers must be non-empty strings');
    if (seenText.has(a.text)) throw new Error(`ollama-double: duplicate answer ${JSON.stringify(a.text)}`);
    seenText.add(a.text);
    if (!(a.prob >= 0) || !Number.isFinite(a.prob)) throw new Error(`ollama-double: bad prob for ${JSON.stringify(a.text)}`);
    const tokens = a.tokens ?? tokenize(a.text);
    if (tokens.join('') !== a.text || tokens.some((t) => t === '' || t === eos)) {
      throw new Error(`ollama-double: tokens of ${JSON.stringify(a.text)} must be non-empty and spell it exactly`);
    }
    return { text: a.text, prob: a.prob, tokens };
  });
  const sum = paths.reduce((s, p) => s + p.prob, 0);
  if (opts.tail === undefined && sum > 1 + 1e-9) throw new Error(`ollama-double: answer probabilities sum to ${sum} > 1`);
  const tail = opts.tail ?? Math.max(0, 1 - sum);

  const accs = new Map<string, Acc>();
  const acc = (ctx: string): Acc => {
    let a = accs.get(ctx);
    if (!a) {
      a = { through: 0, cont: new Map(), end: 0, endCount: 0 };
      accs.set(ctx, a);
    }
    return a;
  };
  for (const p of paths) {
    let ctx = '';
    for (let k = 0; k <= p.tokens.length; k++) {
      const a = acc(ctx);
      a.through += p.prob;
      const tok = p.tokens[k];
      if (tok === undefined) {
        a.end += p.prob;
        a.endCount++;
      } else {
        addTo(a.cont, tok, p.prob);
        ctx += tok;
      }
    }
  }

  const nodes: Record<string, TokenDist> = {};
  for (const [ctx, a] of accs) {
    const m = new Map<string, number>();
    if (ctx === '') {
      for (const [t, p] of a.cont) addTo(m, t, p);
      if (tail > 0) {
        const firsts = [...a.cont.keys()];
        const toks = rootDistractors(rng, firsts, paths.map((p) => p.text), nDistractors, new Set([...firsts, eos]));
        const ws = heavyTail(rng, toks.length, tail * 0.99);
        toks.forEach((t, i) => addTo(m, t, ws[i] ?? 0));
        addTo(m, eos, tail * 0.01);
      }
      nodes[ctx] = toDist(m);
      continue;
    }
    // Conditional split by the answers' masses (uniform when every answer through here has mass 0).
    const parts = a.cont.size + (a.endCount > 0 ? 1 : 0);
    const share = (x: number): number => (a.through > 0 ? x / a.through : 1 / parts);
    const eps = a.cont.size === 0 ? 0 : (opts.innerNoise ?? 0.005 + 0.025 * rng());
    for (const [t, p] of a.cont) addTo(m, t, (1 - eps) * share(p));
    const endShare = a.cont.size === 0 ? 1 : a.endCount > 0 ? (1 - eps) * share(a.end) : 0;
    if (endShare > 0) {
      // Terminator distribution after a complete answer: "\n" with terminatorProb, the rest to EOS and others.
      const rest = 1 - terminatorProb;
      addTo(m, '\n', endShare * terminatorProb);
      addTo(m, eos, endShare * rest * 0.3);
      const others = [' ', '.', ',', /[0-9]$/.test(ctx) ? '0' : 's'].filter((t) => !a.cont.has(t));
      others.forEach((t) => addTo(m, t, (endShare * rest * 0.7) / others.length));
    }
    if (eps > 0) {
      const pool = shuffle(rng, INNER_POOL.filter((t) => !a.cont.has(t)));
      const chosen = pool.slice(0, 4);
      const ws = heavyTail(rng, chosen.length, eps * 0.9);
      chosen.forEach((t, i) => addTo(m, t, ws[i] ?? 0));
      addTo(m, eos, eps * 0.1);
    }
    nodes[ctx] = toDist(m);
  }
  return { prompt, nodes };
}

export interface RandomModelOptions {
  /** Total root mass on answers; default random in [0.3, 0.95]. */
  answerMass?: number;
  /** Root distractors; default random in [30, 60]. */
  distractors?: number;
  /** Max tokenizations per answer (default 3). */
  maxTokenizations?: number;
  /** EOS token text (default ""). */
  eosToken?: string;
  /** Chance of adding a crossing token rest + "\n" at a node on an answer's path (default 0.35). */
  crossingProb?: number;
  /** Chance that an inner node is "diffuse" (most mass on ≥ 25 distractors; default 0.2). */
  diffuseProb?: number;
  capabilities?: string[];
  family?: string;
  parameterSize?: string;
  /**
   * Spelling tails (default true): at some nodes, tokens that spell a prefix of an answer's rest
   * (or duplicate the text of a continuation token, as byte-fallback twins do) with probability in
   * [1e-6, 1e-3] of the node. With `tightProb`, they are the only scripted mass outside the top 20.
   */
  spellingTails?: boolean;
  /** Chance that an inner node has at least 20 tokens above 2e-3, so its unseen mass is only tails (default 0.25). */
  tightProb?: number;
  /**
   * Chance, per answer continuing through a node with a non-ASCII character, of a byte-piece path
   * that splits that character: its lead bytes, then the rest of its bytes and of the answer (default 0).
   */
  bytePieces?: number;
  /** Chance per node of a control token (and, after a complete answer, of the end token "<end_of_turn>") (default 0). */
  controlTokens?: number;
  /**
   * The most probable tokenization of each answer: `random` (default) or `canonical`, the toy
   * tokenizer's split (what a real model mostly generates; see tokenizer-aware models, D5).
   */
  mainSplit?: 'random' | 'canonical';
}

/** Random split of `text` into ≥ 2 pieces when possible (cuts at code point boundaries). */
function randomSplit(rng: Rng, text: string, forced: Set<number>): string[] {
  const cps = Array.from(text);
  if (cps.length <= 1) return [text];
  const cuts: number[] = [];
  for (let i = 1; i < cps.length; i++) if (forced.has(i) || rng() < 0.4) cuts.push(i);
  if (cuts.length === 0) cuts.push(randInt(rng, 1, cps.length - 1));
  const out: string[] = [];
  let prev = 0;
  for (const c of [...cuts, cps.length]) {
    out.push(cps.slice(prev, c).join(''));
    prev = c;
  }
  return out;
}

function commonPrefixCps(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i;
}

/**
 * A random scripted model over one prompt. The true P(answer) is generally a sum over several
 * token paths; use groundTruth() for the exact value.
 */
export function randomScriptedModel(
  seed: number,
  name: string,
  prompt: string,
  answers: string[],
  opts: RandomModelOptions = {},
): ScriptedModel {
  const rng = rngFromSeed(seed);
  const eos = opts.eosToken ?? '';
  const crossingProb = opts.crossingProb ?? 0.35;
  const diffuseProb = opts.diffuseProb ?? 0.2;
  const maxTok = Math.max(1, opts.maxTokenizations ?? 3);
  const uniq = [...new Set(answers)];
  if (uniq.some((a) => a === '')) throw new Error('ollama-double: answers must be non-empty');

  // Answer masses: log-normal, so some answers are tiny (and fall outside the top 20).
  const answerMass = opts.answerMass ?? 0.3 + 0.65 * rng();
  const raw = uniq.map(() => Math.exp(2 * gaussian(rng)));
  const rawSum = raw.reduce((a, b) => a + b, 0);
  const probs = raw.map((r) => (r / rawSum) * answerMass);

  // Shared prefixes: force a cut where two answers diverge (sometimes).
  const forcedCuts = uniq.map(() => new Set<number>());
  for (let i = 0; i < uniq.length; i++) {
    for (let j = i + 1; j < uniq.length; j++) {
      const c = commonPrefixCps(uniq[i] as string, uniq[j] as string);
      if (c > 0 && rng() < 0.6) {
        forcedCuts[i]?.add(c);
        forcedCuts[j]?.add(c);
      }
    }
  }

  // Flows: each (answer, tokenization) path carries prob × share through its text prefixes.
  const accs = new Map<string, Acc>();
  const acc = (ctx: string): Acc => {
    let a = accs.get(ctx);
    if (!a) {
      a = { through: 0, cont: new Map(), end: 0, endCount: 0 };
      accs.set(ctx, a);
    }
    return a;
  };
  uniq.forEach((text, i) => {
    const first = randomSplit(rng, text, forcedCuts[i] ?? new Set());
    const splits: string[][] = [opts.mainSplit === 'canonical' ? tokenize(text) : first];
    const extra = randInt(rng, 0, maxTok - 1);
    for (let k = 0; k < extra * 3 && splits.length < maxTok; k++) {
      const s = rng() < 0.35 ? [text] : randomSplit(rng, text, new Set());
      if (!splits.some((x) => x.join('\u0000') === s.join('\u0000'))) splits.push(s);
    }
    const shares = splits.map((_, k) => (k === 0 ? 2 + rng() : rng() + 0.05));
    const shareSum = shares.reduce((a, b) => a + b, 0);
    splits.forEach((toks, k) => {
      const flow = ((probs[i] ?? 0) * (shares[k] ?? 0)) / shareSum;
      let ctx = '';
      for (let t = 0; t <= toks.length; t++) {
        const a = acc(ctx);
        a.through += flow;
        const tok = toks[t];
        if (tok === undefined) {
          a.end += flow;
          a.endCount++;
        } else {
          addTo(a.cont, tok, flow);
          ctx += tok;
        }
      }
    });
  });

  const nodes: Record<string, TokenDist> = {};
  const answerSet = new Set(uniq);
  for (const [ctx, a] of accs) {
    const m = new Map<string, number>();
    const taken = new Set<string>([...a.cont.keys(), eos]);
    const addNew = (t: string, p: number): void => {
      if (t === '' || taken.has(t) || !(p > 0)) return;
      taken.add(t);
      addTo(m, t, p);
    };
    // Crossing tokens: rest-of-answer + "\n" for answers that continue through this node.
    const crossing: string[] = [];
    for (const ans of uniq) {
      if (ans.length > ctx.length && ans.startsWith(ctx) && rng() < crossingProb) crossing.push(`${ans.slice(ctx.length)}\n`);
    }
    if (ctx === '') {
      for (const [t, p] of a.cont) addTo(m, t, p);
      const tailMass = 1 - answerMass;
      const n = opts.distractors ?? randInt(rng, 30, 60);
      const firsts = [...a.cont.keys()];
      const toks = rootDistractors(rng, firsts, uniq, n, taken);
      const ws = heavyTail(rng, toks.length, tailMass * 0.97, 0.9 + 0.6 * rng());
      crossing.forEach((t) => addNew(t, tailMass * 0.01 * rng()));
      toks.forEach((t, i) => addNew(t, ws[i] ?? 0));
      addTo(m, eos, tailMass * 0.02);
      nodes[ctx] = toDist(m);
      continue;
    }
    const diffuse = a.cont.size > 0 && rng() < diffuseProb;
    const eps = a.cont.size === 0 ? 0.05 + 0.3 * rng() : diffuse ? 0.9 + 0.09 * rng() : 0.01 + 0.2 * Math.pow(rng(), 3);
    const denom = a.through > 0 ? a.through : 1;
    for (const [t, p] of a.cont) addTo(m, t, ((1 - eps) * p) / denom);
    if (a.end > 0) {
      const endMass = ((1 - eps) * a.end) / denom;
      const nl = 0.4 + 0.55 * rng();
      addTo(m, '\n', endMass * nl);
      addTo(m, eos, endMass * (1 - nl) * 0.5);
      if (!taken.has('\n\n')) {
        addTo(m, '\n\n', endMass * (1 - nl) * 0.2);
        taken.add('\n\n');
      }
      taken.add('\n');
      addNew(answerSet.has(ctx) && /[0-9]$/.test(ctx) ? '0' : 's', endMass * (1 - nl) * 0.3);
    }
    // Distractors: leading-space variants and overshooting versions of the next tokens, crossing tokens, EOS, noise.
    const candidates: string[] = [];
    for (const t of a.cont.keys()) {
      if (!t.startsWith(' ')) candidates.push(` ${t}`);
      candidates.push(`${t}x`, capitalize(t), t.toUpperCase());
    }
    candidates.push(...shuffle(rng, [...INNER_POOL, ...GENERIC_ROOT]));
    const nd = diffuse ? randInt(rng, 25, 45) : randInt(rng, 3, 12);
    const ws = heavyTail(rng, nd, eps * 0.9);
    crossing.forEach((t) => addNew(t, eps * 0.05 * rng()));
    let wi = 0;
    for (const t of candidates) {
      if (wi >= nd) break;
      if (t === '' || taken.has(t)) continue;
      addNew(t, ws[wi] ?? 0);
      wi++;
    }
    addTo(m, eos, eps * 0.05);
    nodes[ctx] = toDist(m);
  }

  // Extensions, drawn from their own PRNG so the structure above stays the same for a seed.
  const ext = rngFromString(`randomScriptedModel extensions\u0000${seed}`);
  const spellingTails = opts.spellingTails ?? true;
  const tightProb = opts.tightProb ?? 0.25;
  const bytePieces = opts.bytePieces ?? 0;
  const controlChance = opts.controlTokens ?? 0;
  const logUniform = (lo: number, hi: number): number => Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * ext());
  const byteNodes = new Map<string, { ctx: number[]; dist: TokenDist }>();
  let usedControls = false;
  for (const ctx of Object.keys(nodes)) {
    const dist = nodes[ctx] as TokenDist;
    const total = dist.reduce((sum, e) => sum + e.prob, 0);
    const rests = uniq.filter((ans) => ans.length > ctx.length && ans.startsWith(ctx)).map((ans) => ans.slice(ctx.length));
    if (ctx !== '' && dist.length < 20 && ext() < tightProb) {
      const need = 20 - dist.length;
      for (let k = 0; k < need; k++) dist.push({ token: `~${k}`, prob: total * (2e-3 + 0.01 * ext()) });
    }
    if (spellingTails && rests.length > 0 && ext() < 0.6) {
      for (const rest of rests) {
        if (ext() < 0.4) continue;
        const cps = Array.from(rest);
        const conts = dist.filter((e) => e.bytes === undefined && e.token !== '' && rest.startsWith(e.token));
        const twin = conts.length > 0 && ext() < 0.3 ? (conts[Math.floor(ext() * conts.length)] as TokenSpec).token : undefined;
        // The whole rest (a tail that completes the answer) or its first 1–3 characters.
        const whole = cps.length <= 6 && ext() < 0.5;
        const piece = twin ?? (whole ? rest : cps.slice(0, 1 + Math.floor(ext() * Math.min(3, cps.length))).join(''));
        if (twin === undefined && dist.some((e) => e.token === piece)) continue;
        dist.push({ token: piece, prob: total * logUniform(1e-6, 1e-3) });
      }
    }
    if (bytePieces > 0) {
      for (const rest of rests) {
        const first = Array.from(rest)[0] as string;
        const cb = [...Buffer.from(first, 'utf8')];
        if (cb.length < 2 || ext() >= bytePieces) continue;
        const k = 1 + Math.floor(ext() * (cb.length - 1));
        const lead = cb.slice(0, k);
        const contBytes = [...cb.slice(k), ...Buffer.from(rest.slice(first.length), 'utf8')];
        if (dist.some((e) => e.bytes !== undefined && e.bytes.join(',') === lead.join(','))) continue;
        dist.push({ token: '', bytes: lead, prob: total * (0.05 + 0.3 * ext()) });
        const at = [...Buffer.from(ctx, 'utf8'), ...lead];
        const key = at.join(',');
        const node = byteNodes.get(key) ?? { ctx: at, dist: [{ token: '', prob: 0.1 }] };
        node.dist.push({ token: '', bytes: contBytes, prob: 0.6 + 0.3 * ext() });
        byteNodes.set(key, node);
      }
    }
    if (controlChance > 0) {
      if (ext() < controlChance) {
        dist.push({ token: ext() < 0.5 ? '<|im_start|>' : '<start_of_turn>', prob: total * (0.01 + 0.1 * ext()) });
        usedControls = true;
      }
      if (answerSet.has(ctx) && ext() < controlChance) {
        dist.push({ token: '<end_of_turn>', prob: total * (0.02 + 0.1 * ext()) });
        usedControls = true;
      }
    }
  }

  const entry: ScriptEntry = { prompt, nodes };
  if (byteNodes.size > 0) entry.byteNodes = [...byteNodes.values()];
  const model: ScriptedModel = {
    name,
    family: opts.family ?? 'double',
    parameterSize: opts.parameterSize ?? '0.0B',
    capabilities: opts.capabilities ?? ['completion'],
    eosToken: eos,
    script: [entry],
  };
  if (usedControls) {
    model.controlTokens = ['<|im_start|>', '<start_of_turn>'];
    model.endTokens = ['<end_of_turn>'];
  }
  return model;
}

