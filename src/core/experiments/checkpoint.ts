/**
 * Checkpoints of a sweep in progress, so a crash, an OOM kill or a window reload loses seconds,
 * not hours. Two independent pieces:
 *
 * - `startCheckpoints(write, options)`: a throttled writer. Call `note()` whenever something
 *   changed (e.g. from `runExperiment`'s `onUnit`); `write` then runs at most once per interval,
 *   never twice at once, always on the latest state (it builds its content when it runs). A
 *   failing write goes to `onError` and is retried at the next interval; nothing ever throws into
 *   the run. At the end: `stop()` (waits for a write in flight, writes nothing more), then save
 *   the final record as usual; or `flush()` to write the pending state now.
 * - `checkpointRecord(plan, state, options)`: the ExperimentRecord of a run still in progress:
 *   status `cancelled`, error kind `interrupted`, the finished units. Every resume path
 *   (`resumeFrom`, the CLI's `--resume`, the extension's Resume) takes it as is.
 *
 * Typical use (the CLI's `--out`, `src/cli/experiments.ts`):
 *
 *   const identity = experimentIdentity(resumed);
 *   const done = new Map(…reused units…);
 *   const checkpoints = startCheckpoints(() => writeAtomic(path, recordJson(checkpointRecord(plan,
 *     { results: inPlanOrder(units, done), hosts, durationMs: Date.now() - started },
 *     { unitCount: units.length, resumed, ...identity }))), { onError });
 *   await runExperiment(units, { …, onUnit: (r) => { done.set(r.key, r); checkpoints.note(); } });
 *   await checkpoints.stop();
 *   // final record: buildExperimentRecord(plan, run, { unitCount, resumed, ...identity }), written atomically
 */
import type { ExperimentPlan } from './planSchema';
import { buildExperimentRecord, newExperimentId, type ExperimentRecord, type UnitResult } from './record';
import type { ExperimentRun } from './runner';

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 3000;

export interface CheckpointOptions {
  /** At most one write per interval (default 3 s). */
  intervalMs?: number;
  /** A write failed; it is retried at the next interval. */
  onError?: (err: unknown) => void;
}

export interface Checkpointer {
  /** Something changed: a write follows within one interval. */
  note(): void;
  /** Writes now if something changed since the last write, after a write in flight. Never rejects. */
  flush(): Promise<void>;
  /** No more writes (pending changes are dropped); resolves once a write in flight has ended. */
  stop(): Promise<void>;
}

export function startCheckpoints(write: () => Promise<void>, options: CheckpointOptions = {}): Checkpointer {
  const intervalMs = options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  if (!(intervalMs >= 0)) throw new RangeError('intervalMs must be ≥ 0');
  let dirty = false;
  let stopped = false;
  let lastStart = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;

  const schedule = () => {
    if (stopped || !dirty || timer || inFlight) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        void writeNow();
      },
      Math.max(0, lastStart + intervalMs - performance.now()),
    );
    // A pending checkpoint must not keep a process alive on its own.
    timer.unref?.();
  };

  const writeNow = (): Promise<void> => {
    dirty = false;
    lastStart = performance.now();
    const attempt = (async () => write())().catch((err: unknown) => {
      dirty = true;
      try {
        options.onError?.(err);
      } catch {
        // A throwing reporter must not break the run either.
      }
    });
    inFlight = attempt.finally(() => {
      inFlight = undefined;
      schedule();
    });
    return inFlight;
  };

  const clearTimer = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };

  return {
    note() {
      dirty = true;
      schedule();
    },
    async flush() {
      clearTimer();
      while (inFlight) await inFlight;
      clearTimer();
      if (dirty && !stopped) await writeNow();
    },
    async stop() {
      stopped = true;
      clearTimer();
      while (inFlight) await inFlight;
    },
  };
}

/** What a checkpoint knows of a run in progress. */
export interface CheckpointState {
  /** Finished units so far (complete or failed, reused ones included), in plan order. */
  results: readonly UnitResult[];
  /** The run's hosts (versions are only known once the run ends; the final record has them). */
  hosts: readonly { host: string; version?: string }[];
  /** Time spent in this run so far (a resumed record's duration is added to it). */
  durationMs: number;
}

export interface CheckpointRecordOptions {
  unitCount: number;
  /** The record this run resumes: its id, creation time, hosts, models and duration carry over. */
  resumed?: ExperimentRecord;
  /** The same id and creation time as the final record (see `experimentIdentity`). */
  id: string;
  createdAt: string;
  /** The checkpoint's time, in its error message (default now). */
  at?: Date;
}

/** The record of a run still in progress: cancelled, resumable, with the units finished so far. */
export function checkpointRecord(plan: ExperimentPlan, state: CheckpointState, options: CheckpointRecordOptions): ExperimentRecord {
  const digests = new Map<string, string>();
  for (const r of state.results) if (r.modelDigest) digests.set(r.model, r.modelDigest);
  const at = (options.at ?? new Date()).toISOString();
  const run: ExperimentRun = {
    status: 'cancelled',
    error: { kind: 'interrupted', message: `The run stopped before it finished (checkpoint of ${at}).`, nextStep: 'Resume it to measure the rest.' },
    results: [...state.results],
    measured: state.results.length,
    reused: 0,
    hosts: [...state.hosts],
    models: plan.models.map((name) => {
      const digest = digests.get(name);
      return digest ? { name, digest } : { name };
    }),
    // In-flight units' requests are not counted: those units are measured again on resume.
    requests: state.results.reduce((a, r) => a + r.requests, 0),
    durationMs: state.durationMs,
  };
  const { unitCount, resumed, id, createdAt } = options;
  return buildExperimentRecord(plan, run, { unitCount, id, createdAt, ...(resumed ? { resumed } : {}) });
}

/**
 * The id and creation time a run's checkpoints and final record share: the resumed record's, or
 * new ones (`newExperimentId`, as `buildExperimentRecord` makes them).
 */
export function experimentIdentity(resumed?: ExperimentRecord, now: Date = new Date()): { id: string; createdAt: string } {
  if (resumed) return { id: resumed.id, createdAt: resumed.createdAt };
  return { id: newExperimentId(now), createdAt: now.toISOString() };
}

/** The finished units among `units`, in plan order. */
export function inPlanOrder(units: readonly { key: string }[], done: ReadonlyMap<string, UnitResult>): UnitResult[] {
  return units.map((u) => done.get(u.key)).filter((r): r is UnitResult => r !== undefined);
}

/** The units `runExperiment` will reuse from `previous` (complete, same model): a checkpoint's starting point. */
export function reusedUnits(units: readonly { key: string; model: string }[], previous: ReadonlyMap<string, UnitResult> | undefined): Map<string, UnitResult> {
  const reused = new Map<string, UnitResult>();
  for (const u of units) {
    const prev = previous?.get(u.key);
    if (prev && prev.status === 'complete' && prev.model === u.model) reused.set(u.key, prev);
  }
  return reused;
}
