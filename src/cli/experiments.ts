import { readFile } from 'node:fs/promises';
import { formatSeconds } from '../core/experiments/planSize';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { calibrationByModel } from '../core/experiments/aggregate';
import {
  expandPlan,
  PlanError,
  validateCalibrationPlan,
  validateScalingPlan,
  type ExperimentMethod,
  type ExperimentPlan,
  type PlanCheck,
} from '../core/experiments/plan';
import { buildExperimentRecord, parseExperimentRecord, resumeFrom, type ExperimentRecord, type UnitResult } from '../core/experiments/record';
import { runExperiment } from '../core/experiments/runner';
import { checkpointRecord, DEFAULT_CHECKPOINT_INTERVAL_MS, experimentIdentity, inPlanOrder, reusedUnits, startCheckpoints } from '../core/experiments/checkpoint';
import { writeAtomic } from '../core/history';
import { parseExperimentFile, type ExperimentDraft } from '../core/experiments/planFile';
import { formatDiagnostic } from '../core/diagnostics';
import { OllamaClient } from '../core/ollama/client';
import { hostFromEnvironment } from '../core/ollama/host';
import { TASK_SETS } from '../core/tasks/builtin';
import { EXIT, type CliIo } from './io';
import { formatExperimentCsv } from '../core/experiments/format';
export { formatExperimentCsv };

export const SCALE_USAGE = `superposition scale (--pool ID,ID… | --set NAME | --plan FILE) --k-max N [--k-min N] [--per-task N] [--prompts N]
                    [--seed S] --model M [--model M2 …] [--host URL …] [--method auto|logprobs|sampling]
                    [--samples N] [--concurrency N] [--threshold X] [--timeout SECONDS]
                    [--resume FILE] [--out FILE] [--json | --csv]`;
export const CALIBRATE_USAGE = `superposition calibrate (--tasks ID,ID[,ID] | --plan FILE) [--proportions "0,1;0.1,0.9;…"] [--prompts N] [--total N]
                        [--seed S] --model M [--model M2 …] [--host URL …] [--method …] [--samples N]
                        [--concurrency N] [--timeout SECONDS] [--resume FILE] [--out FILE] [--json | --csv]
  --plan FILE reads a *.superposition.json experiment file; options given on the command line override it.`;

class ExperimentUsageError extends Error {}

const COMMON_OPTIONS = {
  plan: { type: 'string' },
  seed: { type: 'string' },
  model: { type: 'string', short: 'm', multiple: true },
  host: { type: 'string', multiple: true },
  method: { type: 'string' },
  samples: { type: 'string' },
  prompts: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  resume: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
} as const;

type CommonValues = {
  plan?: string;
  seed?: string;
  model?: string[];
  host?: string[];
  method?: string;
  samples?: string;
  prompts?: string;
  concurrency?: string;
  timeout?: string;
  resume?: string;
  out?: string;
  json?: boolean;
  csv?: boolean;
};

