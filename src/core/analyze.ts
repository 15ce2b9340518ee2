import type { Diagnostic } from './diagnostics';
import { countInTopK, entropy, klNormalised, klUnnormalised } from './estimate/metrics';
import { sampleAnswers } from './estimate/sampling';
import { scoreAnswers, type AnswerScore, type FirstStep } from './estimate/teacherForced';
import { ollamaTokenSource } from './estimate/tokenSource';
import { COMPLETION_DEFAULTS, topCompletions, type Completion } from './estimate/topCompletions';
import type { PromptMix } from './mix/types';
import { displayText } from './mix/parseText';
import type { OllamaClient } from './ollama/client';
import { classifyError, logprobsSupport, MIN_LOGPROBS_VERSION, OllamaError } from './ollama/errors';
import { RequestScheduler } from './ollama/scheduler';
import { contextLengthIn, type ServerInfo } from './ollama/serverInfo';
import { finiteOrNull, RUN_SCHEMA_VERSION, type RunRecord, type RunStatus, type TaskResult } from './record';
import type { Detection, DetectedTask } from './tasks/detect';

export type Method = 'auto' | 'logprobs' | 'sampling';

export interface AnalyzeOptions {
  model: string;
  method?: Method;
  samples?: number;
  terminated?: boolean;
  /** Completions to list (at least K, the number of tasks). */
  topK?: number;
  /** Base seed for sampling (sample i uses seed + i). */
  seed?: number;
  concurrency?: number;
  /**
   * Requests in flight per slot (default REQUESTS_PER_SLOT). 1 when other prompts share the
   * server's slots (a sweep's units in flight): a second request of this prompt would take another
   * prompt's slot and evict its cache.
   */
  requestsPerSlot?: number;
  minNodeMass?: number;
  keepAlive?: string | number;
  /** Beam search for the top completions. */
  beamWidth?: number;
  maxDepth?: number;
  minCompletionProbability?: number;
  /** Where the prompt came from (file path), for the record. */
  source?: string;
  signal?: AbortSignal;
  onProgress?: (message: string, done?: number, total?: number) => void;
  /** A record of what is measured so far (e.g. answer probabilities before the completions). */
  onPartial?: (record: RunRecord) => void;
  /** For deterministic ids in tests. */
  idFactory?: () => string;
  /** Server facts (version, digest, details) shared across the units of a sweep; default: ask the client. */
  serverInfo?: ServerInfo;
}

/**
 * Requests kept in flight per server slot when one prompt has the server: the second one waits in
 * Ollama's queue and starts the moment a slot frees, on the cache the first one left (same prompt),
 * instead of a round trip later. Measured on the double (8 slots, 20 ms): 1.51 s → 1.12 s for a
 * long-answer analysis. Not for several prompts at once (see `requestsPerSlot`).
 */
export const REQUESTS_PER_SLOT = 2;

export const ANALYZE_DEFAULTS = { method: 'auto' as Method, samples: 200, terminated: false, seed: 1000, concurrency: 1, minNodeMass: 0 };

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}

function errorOf(err: unknown, host: string, model: string): OllamaError {
  return classifyError(err, { host, model });
}

/**
 * Measures one mix on one model: server and model checks, then teacher-forced scoring and top-K
 * completions (logprobs) or sampling. Never throws: failures and cancellation produce a record
 * with status `failed` / `cancelled` that keeps every partial result.
 */
