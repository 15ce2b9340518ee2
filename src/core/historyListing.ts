// The listing of one history folder held in memory: what each file holds, and the sorted rows the
// tree shows, patched file by file (a save or a delete costs a binary search, not a re-sort).
import { sortYielding, Yielder, type FileStamp } from './historyFs';
import { runFileName, type HistoryListing, type RunSummary, type UnreadableRun } from './historyRecord';

/** What one file of the folder holds: a run, or why it is not one. */
export interface FileState extends FileStamp {
  run?: RunSummary;
  error?: string;
}

type Row = { run: RunSummary } | { item: UnreadableRun };

/** Newest first; the file name breaks ties (descending, as before). */
export function newestFirst(a: RunSummary, b: RunSummary): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.file === b.file ? 0 : a.file < b.file ? 1 : -1;
}

function byFile(a: UnreadableRun, b: UnreadableRun): number {
  return a.file === b.file ? 0 : a.file < b.file ? -1 : 1;
}

/** Index of the first element not before `item`. */
function lowerBound<T>(items: readonly T[], item: T, compare: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(items[mid]!, item) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function copyError(id: string, kept: string): string {
  return `holds the same run (id ${id}) as ${kept}: a copy?`;
}

export class ListingModel {
  private files = new Map<string, FileState>();
  /** The files holding a run, by run id: one is listed, the others are copies. */
  private byId = new Map<string, Set<string>>();
  private rows = new Map<string, Row>();
  private runs: RunSummary[] = [];
  private unreadable: UnreadableRun[] = [];
  private snapshot?: HistoryListing;

  get(file: string): FileState | undefined {
    return this.files.get(file);
  }

  /** The rows, newest first (shared: callers must not change them). */
  sortedRuns(): readonly RunSummary[] {
    return this.runs;
  }

  listing(): HistoryListing {
    this.snapshot ??= { runs: this.runs.slice(), unreadable: this.unreadable.slice() };
    return this.snapshot;
  }

  /** A file written or changed; `undefined`: removed. */
  set(file: string, state: FileState | undefined): void {
    const old = this.files.get(file);
    if (old?.run) this.byId.get(old.run.id)?.delete(file);
    this.hide(file);
    if (state) this.files.set(file, state);
    else this.files.delete(file);
    if (state?.run) {
      const group = this.byId.get(state.run.id) ?? new Set<string>();
      this.byId.set(state.run.id, group.add(file));
    } else if (state?.error) this.show(file, { item: { file, error: state.error, mtimeMs: state.mtimeMs } });
    if (old?.run) this.regroup(old.run.id);
    if (state?.run && state.run.id !== old?.run?.id) this.regroup(state.run.id);
  }

  /** Replaces everything with a fresh scan; true when anything differs from before. */
  async replaceAll(states: Map<string, FileState>, yielder = new Yielder()): Promise<boolean> {
    let changed = states.size !== this.files.size;
    let n = 0;
    for (const [file, state] of states) {
      if (this.files.get(file) !== state) changed = true;
      if (changed) break;
      if ((++n & 1023) === 0) await yielder.maybe();
    }
    if (!changed) return false;
    await yielder.maybe();
    this.files = states;
    this.byId = new Map();
    this.rows = new Map();
    const unreadable: UnreadableRun[] = [];
    for (const [file, state] of states) {
      if (state.run) this.byId.set(state.run.id, (this.byId.get(state.run.id) ?? new Set<string>()).add(file));
      else if (state.error) unreadable.push(this.row(file, { item: { file, error: state.error, mtimeMs: state.mtimeMs } }));
      if ((++n & 511) === 0) await yielder.maybe();
    }
    const runs: RunSummary[] = [];
    for (const [id, group] of this.byId) {
      const kept = keptFile(id, group);
      for (const file of group) {
        const run = this.files.get(file)!.run!;
        if (file === kept) runs.push(this.row(file, { run }));
        else unreadable.push(this.row(file, { item: { file, error: copyError(id, kept), mtimeMs: run.mtimeMs } }));
      }
      if ((++n & 511) === 0) await yielder.maybe();
    }
    this.runs = await sortYielding(runs, newestFirst, yielder);
    this.unreadable = await sortYielding(unreadable, byFile, yielder);
    this.snapshot = undefined;
    return true;
  }

  private row<T extends RunSummary | UnreadableRun>(file: string, row: Row): T {
    this.rows.set(file, row);
    return ('run' in row ? row.run : row.item) as T;
  }

  private regroup(id: string): void {
    const group = this.byId.get(id);
    if (!group || group.size === 0) {
      this.byId.delete(id);
      return;
    }
    const kept = keptFile(id, group);
    for (const file of group) {
      this.hide(file);
      const run = this.files.get(file)!.run!;
      this.show(file, file === kept ? { run } : { item: { file, error: copyError(id, kept), mtimeMs: run.mtimeMs } });
    }
  }

  private hide(file: string): void {
    const row = this.rows.get(file);
    if (!row) return;
    this.rows.delete(file);
    if ('run' in row) this.runs.splice(lowerBound(this.runs, row.run, newestFirst), 1);
    else this.unreadable.splice(lowerBound(this.unreadable, row.item, byFile), 1);
    this.snapshot = undefined;
  }

  private show(file: string, row: Row): void {
    this.rows.set(file, row);
    if ('run' in row) this.runs.splice(lowerBound(this.runs, row.run, newestFirst), 0, row.run);
    else this.unreadable.splice(lowerBound(this.unreadable, row.item, byFile), 0, row.item);
    this.snapshot = undefined;
  }
}

/** The run's own file (runFileName) wins, else the first file by name. */
function keptFile(id: string, group: ReadonlySet<string>): string {
  const own = runFileName(id);
  if (group.has(own)) return own;
  let first: string | undefined;
  for (const file of group) if (first === undefined || file < first) first = file;
  return first!;
}
