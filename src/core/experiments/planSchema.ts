// The plan schemas alone (zod only), so that code which only reads records — the webview — does
// not pull in the task library and the generator.
import * as z from 'zod/mini';

export const MethodSchema = z.enum(['auto', 'logprobs', 'sampling']);

export const ScalingPlanSchema = z.object({
  kind: z.literal('scaling'),
  /** Built-in task ids sharing one input family. */
  pool: z.array(z.string()),
  kMin: z.number(),
  kMax: z.number(),
  examplesPerTask: z.number(),
  promptsPerK: z.number(),
  seed: z.number(),
  models: z.array(z.string()),
  method: MethodSchema,
  /** Samples per unit with the sampling method. */
  samples: z.number(),
  /** A task "is carried" when its answer probability is at least this. */
  threshold: z.number(),
});

export const CalibrationPlanSchema = z.object({
  kind: z.literal('calibration'),
  /** 2 or 3 built-in task ids sharing one input family. */
  tasks: z.array(z.string()),
  /** Mixture points: one proportion per task (any positive scale). */
  proportions: z.array(z.array(z.number())),
  promptsPerPoint: z.number(),
  totalExamples: z.number(),
  seed: z.number(),
  models: z.array(z.string()),
  method: MethodSchema,
  samples: z.number(),
});

export const ExperimentPlanSchema = z.discriminatedUnion('kind', [ScalingPlanSchema, CalibrationPlanSchema]);

export type ScalingPlan = z.infer<typeof ScalingPlanSchema>;
export type CalibrationPlan = z.infer<typeof CalibrationPlanSchema>;
export type ExperimentPlan = z.infer<typeof ExperimentPlanSchema>;
export type ExperimentMethod = z.infer<typeof MethodSchema>;
