import * as z from 'zod';
import type { PromptMix } from '../mix/types';
import { seededRng, shuffle } from '../random';
import { getTask } from '../tasks/builtin';
import type { Detection } from '../tasks/detect';
import { generateMix } from '../tasks/generate';

/**
 * Experiment plans (issue 4): task-count scaling (E[r] against K) and calibration sweeps
 * (answer probabilities against in-context proportions). A plan expands into a deterministic
 * list of measurement units — one prompt on one model — whose prompts depend only on the plan's
 * seed and the unit's coordinates, never on the models, hosts or concurrency.
 */

export {
  CalibrationPlanSchema,
  ExperimentPlanSchema,
  MethodSchema,
  ScalingPlanSchema,
  type CalibrationPlan,
  type ExperimentMethod,
  type ExperimentPlan,
  type ScalingPlan,
} from './planSchema';
import { MethodSchema, type CalibrationPlan, type ExperimentMethod, type ExperimentPlan, type ScalingPlan } from './planSchema';

/** What a caller gives: the required fields, defaults for the rest. */
export type ScalingPlanInput = Pick<ScalingPlan, 'pool' | 'kMax' | 'models'> & Partial<Omit<ScalingPlan, 'pool' | 'kMax' | 'models' | 'kind'>>;
export type CalibrationPlanInput = Pick<CalibrationPlan, 'tasks' | 'models'> & Partial<Omit<CalibrationPlan, 'tasks' | 'models' | 'kind'>>;

export const SCALING_DEFAULTS = { kMin: 1, examplesPerTask: 20, promptsPerK: 20, seed: 0, method: 'auto' as ExperimentMethod, samples: 200, threshold: 0.05 };
export const CALIBRATION_DEFAULTS = { promptsPerPoint: 20, examplesPerTask: 20, seed: 0, method: 'auto' as ExperimentMethod, samples: 200 };

export type PlanCheck<T> = { ok: true; plan: T } | { ok: false; errors: string[] };

export class PlanError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
    this.name = 'PlanError';
  }
}

/** One measurement: one generated prompt on one model. */
export interface MeasurementUnit {
  /** Stable across runs of the same plan, e.g. `scaling|m|K=3|p=7`; used to resume. */
  key: string;
  kind: 'scaling' | 'calibration';
  model: string;
  mix: PromptMix;
  detection: Detection;
  /** Seed of the prompt (also used as the sampling seed, so every model sees the same draws). */
  seed: number;
  meta: UnitMeta;
}

export interface UnitMeta {
  /** Tasks in the prompt (the pool order), K = tasks.length. */
  tasks: string[];
  K: number;
  /** Prompt index within its K (scaling) or its proportion point (calibration). */
  prompt: number;
  /** Calibration: index of the proportion point and its proportions (normalised). */
  point?: number;
  proportions?: number[];
}

