import type { ExperimentPlan, MeasurementUnit } from './plan';
import { formatSeconds } from '../duration';

export { formatSeconds };

/** Seconds per request assumed before anything is measured (a small model on a local CPU). */
export const ASSUMED_SECONDS_PER_REQUEST = 0.7;

export interface PlanSize {
  prompts: number;
  models: number;
  units: number;
  /** Rough: teacher forcing ≈ one request per answer byte plus the completions' beam; sampling = samples. */
  requests: number;
  seconds: number;
}

function unitRequests(unit: MeasurementUnit, plan: Pick<ExperimentPlan, 'method' | 'samples'>): number {
  if (plan.method === 'sampling') return plan.samples;
  const answers = unit.detection.tasks.map((t) => t.answer ?? '');
  const prefixes = new Set(answers.flatMap((a) => Array.from({ length: new TextEncoder().encode(a).length }, (_, i) => a.slice(0, i))));
  return prefixes.size + 3 * answers.length;
}

/** How big a plan is before it runs: prompts × models = measurements ≈ requests ≈ time. */
export function planSize(plan: ExperimentPlan, units: readonly MeasurementUnit[]): PlanSize {
  const requests = units.reduce((sum, u) => sum + unitRequests(u, plan), 0);
  return { prompts: units.length / Math.max(1, plan.models.length), models: plan.models.length, units: units.length, requests, seconds: requests * ASSUMED_SECONDS_PER_REQUEST };
}

/**
 * The rest of a plan from one measured prompt: each unit's structural request estimate scaled by
 * what the probe actually needed (so a larger K costs more), its time per request, and the
 * requests shared over `parallel` (hosts × units in flight per host — an upper bound of the speed-up:
 * a server with fewer parallel slots queues them).
 */
export function probeEstimate(
  probe: { unit: MeasurementUnit; requests: number; durationMs: number },
  rest: readonly MeasurementUnit[],
  plan: Pick<ExperimentPlan, 'method' | 'samples'>,
  parallel: number,
): { requests: number; seconds: number } {
  const ratio = probe.requests / Math.max(1, unitRequests(probe.unit, plan));
  const later = rest.reduce((sum, u) => sum + unitRequests(u, plan) * ratio, 0);
  const secondsPerRequest = probe.durationMs / 1000 / Math.max(1, probe.requests);
  return { requests: Math.round(probe.requests + later), seconds: (later * secondsPerRequest) / Math.max(1, parallel) };
}

/** "40 prompts × 2 models = 80 measurements ≈ 1 900 requests ≈ 22 min (at 0.7 s a request)". */
export function planSizeText(size: PlanSize): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US').replace(/,/g, ' ');
  return `${n(size.prompts)} prompts × ${size.models} model${size.models === 1 ? '' : 's'} = ${n(size.units)} measurements ≈ ${n(size.requests)} requests ≈ ${formatSeconds(size.seconds)} (at ${ASSUMED_SECONDS_PER_REQUEST} s a request; the first prompt is measured to refine it)`;
}
