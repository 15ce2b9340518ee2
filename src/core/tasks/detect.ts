import type { Diagnostic } from '../diagnostics';
import { displayable, displayText, MAX_DIAGNOSTICS_PER_CODE } from '../mix/parseText';
import type { PromptMix } from '../mix/types';
import { BUILTIN_TASKS, getTask } from './builtin';

/** A task as the analysis sees it: built-in, or custom from a structured file. */
export interface TaskRef {
  id: string;
  label: string;
  custom: boolean;
  apply(input: string): string | undefined;
}

export interface DetectedTask {
  id: string;
  label: string;
  custom: boolean;
  /** Examples attributed to this task (ambiguous ones split evenly among their detected tasks). */
  count: number;
  /** Share of the examples in context (count / attributed examples). */
  share: number;
  /** This task's answer for the query; undefined when it has none (an error diagnostic says why). */
  answer?: string;
}

export interface ExampleMatch {
  line: number;
  /** Tasks whose function reproduces the example's output (or its explicit label). */
  tasks: string[];
}

export interface Detection {
  tasks: DetectedTask[];
  matches: ExampleMatch[];
  diagnostics: Diagnostic[];
}

export interface DetectOptions {
  /** Lookup tables of custom tasks, by task id (already loaded by the caller). */
  tables?: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Restrict detection to these task ids (e.g. a task pool); default: all built-ins. */
  candidates?: readonly string[];
}

/** User text quoted in a message: escaped where a UI could not show it, and short. */
function quote(text: string): string {
  return `'${displayText(text, 80)}'`;
}

function customRef(id: string, label: string | undefined, table: ReadonlyMap<string, string> | undefined): TaskRef {
  return { id, label: label ?? id, custom: true, apply: (input) => table?.get(input) };
}

/**
 * Which tasks the examples perform: for each example, the set of tasks whose function reproduces
 * its output; shares per task; each task's answer for the query, with the paper's pitfalls
 * (identical answers, answers that are prefixes of others) flagged.
 */
export function detectTasks(mix: PromptMix, options: DetectOptions = {}): Detection {
  const diagnostics: Diagnostic[] = [];
  const at = (line: number) => ({ line: Math.max(1, line), column: 1 });
  const refs = new Map<string, TaskRef>();
  const customSpecs = new Map((mix.customTasks ?? []).map((c) => [c.id, c]));

  const explicit = mix.tasks !== undefined && mix.tasks.length > 0;
  const pool = explicit ? mix.tasks! : options.candidates ?? BUILTIN_TASKS.map((t) => t.id);
  const inPool = new Set(pool);
  for (const id of pool) {
    const spec = customSpecs.get(id);
    if (spec) {
      refs.set(id, customRef(id, spec.label, options.tables?.get(id)));
      continue;
    }
    const builtin = getTask(id);
    if (builtin) refs.set(id, { id, label: builtin.label, custom: false, apply: (input) => builtin.apply(input) });
    else diagnostics.push({ severity: 'error', code: 'unknown-task', message: `Unknown task ${quote(id)}. Use a built-in id (see \`superposition tasks\`) or declare it as a custom task with an answer or a table.`, ...at(1) });
  }

  const matches: ExampleMatch[] = mix.examples.map((example) => {
    if (example.task !== undefined) {
      const ref = refs.get(example.task);
      if (!ref) {
        if (!explicit || !inPool.has(example.task)) {
          diagnostics.push({ severity: 'error', code: 'unknown-task', message: `Example labelled with unknown task ${quote(example.task)}.`, ...at(example.line) });
        }
        return { line: example.line, tasks: [] };
      }
      const produced = ref.apply(example.input.trim());
      if (produced !== undefined && produced !== example.output.trim()) {
        diagnostics.push({ severity: 'warning', code: 'label-mismatch', message: `Example is labelled ${quote(ref.id)} but that task gives ${quote(produced)} for ${quote(example.input.trim())}, not ${quote(example.output.trim())}.`, ...at(example.line) });
      }
      return { line: example.line, tasks: [ref.id] };
    }
    const tasks = [...refs.values()].filter((ref) => ref.apply(example.input.trim()) === example.output.trim()).map((ref) => ref.id);
    return { line: example.line, tasks };
  });

  // Detected tasks: those listed explicitly, else those with at least one example only they explain.
  const detectedIds = explicit
    ? [...refs.keys()]
    : [...new Set(matches.filter((m) => m.tasks.length === 1).map((m) => m.tasks[0]!))];
  // Stable order: the task library's (or the explicit list's), whatever the examples' order.
  if (!explicit) detectedIds.sort((a, b) => pool.indexOf(a) - pool.indexOf(b));
  const weights = new Map(detectedIds.map((id) => [id, 0]));

  matches.forEach((match) => {
    const among = match.tasks.filter((id) => weights.has(id));
    if (match.tasks.length === 0) {
      diagnostics.push({ severity: 'warning', code: 'unmatched-example', message: 'No known task produces this output; it counts as an example of no task.', ...at(match.line) });
      return;
    }
    if (among.length === 0) {
      diagnostics.push({ severity: 'warning', code: 'ambiguous-example', message: `This example fits several tasks (${match.tasks.join(', ')}) and none of them is otherwise present; it is not attributed.`, ...at(match.line) });
      return;
    }
    if (among.length > 1) {
      diagnostics.push({ severity: 'info', code: 'ambiguous-example', message: `This example fits ${among.join(' and ')}; it counts for each in equal parts.`, ...at(match.line) });
    }
    for (const id of among) weights.set(id, weights.get(id)! + 1 / among.length);
  });

  const attributed = [...weights.values()].reduce((a, b) => a + b, 0);
  const query = mix.query.trim();
  const tasks: DetectedTask[] = detectedIds.map((id) => {
    const ref = refs.get(id)!;
    const count = weights.get(id)!;
    const inline = customSpecs.get(id)?.answer;
    const answer = inline ?? ref.apply(query);
    if (answer === undefined) {
      diagnostics.push({ severity: 'error', code: 'no-answer', message: `Task ${quote(id)} has no answer for the query ${quote(query)}${ref.custom ? ' (give an "answer" or a table row for it)' : ''}.`, ...at(mix.queryLine) });
    }
    return { id, label: ref.label, custom: ref.custom, count, share: attributed > 0 ? count / attributed : 0, ...(answer !== undefined ? { answer } : {}) };
  });

  if (tasks.length === 0) {
    diagnostics.push({ severity: 'error', code: 'no-tasks', message: 'No known task explains the examples. Use the paper\'s formats (e.g. `15+43->58`, `Chile->Santiago`, `planet->p`) or a *.superposition.json file with custom tasks.', ...at(1) });
  }
  // No spread push: a file may declare thousands of tasks.
  const all = capPerCode(diagnostics);
  for (const d of answerPitfalls(tasks, mix.queryLine)) all.push(d);
  return { tasks, matches, diagnostics: all.map(displayable) };
}

