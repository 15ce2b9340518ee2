/**
 * Benchmark scenarios shared by the bench processes: the 4-task prompt of examples/add-translate.txt
 * scripted on the Ollama TEST DOUBLE, generated sweeps (scaling plans with K = 4), and the
 * engine-independent trie-node lower bound.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandScaling, validateScalingPlan, type MeasurementUnit, type ScalingPlan } from '../src/core/experiments/plan';
import { parseMix } from '../src/core/mix/parse';
import type { PromptMix } from '../src/core/mix/types';
import { detectTasks, type Detection } from '../src/core/tasks/detect';
import type { ScriptEntry, ScriptedModel, TokenDist } from '../test/double/index';

export const repoRoot = join(__dirname, '..');

/** The model name the double serves in every bench scenario. */
export const BENCH_MODEL = 'double-bench:latest';

export interface AnswerSpec {
  text: string;
  prob: number;
}

/** What a double host needs to script one prompt (JSON, sent over IPC). */
export interface PromptSpec {
  prompt: string;
  answers: AnswerSpec[];
  /** scriptFromAnswers options (a heavy tail: many distractors, mass leaking at inner nodes). */
  script?: { distractors?: number; innerNoise?: number };
}

/** `phrase` repeated and cut to exactly `bytes` bytes (ASCII). */
export function fill(phrase: string, bytes: number): string {
  return phrase.repeat(Math.ceil(bytes / phrase.length)).slice(0, bytes);
}

/** The shipped 4-task example (88+52 → 140 / one hundred and forty / cent quarante / ciento cuarenta). */
export function fourTaskPrompt(): { mix: PromptMix; detection: Detection; spec: PromptSpec } {
  const text = readFileSync(join(repoRoot, 'examples', 'add-translate.txt'), 'utf8');
  const parsed = parseMix(text, 'add-translate.txt');
  if (!parsed.mix) throw new Error('examples/add-translate.txt does not parse');
  const detection = detectTasks(parsed.mix);
  const probs = [0.42, 0.21, 0.12, 0.09];
  const answers = detection.tasks.map((t, i) => ({ text: t.answer ?? '', prob: probs[i] ?? 0.05 }));
  if (answers.length !== 4 || answers.some((a) => a.text === '')) throw new Error(`expected 4 tasks with answers, got ${JSON.stringify(answers)}`);
  return { mix: parsed.mix, detection, spec: { prompt: parsed.mix.prompt, answers } };
}

/** Deterministic answer masses for a generated prompt (sum 0.8, descending). */
function massesFor(n: number, salt: number): number[] {
  const raw = Array.from({ length: n }, (_, i) => 1 / (i + 1 + ((salt + i) % 3) * 0.5));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => (r / sum) * 0.8);
}

/**
 * A sweep: `prompts` generated 4-task number prompts (a scaling plan with K = 4, the same units
 * the CLI / extension would run) and the script of each prompt for the double.
 */
export function sweepUnits(prompts: number, seed = 7): { plan: ScalingPlan; units: MeasurementUnit[]; specs: PromptSpec[] } {
  const checked = validateScalingPlan({ pool: ['sum.digits', 'sum.en', 'sum.fr', 'sum.es'], kMin: 4, kMax: 4, promptsPerK: prompts, examplesPerTask: 5, seed, models: [BENCH_MODEL] });
  if (!checked.ok) throw new Error(checked.errors.join('\n'));
  const plan = checked.plan;
  const units = expandScaling(plan);
  const specs = units.map((u, i) => {
    const answers = u.detection.tasks.map((t) => t.answer ?? '');
    const masses = massesFor(answers.length, i);
    return { prompt: u.mix.prompt, answers: answers.map((text, k) => ({ text, prob: masses[k] ?? 0 })) };
  });
  return { plan, units, specs };
}

// ── the lower bound ────────────────────────────────────────────────────────────────────────────

const encoder = new TextEncoder();
const TOP = 20;

