import * as z from 'zod/mini';
import { parseVersioned, RunErrorSchema, RunStatusSchema } from '../record';
import { aggregateCalibration, aggregateScaling } from './aggregate';
import { ExperimentPlanSchema, type ExperimentPlan } from './planSchema';
import type { ExperimentRun } from './runner';

export const EXPERIMENT_SCHEMA_VERSION = 1;

const IntervalSchema = z.object({ mean: z.number(), lower: z.number(), upper: z.number() });

/** One unit's measurement, compact: what the aggregates and charts need, not the whole run record. */
export const UnitResultSchema = z.object({
  key: z.string(),
  model: z.string(),
  status: RunStatusSchema,
  error: z.optional(RunErrorSchema),
  /** Tasks in the prompt; K = tasks.length. */
  K: z.number(),
  prompt: z.number(),
  point: z.optional(z.number()),
  tasks: z.array(
    z.object({
      id: z.string(),
      answer: z.string(),
      /** In-context share (realised count fraction). */
      share: z.number(),
      probability: z.number(),
      lower: z.number(),
      upper: z.number(),
    }),
  ),
  r: z.nullable(z.number()),
  other: z.number(),
  taskMass: z.number(),
  /** KL(shares ‖ p), unnormalised and normalised; null when infinite (some p_i = 0) or not measured. */
  kl: z.nullable(z.number()),
  klNormalized: z.nullable(z.number()),
  method: z.enum(['logprobs', 'sampling']),
  modelDigest: z.optional(z.string()),
  requests: z.number(),
});

export const ScalingAggregateSchema = z.object({
  model: z.string(),
  K: z.number(),
  n: z.number(),
  /** E[r] with a 95% interval; null when no unit had completions. */
  r: z.nullable(IntervalSchema),
  taskMass: z.number(),
  /** Mean number of tasks with probability ≥ the plan's threshold. */
  aboveThreshold: z.number(),
  other: z.number(),
});

export const CalibrationAggregateSchema = z.object({
  model: z.string(),
  point: z.number(),
  /** The plan's proportions (normalised) and the mean realised shares. */
  proportions: z.array(z.number()),
  shares: z.array(z.number()),
  n: z.number(),
  tasks: z.array(z.object({ id: z.string(), probability: IntervalSchema })),
  /** Mean over the finite values; `infinite` counts the prompts whose KL was infinite. */
  kl: z.object({ mean: z.nullable(z.number()), finite: z.number(), infinite: z.number() }),
  klNormalized: z.object({ mean: z.nullable(z.number()), finite: z.number(), infinite: z.number() }),
});

export const ExperimentAggregatesSchema = z.object({
  scaling: z.optional(z.array(ScalingAggregateSchema)),
  calibration: z.optional(z.array(CalibrationAggregateSchema)),
});

export const ExperimentRecordSchema = z.object({
  schemaVersion: z.literal(EXPERIMENT_SCHEMA_VERSION),
  kind: z.enum(['scaling', 'calibration']),
  id: z.string(),
  createdAt: z.string(),
  status: RunStatusSchema,
  error: z.optional(RunErrorSchema),
  plan: ExperimentPlanSchema,
  hosts: z.array(z.object({ host: z.string(), version: z.optional(z.string()) })),
  models: z.array(z.object({ name: z.string(), digest: z.optional(z.string()) })),
  /** Units planned in total; `units` holds the finished ones (complete or failed). */
  unitCount: z.number(),
  units: z.array(UnitResultSchema),
  aggregates: ExperimentAggregatesSchema,
  requests: z.number(),
  durationMs: z.number(),
});

export type UnitResult = z.infer<typeof UnitResultSchema>;
export type ScalingAggregate = z.infer<typeof ScalingAggregateSchema>;
export type CalibrationAggregate = z.infer<typeof CalibrationAggregateSchema>;
export type ExperimentAggregates = z.infer<typeof ExperimentAggregatesSchema>;
export type ExperimentRecord = z.infer<typeof ExperimentRecordSchema>;

/** Reads an experiment record from JSON text; never throws. */
export function parseExperimentRecord(text: string): { record?: ExperimentRecord; error?: string } {
  const parsed = parseVersioned(text, ExperimentRecordSchema, EXPERIMENT_SCHEMA_VERSION, 'an experiment record');
  const record = parsed.record;
  if (!record) return parsed;
  if (record.plan.kind !== record.kind) return { error: `not an experiment record: kind '${record.kind}' but a ${record.plan.kind} plan` };
  return { record };
}

/** The finished measurements of a record, to pass as `previous` when resuming (only complete units are reused). */
export function resumeFrom(record: ExperimentRecord): Map<string, UnitResult> {
  return new Map(record.units.filter((u) => u.status === 'complete').map((u) => [u.key, u]));
}

/** A new experiment id: the creation time, compact, and a random suffix. */
export function newExperimentId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * The record of a run (or of a resumed run: pass the earlier record as `resumed` to keep its id,
 * creation time, host and model lists and to add up durations).
 */
export function buildExperimentRecord(
  plan: ExperimentPlan,
  run: ExperimentRun,
  options: { unitCount: number; resumed?: ExperimentRecord; id?: string; createdAt?: string },
): ExperimentRecord {
  const hosts = new Map<string, string | undefined>();
  for (const h of [...(options.resumed?.hosts ?? []), ...run.hosts]) if (!hosts.has(h.host) || h.version) hosts.set(h.host, h.version ?? hosts.get(h.host));
  const digests = new Map<string, string | undefined>();
  for (const m of [...(options.resumed?.models ?? []), ...run.models]) if (!digests.has(m.name) || m.digest) digests.set(m.name, m.digest ?? digests.get(m.name));
  const aggregates: ExperimentAggregates =
    plan.kind === 'scaling' ? { scaling: aggregateScaling(run.results, plan) } : { calibration: aggregateCalibration(run.results, plan) };
  return {
    schemaVersion: EXPERIMENT_SCHEMA_VERSION,
    kind: plan.kind,
    id: options.id ?? options.resumed?.id ?? newExperimentId(),
    createdAt: options.createdAt ?? options.resumed?.createdAt ?? new Date(Date.now() - run.durationMs).toISOString(),
    status: run.status,
    ...(run.error ? { error: run.error } : {}),
    plan,
    hosts: [...hosts].map(([host, version]) => (version ? { host, version } : { host })),
    models: [...digests].map(([name, digest]) => (digest ? { name, digest } : { name })),
    unitCount: options.unitCount,
    units: run.results,
    aggregates,
    // Reused units' requests are already in run.requests.
    requests: run.requests,
    durationMs: (options.resumed?.durationMs ?? 0) + run.durationMs,
  };
}
