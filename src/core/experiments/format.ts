import { csvCell } from '../exportFormats';
import type { ExperimentRecord } from './record';

/** The aggregates as CSV, one row per (model, K) or (model, mixture point). */
export function formatExperimentCsv(record: ExperimentRecord): string {
  const plan = record.plan;
  const lines: (string | number | null | undefined)[][] = [];
  if (plan.kind === 'scaling') {
    lines.push(['model', 'K', 'n', 'r_mean', 'r_lower', 'r_upper', 'task_mass', 'tasks_above_threshold', 'other']);
    for (const a of record.aggregates.scaling ?? []) lines.push([a.model, a.K, a.n, a.r?.mean, a.r?.lower, a.r?.upper, a.taskMass, a.aboveThreshold, a.other]);
  } else {
    lines.push(['model', 'point', ...plan.tasks.map((t) => `proportion_${t}`), 'n', ...plan.tasks.flatMap((t) => [`p_${t}`, `p_${t}_lower`, `p_${t}_upper`]), 'kl', 'kl_infinite', 'kl_normalized', 'kl_normalized_infinite']);
    for (const a of record.aggregates.calibration ?? []) {
      lines.push([a.model, a.point, ...a.proportions, a.n, ...a.tasks.flatMap((t) => [t.probability.mean, t.probability.lower, t.probability.upper]), a.kl.mean, a.kl.infinite, a.klNormalized.mean, a.klNormalized.infinite]);
    }
  }
  return `${lines.map((l) => l.map(csvCell).join(',')).join('\n')}\n`;
}