function num(value: string | undefined, name: string, { min = -Infinity, integer = false } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new ExperimentUsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}, not '${value}'.`);
  }
  return n;
}

function method(value: string | undefined): ExperimentMethod | undefined {
  if (value === undefined) return undefined;
  if (value !== 'auto' && value !== 'logprobs' && value !== 'sampling') throw new ExperimentUsageError(`--method must be auto, logprobs or sampling, not '${value}'.`);
  return value;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((t) => t.trim()).filter(Boolean);
}

/** "0,1;0.1,0.9" → [[0, 1], [0.1, 0.9]]. */
export function parseProportions(text: string): number[][] {
  return text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((point) =>
      point.split(',').map((x) => {
        const n = Number(x.trim());
        if (x.trim() === '' || !Number.isFinite(n)) throw new ExperimentUsageError(`--proportions must be numbers separated by , and ; (e.g. "0,1;0.5,0.5"), not '${text}'.`);
        return n;
      }),
    );
}

function checked(check: PlanCheck<ExperimentPlan>): ExperimentPlan {
  if (!check.ok) throw new ExperimentUsageError(check.errors.join('\n'));
  return check.plan;
}

export async function scaleCommand(args: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  return guarded(io, SCALE_USAGE, async () => {
    const { values } = parseArgs({
      args,
      options: { ...COMMON_OPTIONS, pool: { type: 'string' }, set: { type: 'string' }, 'k-max': { type: 'string' }, 'k-min': { type: 'string' }, 'per-task': { type: 'string' }, threshold: { type: 'string' } },
    });
    const draft = await loadDraft(values.plan, 'scaling', io);
    return runCommand('scaling', values, io, signal, () => {
      if ([values.pool, values.set].filter(Boolean).length > 1) throw new ExperimentUsageError('--pool and --set exclude each other.');
      const set = values.set ? TASK_SETS[values.set as keyof typeof TASK_SETS] : undefined;
      if (values.set && !set) throw new ExperimentUsageError(`--set must be one of ${Object.keys(TASK_SETS).join(', ')}.`);
      const pool = set ? [...set] : values.pool !== undefined ? list(values.pool) : (draft?.pool ?? []);
      if (pool.length === 0) throw new ExperimentUsageError('--pool ID,ID… (or --set NAME, or --plan FILE) is required (see `superposition tasks`).');
      const kMax = num(values['k-max'], 'k-max', { min: 1, integer: true }) ?? draft?.kMax;
      if (kMax === undefined) throw new ExperimentUsageError(`--k-max is required (at most ${pool.length}, the pool size).`);
      return checked(
        validateScalingPlan({
          ...draft,
          pool,
          kMax,
          ...defined({
            kMin: num(values['k-min'], 'k-min', { min: 1, integer: true }),
            examplesPerTask: num(values['per-task'], 'per-task', { min: 1, integer: true }),
            promptsPerK: num(values.prompts, 'prompts', { min: 1, integer: true }),
            seed: num(values.seed, 'seed', { integer: true }),
            method: method(values.method),
            samples: num(values.samples, 'samples', { min: 1, integer: true }),
            threshold: num(values.threshold, 'threshold', { min: 0 }),
          }),
          models: values.model ?? draft?.models ?? [],
        }),
      );
    });
  });
}

export async function calibrateCommand(args: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  return guarded(io, CALIBRATE_USAGE, async () => {
    const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, tasks: { type: 'string' }, proportions: { type: 'string' }, total: { type: 'string' } } });
    const draft = await loadDraft(values.plan, 'calibration', io);
    return runCommand('calibration', values, io, signal, () => {
      const tasks = values.tasks !== undefined ? list(values.tasks) : (draft?.tasks ?? []);
      // The file's proportions are per task, in its order: they only apply to the same task list.
      const sameTasks = draft !== undefined && draft.tasks.length === tasks.length && draft.tasks.every((t, i) => t === tasks[i]);
      const fromFile = draft && !sameTasks ? { ...draft, proportions: undefined, totalExamples: draft.tasks.length === tasks.length ? draft.totalExamples : undefined } : draft;
      if (tasks.length === 0) throw new ExperimentUsageError('--tasks ID,ID[,ID] (or --plan FILE) is required (see `superposition tasks`).');
      return checked(
        validateCalibrationPlan({
          ...fromFile,
          tasks,
          ...defined({
            proportions: values.proportions !== undefined ? parseProportions(values.proportions) : undefined,
            promptsPerPoint: num(values.prompts, 'prompts', { min: 1, integer: true }),
            totalExamples: num(values.total, 'total', { min: 2, integer: true }),
            seed: num(values.seed, 'seed', { integer: true }),
            method: method(values.method),
            samples: num(values.samples, 'samples', { min: 1, integer: true }),
          }),
          models: values.model ?? draft?.models ?? [],
        }),
      );
    });
  });
}

/** Only the entries that were given, so that they override a plan file's values and nothing else. */
function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The experiment file given with --plan, checked against the command's kind; its errors are usage errors. */
async function loadDraft<K extends ExperimentDraft['kind']>(path: string | undefined, kind: K, io: CliIo): Promise<Omit<Extract<ExperimentDraft, { kind: K }>, 'kind'> | undefined> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, path), 'utf8');
  } catch (err) {
    throw new ExperimentUsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const parsed = parseExperimentFile(text, { defaultModels: ['(from --model)'] });
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'plan');
  if (errors.length > 0 || !parsed.draft) {
    const shown = errors.length > 0 ? errors : parsed.diagnostics;
    throw new ExperimentUsageError(shown.map((d) => formatDiagnostic(d, path)).join('\n') || `${path} is not an experiment file.`);
  }
  if (parsed.draft.kind !== kind) throw new ExperimentUsageError(`${path} holds a ${parsed.draft.kind} experiment; run it with \`superposition ${parsed.draft.kind === 'scaling' ? 'scale' : 'calibrate'}\`.`);
  const { kind: _kind, ...rest } = parsed.draft as Extract<ExperimentDraft, { kind: K }>;
  return rest;
}

async function guarded(io: CliIo, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof ExperimentUsageError || err instanceof PlanError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`error: ${(err as Error).message}\n\nUsage:\n  ${usage}`);
      return EXIT.usage;
    }
    io.stderr(`internal error: ${(err as Error).stack ?? String(err)}`);
    return EXIT.usage;
  }
}

