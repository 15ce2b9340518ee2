import { join } from 'node:path';
import { errorCode, forEachBounded, isFdExhausted, nodeFs, retryFd, writeAtomic, Yielder, type FileStamp, type HistoryFs } from './historyFs';
import { IndexCache, INDEX, parseIndex, sameStamp, serializeIndex } from './historyIndex';
import { ListingModel, type FileState } from './historyListing';
import { parseStoredRecord, runFileName, summarize, type HistoryListing, type StoredRecord } from './historyRecord';
import { parseRunRecord, type RunRecord } from './record';

export { writeAtomic, type HistoryFs } from './historyFs';
export { experimentHeadline, isExperiment, parseStoredRecord, runFileName, summarize } from './historyRecord';
export type { HistoryListing, RunSummary, StoredRecord, UnreadableRun } from './historyRecord';

/** Temp files older than this are leftovers of killed writers. */
export const STALE_TEMP_MS = 10 * 60 * 1000;

export interface HistoryStoreOptions {
  fs?: HistoryFs;
  /** Files stat'ed or read at a time by a listing. */
  concurrency?: number;
  /** How long after a save or delete index.json is written (saves in a burst share one write). */
  indexDelayMs?: number;
}

/** Why the listing changed: the store's own save or delete, or a listing that found the files changed. */
export type HistoryChange = 'save' | 'delete' | 'list';

/**
 * Run records, one JSON file each, in one folder (by default `.superposition/runs/` of the
 * workspace, so a team can commit and diff them). The files are the truth; `index.json` is a
 * cache of their summaries, rebuilt for any file it does not describe, so that several windows
 * writing at once, deleted files and foreign files never break the listing.
 *
 * The store keeps the folder's listing in memory once listed: save and delete patch it, `listing()`
 * returns it, `list()` reconciles it with the files (stat'ing them, reading only changed ones).
 */
export class HistoryStore {
  private readonly fs: HistoryFs;
  private readonly concurrency: number;
  private readonly model = new ListingModel();
  private readonly index: IndexCache;
  private loaded = false;
  private running?: Promise<HistoryListing>;
  private queued?: Promise<HistoryListing>;
  private readonly listeners = new Set<(change: HistoryChange) => void>();

  constructor(
    readonly dir: string,
    options: HistoryStoreOptions = {},
  ) {
    this.fs = options.fs ?? nodeFs;
    this.concurrency = options.concurrency ?? 48;
    this.index = new IndexCache(dir, () => this.model.sortedRuns(), options.indexDelayMs ?? 500, this.fs);
  }

  /** Called after the in-memory listing changed. */
  onDidChange(listener: (change: HistoryChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async save(record: StoredRecord): Promise<string> {
    await this.fs.mkdir(this.dir);
    const file = runFileName(record.id);
    const path = join(this.dir, file);
    await writeAtomic(path, `${JSON.stringify(record, null, 2)}\n`, { fs: this.fs });
    if (this.loaded) {
      // The listing knows this file now: one stat, no re-listing. Failing to stat loses nothing (list() re-reads it).
      const info = await this.fs.stat(path).catch(() => undefined);
      if (info) this.model.set(file, { size: info.size, mtimeMs: info.mtimeMs, run: summarize(record, file, info.size, info.mtimeMs) });
      else this.loaded = false;
      this.index.schedule();
    }
    this.emit('save');
    return path;
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
      return await retryFd(() => this.fs.readFile(join(this.dir, runFileName(id))));
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
      const find = (listing?: HistoryListing) => listing?.runs.find((r) => r.id === id);
      const found = (this.loaded ? find(this.model.listing()) : undefined) ?? find(await this.list().catch(() => undefined));
      if (!found) throw err;
      return retryFd(() => this.fs.readFile(join(this.dir, found.file)));
    }
  }

  async loadFile(file: string): Promise<RunRecord> {
    const text = await retryFd(() => this.fs.readFile(join(this.dir, file)));
    const { record, error } = parseRunRecord(text);
    if (!record) throw new Error(`${file} cannot be read: ${error}`);
    return record;
  }

  async delete(file: string): Promise<void> {
    await this.fs.rm(join(this.dir, file));
    if (this.loaded) {
      this.model.set(file, undefined);
      this.index.schedule();
    }
    this.emit('delete');
  }

  /** The listing held in memory (with this store's own saves and deletes); the first call lists the folder. */
  listing(): Promise<HistoryListing> {
    return this.loaded ? Promise.resolve(this.model.listing()) : this.list();
  }

  /**
   * Newest first, reconciled with the files: stats every file (a bounded number at a time, never
   * holding the event loop), reads only those whose size or time changed. Calls made while a
   * listing runs share the next one.
   */
  list(): Promise<HistoryListing> {
    if (!this.running) {
      this.running = this.relist().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.list();
      });
    return this.queued;
  }

