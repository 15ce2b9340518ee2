import { meanInterval } from '../estimate/stats';
import type { CalibrationPlan, ScalingPlan } from './plan';
import type { CalibrationAggregate, ScalingAggregate, UnitResult } from './record';

const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Complete units only; models in plan order. */
function completeOf(results: readonly UnitResult[], models: readonly string[]): UnitResult[] {
  const rank = (m: string) => {
    const i = models.indexOf(m);
    return i < 0 ? models.length : i;
  };
  return results.filter((r) => r.status === 'complete').sort((a, b) => rank(a.model) - rank(b.model) || a.model.localeCompare(b.model));
}

/** Per (model, K): E[r] with a 95% interval, mean task mass, mean tasks ≥ threshold, mean other. */
export function aggregateScaling(results: readonly UnitResult[], plan: Pick<ScalingPlan, 'models' | 'threshold'>): ScalingAggregate[] {
  const complete = completeOf(results, plan.models);
  const groups = groupBy(complete, (r) => `${r.model}\u0000${r.K}`);
  const rows: ScalingAggregate[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const rs = group.map((u) => u.r).filter((r): r is number => r !== null);
    rows.push({
      model: first.model,
      K: first.K,
      n: group.length,
      r: rs.length > 0 ? meanInterval(rs) : null,
      taskMass: mean(group.map((u) => u.taskMass)),
      aboveThreshold: mean(group.map((u) => u.tasks.filter((t) => t.probability >= plan.threshold).length)),
      other: mean(group.map((u) => u.other)),
    });
  }
  const rank = (m: string) => plan.models.indexOf(m);
  return rows.sort((a, b) => rank(a.model) - rank(b.model) || a.K - b.K);
}

function klSummary(values: readonly (number | null)[]) {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return { mean: finite.length > 0 ? mean(finite) : null, finite: finite.length, infinite: values.length - finite.length };
}

/**
 * Per (model, mixture point): mean probability of each task's answer with a 95% interval, the
 * mean realised shares, and the mean KL (unnormalised and normalised) over the prompts whose KL
 * is finite, with the number of infinite ones (a task answer with probability 0).
 */
export function aggregateCalibration(results: readonly UnitResult[], plan: Pick<CalibrationPlan, 'models' | 'tasks' | 'proportions'>): CalibrationAggregate[] {
  const complete = completeOf(results, plan.models);
  const groups = groupBy(complete, (r) => `${r.model}\u0000${r.point ?? 0}`);
  const rows: CalibrationAggregate[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const point = first.point ?? 0;
    const raw = plan.proportions[point] ?? [];
    const sum = raw.reduce((a, b) => a + b, 0);
    const taskOf = (u: UnitResult, id: string) => u.tasks.find((t) => t.id === id);
    rows.push({
      model: first.model,
      point,
      proportions: raw.map((x) => (sum > 0 ? x / sum : 0)),
      shares: plan.tasks.map((id) => mean(group.map((u) => taskOf(u, id)?.share ?? 0))),
      n: group.length,
      tasks: plan.tasks.map((id) => ({ id, probability: meanInterval(group.map((u) => taskOf(u, id)?.probability ?? 0)) })),
      kl: klSummary(group.map((u) => u.kl)),
      klNormalized: klSummary(group.map((u) => u.klNormalized)),
    });
  }
  const rank = (m: string) => plan.models.indexOf(m);
  return rows.sort((a, b) => rank(a.model) - rank(b.model) || a.point - b.point);
}

/** Per model, over all its mixture points: mean KL (the bar chart) — finite values only, infinities counted. */
export function calibrationByModel(results: readonly UnitResult[], models: readonly string[]): { model: string; n: number; kl: ReturnType<typeof klSummary>; klNormalized: ReturnType<typeof klSummary> }[] {
  const complete = completeOf(results, models);
  return [...groupBy(complete, (r) => r.model).values()].map((group) => ({
    model: group[0]!.model,
    n: group.length,
    kl: klSummary(group.map((u) => u.kl)),
    klNormalized: klSummary(group.map((u) => u.klNormalized)),
  }));
}
