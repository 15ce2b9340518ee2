import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { headline } from './exportFormats';
import { parseRunRecord, type RunRecord, type RunStatus } from './record';

/** What the history tree shows for one file, without reading the whole run. */
export interface RunSummary {
  id: string;
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

const INDEX = 'index.json';
const INDEX_VERSION = 1;

interface IndexFile {
  version: number;
  runs: RunSummary[];
}

export function summarize(record: RunRecord, file: string, size: number, mtimeMs: number): RunSummary {
  return {
    id: record.id,
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

  async save(record: RunRecord): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const file = runFileName(record.id);
    const text = `${JSON.stringify(record, null, 2)}\n`;
    await writeAtomic(join(this.dir, file), text);
    // The index is only a cache: failing to update it loses nothing.
    await this.list().catch(() => undefined);
    return join(this.dir, file);
  }

  async load(id: string): Promise<RunRecord> {
    const text = await readFile(join(this.dir, runFileName(id)), 'utf8');
    const { record, error } = parseRunRecord(text);
    if (!record) throw new Error(`Run ${id} cannot be read: ${error}`);
    return record;
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
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json') && n !== INDEX);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], unreadable: [] };
      throw err;
    }
    const cached = await this.readIndex();
    const byFile = new Map(cached.map((s) => [s.file, s]));
    const runs: RunSummary[] = [];
    const unreadable: UnreadableRun[] = [];
    let changed = cached.length !== names.length;
    await Promise.all(
      names.map(async (file) => {
        let info;
        try {
          info = await stat(join(this.dir, file));
        } catch {
          changed = true;
          return; // deleted meanwhile
        }
        const hit = byFile.get(file);
        if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) {
          runs.push(hit);
          return;
        }
        changed = true;
        try {
          const text = await readFile(join(this.dir, file), 'utf8');
          const { record, error } = parseRunRecord(text);
          if (record) runs.push(summarize(record, file, info.size, info.mtimeMs));
          else unreadable.push({ file, error: error ?? 'unreadable', mtimeMs: info.mtimeMs });
        } catch (err) {
          unreadable.push({ file, error: (err as Error).message, mtimeMs: info.mtimeMs });
        }
      }),
    );
    runs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.file < b.file ? 1 : -1));
    unreadable.sort((a, b) => (a.file < b.file ? -1 : 1));
    if (changed || unreadable.length > 0) await this.writeIndex(runs).catch(() => undefined);
    return { runs, unreadable };
  }

  private async readIndex(): Promise<RunSummary[]> {
    try {
      const parsed = JSON.parse(await readFile(join(this.dir, INDEX), 'utf8')) as Partial<IndexFile>;
      return parsed.version === INDEX_VERSION && Array.isArray(parsed.runs) ? parsed.runs.filter((r) => typeof r?.file === 'string') : [];
    } catch {
      return [];
    }
  }

  private async writeIndex(runs: RunSummary[]): Promise<void> {
    const index: IndexFile = { version: INDEX_VERSION, runs };
    await writeAtomic(join(this.dir, INDEX), JSON.stringify(index));
  }
}
