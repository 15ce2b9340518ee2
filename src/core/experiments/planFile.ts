/**
 * Experiment files: a `*.superposition.json` whose top level holds an `experiment` object instead of a
 * prompt mix. They keep a plan under version control, prefill the editor's wizard and run from the CLI
 * (`superposition scale|calibrate --plan FILE`).
 *
 * ```json
 * { "experiment": { "kind": "scaling", "pool": ["sum.digits", "sum.en", "sum.fr"], "kMax": 3, "models": ["llama3.2"] } }
 * ```
 *
 * Everything except the kind and the tasks is optional: missing values take the plan defaults, and missing
 * `models` take the caller's default (the `superposition.model` setting, or the CLI's --model).
 */
import * as z from 'zod';
import type { Diagnostic } from '../diagnostics';
import { hasErrors } from '../diagnostics';
import { DEFAULT_MAX_BYTES, neverThrow } from '../mix/parseText';
import { openJsonDocument, reportSchemaIssue, type PathSegment } from '../mix/structured';
import type { ParseResult } from '../mix/types';
import { validateCalibrationPlan, validateScalingPlan, type ExperimentPlan, type PlanCheck } from './plan';
import { MethodSchema } from './planSchema';

const Count = z.number().int().min(1);

/** Most entries in a plan's task, model and mixture-point lists. */
export const MAX_LIST_LENGTH = 1000;

export const ScalingFileSchema = z.strictObject({
  kind: z.literal('scaling'),
  pool: z.array(z.string()).min(1, 'the task pool needs at least one task id'),
  kMax: Count,
  kMin: Count.optional(),
  examplesPerTask: Count.optional(),
  promptsPerK: Count.optional(),
  seed: z.number().int().optional(),
  models: z.array(z.string()).optional(),
  method: z.optional(MethodSchema),
  samples: Count.optional(),
  threshold: z.number().min(0).max(1).optional(),
});

export const CalibrationFileSchema = z.strictObject({
  kind: z.literal('calibration'),
  tasks: z.array(z.string()).min(2, 'calibration takes 2 or 3 tasks').max(3, 'calibration takes 2 or 3 tasks'),
  proportions: z.array(z.array(z.number().min(0))).min(1).optional(),
  promptsPerPoint: Count.optional(),
  totalExamples: z.number().int().min(2).optional(),
  seed: z.number().int().optional(),
  models: z.array(z.string()).optional(),
  method: z.optional(MethodSchema),
  samples: Count.optional(),
});

export const ExperimentFileSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  experiment: z.discriminatedUnion('kind', [ScalingFileSchema, CalibrationFileSchema]),
});

export type ExperimentFile = z.infer<typeof ExperimentFileSchema>;
export type ExperimentDraft = ExperimentFile['experiment'];

export interface ExperimentFileResult {
  /** The validated file content (defaults not filled in), when it matches the schema. */
  draft?: ExperimentDraft;
  /** The complete plan, when the draft is valid and has models (its own or the default ones). */
  plan?: ExperimentPlan;
  diagnostics: Diagnostic[];
}

function allowedKeys(path: readonly PathSegment[], data: unknown): string {
  let keys: string[];
  if (path.length === 0) keys = Object.keys(ExperimentFileSchema.shape);
  else {
    const kind = (data as { experiment?: { kind?: unknown } } | null)?.experiment?.kind;
    keys = Object.keys(kind === 'calibration' ? CalibrationFileSchema.shape : ScalingFileSchema.shape);
  }
  return keys.map((k) => `\`${k}\``).join(', ');
}

/** Completes a draft into a plan (defaults, then the checks of the plan module). */
export function planFromDraft(draft: ExperimentDraft, defaultModels: readonly string[] = []): PlanCheck<ExperimentPlan> {
  const models = draft.models ?? [...defaultModels];
  if (models.length === 0) return { ok: false, errors: ['The experiment has no `models` and no default model was given.'] };
  if (draft.kind === 'scaling') {
    const { kind: _kind, ...rest } = draft;
    return validateScalingPlan({ ...rest, models });
  }
  const { kind: _kind, ...rest } = draft;
  return validateCalibrationPlan({ ...rest, models });
}

function parseInner(text: string, defaultModels: readonly string[], maxBytes: number): ExperimentFileResult {
  const opened = openJsonDocument(text, maxBytes);
  if ('diagnostics' in opened) return { diagnostics: opened.diagnostics };
  const doc = opened.doc;
  const parsed = ExperimentFileSchema.safeParse(doc.data);
  if (!parsed.success) {
    const explain = {
      allowedKeys: (path: readonly PathSegment[]) => allowedKeys(path, doc.data),
      union: () => 'expected `"kind": "scaling"` or `"kind": "calibration"`',
    };
    for (const issue of parsed.error.issues) {
      if (issue.code === 'invalid_union' && issue.path.join('.') === 'experiment') {
        doc.at('error', 'schema', explain.union(), ['experiment', 'kind']);
      } else reportSchemaIssue(doc, issue, [], explain);
    }
    return { diagnostics: doc.finish() };
  }
  const draft = parsed.data.experiment;
  // Lists far beyond any real plan are refused before the plan checks (some are quadratic in them).
  let tooLong = false;
  const lists: Array<[string, readonly unknown[] | undefined]> = [
    [draft.kind === 'scaling' ? 'pool' : 'tasks', draft.kind === 'scaling' ? draft.pool : draft.tasks],
    ['models', draft.models],
    ['proportions', draft.kind === 'calibration' ? draft.proportions : undefined],
  ];
  for (const [key, list] of lists) {
    if (list && list.length > MAX_LIST_LENGTH) {
      doc.at('error', 'list-limit', `\`${key}\` has ${list.length} entries; at most ${MAX_LIST_LENGTH}`, ['experiment', key]);
      tooLong = true;
    }
  }
  if (tooLong) return { draft, diagnostics: doc.finish() };
  const checked = planFromDraft(draft, defaultModels);
  if (!checked.ok) {
    const where: PathSegment[] = draft.models === undefined && defaultModels.length === 0 ? ['experiment'] : ['experiment', 'kind'];
    for (const message of checked.errors) doc.at('error', 'plan', message, where);
    return { draft, diagnostics: doc.finish() };
  }
  const diagnostics = doc.finish();
  return hasErrors(diagnostics) ? { draft, diagnostics } : { draft, plan: checked.plan, diagnostics };
}

/** Parses and checks an experiment file. Never throws; `plan` is set only when there is no error. */
export function parseExperimentFile(text: string, options: { defaultModels?: readonly string[]; maxBytes?: number } = {}): ExperimentFileResult {
  let result: ExperimentFileResult = { diagnostics: [] };
  const wrapped = neverThrow((): ParseResult => {
    result = parseInner(text, options.defaultModels ?? [], options.maxBytes ?? DEFAULT_MAX_BYTES);
    return { diagnostics: result.diagnostics };
  });
  return wrapped.diagnostics === result.diagnostics ? result : { diagnostics: wrapped.diagnostics };
}

/** Pretty JSON that parseExperimentFile reads back to the same plan. */
export function serializeExperimentFile(plan: ExperimentPlan, description?: string): string {
  const file: ExperimentFile = { ...(description ? { description } : {}), experiment: plan };
  return `${JSON.stringify(file, null, 2)}\n`;
}
