import type { RunSummary } from '../../core/history';

/** "sum.digits, sum.en" for two tasks; "4 word tasks" when more share a family. */
export function tasksSummary(tasks: readonly string[]): string {
  if (tasks.length <= 2) return tasks.join(', ');
  const families = new Set(tasks.map((t) => t.split('.')[0]));
  return families.size === 1 ? `${tasks.length} ${[...families][0]} tasks` : `${tasks.length} tasks`;
}

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/**
 * A history row leads with what tells runs apart — the prompt's file (or, without one, its task
 * set) and the headline result — and leaves the model and the time to the description, so rows
 * stay distinct in a narrow sidebar. Pure (no vscode), unit-tested.
 */
export function runRowText(run: Pick<RunSummary, 'kind' | 'model' | 'tasks' | 'headline' | 'source' | 'createdAt' | 'simulated'>, time = new Date(run.createdAt).toLocaleTimeString()): { label: string; description: string } {
  const models = run.model
    .split(', ')
    .map((m) => m.replace(/:latest$/, ''))
    .join(', ');
  const what = run.kind === 'analysis' ? (run.source ? fileName(run.source) : tasksSummary(run.tasks)) : `${run.kind} · ${tasksSummary(run.tasks)}`;
  return { label: `${what} · ${run.headline}`, description: `${models} · ${time}${run.simulated ? ' · simulated' : ''}` };
}
