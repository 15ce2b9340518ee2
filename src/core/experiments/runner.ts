import { setMaxListeners } from 'node:events';
import { analyzeMix, type AnalyzeOptions } from '../analyze';
import type { OllamaClient } from '../ollama/client';
import { CachedServerInfo } from '../ollama/serverInfo';
import type { RunRecord } from '../record';
import type { MeasurementUnit } from './plan';
import type { UnitResult } from './record';

/** Per-unit analysis options; model, seed, signal and progress are set by the runner. */
export type UnitAnalyzeOptions = Omit<AnalyzeOptions, 'model' | 'seed' | 'signal' | 'onProgress' | 'onPartial' | 'source'>;

export interface RunExperimentOptions {
  /** One client per Ollama host; the units are shared among them. */
  clients: readonly OllamaClient[];
  /** Units in flight per host (default 1). Each unit's own request concurrency is `analyzeOptions.concurrency`. */
  concurrency?: number;
  analyzeOptions?: UnitAnalyzeOptions;
  signal?: AbortSignal;
  /** After each unit measured in this run (complete or failed); `done` counts complete units, reused ones included. */
  onUnit?: (result: UnitResult, done: number, total: number) => void;
  /** Results of an earlier run of the same plan: complete units with a matching key are not measured again. */
  previous?: ReadonlyMap<string, UnitResult>;
  /** Keep scheduling after a failed unit (default false: the first failure stops the run). */
  continueOnFailure?: boolean;
}

export interface ExperimentRun {
  status: 'complete' | 'cancelled' | 'failed';
  error?: { kind: string; message: string; nextStep?: string };
  /** Finished units (complete or failed, reused ones included), in plan order. */
  results: UnitResult[];
  /** Units that were measured in this run (not reused). */
  measured: number;
  reused: number;
  hosts: { host: string; version?: string }[];
  models: { name: string; digest?: string }[];
  /** Requests sent in this run plus those recorded for reused units. */
  requests: number;
  durationMs: number;
}

/** The compact result of one unit from its run record. */
export function unitResult(unit: MeasurementUnit, record: RunRecord): UnitResult {
  return {
    key: unit.key,
    model: unit.model,
    status: record.status,
    ...(record.error ? { error: record.error } : {}),
    K: unit.meta.K,
    prompt: unit.meta.prompt,
    ...(unit.meta.point !== undefined ? { point: unit.meta.point } : {}),
    tasks: record.tasks.map((t) => ({ id: t.id, answer: t.answer, share: t.share, probability: t.probability, lower: t.lower, upper: t.upper })),
    r: record.metrics.r,
    other: record.other.probability,
    taskMass: record.metrics.taskMass,
    kl: record.metrics.kl,
    klNormalized: record.metrics.klNormalized,
    method: record.method,
    ...(record.modelDigest ? { modelDigest: record.modelDigest } : {}),
    requests: record.requests,
  };
}

/**
 * A view of a client with its own request counter: calls go through the shared client's code and
 * connection settings, but `requestCount` counts this unit's requests only, so per-unit counts
 * stay exact when several units share a host.
 */
function countingView(client: OllamaClient): OllamaClient {
  const view = Object.create(client) as OllamaClient;
  view.requestCount = 0;
  return view;
}

/**
 * Measures the units, spread over the hosts (a unit runs entirely on one host). Results depend
 * only on the units, never on which host measured them. Never throws for measurement failures.
 * Cancelling stops scheduling; units in flight end as cancelled and are dropped from the results
 * (they are measured again on resume).
 */