/** Keeps the first MAX_DIAGNOSTICS_PER_CODE diagnostics of each code (in order), then one summary per capped code. */
function capPerCode(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const counts = new Map<string, number>();
  const out: Diagnostic[] = [];
  const dropped = new Map<string, { first: Diagnostic; count: number }>();
  for (const d of diagnostics) {
    const n = (counts.get(d.code) ?? 0) + 1;
    counts.set(d.code, n);
    if (n <= MAX_DIAGNOSTICS_PER_CODE) out.push(d);
    else {
      const key = `${d.code}\u0000${d.severity}`;
      const prev = dropped.get(key);
      if (prev) prev.count++;
      else dropped.set(key, { first: d, count: 1 });
    }
  }
  for (const { first, count } of dropped.values()) {
    out.push({ severity: first.severity, code: first.code, message: `${count} more like this (${first.code}) not shown`, line: first.line, column: first.column });
  }
  return out;
}

/**
 * Paper §11: answers that coincide, or that are prefixes of one another, blur the measurement.
 * At most MAX_DIAGNOSTICS_PER_CODE pairs per code are described, then one summary with the count.
 */
export function answerPitfalls(tasks: readonly Pick<DetectedTask, 'id' | 'answer'>[], queryLine: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  const found = { 'duplicate-answers': 0, 'prefix-answers': 0 };
  /** Counts a pair; true when its code already has all the diagnostics it may show. */
  const full = (code: keyof typeof found): boolean => ++found[code] > MAX_DIAGNOSTICS_PER_CODE;
  const withAnswers = tasks.filter((t): t is { id: string; answer: string } => t.answer !== undefined);
  for (let i = 0; i < withAnswers.length; i++) {
    for (let j = i + 1; j < withAnswers.length; j++) {
      const a = withAnswers[i]!;
      const b = withAnswers[j]!;
      if (a.answer === b.answer) {
        if (full('duplicate-answers')) continue;
        out.push({ severity: 'warning', code: 'duplicate-answers', message: `Tasks ${quote(a.id)} and ${quote(b.id)} give the same answer ${quote(a.answer)} for the query: their probabilities cannot be told apart. Pick another query.`, line: Math.max(1, queryLine), column: 1 });
      } else if (b.answer.startsWith(a.answer) || a.answer.startsWith(b.answer)) {
        if (full('prefix-answers')) continue;
        const [short, long] = a.answer.length < b.answer.length ? [a, b] : [b, a];
        out.push({ severity: 'warning', code: 'prefix-answers', message: `${quote(short.answer)} (${displayText(short.id, 80)}) is a prefix of ${quote(long.answer)} (${displayText(long.id, 80)}): without --terminated, P(${quote(short.answer)}) also counts continuations into ${quote(long.answer)}.`, line: Math.max(1, queryLine), column: 1 });
      }
    }
  }
  for (const code of ['duplicate-answers', 'prefix-answers'] as const) {
    const hidden = found[code] - MAX_DIAGNOSTICS_PER_CODE;
    if (hidden > 0) out.push({ severity: 'warning', code, message: `${hidden} more pair${hidden === 1 ? '' : 's'} of tasks with this problem (${code}) not shown`, line: Math.max(1, queryLine), column: 1 });
  }
  return out;
}
