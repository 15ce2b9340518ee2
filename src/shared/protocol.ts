/**
 * The one message protocol between the extension host and the results webview. Both sides
 * validate what they receive with these schemas and drop anything else.
 */
import * as z from 'zod/mini';
import { CalibrationAggregateSchema, ExperimentRecordSchema, ScalingAggregateSchema, UnitResultSchema, type ExperimentRecord } from '../core/experiments/record';
import { RunRecordSchema, type RunRecord } from '../core/record';

/** What the panel shows: one run, two runs side by side, or a run still being measured. */
export const ViewStateSchema = z.object({
  /** Run ids shown (one, or two when comparing); kept by the webview for panel restore. */
  runIds: z.array(z.string()).check(z.maxLength(2)),
});
export type ViewState = z.infer<typeof ViewStateSchema>;

const ProgressSchema = z.object({
  message: z.string(),
  done: z.optional(z.number()),
  total: z.optional(z.number()),
});

/** What changed in a running experiment since the last post (see core/experiments/progress.ts). */
export const ExperimentDeltaSchema = z.object({
  runId: z.string(),
  units: z.array(UnitResultSchema),
  scaling: z.array(ScalingAggregateSchema),
  calibration: z.array(CalibrationAggregateSchema),
  done: z.number(),
  total: z.number(),
  requests: z.number(),
  durationMs: z.number(),
  etaSeconds: z.optional(z.number()),
});

export type ExperimentDelta = z.infer<typeof ExperimentDeltaSchema>;

export const ToWebviewSchema = z.discriminatedUnion('type', [
  /** Show a run (complete, failed, cancelled, or partial while `running`). */
  z.object({
    type: z.literal('showRun'),
    record: RunRecordSchema,
    running: z.boolean(),
    /** True when the model is the Ollama test double (a scripted, simulated model). */
    simulated: z.boolean(),
  }),
  /** Two runs side by side. */
  z.object({
    type: z.literal('showComparison'),
    left: RunRecordSchema,
    right: RunRecordSchema,
    simulated: z.boolean(),
  }),
  /** A scaling or calibration experiment (live while `running`: units arrive one by one). */
  z.object({
    type: z.literal('showExperiment'),
    record: ExperimentRecordSchema,
    running: z.boolean(),
    simulated: z.boolean(),
  }),
  /** A running experiment's new units and changed rows (the panel already shows its record). */
  z.object({ type: z.literal('experimentProgress'), delta: ExperimentDeltaSchema }),
  /** Cancel was asked: nothing more is scheduled; units in flight are stopping. */
  z.object({ type: z.literal('experimentCancelling'), runId: z.string() }),
  /** Two experiments of the same kind on one chart (e.g. two scaling runs). */
  z.object({
    type: z.literal('showExperimentComparison'),
    left: ExperimentRecordSchema,
    right: ExperimentRecordSchema,
    simulated: z.boolean(),
  }),
  z.object({ type: z.literal('progress'), progress: ProgressSchema }),
  /** An error to show in the panel (e.g. a run file that cannot be read). */
  z.object({ type: z.literal('error'), message: z.string(), nextStep: z.optional(z.string()) }),
]);
export type ToWebview = z.infer<typeof ToWebviewSchema>;

export const ExportFormatSchema = z.enum(['json', 'csv', 'png']);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

export const FromWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('rerun'), runId: z.string() }),
  z.object({ type: z.literal('compareWith'), runId: z.string() }),
  z.object({
    type: z.literal('export'),
    runId: z.string(),
    format: ExportFormatSchema,
    /** PNG of the distribution chart as a data: URL (format png only). */
    dataUrl: z.optional(z.string().check(z.startsWith('data:image/png;base64,'), z.maxLength(20_000_000))),
  }),
  z.object({ type: z.literal('openSource'), runId: z.string() }),
  /** Open the Before and After prompts in VS Code's diff editor. */
  z.object({ type: z.literal('promptDiff'), beforeId: z.string(), afterId: z.string() }),
  z.object({
    type: z.literal('exportComparison'),
    beforeId: z.string(),
    afterId: z.string(),
    format: ExportFormatSchema,
    dataUrl: z.optional(z.string().check(z.startsWith('data:image/png;base64,'), z.maxLength(20_000_000))),
  }),
  /** Continue a cancelled or failed experiment, reusing its finished measurements. */
  z.object({ type: z.literal('resume'), runId: z.string() }),
]);
export type FromWebview = z.infer<typeof FromWebviewSchema>;

/** Validates a message for the webview; undefined when it is not one. */
export function parseToWebview(data: unknown): ToWebview | undefined {
  const result = ToWebviewSchema.safeParse(data);
  return result.success ? result.data : undefined;
}

/** Validates a message from the webview; undefined (dropped) when it is not one. */
export function parseFromWebview(data: unknown): FromWebview | undefined {
  const result = FromWebviewSchema.safeParse(data);
  return result.success ? result.data : undefined;
}

export type { ExperimentRecord, RunRecord };
