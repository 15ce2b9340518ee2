/**
 * The CodeLens line above a prompt: before any run, the detected tasks and their shares of the
 * examples; after a run, each task's measured probability, `other`, the model and how long ago.
 * Pure strings (no vscode), also the small formatting helpers the hover and inline result share.
 *
 * Decisions: percentages are whole numbers (`<1%` / `>99%` at the ends), the lens shows at most
 * LENS_MAX_TASKS tasks, then `+N` (after a run with the hidden tasks' total, `+2 tasks 9%`).
 * Intervals (`42% (40–45%)`) appear only for tasks whose rounded bounds differ, and only when the
 * whole lens with them stays within LENS_MAX_CHARS; otherwise no task shows one (the hover has them).
 */
import type { RunRecord, TaskResult } from '../record';
import type { Detection } from '../tasks/detect';

/** Tasks named on the lens before `+N`. */
export const LENS_MAX_TASKS = 4;
/** Longest lens that still gets intervals. */
export const LENS_MAX_CHARS = 100;
/** Longest task label on the lens. */
const LABEL_MAX = 20;

/** A probability as a whole percentage: `42%`, `<1%` for a little above 0, `>99%` for a little below 1. */
export function percentText(p: number): string {
  if (!Number.isFinite(p)) return '–';
  const clamped = Math.max(0, Math.min(1, p));
  const rounded = Math.round(clamped * 100);
  if (rounded === 0 && clamped > 0) return '<1%';
  if (rounded === 100 && clamped < 1) return '>99%';
  return `${rounded}%`;
}

/** Text cut to `max` characters with `…`, control characters shown as spaces. */
export function shorten(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  const chars = [...clean];
  return chars.length <= max ? clean : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** The model as people write it: without `:latest`. */
export function modelText(model: string): string {
  return model.replace(/:latest$/, '');
}

/**
 * Short task labels: the part after the family prefix (`sum.digits` → `digits`), except where two
 * tasks would then read the same (those keep their ids).
 */
export function shortTaskLabels(ids: readonly string[]): Map<string, string> {
  const short = (id: string) => id.slice(id.indexOf('.') + 1) || id;
  const uses = new Map<string, number>();
  for (const id of new Set(ids)) for (const text of new Set([short(id), id])) uses.set(text, (uses.get(text) ?? 0) + 1);
  return new Map(ids.map((id) => [id, shorten((uses.get(short(id)) ?? 0) > 1 ? id : short(id), LABEL_MAX)]));
}

function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** How long ago: `just now` (< 10 s), `N s ago`, `N min ago`, `N h ago`, `yesterday` (< 48 h), then the local date. */
export function relativeTime(then: Date | string | number, now: Date | number): string {
  const at = new Date(then);
  const seconds = (new Date(now).getTime() - at.getTime()) / 1000;
  if (!Number.isFinite(seconds)) return 'some time ago';
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${Math.floor(seconds)} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  if (seconds < 2 * 86_400) return 'yesterday';
  return localDate(at);
}

function countText(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** Stable sort by a number, largest first. */
function byDescending<T>(items: readonly T[], value: (item: T) => number): T[] {
  return items.map((item, i) => ({ item, i })).sort((a, b) => value(b.item) - value(a.item) || a.i - b.i).map((x) => x.item);
}

/** Before any run: `▷ Analyze · 4 tasks · sum.digits 25% · sum.en 25% · …` (shares of the examples, largest first). */
export function lensBeforeRun(detection: Pick<Detection, 'tasks'>, maxTasks = LENS_MAX_TASKS): string {
  const tasks = byDescending(detection.tasks, (t) => t.share);
  if (tasks.length === 0) return '▷ Analyze · no task detected';
  const shown = tasks.slice(0, maxTasks).map((t) => `${shorten(t.id, LABEL_MAX)} ${percentText(t.share)}`);
  if (tasks.length > maxTasks) shown.push(`+${tasks.length - maxTasks}`);
  return ['▷ Analyze', countText(tasks.length, 'task'), ...shown].join(' · ');
}

/** Whether a record was measured on another prompt than `prompt` (false when no prompt is given). */
export function isStale(record: Pick<RunRecord, 'input'>, prompt: string | undefined): boolean {
  return prompt !== undefined && prompt !== record.input.prompt;
}

export interface LensAfterOptions {
  now: Date | number;
  /** The prompt in the editor now; when it differs from the record's, the lens says so. */
  prompt?: string;
  maxTasks?: number;
  maxChars?: number;
}

type LensRecord = Pick<RunRecord, 'tasks' | 'other' | 'model' | 'createdAt' | 'status' | 'input' | 'simulated'>;

/** A task's value on the lens, with its interval when asked and visible at whole percents. */
function valueText(t: Pick<TaskResult, 'probability' | 'lower' | 'upper' | 'exact'>, withInterval: boolean): string {
  const point = percentText(t.probability);
  const lo = percentText(t.lower);
  const hi = percentText(t.upper);
  return withInterval && !t.exact && lo !== hi ? `${point} (${lo.replace(/%$/, '')}–${hi})` : point;
}

/** What the lens says before the numbers: `last`, with the record's status and staleness. */
function lensPrefix(record: LensRecord, prompt: string | undefined): string {
  const notes = [record.status === 'complete' ? undefined : record.status, isStale(record, prompt) ? 'prompt changed since' : undefined].filter((n) => n !== undefined);
  return notes.length === 0 ? 'last:' : `last (${notes.join(', ')}):`;
}

/**
 * After a run: `last: digits 42% · en 20% · fr 12% · es 9% · other 17% — gemma3:270m · 2 min ago`
 * (tasks by probability, largest first); `last (prompt changed since): …` when the prompt differs.
 */
export function lensAfterRun(record: LensRecord, options: LensAfterOptions): string {
  const maxTasks = options.maxTasks ?? LENS_MAX_TASKS;
  const labels = shortTaskLabels(record.tasks.map((t) => t.id));
  const tasks = byDescending(record.tasks, (t) => t.probability);
  const hidden = tasks.slice(maxTasks);
  const tail = `${modelText(record.model)}${record.simulated ? ' (simulated)' : ''} · ${relativeTime(record.createdAt, options.now)}`;
  const build = (withIntervals: boolean) => {
    const parts = tasks.slice(0, maxTasks).map((t) => `${labels.get(t.id)} ${valueText(t, withIntervals)}`);
    if (hidden.length > 0) parts.push(`+${countText(hidden.length, 'task')} ${percentText(hidden.reduce((a, t) => a + t.probability, 0))}`);
    parts.push(`other ${percentText(record.other.probability)}`);
    return `${lensPrefix(record, options.prompt)} ${parts.join(' · ')} — ${tail}`;
  };
  const full = build(true);
  return full.length <= (options.maxChars ?? LENS_MAX_CHARS) ? full : build(false);
}
