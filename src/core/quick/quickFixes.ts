/**
 * The quick fixes of the measurement diagnostics (measurementRules.ts): pure transforms of a `.txt`
 * prompt file. Each keeps the file's line endings (LF, CRLF or CR, line by line), its separator, a
 * BOM, and every line it does not mean to change; each returns the new full text or an error
 * message, and is deterministic given its seed. Pure: no `vscode`, no DOM.
 */
import { isStructuredMix } from '../mix/parse';
import { parseMixText } from '../mix/parseText';
import { parseStructuredMix, serializeStructuredMix } from '../mix/structured';
import type { Example, PromptMix } from '../mix/types';
import { seededRng } from '../random';
import { BUILTIN_TASKS, getTask, parseNumberInput, sampleInput, type NumberJoiner } from '../tasks/builtin';
import type { Detection } from '../tasks/detect';
import type { InputFamily, Rng, TaskDefinition } from '../tasks/types';
import { attributedOnly, isStructuredMixObject } from './measurementRules';

/** A fix's outcome: the new text (with an optional note for the user), or why it cannot apply. */
export type FixResult = { ok: true; text: string; note?: string } | { ok: false; error: string };

const MAX_ATTEMPTS = 10_000;
const MIN_EXAMPLES = 2;

interface Line {
  text: string;
  /** `\n`, `\r\n`, `\r`, or '' for the last line. */
  ending: string;
}

function fail(error: string): FixResult {
  return { ok: false, error };
}

/** Splits like the text parser (CRLF, LF and lone CR end a line), keeping each line's ending. */
function splitLines(text: string): Line[] {
  const out: Line[] = [];
  const re = /\r\n|\n|\r/g;
  let start = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ text: text.slice(start, m.index), ending: m[0] });
    start = m.index + m[0].length;
  }
  out.push({ text: text.slice(start), ending: '' });
  return out;
}

function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.text + l.ending).join('');
}

/** The text without its BOM and the BOM to put back; an error when the text is not this mix any more. */
function openText(text: string, mix: PromptMix, detection: Detection): { bom: string; lines: Line[] } | { error: string } {
  if (isStructuredMixObject(mix) || isStructuredMix(text)) return { error: 'This fix edits .txt prompt files; a *.superposition.json file (custom or listed tasks) is left alone.' };
  const parsed = parseMixText(text);
  const same =
    parsed.mix !== undefined &&
    parsed.mix.prompt === mix.prompt &&
    parsed.mix.queryLine === mix.queryLine &&
    parsed.mix.examples.every((e, i) => e.line === mix.examples[i]?.line) &&
    detection.matches.length === mix.examples.length;
  if (!same) return { error: 'The file changed since it was measured; measure it again first.' };
  const bom = text.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
  return { bom, lines: splitLines(bom ? text.slice(1) : text) };
}

/** Built-in definitions of the detected tasks, or an error naming a custom one. */
function builtinDefs(detection: Detection): TaskDefinition[] | string {
  if (detection.tasks.length === 0) return 'No task was detected in the examples.';
  const defs: TaskDefinition[] = [];
  for (const t of detection.tasks) {
    const def = t.custom ? undefined : getTask(t.id);
    if (!def || def.family === 'custom') return `Task '${t.id}' is a custom task: this fix only draws inputs for built-in tasks, so the mix is left alone.`;
    defs.push(def);
  }
  return defs;
}

/** `@` when an AB copy task is detected or most number inputs use it, else `+`. */
function joinerOf(mix: PromptMix, defs: readonly TaskDefinition[]): NumberJoiner {
  if (defs.some((d) => d.id.startsWith('ab.'))) return '@';
  let at = 0;
  let plus = 0;
  for (const e of mix.examples) {
    const j = parseNumberInput(e.input.trim())?.joiner;
    if (j === '@') at++;
    else if (j === '+') plus++;
  }
  return at > plus ? '@' : '+';
}

function usedInputs(mix: PromptMix): Set<string> {
  return new Set([...mix.examples.map((e) => e.input.trim()), mix.query.trim()]);
}

/** A fresh input of the family that `accept` takes, or undefined after MAX_ATTEMPTS draws. */
function drawInput(rng: Rng, family: InputFamily, joiner: NumberJoiner, used: ReadonlySet<string>, accept: (input: string) => boolean): string | undefined {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const input = sampleInput(family, rng, joiner);
    if (!used.has(input) && accept(input)) return input;
  }
  return undefined;
}