export async function runExperiment(units: readonly MeasurementUnit[], options: RunExperimentOptions): Promise<ExperimentRun> {
  const started = Date.now();
  if (options.clients.length === 0) throw new RangeError('runExperiment needs at least one client');
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  const keys = new Set<string>();
  for (const u of units) {
    if (keys.has(u.key)) throw new RangeError(`duplicate unit key '${u.key}'`);
    keys.add(u.key);
  }

  const byKey = new Map<string, UnitResult>();
  const pending: MeasurementUnit[] = [];
  for (const unit of units) {
    const prev = options.previous?.get(unit.key);
    if (prev && prev.status === 'complete' && prev.model === unit.model) byKey.set(unit.key, prev);
    else pending.push(unit);
  }
  const reused = byKey.size;
  let done = reused;
  let measured = 0;
  let requests = [...byKey.values()].reduce((a, r) => a + r.requests, 0);
  let failure: ExperimentRun['error'];
  let cancelled = false;
  const hostVersions = new Map<string, string | undefined>(options.clients.map((c) => [c.host, undefined]));
  const digests = new Map<string, string | undefined>();
  for (const r of byKey.values()) if (r.modelDigest) digests.set(r.model, r.modelDigest);

  // One signal for every request of the run (many listeners at once), following the caller's.
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const forward = () => inner.abort(options.signal?.reason);
  if (options.signal?.aborted) forward();
  else options.signal?.addEventListener('abort', forward, { once: true });

  let next = 0;
  const stopScheduling = () => cancelled || inner.signal.aborted || (failure !== undefined && !options.continueOnFailure);

  // Version, digest and details are asked once per host and model, not before every unit.
  const serverInfo = new Map(options.clients.map((c) => [c, new CachedServerInfo(c)]));
  const worker = async (client: OllamaClient) => {
    while (!stopScheduling() && next < pending.length) {
      const unit = pending[next++]!;
      const view = countingView(client);
      const record = await analyzeMix(view, unit.mix, unit.detection, {
        // Several units on one host: one request per slot each, so no unit's request lands on
        // (and evicts) another unit's cache slot.
        ...(concurrency > 1 ? { requestsPerSlot: 1 } : {}),
        ...options.analyzeOptions,
        model: unit.model,
        seed: unit.seed & 0x7fffffff,
        signal: inner.signal,
        serverInfo: serverInfo.get(client),
      });
      requests += record.requests;
      if (record.server.version) hostVersions.set(client.host, record.server.version);
      if (record.modelDigest) {
        const known = digests.get(unit.model);
        if (known && known !== record.modelDigest && !failure) {
          failure = { kind: 'digest-mismatch', message: `Model '${unit.model}' differs between hosts (digest ${known.slice(0, 12)} vs ${record.modelDigest.slice(0, 12)} on ${client.host}).`, nextStep: 'Pull the same model version on every host.' };
        }
        digests.set(unit.model, record.modelDigest);
      }
      if (record.status === 'cancelled') {
        cancelled = true;
        continue;
      }
      const result = unitResult(unit, record);
      byKey.set(unit.key, result);
      measured++;
      if (record.status === 'complete') done++;
      else failure ??= record.error ?? { kind: 'failed', message: `Unit ${unit.key} failed.` };
      options.onUnit?.(result, done, units.length);
    }
  };

  try {
    await Promise.all(options.clients.flatMap((client) => Array.from({ length: concurrency }, () => worker(client))));
  } finally {
    options.signal?.removeEventListener('abort', forward);
  }

  const results = units.map((u) => byKey.get(u.key)).filter((r): r is UnitResult => r !== undefined);
  const allComplete = results.length === units.length && results.every((r) => r.status === 'complete');
  const status: ExperimentRun['status'] = allComplete && !failure ? 'complete' : failure === undefined && (cancelled || options.signal?.aborted) ? 'cancelled' : 'failed';
  const models = [...new Set(units.map((u) => u.model))].map((name) => {
    const digest = digests.get(name);
    return digest ? { name, digest } : { name };
  });
  return {
    status,
    ...(status === 'failed' ? { error: failure ?? { kind: 'failed', message: 'Some units were not measured.' } } : {}),
    ...(status === 'cancelled' ? { error: { kind: 'cancelled', message: `Cancelled after ${done} of ${units.length} units.`, nextStep: 'Resume to measure the rest.' } } : {}),
    results,
    measured,
    reused,
    hosts: [...hostVersions].map(([host, version]) => (version ? { host, version } : { host })),
    models,
    requests,
    durationMs: Date.now() - started,
  };
}