async function runCommand(kind: ExperimentPlan['kind'], values: CommonValues, io: CliIo, signal: AbortSignal | undefined, makePlan: () => ExperimentPlan): Promise<number> {
  if (values.json && values.csv) throw new ExperimentUsageError('--json and --csv exclude each other.');
  const concurrency = num(values.concurrency, 'concurrency', { min: 1, integer: true }) ?? 1;
  const timeoutMs = (num(values.timeout, 'timeout', { min: 1 }) ?? 300) * 1000;

  let resumed: ExperimentRecord | undefined;
  let plan: ExperimentPlan;
  const resumePath = values.resume !== undefined ? resolve(io.cwd, values.resume) : undefined;
  if (resumePath) {
    let text: string;
    try {
      text = await readFile(resumePath, 'utf8');
    } catch (err) {
      io.stderr(`error: cannot read ${values.resume}: ${(err as Error).message}`);
      return EXIT.usage;
    }
    const parsed = parseExperimentRecord(text);
    if (!parsed.record) {
      io.stderr(`error: ${values.resume}: ${parsed.error ?? 'unreadable'}`);
      return EXIT.usage;
    }
    if (parsed.record.kind !== kind) throw new ExperimentUsageError(`${values.resume} holds a ${parsed.record.kind} experiment, not a ${kind} one.`);
    resumed = parsed.record;
    plan = resumed.plan;
    io.stderr(`Resuming ${values.resume}: ${resumeFrom(resumed).size} of ${resumed.unitCount} units already measured; the plan comes from the file.`);
  } else {
    plan = makePlan();
  }

  const units = expandPlan(plan);
  const hosts = [...new Set((values.host?.length ? values.host : [undefined]).map((h) => hostFromEnvironment(h, io.env)))];
  const clients = hosts.map((host) => new OllamaClient({ host, requestTimeoutMs: timeoutMs }));
  const outPath = values.out !== undefined ? resolve(io.cwd, values.out) : resumePath;
  const identity = experimentIdentity(resumed);
  const previous = resumed ? resumeFrom(resumed) : undefined;
  const done = reusedUnits(units, previous);
  const started = Date.now();
  const checkpoints = outPath
    ? startCheckpoints(() => writeAtomic(outPath, recordJson(checkpointRecord(plan, { results: inPlanOrder(units, done), hosts: hosts.map((host) => ({ host })), durationMs: Date.now() - started }, { unitCount: units.length, resumed, ...identity }))), {
        intervalMs: checkpointInterval(io.env),
        onError: warnOnce(io, outPath),
      })
    : undefined;
  const progress = io.progress ? progressLine(io.progress, started) : undefined;

  const controller = new AbortController();
  const unhook = stopOnSignals(controller, signal);
  io.stderr(`${kind === 'scaling' ? 'Scaling' : 'Calibration'} experiment: ${units.length} units (${plan.models.length} model${plan.models.length === 1 ? '' : 's'}) on ${hosts.join(', ')}`);
  let run;
  try {
    run = await runExperiment(units, {
      clients,
      concurrency,
      analyzeOptions: { method: plan.method, samples: plan.samples },
      signal: controller.signal,
      previous,
      onUnit: (result, doneCount, total) => {
        done.set(result.key, result);
        checkpoints?.note();
        progress?.(result, doneCount, total);
      },
    });
    io.progress?.('');
  } finally {
    unhook();
    await checkpoints?.stop();
  }
  const record = buildExperimentRecord(plan, run, { unitCount: units.length, resumed, ...identity });

  if (outPath) {
    try {
      await writeAtomic(outPath, recordJson(record));
    } catch (err) {
      io.stderr(`error: cannot write ${outPath}: ${(err as Error).message}`);
    }
  }
  if (values.json) io.stdout(JSON.stringify(record, null, 2));
  else if (values.csv) io.stdout(formatExperimentCsv(record).trimEnd());
  else io.stdout(formatExperimentTable(record));

  if (record.status !== 'complete') {
    io.stderr(`error: ${record.error?.message ?? record.status}`);
    if (record.error?.nextStep) io.stderr(`next step: ${record.error.nextStep}`);
    if (outPath) io.stderr(`partial results saved: continue with --resume ${values.out ?? values.resume}`);
    return EXIT.server;
  }
  return EXIT.ok;
}

const recordJson = (record: ExperimentRecord) => `${JSON.stringify(record, null, 2)}\n`;

