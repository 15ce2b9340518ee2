/**
 * Hover content on a prompt's example and query lines: which tasks an example performs and what
 * every detected task would answer there; each task's answer for the query with its measured
 * probability. Plain lines, every one Markdown-escaped (user text cannot format, link or run a
 * theme icon); the editor joins them. Pure (no vscode).
 */
import type { PromptMix } from '../mix/types';
import type { RunRecord, TaskResult } from '../record';
import { getTask } from '../tasks/builtin';
import type { Detection, DetectedTask } from '../tasks/detect';
import { modelText } from './lensText';

export interface HoverOptions {
  /** Lookup tables of custom tasks, by task id (as given to detectTasks). */
  tables?: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** Backslash-escapes every character Markdown (and VS Code's `$(icon)` syntax) could read as markup. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+\-.!|~&$=]/g, (c) => `\\${c}`);
}

/** A probability with the precision a hover can afford: `42.0%`, `3.25%`, `0.0012%`. */
export function hoverPercent(p: number): string {
  if (!Number.isFinite(p)) return '–';
  const pct = Math.max(0, Math.min(1, p)) * 100;
  if (pct === 0) return '0%';
  if (pct >= 10) return `${pct.toFixed(1)}%`;
  if (pct >= 0.1) return `${pct.toFixed(2)}%`;
  return `${Number(pct.toPrecision(2))}%`;
}

/** A task's output for an input: a built-in's function, or a custom task's table row. */
function outputOf(task: Pick<DetectedTask, 'id' | 'custom'>, input: string, options: HoverOptions): string | undefined {
  if (task.custom) return options.tables?.get(task.id)?.get(input);
  return getTask(task.id)?.apply(input);
}

/** Task ids as a list in words: `a`, `a and b`, `a, b and c`. */
function listText(ids: readonly string[]): string {
  if (ids.length <= 1) return ids.join('');
  return `${ids.slice(0, -1).join(', ')} and ${ids.at(-1)}`;
}

/**
 * The hover of the example on 1-based `line`: the tasks that reproduce it (or its label), then its
 * output under each detected task (`—` where the task has none, `✓` where it is the example's).
 * Undefined when no example is on that line.
 */
export function exampleHover(mix: PromptMix, detection: Detection, line: number, options: HoverOptions = {}): string[] | undefined {
  const index = line >= 1 ? mix.examples.findIndex((e) => e.line === line) : -1;
  const example = mix.examples[index];
  if (example === undefined) return undefined;
  const input = example.input.trim();
  const output = example.output.trim();
  const matched = detection.matches.find((m) => m.line === line)?.tasks ?? [];
  const lines = [`Example ${index + 1} of ${mix.examples.length}: ${example.input}${mix.separator}${example.output}`];
  if (example.task !== undefined) lines.push(`Labelled: ${example.task}`);
  else lines.push(matched.length === 0 ? 'Reproduced by no known task: it counts for none.' : `Reproduced by ${listText(matched)}${matched.length > 1 ? ' (counts for each in equal parts)' : ''}.`);
  if (detection.tasks.length > 0) lines.push('Under each task:');
  for (const task of detection.tasks) {
    const produced = outputOf(task, input, options);
    lines.push(`${task.id} → ${produced ?? '—'}${produced === output ? ' ✓' : ''}`);
  }
  return lines.map(escapeMarkdown);
}

/** `42.0% [40.0%, 45.0%]`, `20.0% exact`, or for samples `20.0% (95% CI [18.0%, 23.0%])`. */
function estimateText(t: Pick<TaskResult, 'probability' | 'lower' | 'upper' | 'exact' | 'ci95'>): string {
  if (t.ci95) return `${hoverPercent(t.probability)} (95% CI [${hoverPercent(t.ci95[0])}, ${hoverPercent(t.ci95[1])}])`;
  if (t.exact) return `${hoverPercent(t.probability)} exact`;
  return `${hoverPercent(t.probability)} [${hoverPercent(t.lower)}, ${hoverPercent(t.upper)}]`;
}

/** The record's note line: which model measured it, and whether the run finished. */
function measuredNote(record: RunRecord): string {
  const status = record.status === 'complete' ? '' : ` — partial result (${record.status})`;
  return `Measured on ${modelText(record.model)}${record.simulated ? ' (simulated)' : ''} with ${record.method}${status}:`;
}

/**
 * The hover of the query line: each detected task's answer and, given a record of this exact
 * prompt, its measured probability with its interval, then `other`. A record of another prompt
 * is not used (a line says so).
 */
export function queryHover(mix: PromptMix, detection: Detection, record?: RunRecord): string[] {
  const lines = [`Query: ${mix.query}`];
  const measured = record !== undefined && record.input.prompt === mix.prompt ? record : undefined;
  if (record !== undefined && measured === undefined) lines.push('The last run measured another version of this prompt; analyze again for its numbers.');
  else if (measured === undefined) lines.push('Not measured yet: analyze to see how probable each answer is.');
  else lines.push(measuredNote(measured));
  for (const task of detection.tasks) {
    if (task.answer === undefined) {
      lines.push(`${task.id} → — (no answer for this query)`);
      continue;
    }
    const result = measured?.tasks.find((t) => t.id === task.id && t.answer === task.answer);
    const value = measured === undefined ? '' : result ? ` · ${estimateText(result)}` : ' · not measured';
    lines.push(`${task.id} → ${task.answer}${value}`);
  }
  if (measured) {
    const o = measured.other;
    const sampled = measured.method === 'sampling';
    lines.push(`other · ${estimateText({ ...o, exact: !sampled && o.upper - o.lower < 5e-5, ...(sampled ? { ci95: [o.lower, o.upper] as [number, number] } : {}) })}`);
  }
  return lines.map(escapeMarkdown);
}
