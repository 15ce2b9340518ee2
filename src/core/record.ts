import * as z from 'zod/mini';

export const RUN_SCHEMA_VERSION = 1;

const DiagnosticSchema = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  code: z.string(),
  message: z.string(),
  line: z.number(),
  column: z.number(),
  endColumn: z.optional(z.number()),
  path: z.optional(z.string()),
});

const TokenStepSchema = z.object({
  prefix: z.string(),
  token: z.string(),
  probability: z.number(),
  alternatives: z.array(z.object({ token: z.string(), probability: z.number() })),
});

export const TaskResultSchema = z.object({
  id: z.string(),
  label: z.string(),
  answer: z.string(),
  /** Share of this task among the in-context examples. */
  share: z.number(),
  examples: z.number(),
  /** Point estimate: the exact value, the lower bound of an interval, or the sample frequency. */
  probability: z.number(),
  lower: z.number(),
  upper: z.number(),
  exact: z.boolean(),
  ci95: z.optional(z.tuple([z.number(), z.number()])),
  count: z.optional(z.number()),
  steps: z.optional(z.array(TokenStepSchema)),
});

export const CompletionSchema = z.object({
  text: z.string(),
  probability: z.number(),
  tasks: z.array(z.string()),
});

export const RunStatusSchema = z.enum(['complete', 'cancelled', 'failed']);

export const RunErrorSchema = z.object({
  kind: z.string(),
  message: z.string(),
  nextStep: z.optional(z.string()),
});

export const RunRecordSchema = z.object({
  schemaVersion: z.literal(RUN_SCHEMA_VERSION),
  kind: z.literal('analysis'),
  id: z.string(),
  createdAt: z.string(),
  status: RunStatusSchema,
  error: z.optional(RunErrorSchema),
  model: z.string(),
  modelDigest: z.optional(z.string()),
  /** True when the model is the Ollama test double (scripted distributions, not a real model). */
  simulated: z.boolean(),
  server: z.object({ host: z.string(), version: z.optional(z.string()), logprobs: z.boolean() }),
  method: z.enum(['logprobs', 'sampling']),
  options: z.object({
    requestedMethod: z.enum(['auto', 'logprobs', 'sampling']),
    terminated: z.boolean(),
    samples: z.number(),
    topK: z.number(),
    seed: z.number(),
    concurrency: z.number(),
    minNodeMass: z.number(),
    keepAlive: z.optional(z.union([z.string(), z.number()])),
    requestTimeoutMs: z.number(),
    beamWidth: z.number(),
    maxDepth: z.number(),
    minCompletionProbability: z.number(),
  }),
  input: z.object({
    source: z.optional(z.string()),
    prompt: z.string(),
    separator: z.string(),
    query: z.string(),
    examples: z.array(z.object({ input: z.string(), output: z.string(), line: z.number(), tasks: z.array(z.string()) })),
  }),
  tasks: z.array(TaskResultSchema),
  other: z.object({ probability: z.number(), lower: z.number(), upper: z.number() }),
  metrics: z.object({
    /** KL(shares ‖ probabilities), unnormalised as in the paper; null when infinite or undefined. */
    kl: z.nullable(z.number()),
    klNormalized: z.nullable(z.number()),
    r: z.nullable(z.number()),
    K: z.number(),
    entropy: z.number(),
    taskMass: z.number(),
  }),
  completions: z.array(CompletionSchema),
  /**
   * The collapse at the first step (teacher forcing): the most probable first tokens and, per task
   * (record.tasks order), P(task's answer | that token) on seen paths.
   */
  collapse: z.optional(z.array(z.object({ token: z.string(), probability: z.number(), tasks: z.array(z.number()) }))),
  unmatched: z.optional(z.array(z.object({ text: z.string(), count: z.number() }))),
  warnings: z.array(DiagnosticSchema),
  requests: z.number(),
  durationMs: z.number(),
});

export type RunRecord = z.infer<typeof RunRecordSchema>;
export type TaskResult = z.infer<typeof TaskResultSchema>;
export type RunStatus = z.infer<typeof RunStatusSchema>;

/**
 * Reads a versioned JSON document (a run or an experiment record) with its schema; never throws.
 * Files written by a newer version are refused by name, not as "invalid".
 */
export function parseVersioned<T>(text: string, schema: z.ZodMiniType<T>, readsVersion: number, what: string): { record?: T; error?: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { error: `not JSON: ${(err as Error).message}` };
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > readsVersion) {
    return { error: `written by a newer version (schema ${version}; this one reads ${readsVersion})` };
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { error: `not ${what}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}` };
  }
  return { record: result.data };
}

/** Reads a run record from JSON text; never throws. */
export function parseRunRecord(text: string): { record?: RunRecord; error?: string } {
  return parseVersioned(text, RunRecordSchema, RUN_SCHEMA_VERSION, 'a run record');
}

/** JSON has no Infinity: infinite or NaN metrics are stored as null. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