/** Not user-facing: tests shorten the checkpoint interval of `--out` / `--resume` files with it. */
const CHECKPOINT_ENV = 'SUPERPOSITION_CHECKPOINT_MS';

function checkpointInterval(env: CliIo['env']): number {
  const value = env[CHECKPOINT_ENV];
  const n = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : DEFAULT_CHECKPOINT_INTERVAL_MS;
}

/** A checkpoint that cannot be written is said once; the run goes on and the next ones are tried. */
function warnOnce(io: CliIo, path: string): (err: unknown) => void {
  let warned = false;
  return (err) => {
    if (warned) return;
    warned = true;
    io.stderr(`warning: cannot write the checkpoint ${path}: ${err instanceof Error ? err.message : String(err)}`);
  };
}

/**
 * The caller's signal, or else Ctrl-C (SIGINT) and SIGTERM alike, stop the run cleanly: finished
 * units are kept and saved, and the run can be resumed. Returns the unhook.
 */
function stopOnSignals(controller: AbortController, signal: AbortSignal | undefined): () => void {
  if (signal) {
    const onAbort = () => controller.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }
  const onSignal = (name: NodeJS.Signals) => controller.abort(new Error(`interrupted (${name})`));
  const names: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const name of names) process.once(name, onSignal);
  return () => {
    for (const name of names) process.removeListener(name, onSignal);
  };
}

const f = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

function header(record: ExperimentRecord): string {
  const plan = record.plan;
  const done = record.units.filter((u: UnitResult) => u.status === 'complete').length;
  const what =
    plan.kind === 'scaling'
      ? `Scaling · pool ${plan.pool.join(', ')} · K ${plan.kMin}–${plan.kMax} · ${plan.promptsPerK} prompts per K · ${plan.examplesPerTask} examples per task`
      : `Calibration · tasks ${plan.tasks.join(', ')} · ${plan.proportions.length} mixture points · ${plan.promptsPerPoint} prompts per point · ${plan.totalExamples} examples`;
  return `${what} · seed ${plan.seed} · method ${plan.method}\nStatus: ${record.status} (${done}/${record.unitCount} units, ${record.requests} requests, ${(record.durationMs / 1000).toFixed(1)} s)`;
}

/** The aggregates as a readable table. */
export function formatExperimentTable(record: ExperimentRecord): string {
  const plan = record.plan;
  if (plan.kind === 'scaling') {
    const rows = [['model', 'K', 'n', 'E[r]', '95% interval', 'task mass', `tasks ≥ ${plan.threshold}`, 'other']];
    for (const a of record.aggregates.scaling ?? []) {
      rows.push([a.model, String(a.K), String(a.n), f(a.r?.mean, 2), a.r ? `[${f(a.r.lower, 2)}, ${f(a.r.upper, 2)}]` : '—', f(a.taskMass), f(a.aboveThreshold, 2), f(a.other)]);
    }
    return `${header(record)}\n\n${table(rows)}`;
  }
  const rows = [['model', 'proportions', 'n', ...plan.tasks.map((t) => `P(${t}) [95%]`), 'KL', 'KL norm.', 'infinite']];
  for (const a of record.aggregates.calibration ?? []) {
    rows.push([
      a.model,
      a.proportions.map((p) => f(p, 2)).join('/'),
      String(a.n),
      ...a.tasks.map((t) => `${f(t.probability.mean)} [${f(t.probability.lower)}, ${f(t.probability.upper)}]`),
      f(a.kl.mean),
      f(a.klNormalized.mean),
      String(a.kl.infinite),
    ]);
  }
  const summary = [['model', 'n', 'mean KL', 'mean KL norm.', 'infinite']];
  for (const m of calibrationByModel(record.units, plan.models)) summary.push([m.model, String(m.n), f(m.kl.mean), f(m.klNormalized.mean), String(m.kl.infinite)]);
  return `${header(record)}\n\n${table(rows)}\n\nPer model (KL(shares ‖ p), unnormalised and normalised, finite values only):\n${table(summary)}`;
}



/** "[12/400] 3% · 40 s elapsed · ~21 min left" after each unit, the estimate from this run's pace. */
export function progressLine(write: (line: string) => void, started: number, now: () => number = Date.now): (result: unknown, done: number, total: number) => void {
  let measured = 0;
  return (_result, done, total) => {
    measured++;
    const elapsed = (now() - started) / 1000;
    const left = measured > 0 ? ((total - done) * elapsed) / measured : 0;
    write(`[${done}/${total}] ${Math.round((100 * done) / Math.max(1, total))}% · ${formatSeconds(elapsed)} elapsed${done < total ? ` · ~${formatSeconds(left)} left` : ''}`);
  };
}