/** The double's lookup (README "Lookup"): longest scripted prompt prefix, nodes[ctx] ?? fallback, merged and normalised. */
function distAt(model: ScriptedModel, text: string): Array<{ token: string; prob: number }> {
  const eos = model.eosToken ?? '';
  const fallback: TokenDist = model.fallback ?? [
    { token: '\n', prob: 0.9 },
    { token: eos, prob: 0.1 },
  ];
  let best: ScriptEntry | undefined;
  for (const e of model.script) if (text.startsWith(e.prompt) && (!best || e.prompt.length > best.prompt.length)) best = e;
  let raw = fallback;
  if (best) {
    const ctx = text.slice(best.prompt.length);
    if (Object.prototype.hasOwnProperty.call(best.nodes, ctx)) raw = best.nodes[ctx] ?? fallback;
  }
  const merged = new Map<string, number>();
  for (const { token, prob } of raw) if (prob > 0) merged.set(token, (merged.get(token) ?? 0) + prob);
  const total = [...merged.values()].reduce((a, b) => a + b, 0);
  // Descending, ties in script order (Map keeps first-insertion order; sort is stable).
  return [...merged].map(([token, p]) => ({ token, prob: p / total })).sort((a, b) => b.prob - a.prob);
}

function isBytePrefix(prefix: Uint8Array, of: Uint8Array): boolean {
  if (prefix.length > of.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== of[i]) return false;
  return true;
}

export interface LowerBound {
  /** Distinct byte-prefix nodes reachable through top-20 tokens that some answer continues past (or ends at, when terminated). */
  reachable: number;
  /** Distinct token-boundary prefixes of the answers' own scripted tokenizations (a weaker bound, only the answers' paths). */
  tokenPath: number;
  nodes: string[];
  /** Longest chain of requests that depend on each other (the trie's depth in tokens): the fewest rounds any walk needs. */
  rounds: number;
}

/**
 * The trie-node lower bound, computed from the script alone (no engine code): breadth-first over
 * byte prefixes of the answers, from the empty prefix, following every non-EOS token of the top 20
 * at each node. A node must be requested by ANY exact teacher-forced method when positive mass
 * reaches it on a path it can see and some answer still continues past it (or, when terminated,
 * ends at it): without its reply that mass cannot be attributed. Nodes ending inside a UTF-8
 * character cannot be sent and are skipped (they only widen intervals).
 */
export function trieLowerBound(model: ScriptedModel, prompt: string, answers: readonly string[], tokenize: (s: string) => string[], terminated = false): LowerBound {
  const targets = answers.map((a) => encoder.encode(a));
  const needs = (bytes: Uint8Array) => targets.some((t) => isBytePrefix(bytes, t) && (t.length > bytes.length || terminated));
  const depth = new Map<string, number>([['', 1]]);
  const queue = [''];
  const requested: string[] = [];
  const eos = model.eosToken ?? '';
  let rounds = 0;
  while (queue.length > 0) {
    const prefix = queue.shift()!;
    if (!needs(encoder.encode(prefix))) continue;
    requested.push(prefix);
    const d = depth.get(prefix)!;
    rounds = Math.max(rounds, d);
    for (const { token } of distAt(model, prompt + prefix).slice(0, TOP)) {
      if (token === eos || token === '') continue;
      const child = prefix + token;
      if (depth.has(child)) continue;
      depth.set(child, d + 1);
      const bytes = encoder.encode(child);
      if (targets.some((t) => isBytePrefix(bytes, t))) queue.push(child);
    }
  }
  const tokenPrefixes = new Set<string>();
  for (const a of answers) {
    let acc = '';
    for (const tok of tokenize(a)) {
      tokenPrefixes.add(acc);
      acc += tok;
    }
    if (terminated) tokenPrefixes.add(acc);
  }
  return { reachable: requested.length, tokenPath: tokenPrefixes.size, nodes: requested, rounds };
}
