/**
 * The inline result after a prompt's query line: the leading answers of the last run with their
 * probabilities, e.g. `→ 140 42% · one hundred and forty 20% · cent quarante 12%`. Pure (no vscode).
 */
import type { RunRecord } from '../record';
import { isStale, percentText, shorten } from './lensText';

/** Answers shown at most. */
export const INLINE_MAX_ANSWERS = 3;
/** Longest answer shown (longer ones end with `…`). */
export const INLINE_ANSWER_CHARS = 24;

export interface InlineResult {
  text: string;
  /** The prompt in the editor is not the one the record measured (the text ends with `(stale)`). */
  stale: boolean;
}

export interface InlineOptions {
  maxAnswers?: number;
  maxAnswerChars?: number;
}

/**
 * The inline text for `record` shown on a document whose prompt is now `prompt`: answers by
 * probability, largest first (tasks with the same answer once), `(partial)` for a run that did
 * not finish, `(stale)` when the prompt changed. Undefined when the record has no task answers.
 */
export function inlineResult(record: Pick<RunRecord, 'tasks' | 'input' | 'status'>, prompt: string, options: InlineOptions = {}): InlineResult | undefined {
  const best = new Map<string, number>();
  for (const t of record.tasks) best.set(t.answer, Math.max(best.get(t.answer) ?? 0, t.probability));
  if (best.size === 0) return undefined;
  const answers = [...best].sort((a, b) => b[1] - a[1]).slice(0, options.maxAnswers ?? INLINE_MAX_ANSWERS);
  const stale = isStale(record, prompt);
  const notes = [record.status === 'complete' ? '' : ' (partial)', stale ? ' (stale)' : ''].join('');
  const parts = answers.map(([answer, p]) => `${shorten(answer, options.maxAnswerChars ?? INLINE_ANSWER_CHARS)} ${percentText(p)}`);
  return { text: `→ ${parts.join(' · ')}${notes}`, stale };
}
