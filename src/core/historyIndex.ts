// index.json: a cache of the run summaries, one entry a line so that it is written and read in
// slices (a 10 000-run index is ~4 MB: one JSON.parse or stringify of it would hold the event loop).
// Never flushed to disk: losing it costs one re-read of the files.
import { join } from 'node:path';
import { errorCode, nodeFs, retryFd, writeAtomic, Yielder, type FileStamp, type HistoryFs } from './historyFs';
import { runFileName, type RunSummary } from './historyRecord';

export const INDEX = 'index.json';
const INDEX_VERSION = 2;
const HEAD = `{"version":${INDEX_VERSION},"runs":[\n`;
const TAIL = '\n]}\n';
/** An index in another layout (an older writer) is parsed whole only when that is quick. */
const WHOLE_PARSE_MAX = 1 << 20;

const SUMMARY_KINDS: readonly unknown[] = ['analysis', 'scaling', 'calibration'];
const STATUSES: readonly unknown[] = ['complete', 'cancelled', 'failed'];

/** An index entry with every field of a RunSummary, for the file its id names (anything else is re-read from its file). */
export function isTrustedSummary(value: unknown): value is RunSummary {
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

export async function serializeIndex(runs: readonly RunSummary[], yielder = new Yielder()): Promise<string> {
  const lines: string[] = new Array<string>(runs.length);
  for (let i = 0; i < runs.length; i++) {
    lines[i] = JSON.stringify(runs[i]);
    if ((i & 255) === 255) await yielder.maybe();
  }
  return `${HEAD}${lines.join(',\n')}${TAIL}`;
}

/** The trusted entries of an index text; anything malformed is left out (its file is read instead). */
export async function parseIndex(raw: string, yielder = new Yielder()): Promise<RunSummary[]> {
  if (!raw.startsWith(HEAD) || !raw.endsWith(TAIL)) return raw.length <= WHOLE_PARSE_MAX ? parseWhole(raw) : [];
  const runs: RunSummary[] = [];
  const end = raw.length - TAIL.length;
  for (let at = HEAD.length, n = 0; at < end; n++) {
    const nl = raw.indexOf('\n', at);
    const stop = nl < 0 || nl > end ? end : nl;
    const line = raw.slice(at, raw.charCodeAt(stop - 1) === 44 /* , */ ? stop - 1 : stop);
    at = stop + 1;
    try {
      const entry: unknown = JSON.parse(line);
      if (isTrustedSummary(entry)) runs.push(entry);
    } catch {
      /* a damaged line: that file is read */
    }
    if ((n & 255) === 255) await yielder.maybe();
  }
  return runs;
}

function parseWhole(raw: string): RunSummary[] {
  try {
    const parsed = JSON.parse(raw) as { version?: unknown; runs?: unknown } | null;
    return parsed?.version === INDEX_VERSION && Array.isArray(parsed.runs) ? parsed.runs.filter((r: unknown) => isTrustedSummary(r)) : [];
  } catch {
    return [];
  }
}

export function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return a !== undefined && b !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/**
 * The index file of one folder: read on a cold listing, written after changes — coalesced (one
 * write at a time, one more if something changed meanwhile) and, after saves, debounced.
 */
export class IndexCache {
  /** Size and time of index.json when it last held what this store wrote or checked. */
  stamp?: FileStamp;
  private timer?: ReturnType<typeof setTimeout>;
  private writing?: Promise<void>;
  private next?: Promise<void>;

  constructor(
    private readonly dir: string,
    private readonly runs: () => readonly RunSummary[],
    private readonly delayMs: number,
    private readonly fs: HistoryFs = nodeFs,
  ) {}

  get path(): string {
    return join(this.dir, INDEX);
  }

  /** The index text ('' when missing or unreadable) and its stamp. */
  async read(): Promise<{ raw: string; stamp?: FileStamp }> {
    try {
      const stamp = await retryFd(() => this.fs.stat(this.path));
      return { raw: await retryFd(() => this.fs.readFile(this.path)), stamp };
    } catch (err) {
      if (errorCode(err) === 'EMFILE' || errorCode(err) === 'ENFILE') throw err;
      return { raw: '' };
    }
  }

  get pending(): boolean {
    return this.timer !== undefined || this.writing !== undefined;
  }

  /** A write soon; saves in a burst share it. Best effort: the index is only a cache. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write().catch(() => undefined);
    }, this.delayMs);
    this.timer.unref?.();
  }

  /** Writes the index now (after the write in progress, if any). */
  write(text?: string): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing) {
      this.next ??= this.writing.catch(() => undefined).then(() => {
        this.next = undefined;
        return this.write();
      });
      return this.next;
    }
    this.writing = this.writeNow(text).finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  /** Waits for a scheduled or running write. */
  async flush(): Promise<void> {
    if (this.timer) await this.write();
    else await (this.next ?? this.writing);
  }

  private async writeNow(text?: string): Promise<void> {
    const content = text ?? (await serializeIndex(this.runs()));
    await writeAtomic(this.path, content, { durable: false, fs: this.fs });
    this.stamp = await this.fs.stat(this.path).catch(() => undefined);
  }
}