  /** Waits for a pending index.json write (tests, shutdown). */
  flush(): Promise<void> {
    return this.index.flush();
  }

  private async relist(): Promise<HistoryListing> {
    const yielder = new Yielder();
    let entries: string[];
    try {
      entries = await retryFd(() => this.fs.readdir(this.dir));
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
      entries = [];
    }
    const temps = this.removeStaleTemps(entries.filter((n) => n.endsWith('.tmp')));
    const cold = !this.loaded;
    const index = cold ? await this.index.read() : undefined;
    const cached = index ? await this.indexStates(index.raw, yielder) : undefined;
    const states = new Map<string, FileState>();
    const names = entries.filter((n) => n.endsWith('.json') && n !== INDEX);
    await forEachBounded(names, this.concurrency, async (file) => {
      const state = await this.scan(file, cached ? cached.get(file) : this.model.get(file));
      if (state) states.set(file, state);
    }, yielder);
    await temps;
    const changed = await this.model.replaceAll(states, yielder);
    this.loaded = true;
    if (entries.length > 0) await this.writeIndexIfStale(changed, index?.raw, index?.stamp, yielder).catch(() => undefined);
    if (changed && !cold) this.emit('list');
    return this.model.listing();
  }

  private async indexStates(raw: string, yielder: Yielder): Promise<Map<string, FileState>> {
    const states = new Map<string, FileState>();
    for (const run of await parseIndex(raw, yielder)) states.set(run.file, { size: run.size, mtimeMs: run.mtimeMs, run });
    return states;
  }

  /** A file's state: the known one when size and time match, else read; undefined when gone. */
  private async scan(file: string, known: FileState | undefined): Promise<FileState | undefined> {
    const path = join(this.dir, file);
    if (known) {
      try {
        const { size, mtimeMs } = await retryFd(() => this.fs.stat(path));
        if (known.size === size && known.mtimeMs === mtimeMs) return known;
      } catch (err) {
        if (isFdExhausted(err)) throw err;
        return undefined; // deleted meanwhile
      }
    }
    let read: FileStamp & { text: string };
    try {
      read = await retryFd(() => this.fs.readStamped(path));
    } catch (err) {
      if (isFdExhausted(err)) throw err; // a listing that fails, never a good run shown as unreadable
      if (errorCode(err) === 'ENOENT') return undefined;
      const info = await this.fs.stat(path).catch(() => undefined);
      return info && { size: info.size, mtimeMs: info.mtimeMs, error: (err as Error).message };
    }
    const { size, mtimeMs, text } = read;
    const { record, error } = parseStoredRecord(text);
    return record ? { size, mtimeMs, run: summarize(record, file, size, mtimeMs) } : { size, mtimeMs, error: error ?? 'unreadable' };
  }

  /**
   * Written only when it differs from the listing: a listing must not touch the folder it lists
   * (file watchers would see a change and list again).
   */
  private async writeIndexIfStale(changed: boolean, raw: string | undefined, stamp: FileStamp | undefined, yielder: Yielder): Promise<void> {
    if (raw === undefined) {
      // Warm: the index is ours unless another writer replaced it since.
      const now = await this.fs.stat(this.index.path).catch(() => undefined);
      if (!changed && !this.index.pending && sameStamp(now, this.index.stamp)) return;
      if (!changed && !this.index.pending) ({ raw, stamp } = await this.index.read());
    }
    const text = await serializeIndex(this.model.sortedRuns(), yielder);
    if (text === raw) {
      this.index.stamp = stamp;
      return;
    }
    await this.index.write(text);
  }

  /**
   * Temp files of writes that never finished (the writer was killed). A write in progress elsewhere
   * (another window) is seconds old; anything older than STALE_TEMP_MS is left over. Best effort.
   */
  private async removeStaleTemps(temps: readonly string[]): Promise<void> {
    const now = Date.now();
    await forEachBounded(temps, 8, async (name) => {
      try {
        const path = join(this.dir, name);
        if (now - (await this.fs.stat(path)).mtimeMs > STALE_TEMP_MS) await this.fs.rm(path);
      } catch {
        /* gone already, or not ours to remove */
      }
    });
  }

  private emit(change: HistoryChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
