/**
 * Diagnostics drawn from a finished measurement (issue 13): what the model did with the mix, shown
 * on the prompt file with the quick fixes that apply (see quickFixes.ts). Pure: no `vscode`, no DOM.
 *
 * Rules (thresholds in {@link DEFAULT_THRESHOLDS}; all comparisons inclusive, with a 1e-9 tolerance):
 * - `split` (info): at least two distinct answers each get ≥ `splitMin` of the probability.
 * - `absorb` (warning): an answer's share of the task mass exceeds its tasks' in-context share by
 *   ≥ `absorbExcess` (absolute) and is ≥ `absorbRatio` × that share.
 * - `other` (warning): ≥ `otherMin` of the probability goes to no task's answer.
 * - `collide` (warning): two task answers for the query are identical, or one is a prefix of the
 *   other (prefixes are harmless, so not reported, for a logprobs run with `terminated`).
 *
 * Tasks with the same answer are one outcome for `split` and `absorb` (their probability is one
 * mass, counted once; their shares add up); `collide` reports them.
 */
import type { Diagnostic } from '../diagnostics';
import { displayText } from '../mix/parseText';
import type { PromptMix } from '../mix/types';
import type { RunRecord } from '../record';
import type { Detection } from '../tasks/detect';

/** A quick fix a measurement diagnostic offers; quickFixes.ts implements each. */
export type FixKind =
  | { kind: 'remove-task-examples'; taskId: string; label: string }
  | { kind: 'to-structured' }
  | { kind: 'balance-mix' }
  | { kind: 'pick-distinct-query' };

/** Stable codes of the measurement diagnostics. */
export type MeasurementCode = 'split' | 'absorb' | 'other' | 'collide';

/** A diagnostic about a measurement, with the quick fixes that apply. */
export interface MeasurementDiagnostic extends Diagnostic {
  severity: 'info' | 'warning';
  code: MeasurementCode;
  fixes: FixKind[];
  /** Lines the message is about (e.g. the examples of an absorbing task), for related information. */
  related?: { line: number; message: string }[];
}

/** The thresholds of the rules (fractions of 1). */
export interface MeasurementThresholds {
  /** `split`: the least probability each of two answers must get. */
  splitMin: number;
  /** `absorb`: least excess of the task-mass share over the in-context share (absolute). */
  absorbExcess: number;
  /** `absorb`: least ratio of the task-mass share to the in-context share. */
  absorbRatio: number;
  /** `other`: the least probability on no task's answer. */
  otherMin: number;
}

/**
 * Defaults. `splitMin` 0.10: well above the noise of a default sampling run (Wilson half-width
 * ≈ 0.04 at p = 0.1, n = 200) and below the smallest equal share of the paper's mixes (0.25), so a
 * real second answer is seen and a stray one is not. `absorbExcess` 0.3 and `absorbRatio` 2: both
 * must hold — the absolute gap ignores small shares doubling (0.05 → 0.10), the ratio ignores a
 * majority task growing as the paper's S-shaped calibration does (0.6 → 0.9). Note: with a share
 * ≥ 0.5 the ratio needs all the mass. `otherMin` 0.5: most of the probability is elsewhere.
 */
export const DEFAULT_THRESHOLDS: Readonly<MeasurementThresholds> = Object.freeze({ splitMin: 0.1, absorbExcess: 0.3, absorbRatio: 2, otherMin: 0.5 });

/** Options: thresholds, and whether the prompt is a structured file (its fixes are not offered). */
export interface MeasurementOptions extends Partial<MeasurementThresholds> {
  /** True for a `*.superposition.json` prompt: the text fixes do not apply (default: inferred from the mix). */
  structured?: boolean;
}

const EPS = 1e-9;
const MAX_RELATED = 50;

interface Outcome {
  answer: string;
  ids: string[];
  labels: string[];
  share: number;
  probability: number;
}

interface Context {
  record: RunRecord;
  mix: PromptMix;
  detection: Detection;
  t: MeasurementThresholds;
  textFixes: boolean;
  at: Pick<Diagnostic, 'line' | 'column' | 'endColumn'>;
}

