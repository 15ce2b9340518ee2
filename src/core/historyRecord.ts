// The records the history holds and the summaries the listing shows (pure: no I/O).
import { isSimulatedModel } from './analyze';
import { parseExperimentRecord, type ExperimentRecord } from './experiments/record';
import { headline } from './exportFormats';
import { parseRunRecord, type RunRecord, type RunStatus } from './record';

/** What the history holds: single analyses and experiments. */
export type StoredRecord = RunRecord | ExperimentRecord;

export function isExperiment(record: StoredRecord): record is ExperimentRecord {
  return record.kind === 'scaling' || record.kind === 'calibration';
}

/** Reads a history file of any kind; never throws. */
export function parseStoredRecord(text: string): { record?: StoredRecord; error?: string } {
  let kind: unknown;
  try {
    kind = (JSON.parse(text) as { kind?: unknown } | null)?.kind;
  } catch (err) {
    return { error: `not JSON: ${(err as Error).message}` };
  }
  return kind === 'scaling' || kind === 'calibration' ? parseExperimentRecord(text) : parseRunRecord(text);
}

/** The number an experiment is known by: E[r] at the largest K, or the mean normalised KL. */
export function experimentHeadline(record: ExperimentRecord): string {
  const scaling = record.aggregates.scaling ?? [];
  if (record.kind === 'scaling') {
    const last = [...scaling].filter((a) => a.r).sort((a, b) => b.K - a.K)[0];
    return last?.r ? `E[r] ${last.r.mean.toFixed(2)} at K=${last.K}` : `${record.units.length}/${record.unitCount} units`;
  }
  const kls = (record.aggregates.calibration ?? []).map((a) => a.klNormalized.mean).filter((v): v is number => v !== null);
  return kls.length > 0 ? `KL norm. ${(kls.reduce((a, b) => a + b, 0) / kls.length).toFixed(3)}` : `${record.units.length}/${record.unitCount} units`;
}

/** What the history tree shows for one file, without reading the whole run. */
export interface RunSummary {
  id: string;
  kind: 'analysis' | 'scaling' | 'calibration';
  file: string;
  createdAt: string;
  model: string;
  tasks: string[];
  headline: string;
  status: RunStatus;
  method: string;
  simulated: boolean;
  source?: string;
  size: number;
  mtimeMs: number;
}

/** A file in the history folder that is not a readable run (corrupt, foreign, future schema). */
export interface UnreadableRun {
  file: string;
  error: string;
  mtimeMs: number;
}

export interface HistoryListing {
  runs: RunSummary[];
  unreadable: UnreadableRun[];
}

export function summarize(record: StoredRecord, file: string, size: number, mtimeMs: number): RunSummary {
  if (isExperiment(record)) {
    return {
      id: record.id,
      kind: record.kind,
      file,
      createdAt: record.createdAt,
      model: record.models.map((m) => m.name).join(', '),
      tasks: record.plan.kind === 'scaling' ? record.plan.pool : record.plan.tasks,
      headline: experimentHeadline(record),
      status: record.status,
      method: record.plan.method,
      simulated: record.models.some((m) => isSimulatedModel(m.name, '')),
      size,
      mtimeMs,
    };
  }
  return {
    id: record.id,
    kind: 'analysis',
    file,
    createdAt: record.createdAt,
    model: record.model,
    tasks: record.tasks.map((t) => t.id),
    headline: headline(record),
    status: record.status,
    method: record.method,
    simulated: record.simulated,
    ...(record.input.source ? { source: record.input.source } : {}),
    size,
    mtimeMs,
  };
}

export function runFileName(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}