/** An example of `def` that no other built-in task reproduces (so it is attributed to `def` only). */
function drawExample(rng: Rng, def: TaskDefinition, joiner: NumberJoiner, used: ReadonlySet<string>): Pick<Example, 'input' | 'output'> | undefined {
  const accept = (input: string): boolean => {
    const output = def.apply(input);
    return output !== undefined && BUILTIN_TASKS.every((d) => d.id === def.id || d.apply(input) !== output);
  };
  const input = drawInput(rng, def.family, joiner, used, accept);
  const output = input === undefined ? undefined : def.apply(input);
  return input === undefined || output === undefined ? undefined : { input, output };
}

interface NewLine {
  text: string;
}

/** Places the new lines among the existing examples at seeded random positions: new lines per anchor example index (E = after the last). */
function placements(rng: Rng, exampleCount: number, added: readonly NewLine[]): Map<number, NewLine[]> {
  const seq: (number | NewLine)[] = Array.from({ length: exampleCount }, (_, i) => i);
  for (const line of added) seq.splice(Math.floor(rng() * (seq.length + 1)), 0, line);
  const byAnchor = new Map<number, NewLine[]>();
  let pending: NewLine[] = [];
  for (const item of seq) {
    if (typeof item === 'number') {
      if (pending.length > 0) byAnchor.set(item, pending);
      pending = [];
    } else pending.push(item);
  }
  if (pending.length > 0) byAnchor.set(exampleCount, pending);
  return byAnchor;
}

/** Inserts the new lines before their anchor example's line (or after the last example), with that line's ending. */
function insertLines(lines: readonly Line[], mix: PromptMix, byAnchor: ReadonlyMap<number, NewLine[]>): Line[] {
  const indexOfLine = new Map(mix.examples.map((e, i) => [e.line, i] as const));
  const lastLine = mix.examples[mix.examples.length - 1]?.line ?? 0;
  const out: Line[] = [];
  lines.forEach((line, k) => {
    const index = indexOfLine.get(k + 1);
    const before = index === undefined ? undefined : byAnchor.get(index);
    for (const n of before ?? []) out.push({ text: n.text, ending: line.ending });
    out.push(line);
    if (k + 1 === lastLine) for (const n of byAnchor.get(mix.examples.length) ?? []) out.push({ text: n.text, ending: line.ending });
  });
  return out;
}

/**
 * Adds examples to every task with fewer attributed examples than the largest count, so all tasks
 * have as many. New examples use fresh inputs (not an input of the examples or the query, nor of
 * another new example), the task's own output, and an input no other built-in task maps to the same
 * output (attributed to this task only); they are placed at seeded random positions among the
 * examples, never after the query. Ambiguous examples count in parts: when those parts cannot be
 * matched by whole examples, the counts are as close as they allow and the note says so.
 */
export function balanceMix(text: string, mix: PromptMix, detection: Detection, seed: number): FixResult {
  const opened = openText(text, mix, detection);
  if ('error' in opened) return fail(opened.error);
  const defs = builtinDefs(detection);
  if (typeof defs === 'string') return fail(defs);
  const max = Math.max(...detection.tasks.map((t) => t.count));
  const rng = seededRng(seed);
  const joiner = joinerOf(mix, defs);
  const used = usedInputs(mix);
  const added: NewLine[] = [];
  let exact = true;
  for (const [i, task] of detection.tasks.entries()) {
    const missing = Math.round(max - task.count);
    if (Math.abs(max - task.count - missing) > 1e-9) exact = false;
    for (let k = 0; k < missing; k++) {
      const example = drawExample(rng, defs[i]!, joiner, used);
      if (!example) return fail(`Could not draw a fresh input for task '${task.id}'.`);
      used.add(example.input);
      added.push({ text: `${example.input}${mix.separator}${example.output}` });
    }
  }
  if (added.length === 0) return fail('The mix is already balanced.');
  const lines = insertLines(opened.lines, mix, placements(rng, mix.examples.length, added));
  const result: FixResult = { ok: true, text: opened.bom + joinLines(lines) };
  if (!exact) result.note = 'Ambiguous examples count in parts for several tasks: the counts are as close as whole examples allow.';
  return result;
}