/** A finite number, else 0. */
function num(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : 0;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function quote(text: string): string {
  return `'${displayText(text, 80)}'`;
}

/** True when the record holds a measurement: complete, or cancelled after some of it. */
export function hasMeasurement(record: RunRecord): boolean {
  if (record.status === 'complete') return true;
  if (record.status !== 'cancelled') return false;
  return record.tasks.some((t) => num(t.lower) > 0 || num(t.upper) < 1 || num(t.count) > 0);
}

function outcomes(record: RunRecord): Outcome[] {
  const byAnswer = new Map<string, Outcome>();
  for (const t of record.tasks) {
    const o = byAnswer.get(t.answer);
    if (o) {
      o.ids.push(t.id);
      o.labels.push(t.label);
      o.share += num(t.share);
    } else byAnswer.set(t.answer, { answer: t.answer, ids: [t.id], labels: [t.label], share: num(t.share), probability: num(t.probability) });
  }
  return [...byAnswer.values()];
}

/** For each example (in order), the one detected task it is attributed to, or undefined (none, or several). */
export function attributedOnly(detection: Detection): (string | undefined)[] {
  const detected = new Set(detection.tasks.map((t) => t.id));
  return detection.matches.map((m) => {
    const among = m.tasks.filter((id) => detected.has(id));
    return among.length === 1 ? among[0] : undefined;
  });
}

/** True when the mix came from a structured file (explicit tasks, custom tasks or task labels). */
export function isStructuredMixObject(mix: PromptMix): boolean {
  return mix.tasks !== undefined || mix.customTasks !== undefined || mix.examples.some((e) => e.task !== undefined);
}

function builtinOnly(detection: Detection): boolean {
  return detection.tasks.length > 0 && detection.tasks.every((t) => !t.custom);
}

function removeFixes(c: Context): FixKind[] {
  if (!c.textFixes) return [];
  const owned = attributedOnly(c.detection);
  const out: FixKind[] = [];
  for (const task of c.detection.tasks) {
    const n = owned.filter((id) => id === task.id).length;
    if (task.custom || n === 0 || c.mix.examples.length - n < 2) continue;
    out.push({ kind: 'remove-task-examples', taskId: task.id, label: task.label });
  }
  return out;
}

function splitRule(c: Context, all: Outcome[]): MeasurementDiagnostic[] {
  const big = all.filter((o) => o.probability >= c.t.splitMin - EPS).sort((a, b) => b.probability - a.probability);
  if (big.length < 2) return [];
  const parts = big.map((o) => `${pct(o.probability)} ${o.labels.map((l) => displayText(l, 80)).join(' / ')}`);
  const fixes: FixKind[] = [...removeFixes(c), ...(c.textFixes ? [{ kind: 'to-structured' } as const] : [])];
  return [{ severity: 'info', code: 'split', message: `The model splits its answer: ${parts.join(' vs ')} — is the mix intended?`, ...c.at, fixes }];
}

function unbalanced(detection: Detection): boolean {
  const counts = detection.tasks.map((t) => t.count);
  return counts.length > 1 && Math.max(...counts) - Math.min(...counts) > EPS;
}

function exampleLines(c: Context, ids: readonly string[]): { line: number; message: string }[] {
  const out: { line: number; message: string }[] = [];
  c.detection.matches.forEach((m, i) => {
    const line = c.mix.examples[i]?.line ?? m.line;
    if (out.length < MAX_RELATED && line > 0 && m.tasks.some((id) => ids.includes(id))) out.push({ line, message: `an example of ${ids.join(' / ')}` });
  });
  return out;
}

function absorbRule(c: Context, all: Outcome[]): MeasurementDiagnostic[] {
  const mass = all.reduce((a, o) => a + o.probability, 0);
  if (all.length < 2 || !(mass > EPS)) return [];
  const out: MeasurementDiagnostic[] = [];
  for (const o of all) {
    const taken = o.probability / mass;
    if (taken - o.share < c.t.absorbExcess - EPS || taken < c.t.absorbRatio * o.share - EPS) continue;
    const fixes: FixKind[] = c.textFixes && builtinOnly(c.detection) && unbalanced(c.detection) ? [{ kind: 'balance-mix' }] : [];
    const ids = o.ids.map((id) => displayText(id, 80)).join(' / ');
    const message = `${ids} takes ${pct(taken)} of the task mass with ${pct(o.share)} of the examples`;
    out.push({ severity: 'warning', code: 'absorb', message, ...c.at, fixes, related: exampleLines(c, o.ids) });
  }
  return out;
}

function otherRule(c: Context): MeasurementDiagnostic[] {
  // A logprobs run's point value of `other` is 1 − Σ lower bounds (its upper end): use its lower bound.
  const other = c.record.method === 'logprobs' ? num(c.record.other.lower) : num(c.record.other.probability);
  if (other < c.t.otherMin - EPS) return [];
  const message = `${pct(other)} of the probability goes to no task's answer: the model may not follow the examples' format, the query may be unclear, or the model may be too small for this mix.`;
  return [{ severity: 'warning', code: 'other', message, ...c.at, fixes: c.textFixes ? [{ kind: 'to-structured' }] : [] }];
}

function collisions(c: Context): string[] {
  const prefixCounts = !(c.record.method === 'logprobs' && c.record.options.terminated);
  const tasks = c.record.tasks;
  const found: string[] = [];
  for (let i = 0; i < tasks.length; i++) {
    for (let j = i + 1; j < tasks.length; j++) {
      const a = tasks[i]!;
      const b = tasks[j]!;
      const [short, long] = a.answer.length <= b.answer.length ? [a, b] : [b, a];
      if (a.answer === b.answer) found.push(`${displayText(a.id, 80)} and ${displayText(b.id, 80)} both answer ${quote(a.answer)}`);
      else if (prefixCounts && long.answer.startsWith(short.answer)) {
        found.push(`${quote(short.answer)} (${displayText(short.id, 80)}) is a prefix of ${quote(long.answer)} (${displayText(long.id, 80)})`);
      }
    }
  }
  return found;
}

function collideRule(c: Context): MeasurementDiagnostic[] {
  const found = collisions(c);
  if (found.length === 0) return [];
  const shown = found.slice(0, 3).join('; ') + (found.length > 3 ? `; and ${found.length - 3} more` : '');
  const message = `The query's answers collide: ${shown}. Their probabilities cannot be told apart; pick a query whose answers differ.`;
  const fixes: FixKind[] = c.textFixes && builtinOnly(c.detection) ? [{ kind: 'pick-distinct-query' }] : [];
  return [{ severity: 'warning', code: 'collide', message, ...c.at, fixes }];
}

/**
 * The measurement diagnostics of a run on this prompt: `collide`, `other`, `absorb`, `split` (in
 * that order), all on the query line. Nothing for a failed run, one without measurements, or a
 * record of another prompt (`record.input.prompt !== mix.prompt`: the file changed since). Never throws.
 */
export function measurementDiagnostics(record: RunRecord, mix: PromptMix, detection: Detection, options: MeasurementOptions = {}): MeasurementDiagnostic[] {
  try {
    if (!hasMeasurement(record) || record.input.prompt !== mix.prompt || record.tasks.length === 0) return [];
    const t: MeasurementThresholds = { ...DEFAULT_THRESHOLDS, ...definedThresholds(options) };
    const structured = options.structured ?? isStructuredMixObject(mix);
    const at = { line: Math.max(1, mix.queryLine), column: 1, ...(structured ? {} : { endColumn: mix.query.length + mix.separator.length + 1 }) };
    const c: Context = { record, mix, detection, t, textFixes: !structured, at };
    const all = outcomes(record);
    return [...collideRule(c), ...otherRule(c), ...absorbRule(c, all), ...splitRule(c, all)];
  } catch {
    return [];
  }
}

function definedThresholds(options: MeasurementOptions): Partial<MeasurementThresholds> {
  const out: Partial<MeasurementThresholds> = {};
  for (const key of ['splitMin', 'absorbExcess', 'absorbRatio', 'otherMin'] as const) {
    const v = options[key];
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  }
  return out;
}

/** The title of a quick fix, as the editor's light bulb shows it. */
export function fixTitle(fix: FixKind): string {
  switch (fix.kind) {
    case 'remove-task-examples':
      return `Remove the examples of ${displayText(fix.label, 80)} (${displayText(fix.taskId, 80)})`;
    case 'to-structured':
      return 'Convert to a *.superposition.json file (tasks listed explicitly)';
    case 'balance-mix':
      return 'Balance the mix (add fresh examples to the smaller tasks)';
    case 'pick-distinct-query':
      return 'Pick another query whose answers are distinct';
  }
}
