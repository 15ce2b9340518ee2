/** Small pieces of the live suite and the real-model bench: intervals, prompts, experiments. */
import { aggregateCalibration, aggregateScaling } from '../../src/core/experiments/aggregate';
import { expandCalibration, expandScaling, validateCalibrationPlan, validateScalingPlan } from '../../src/core/experiments/plan';
import { runExperiment } from '../../src/core/experiments/runner';
import { OllamaClient } from '../../src/core/ollama/client';
import type { GenerateResult, GenerateSpec } from '../../src/core/ollama/types';

/** Two-sided normal quantile by bisection on erf (no table): z with P(|Z| ≤ z) = 1 − alpha. */
export function normalQuantile(alpha: number): number {
  const erf = (x: number): number => {
    // Abramowitz–Stegun 7.1.26 is too coarse for tails; integrate the density instead.
    const n = 2000;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const t = ((i + 0.5) / n) * x;
      s += Math.exp(-t * t);
    }
    return ((2 / Math.sqrt(Math.PI)) * s * x) / n;
  };
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (erf(mid / Math.SQRT2) < 1 - alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Wilson interval for k of n at a family-wise 95% level over `family` comparisons (Bonferroni). */
export function familyWilson(k: number, n: number, family: number): [number, number] {
  const z = normalQuantile(0.05 / Math.max(1, family));
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** A prompt in the paper's text format: `input->output` lines, then the query. */
export function mixFromPairs(pairs: ReadonlyArray<readonly [string, string]>, query: string): string {
  return `${pairs.map(([i, o]) => `${i}->${o}`).join('\n')}\n${query}->\n`;
}

/** The small experiments of the live suite (and the README's real result, at a larger size). */
export async function runLiveExperiments(client: OllamaClient, model: string, size: { promptsPerK?: number; promptsPerPoint?: number } = {}) {
  const scalingCheck = validateScalingPlan({ pool: ['sum.digits', 'sum.en', 'sum.fr'], kMin: 1, kMax: 3, examplesPerTask: 5, promptsPerK: size.promptsPerK ?? 1, seed: 11, models: [model], method: 'logprobs' });
  if (!scalingCheck.ok) throw new Error(scalingCheck.errors.join('; '));
  const calibrationCheck = validateCalibrationPlan({ tasks: ['sum.digits', 'sum.en'], proportions: [[0.25, 0.75], [0.5, 0.5], [0.75, 0.25]], promptsPerPoint: size.promptsPerPoint ?? 1, totalExamples: 12, seed: 12, models: [model], method: 'logprobs' });
  if (!calibrationCheck.ok) throw new Error(calibrationCheck.errors.join('; '));
  const scalingRun = await runExperiment(expandScaling(scalingCheck.plan), { clients: [client], analyzeOptions: { concurrency: 2 } });
  const calibrationRun = await runExperiment(expandCalibration(calibrationCheck.plan), { clients: [client], analyzeOptions: { concurrency: 2 } });
  return {
    scaling: { plan: scalingCheck.plan, run: scalingRun, aggregates: aggregateScaling(scalingRun.results, scalingCheck.plan) },
    calibration: { plan: calibrationCheck.plan, run: calibrationRun, aggregates: aggregateCalibration(calibrationRun.results, calibrationCheck.plan) },
  };
}

/** A client that keeps every generate reply's counters (prompt cache figures). */
export class CountingClient extends OllamaClient {
  readonly replies: GenerateResult[] = [];
  override async generate(spec: GenerateSpec, signal?: AbortSignal): Promise<GenerateResult> {
    const result = await super.generate(spec, signal);
    this.replies.push(result);
    return result;
  }
}
