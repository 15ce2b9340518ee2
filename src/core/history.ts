import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

/** Temp files older than this are leftovers of killed writers. */
export const STALE_TEMP_MS = 10 * 60 * 1000;
const INDEX = 'index.json';
const INDEX_VERSION = 2;

interface IndexFile {
  version: number;
  runs: RunSummary[];
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

const SUMMARY_KINDS: readonly unknown[] = ['analysis', 'scaling', 'calibration'];
const STATUSES: readonly unknown[] = ['complete', 'cancelled', 'failed'];

/** An index entry with every field of a RunSummary, for the file its id names (anything else is re-read from its file). */
function isTrustedSummary(value: unknown): value is RunSummary {
  if (value === null || typeof value !== 'object') return false;
  const s = value as Record<string, unknown>;
  const strings = ['id', 'file', 'createdAt', 'model', 'headline', 'method'].every((k) => typeof s[k] === 'string');
  return (
    strings &&
    SUMMARY_KINDS.includes(s.kind) &&
    STATUSES.includes(s.status) &&
    Array.isArray(s.tasks) &&
    s.tasks.every((t) => typeof t === 'string') &&
    typeof s.simulated === 'boolean' &&
    (s.source === undefined || typeof s.source === 'string') &&
    typeof s.size === 'number' &&
    typeof s.mtimeMs === 'number' &&
    s.file === runFileName(s.id as string)
  );
}

function indexJson(runs: RunSummary[]): string {
  const index: IndexFile = { version: INDEX_VERSION, runs };
  return JSON.stringify(index);
}

/** Writes a file so readers see the old content or the new one, never a part: temp file + rename. */
export async function writeAtomic(path: string, content: string): Promise<void> {
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content, { encoding: 'utf8', flush: true });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

export function runFileName(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

/**
 * Run records, one JSON file each, in one folder (by default `.superposition/runs/` of the
 * workspace, so a team can commit and diff them). The files are the truth; `index.json` is a
 * cache of their summaries, rebuilt for any file it does not describe, so that several windows
 * writing at once, deleted files and foreign files never break the listing.
 */
export class HistoryStore {
  constructor(readonly dir: string) {}

  async save(record: StoredRecord): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const file = runFileName(record.id);
    const text = `${JSON.stringify(record, null, 2)}\n`;
    await writeAtomic(join(this.dir, file), text);
    // The index is only a cache: failing to update it loses nothing.
    await this.list().catch(() => undefined);
    return join(this.dir, file);
  }

  async load(id: string): Promise<RunRecord> {
    const text = await this.readRun(id);
    const { record, error } = parseRunRecord(text);
    if (!record) throw new Error(`Run ${id} cannot be read: ${error}`);
    return record;
  }

  /** Any kind of record by id (analysis or experiment). */
  async loadStored(id: string): Promise<StoredRecord> {
    const text = await this.readRun(id);
    const { record, error } = parseStoredRecord(text);
    if (!record) throw new Error(`Run ${id} cannot be read: ${error}`);
    return record;
  }

  /** The text of run `id`: its own file, or the file the listing found it in (a renamed run file). */
  private async readRun(id: string): Promise<string> {
    try {
      return await readFile(join(this.dir, runFileName(id)), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const found = (await this.list().catch(() => undefined))?.runs.find((r) => r.id === id);
      if (!found) throw err;
      return readFile(join(this.dir, found.file), 'utf8');
    }
  }

  async loadFile(file: string): Promise<RunRecord> {
    const text = await readFile(join(this.dir, file), 'utf8');
    const { record, error } = parseRunRecord(text);
    if (!record) throw new Error(`${file} cannot be read: ${error}`);
    return record;
  }

  async delete(file: string): Promise<void> {
    await rm(join(this.dir, file), { force: true });
    await this.list().catch(() => undefined);
  }

  /** Newest first. Reads only files whose size or time changed since the index was written. */
  async list(): Promise<HistoryListing> {
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], unreadable: [] };
      throw err;
    }
    const names = entries.filter((n) => n.endsWith('.json') && n !== INDEX);
    await this.removeStaleTemps(entries.filter((n) => n.endsWith('.tmp')));
    const { runs: cached, raw: indexText } = await this.readIndex();
    const byFile = new Map(cached.map((s) => [s.file, s]));
    const runs: RunSummary[] = [];
    const unreadable: UnreadableRun[] = [];
    // Stat synchronously: for thousands of files a plain loop is several times faster than as many
    // promises, and it is only metadata. Files whose size and time match the index are not read.
    const toRead: { file: string; size: number; mtimeMs: number }[] = [];
    for (const file of names) {
      let info;
      try {
        info = statSync(join(this.dir, file));
      } catch {
        continue; // deleted meanwhile
      }
      const hit = byFile.get(file);
      if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) runs.push(hit);
      else toRead.push({ file, size: info.size, mtimeMs: info.mtimeMs });
    }
    await Promise.all(
      toRead.map(async ({ file, size, mtimeMs }) => {
        try {
          const text = await readFile(join(this.dir, file), 'utf8');
          const { record, error } = parseStoredRecord(text);
          if (record) runs.push(summarize(record, file, size, mtimeMs));
          else unreadable.push({ file, error: error ?? 'unreadable', mtimeMs });
        } catch (err) {
          unreadable.push({ file, error: (err as Error).message, mtimeMs });
        }
      }),
    );
    // One run per id (the tree and `load` know runs by id): a copy of a run file under another
    // name is listed apart; the run's own file (runFileName) wins, else the first file by name.
    const byId = new Map<string, RunSummary>();
    for (const run of [...runs].sort((a, b) => (a.file < b.file ? -1 : 1))) {
      const kept = byId.get(run.id);
      if (!kept || (run.file === runFileName(run.id) && kept.file !== runFileName(kept.id))) byId.set(run.id, run);
    }
    const unique = runs.filter((run) => byId.get(run.id) === run);
    for (const run of runs) {
      const kept = byId.get(run.id);
      if (kept && kept !== run) unreadable.push({ file: run.file, error: `holds the same run (id ${run.id}) as ${kept.file}: a copy?`, mtimeMs: run.mtimeMs });
    }
    unique.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.file < b.file ? 1 : -1));
    unreadable.sort((a, b) => (a.file < b.file ? -1 : 1));
    // Written only when it changes: a listing must not touch the folder it lists (file watchers would
    // see a change and list again).
    const text = indexJson(unique);
    if (text !== indexText) await writeAtomic(join(this.dir, INDEX), text).catch(() => undefined);
    return { runs: unique, unreadable };
  }

  /**
   * Temp files of writes that never finished (the writer was killed). A write in progress elsewhere
   * (another window) is seconds old; anything older than STALE_TEMP_MS is left over. Best effort.
   */
  private async removeStaleTemps(temps: readonly string[]): Promise<void> {
    const now = Date.now();
    await Promise.all(
      temps.map(async (name) => {
        try {
          const path = join(this.dir, name);
          if (now - (await stat(path)).mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
        } catch {
          /* gone already, or not ours to remove */
        }
      }),
    );
  }

  /** The cached summaries that can be trusted: well-formed entries of the files their ids name. */
  private async readIndex(): Promise<{ runs: RunSummary[]; raw: string }> {
    let raw = '';
    try {
      raw = await readFile(join(this.dir, INDEX), 'utf8');
      const parsed = JSON.parse(raw) as Partial<IndexFile> | null;
      return { runs: parsed?.version === INDEX_VERSION && Array.isArray(parsed.runs) ? parsed.runs.filter((r: unknown) => isTrustedSummary(r)) : [], raw };
    } catch {
      return { runs: [], raw };
    }
  }

}