export async function analyzeMix(client: OllamaClient, mix: PromptMix, detection: Detection, options: AnalyzeOptions): Promise<RunRecord> {
  const started = Date.now();
  const settings = {
    method: options.method ?? ANALYZE_DEFAULTS.method,
    samples: options.samples ?? ANALYZE_DEFAULTS.samples,
    terminated: options.terminated ?? ANALYZE_DEFAULTS.terminated,
    seed: options.seed ?? ANALYZE_DEFAULTS.seed,
    concurrency: options.concurrency ?? ANALYZE_DEFAULTS.concurrency,
    minNodeMass: options.minNodeMass ?? ANALYZE_DEFAULTS.minNodeMass,
  };
  const tasks = detection.tasks.filter((t): t is DetectedTask & { answer: string } => t.answer !== undefined);
  const K = tasks.length;
  const topK = Math.max(options.topK ?? K, K, 1);
  const answers = [...new Set(tasks.map((t) => t.answer))];
  const warnings: Diagnostic[] = detection.diagnostics.filter((d) => d.severity !== 'error');
  const requestsBefore = client.requestCount;
  const progress = options.onProgress ?? (() => {});

  let status: RunStatus = 'complete';
  let failure: OllamaError | undefined;
  let version: string | undefined;
  let digest: string | undefined;
  let method: 'logprobs' | 'sampling' = settings.method === 'sampling' ? 'sampling' : 'logprobs';
  let scores: AnswerScore[] | undefined;
  let firstSteps: FirstStep[] = [];
  let sampled: Awaited<ReturnType<typeof sampleAnswers>> | undefined;
  let completions: Completion[] = [];
  /** r needs the whole top-K: a search cut short (failure, cancel) keeps its completions but gives no r. */
  let completionsFinished = false;
  let simulated = false;
  /** Whether the server sends logprobs (by version, or probed when the version says nothing). */
  let logprobs = false;
  let eosPieces = new Set<string>();
  let maxPromptTokens = 0;
  const beamWidth = options.beamWidth ?? Math.max(2 * topK, 8);
  const maxDepth = options.maxDepth ?? Math.min(32, Math.max(COMPLETION_DEFAULTS.maxDepth, ...answers.map((a) => a.length + 4)));
  const minCompletionProbability = options.minCompletionProbability ?? COMPLETION_DEFAULTS.minProbability;

  const stop = (err: unknown) => {
    failure = errorOf(err, client.host, options.model);
    status = failure.kind === 'cancelled' || options.signal?.aborted ? 'cancelled' : 'failed';
  };

  const build = (): RunRecord => {
    const taskResults: TaskResult[] = tasks.map((task) => {
      const base = { id: task.id, label: task.label, answer: task.answer, share: task.share, examples: task.count };
      const score = scores?.find((s) => s.answer === task.answer);
      if (score) return { ...base, probability: score.lower, lower: score.lower, upper: score.upper, exact: score.exact, steps: score.steps };
      const sample = sampled?.answers.find((s) => s.answer === task.answer);
      if (sample) return { ...base, probability: sample.probability, lower: sample.ci95[0], upper: sample.ci95[1], exact: false, ci95: sample.ci95, count: sample.count };
      return { ...base, probability: 0, lower: 0, upper: 1, exact: false };
    });
    // Tasks with the same answer for the query are one outcome: count its probability once.
    const byAnswer = new Map<string, { probability: number; lower: number; upper: number; share: number }>();
    for (const t of taskResults) {
      const entry = byAnswer.get(t.answer);
      if (entry) entry.share += t.share;
      else byAnswer.set(t.answer, { probability: t.probability, lower: t.lower, upper: t.upper, share: t.share });
    }
    const outcomes = [...byAnswer.values()];
    const probs = outcomes.map((o) => o.probability);
    const shares = outcomes.map((o) => o.share);
    const mass = probs.reduce((a, b) => a + b, 0);
    const measured = scores !== undefined || (sampled?.samples ?? 0) > 0;
    const other = sampled
      ? { probability: sampled.other.probability, lower: sampled.other.ci95[0], upper: sampled.other.ci95[1] }
      : {
          probability: 1 - mass,
          lower: 1 - outcomes.reduce((a, o) => a + o.upper, 0),
          upper: 1 - outcomes.reduce((a, o) => a + o.lower, 0),
        };
    // P(task's answer | first token): how the answer collapses at the first step (teacher forcing only).
    const collapse = firstSteps.map((step) => ({
      token: step.token,
      probability: step.probability,
      tasks: tasks.map((t) => {
        const i = answers.indexOf(t.answer);
        return step.probability > 0 && i >= 0 ? (step.answers[i] ?? 0) / step.probability : 0;
      }),
    }));
    const completionRows = completions.map((c) => ({ text: c.text, probability: c.probability, tasks: tasks.filter((t) => t.answer === c.text).map((t) => t.id) }));

    return {
      schemaVersion: RUN_SCHEMA_VERSION,
      kind: 'analysis',
      id: (options.idFactory ?? newRunId)(),
      createdAt: new Date(started).toISOString(),
      status,
      ...(failure ? { error: { kind: failure.kind, message: failure.message, nextStep: failure.nextStep } } : {}),
      model: options.model,
      ...(digest ? { modelDigest: digest } : {}),
      simulated,
      server: { host: client.host, ...(version ? { version } : {}), logprobs },
      method,
      options: {
        requestedMethod: settings.method,
        terminated: settings.terminated,
        samples: settings.samples,
        topK,
        seed: settings.seed,
        concurrency: settings.concurrency,
        minNodeMass: settings.minNodeMass,
        ...(options.keepAlive !== undefined ? { keepAlive: options.keepAlive } : {}),
        requestTimeoutMs: client.requestTimeoutMs,
        beamWidth,
        maxDepth,
        minCompletionProbability,
      },
      input: {
        ...(options.source ? { source: options.source } : {}),
        prompt: mix.prompt,
        separator: mix.separator,
        query: mix.query,
        examples: mix.examples.map((e, i) => ({ input: e.input, output: e.output, line: e.line, tasks: detection.matches[i]?.tasks ?? [] })),
      },
      tasks: taskResults,
      other,
      metrics: {
        kl: measured ? finiteOrNull(klUnnormalised(shares, probs)) : null,
        klNormalized: measured ? finiteOrNull(klNormalised(shares, probs)) : null,
        r: measured && completionsFinished && completions.length > 0 ? countInTopK(taskResults.map((t) => ({ answer: t.answer, fallback: t.probability })), completions, K) : null,
        K,
        entropy: measured ? entropy(probs) : 0,
        taskMass: mass,
      },
      completions: completionRows,
      ...(collapse.length > 0 ? { collapse } : {}),
      ...(sampled ? { unmatched: sampled.unmatched } : {}),
      warnings,
      requests: client.requestCount - requestsBefore,
      durationMs: Date.now() - started,
    };
  };

  const info: ServerInfo = options.serverInfo ?? client;
  try {
    progress(`Connecting to Ollama at ${client.host}`);
    version = await info.version(options.signal);
    digest = await info.modelDigest(options.model, options.signal);
    if (!digest) {
      throw new OllamaError('model-not-found', `Model '${options.model}' is not installed on ${client.host}.`, `Pull the model (\`ollama pull ${options.model}\`) or select another one.`, 404);
    }
    const support = logprobsSupport(version);
    // A source build says "0.0.0": one request tells whether it sends logprobs.
    logprobs = support === 'yes' || (support === 'unknown' && settings.method !== 'sampling' && (await (info.probeLogprobs ? info.probeLogprobs(options.model, options.signal) : client.probeLogprobs(options.model, options.signal))));
    if (settings.method === 'auto') method = logprobs ? 'logprobs' : 'sampling';
    if (method === 'logprobs' && !logprobs) {
      throw new OllamaError('version-too-old', `Ollama ${version} has no logprobs (they need ${MIN_LOGPROBS_VERSION} or later).`, 'Update Ollama, or use the sampling method.');
    }
    if (settings.method === 'auto' && !logprobs) {
      warnings.push({ severity: 'warning', code: 'sampling-fallback', message: `Ollama ${version} has no logprobs (they need ${MIN_LOGPROBS_VERSION}); measured by sampling instead.`, line: 1, column: 1 });
    }
    const details = await info.showModel(options.model, options.signal);
    simulated = isSimulatedModel(options.model, details.modelfile);
    if (details.capabilities.length > 0 && !details.capabilities.includes('completion')) {
      throw new OllamaError('bad-request', `Model '${options.model}' cannot generate text (capabilities: ${details.capabilities.join(', ')}).`, 'Select a text-generation model.');
    }
    eosPieces = new Set(details.stops);
    const scheduler = new RequestScheduler(settings.concurrency * (options.requestsPerSlot ?? REQUESTS_PER_SLOT));
    if (method === 'logprobs') {
      const source = ollamaTokenSource(client, scheduler, options.model, mix.prompt, options.keepAlive);
      progress('Scoring task answers');
      try {
        const scored = await scoreAnswers(source, answers, {
          terminated: settings.terminated,
          minNodeMass: settings.minNodeMass,
          eosPieces,
          signal: options.signal,
          onProgress: (done) => progress('Scoring task answers', done),
        });
        scores = scored.scores;
        firstSteps = scored.firstSteps;
        if (!scored.complete) throw scored.error;
        options.onPartial?.(build());
        progress('Finding the most probable completions');
        const top = await topCompletions(source, { k: topK, beamWidth, maxDepth, minProbability: minCompletionProbability, eosPieces, signal: options.signal });
        completions = top.completions;
        if (!top.complete) throw top.error;
        completionsFinished = true;
      } finally {
        maxPromptTokens = source.maxPromptTokens ?? 0;
      }
    } else {
      progress('Sampling', 0, settings.samples);
      sampled = await sampleAnswers(client, scheduler, options.model, mix.prompt, answers, {
        samples: settings.samples,
        seed: settings.seed,
        signal: options.signal,
        keepAlive: options.keepAlive,
        onProgress: (done, total) => progress('Sampling', done, total),
      });
      completions = sampledCompletions(sampled).slice(0, topK);
      // The samples drawn so far are an unbiased (smaller) sample: their ranking still estimates r.
      completionsFinished = sampled.samples > 0;
      if (sampled.error !== undefined) throw sampled.error;
      if (options.signal?.aborted) throw new OllamaError('cancelled', 'The analysis was cancelled.', 'Run it again.');
    }
  } catch (err) {
    stop(err);
  }

  if (maxPromptTokens > 0 && status === 'complete') {
    const contextLength = info.contextLength
      ? await info.contextLength(options.model, options.signal)
      : contextLengthIn(await info.loadedModels(options.signal).catch(() => []), options.model);
    if (contextLength && maxPromptTokens >= contextLength) {
      warnings.push({ severity: 'warning', code: 'context-overflow', message: `The prompt (${maxPromptTokens} tokens) fills the model's context (${contextLength}): Ollama may have cut its beginning. Shorten the prompt or raise num_ctx (OLLAMA_CONTEXT_LENGTH).`, line: 1, column: 1 });
    }
  }

  const record = build();
  const noMass = noTaskMassWarning(record);
  if (noMass) record.warnings.push(noMass);
  return record;
}