/** 32-bit FNV-1a of the parts: a seed derived from coordinates, stable across platforms. */
export function deriveSeed(...parts: readonly (string | number)[]): number {
  const text = parts.join('|');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const isInt = (n: number) => Number.isInteger(n);
const METHODS: readonly string[] = MethodSchema.options;

function checkModels(models: readonly string[], errors: string[]) {
  if (models.length === 0) errors.push('Give at least one model.');
  if (models.some((m) => m.trim() === '')) errors.push('Model names must not be empty.');
  const dup = models.find((m, i) => models.indexOf(m) !== i);
  if (dup !== undefined) errors.push(`Model '${dup}' is listed twice.`);
}

function checkTasks(ids: readonly string[], what: string, errors: string[]) {
  const dup = ids.find((t, i) => ids.indexOf(t) !== i);
  if (dup !== undefined) errors.push(`Task '${dup}' is listed twice in the ${what}.`);
  const unknown = ids.filter((id) => !getTask(id));
  if (unknown.length > 0) errors.push(`Unknown task${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')} (see \`superposition tasks\`).`);
  const known = ids.map((id) => getTask(id)).filter((t) => t !== undefined);
  const first = known[0];
  const other = known.find((t) => t.family !== first?.family);
  if (first && other) errors.push(`Tasks must share one input format: '${first.id}' reads ${first.family} inputs but '${other.id}' reads ${other.family} inputs.`);
}

function checkCommon(plan: { seed: number; method: string; samples: number }, errors: string[]) {
  if (!isInt(plan.seed)) errors.push(`The seed must be an integer, not ${plan.seed}.`);
  if (!METHODS.includes(plan.method)) errors.push(`The method must be auto, logprobs or sampling, not '${plan.method}'.`);
  if (!isInt(plan.samples) || plan.samples < 1) errors.push(`Samples must be a positive integer, not ${plan.samples}.`);
}

/** Fills the defaults and checks a scaling plan; never throws. */
export function validateScalingPlan(input: ScalingPlanInput): PlanCheck<ScalingPlan> {
  const plan: ScalingPlan = { kind: 'scaling', ...SCALING_DEFAULTS, ...stripUndefined(input), kMax: input.kMax, pool: [...input.pool], models: [...input.models] };
  const errors: string[] = [];
  if (plan.pool.length === 0) errors.push('The task pool is empty.');
  checkTasks(plan.pool, 'pool', errors);
  checkModels(plan.models, errors);
  checkCommon(plan, errors);
  if (!isInt(plan.kMin) || plan.kMin < 1) errors.push(`kMin must be an integer ≥ 1, not ${plan.kMin}.`);
  if (!isInt(plan.kMax) || plan.kMax < plan.kMin) errors.push(`kMax must be an integer ≥ kMin (${plan.kMin}), not ${plan.kMax}.`);
  else if (plan.kMax > plan.pool.length) errors.push(`kMax (${plan.kMax}) is larger than the task pool (${plan.pool.length} tasks).`);
  if (!isInt(plan.examplesPerTask) || plan.examplesPerTask < 1) errors.push(`Examples per task must be an integer ≥ 1, not ${plan.examplesPerTask}.`);
  else if (plan.examplesPerTask * plan.kMin < 2) errors.push('A prompt needs at least 2 examples: raise the examples per task or kMin.');
  else if (plan.examplesPerTask * plan.kMax > 5000) errors.push('At most 5000 examples per prompt.');
  if (!isInt(plan.promptsPerK) || plan.promptsPerK < 1) errors.push(`Prompts per K must be an integer ≥ 1, not ${plan.promptsPerK}.`);
  if (!(plan.threshold >= 0 && plan.threshold <= 1)) errors.push(`The threshold must be in [0, 1], not ${plan.threshold}.`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, plan };
}

/** Default mixture points: task 1's share q = 0, 0.1, …, 1, the rest split evenly. */
export function defaultProportions(taskCount: number): number[][] {
  return Array.from({ length: 11 }, (_, i) => {
    const q = i / 10;
    return [q, ...Array.from({ length: taskCount - 1 }, () => roundShare((1 - q) / (taskCount - 1)))];
  });
}

function roundShare(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}

/** Fills the defaults and checks a calibration plan; never throws. */
export function validateCalibrationPlan(input: CalibrationPlanInput): PlanCheck<CalibrationPlan> {
  const tasks = [...input.tasks];
  const plan: CalibrationPlan = {
    kind: 'calibration',
    promptsPerPoint: CALIBRATION_DEFAULTS.promptsPerPoint,
    seed: CALIBRATION_DEFAULTS.seed,
    method: CALIBRATION_DEFAULTS.method,
    samples: CALIBRATION_DEFAULTS.samples,
    totalExamples: CALIBRATION_DEFAULTS.examplesPerTask * tasks.length,
    proportions: defaultProportions(Math.max(tasks.length, 2)),
    ...stripUndefined(input),
    tasks,
    models: [...input.models],
  };
  const errors: string[] = [];
  if (tasks.length < 2 || tasks.length > 3) errors.push(`Calibration takes 2 or 3 tasks, not ${tasks.length}.`);
  checkTasks(tasks, 'task list', errors);
  checkModels(plan.models, errors);
  checkCommon(plan, errors);
  if (plan.proportions.length === 0) errors.push('Give at least one mixture point.');
  plan.proportions.forEach((point, i) => {
    if (point.length !== tasks.length) errors.push(`Mixture point ${i + 1} has ${point.length} proportion${point.length === 1 ? '' : 's'}; give one per task (${tasks.length}).`);
    else if (point.some((p) => !Number.isFinite(p) || p < 0)) errors.push(`Mixture point ${i + 1}: proportions must be non-negative numbers.`);
    else if (point.reduce((a, b) => a + b, 0) <= 0) errors.push(`Mixture point ${i + 1}: at least one proportion must be positive.`);
  });
  if (!isInt(plan.promptsPerPoint) || plan.promptsPerPoint < 1) errors.push(`Prompts per point must be an integer ≥ 1, not ${plan.promptsPerPoint}.`);
  if (!isInt(plan.totalExamples) || plan.totalExamples < 2 || plan.totalExamples > 5000) errors.push(`Total examples must be an integer in [2, 5000], not ${plan.totalExamples}.`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, plan };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The Detection of a generated mix, built from the generator's own bookkeeping (no re-detection). */
export function generatedDetection(mix: PromptMix, taskIds: readonly string[], counts: readonly number[], answers: readonly string[]): Detection {
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    tasks: taskIds.map((id, i) => {
      const count = counts[i] ?? 0;
      return { id, label: getTask(id)?.label ?? id, custom: false, count, share: total > 0 ? count / total : 0, answer: answers[i] };
    }),
    matches: mix.examples.map((e) => ({ line: e.line, tasks: e.task !== undefined ? [e.task] : [] })),
    diagnostics: [],
  };
}

interface Prompt {
  mix: PromptMix;
  detection: Detection;
  seed: number;
  meta: UnitMeta;
}

function generate(tasks: readonly string[], options: { perTask?: number; proportions?: number[]; total?: number }, seed: number, where: string): Omit<Prompt, 'meta'> {
  const generated = generateMix({ tasks, seed, ...options });
  if (!generated.mix || !generated.counts || !generated.answers) {
    throw new PlanError([`${where}: ${generated.diagnostics.map((d) => d.message).join(' ') || 'could not generate a prompt.'}`]);
  }
  return { mix: generated.mix, detection: generatedDetection(generated.mix, tasks, generated.counts, generated.answers), seed };
}

function unitsFor(kind: 'scaling' | 'calibration', models: readonly string[], prompts: readonly Prompt[], key: (p: Prompt) => string): MeasurementUnit[] {
  // Model-major order: a server keeps one model loaded for a whole stretch of units.
  return models.flatMap((model) => prompts.map((p) => ({ key: `${kind}|${model}|${key(p)}`, kind, model, mix: p.mix, detection: p.detection, seed: p.seed, meta: p.meta })));
}

/**
 * The units of a scaling plan: for each K and prompt index p, K tasks drawn from the pool with a
 * seed derived from (seed, K, p), the prompt generated with another derived seed; the same
 * prompts for every model. Throws PlanError when the plan is invalid or a prompt cannot be drawn.
 */
export function expandScaling(input: ScalingPlanInput): MeasurementUnit[] {
  const checked = validateScalingPlan(input);
  if (!checked.ok) throw new PlanError(checked.errors);
  const plan = checked.plan;
  const prompts: Prompt[] = [];
  for (let K = plan.kMin; K <= plan.kMax; K++) {
    for (let p = 0; p < plan.promptsPerK; p++) {
      const chosen = new Set(shuffle(seededRng(deriveSeed(plan.seed, 'scaling-tasks', K, p)), [...plan.pool]).slice(0, K));
      const tasks = plan.pool.filter((t) => chosen.has(t));
      const seed = deriveSeed(plan.seed, 'scaling-mix', K, p);
      const g = generate(tasks, { perTask: plan.examplesPerTask }, seed, `K=${K}, prompt ${p + 1}`);
      prompts.push({ ...g, meta: { tasks, K, prompt: p } });
    }
  }
  return unitsFor('scaling', plan.models, prompts, (p) => `K=${p.meta.K}|p=${p.meta.prompt}`);
}

/** The units of a calibration plan: promptsPerPoint prompts per mixture point, the same for every model. */
export function expandCalibration(input: CalibrationPlanInput): MeasurementUnit[] {
  const checked = validateCalibrationPlan(input);
  if (!checked.ok) throw new PlanError(checked.errors);
  const plan = checked.plan;
  const prompts: Prompt[] = [];
  plan.proportions.forEach((point, q) => {
    const sum = point.reduce((a, b) => a + b, 0);
    const proportions = point.map((x) => x / sum);
    for (let p = 0; p < plan.promptsPerPoint; p++) {
      const seed = deriveSeed(plan.seed, 'calibration-mix', q, p);
      const g = generate(plan.tasks, { proportions, total: plan.totalExamples }, seed, `mixture point ${q + 1}, prompt ${p + 1}`);
      prompts.push({ ...g, meta: { tasks: [...plan.tasks], K: plan.tasks.length, prompt: p, point: q, proportions } });
    }
  });
  return unitsFor('calibration', plan.models, prompts, (p) => `q=${p.meta.point ?? 0}|p=${p.meta.prompt}`);
}

/** Either kind. */
export function expandPlan(plan: ExperimentPlan): MeasurementUnit[] {
  return plan.kind === 'scaling' ? expandScaling(plan) : expandCalibration(plan);
}