/** Removes the example lines attributed to `taskId` only (lines of ambiguous examples stay). */
export function removeTaskExamples(text: string, mix: PromptMix, detection: Detection, taskId: string): FixResult {
  const opened = openText(text, mix, detection);
  if ('error' in opened) return fail(opened.error);
  if (!detection.tasks.some((t) => t.id === taskId)) return fail(`Task '${taskId}' is not detected in this mix.`);
  const owned = attributedOnly(detection);
  const drop = new Set(mix.examples.filter((_, i) => owned[i] === taskId).map((e) => e.line));
  if (drop.size === 0) return fail(`No example is attributed to '${taskId}' only.`);
  if (mix.examples.length - drop.size < MIN_EXAMPLES) return fail(`Removing the examples of '${taskId}' would leave fewer than ${MIN_EXAMPLES} examples.`);
  const lines = opened.lines.filter((_, k) => !drop.has(k + 1));
  return { ok: true, text: opened.bom + joinLines(lines) };
}

/** The generator's rule: every answer defined, all distinct, none a prefix of another. */
export function distinctAnswers(answers: readonly (string | undefined)[]): boolean {
  if (answers.some((a) => a === undefined)) return false;
  const defined = answers as readonly string[];
  return defined.every((a, i) => defined.every((b, j) => i === j || !b.startsWith(a)));
}

/**
 * Replaces the query input with a fresh one (not in the examples' text, not the current query) for
 * which every detected task has an answer, all distinct and none a prefix of another. The rest of
 * the query line (separator, trailing whitespace) is kept.
 */
export function pickDistinctQuery(text: string, mix: PromptMix, detection: Detection, seed: number): FixResult {
  const opened = openText(text, mix, detection);
  if ('error' in opened) return fail(opened.error);
  const defs = builtinDefs(detection);
  if (typeof defs === 'string') return fail(defs);
  const family = defs[0]!.family;
  if (defs.some((d) => d.family !== family)) return fail('The detected tasks read different kinds of input: no query has an answer for each.');
  const exampleText = mix.examples.map((e) => `${e.input}${mix.separator}${e.output}`).join('\n');
  const accept = (input: string): boolean => !exampleText.includes(input) && distinctAnswers(defs.map((d) => d.apply(input)));
  const input = drawInput(seededRng(seed), family, joinerOf(mix, defs), usedInputs(mix), accept);
  if (input === undefined) return fail('Could not draw a query whose task answers are distinct and not prefixes of one another.');
  const k = mix.queryLine - 1;
  const lines = opened.lines.map((line, i) => (i === k ? { text: input + line.text.slice(mix.query.length), ending: line.ending } : line));
  return { ok: true, text: opened.bom + joinLines(lines) };
}

/**
 * The content of an equivalent `*.superposition.json` prompt file: same separator, examples and
 * query, the detected tasks listed explicitly, each example attributed to one task labelled with
 * it (ambiguous ones stay unlabelled and count in parts, as before). Read back by parseMix it gives
 * the same prompt and tasks; an error when it could not (e.g. an output holding the separator).
 */
export function toStructuredMix(mix: PromptMix, detection: Detection): FixResult {
  if (detection.tasks.length === 0) return fail('No task was detected in the examples.');
  if (detection.matches.length !== mix.examples.length) return fail('The detection is not of this mix; detect the tasks again.');
  const owned = attributedOnly(detection);
  const examples: Example[] = mix.examples.map((e, i) => {
    const task = e.task ?? owned[i];
    return task === undefined ? { input: e.input, output: e.output, line: e.line } : { input: e.input, output: e.output, line: e.line, task };
  });
  const structured: PromptMix = { ...mix, examples, tasks: detection.tasks.map((t) => t.id) };
  const text = serializeStructuredMix(structured);
  const back = parseStructuredMix(text);
  if (!back.mix || back.mix.prompt !== mix.prompt) {
    const why = back.diagnostics.find((d) => d.severity === 'error');
    return fail(`This mix has no structured equivalent${why ? `: ${why.message}${why.path ? ` (${why.path})` : ''}` : ''}.`);
  }
  return { ok: true, text };
}