/**
 * When a complete measurement puts (almost) nothing on any task's answer, say so and what it may
 * mean: a result of "other 100%" is otherwise easy to misread as a bug.
 */
export function noTaskMassWarning(record: Pick<RunRecord, 'status' | 'tasks' | 'completions'>): Diagnostic | undefined {
  if (record.status !== 'complete' || record.tasks.length === 0) return undefined;
  const most = record.tasks.reduce((a, t) => a + t.upper, 0);
  if (most >= 0.02) return undefined;
  const top = record.completions.slice(0, 3).map((c) => `${JSON.stringify(displayText(c.text, 24))} ${(100 * c.probability).toFixed(0)}%`);
  return {
    severity: 'warning',
    code: 'no-task-mass',
    message:
      `The model puts almost no probability on any task's answer (at most ${(100 * most).toFixed(1)}% in all)${top.length > 0 ? `; it answers ${top.join(', ')} instead` : ''}. ` +
      'It may not follow the prompt\'s format (a separator or spacing it does not expect), the query may be unlike the examples, or the model may be too small for these tasks: see Completions, or try a larger model.',
    line: 1,
    column: 1,
  };
}

/** With sampling, the completions are the sampled lines ranked by frequency. */
function sampledCompletions(sampled: Awaited<ReturnType<typeof sampleAnswers>>): Completion[] {
  const n = Math.max(1, sampled.samples);
  const rows = [
    ...sampled.answers.filter((a) => a.count > 0).map((a) => ({ text: a.answer, probability: a.count / n })),
    ...sampled.unmatched.map((u) => ({ text: u.text, probability: u.count / n })),
  ];
  return rows.sort((a, b) => b.probability - a.probability || a.text.localeCompare(b.text));
}

/** The Ollama test double labels its models: "double" in the name and its Modelfile header. */
export function isSimulatedModel(name: string, modelfile: string): boolean {
  return /test double/i.test(modelfile) || /(^|[-_/:.])double([-_/:.]|$)/i.test(name);
}
