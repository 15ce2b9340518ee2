// File access of the history: an injectable file system (tests count or fail calls), atomic writes,
// bounded concurrency that yields to the event loop, and retries when file descriptors run out.
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';

export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/** The file operations the history uses. */
export interface HistoryFs {
  readdir(dir: string): Promise<string[]>;
  stat(path: string): Promise<FileStamp>;
  readFile(path: string): Promise<string>;
  /** The text with the size and time of what was read (one open file: no separate stat). */
  readStamped(path: string): Promise<FileStamp & { text: string }>;
  /** `durable`: flushed to disk before it resolves (run files); caches are not. */
  writeFile(path: string, text: string, durable: boolean): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string): Promise<void>;
  mkdir(dir: string): Promise<void>;
}

export const nodeFs: HistoryFs = {
  readdir: (dir) => fsp.readdir(dir),
  stat: (path) => fsp.stat(path),
  readFile: (path) => fsp.readFile(path, 'utf8'),
  readStamped: async (path) => {
    const handle = await fsp.open(path, 'r');
    try {
      const { size, mtimeMs } = await handle.stat();
      const buffer = Buffer.allocUnsafe(size);
      let length = 0;
      while (length < size) {
        const { bytesRead } = await handle.read(buffer, length, size - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      return { text: buffer.toString('utf8', 0, length), size, mtimeMs };
    } finally {
      await handle.close();
    }
  },
  writeFile: (path, text, durable) => fsp.writeFile(path, text, { encoding: 'utf8', flush: durable }),
  rename: (from, to) => fsp.rename(from, to),
  rm: (path) => fsp.rm(path, { force: true }),
  mkdir: async (dir) => {
    await fsp.mkdir(dir, { recursive: true });
  },
};

/** Writes a file so readers see the old content or the new one, never a part: temp file + rename. */
export async function writeAtomic(path: string, content: string, options: { durable?: boolean; fs?: HistoryFs } = {}): Promise<void> {
  const fs = options.fs ?? nodeFs;
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temp, content, options.durable ?? true);
    await fs.rename(temp, path);
  } catch (err) {
    await fs.rm(temp).catch(() => undefined);
    throw err;
  }
}

export function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Out of file descriptors (this process or the system): a reason to wait, never a property of the file. */
export function isFdExhausted(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'EMFILE' || code === 'ENFILE';
}

const FD_RETRY_MAX_MS = 60_000;

/** Runs `op`, retrying with backoff while file descriptors are exhausted (up to a minute, then throws). */
export async function retryFd<T>(op: () => Promise<T>): Promise<T> {
  let wait = 2;
  let waited = 0;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (!isFdExhausted(err) || waited >= FD_RETRY_MAX_MS) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
      waited += wait;
      wait = Math.min(wait * 2, 250);
    }
  }
}

/** Gives the event loop a turn once `budgetMs` of synchronous work has passed since the last one. */
export class Yielder {
  private last = performance.now();
  constructor(private readonly budgetMs = 6) {}

  async maybe(): Promise<void> {
    if (performance.now() - this.last < this.budgetMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}

/** `work` over every item, at most `limit` at a time; stops starting new items after a failure. */
export async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, yielder = new Yielder()): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failed = true;
        throw err;
      }
      await yielder.maybe();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** A stable sort that never holds the event loop long: native sort of slices, then merges that yield. */
export async function sortYielding<T>(items: readonly T[], compare: (a: T, b: T) => number, yielder = new Yielder()): Promise<T[]> {
  const SLICE = 2048;
  let runs: T[][] = [];
  for (let i = 0; i < items.length; i += SLICE) {
    runs.push(items.slice(i, i + SLICE).sort(compare));
    await yielder.maybe();
  }
  while (runs.length > 1) {
    const merged: T[][] = [];
    for (let i = 0; i < runs.length; i += 2) merged.push(runs[i + 1] ? await merge(runs[i]!, runs[i + 1]!, compare, yielder) : runs[i]!);
    runs = merged;
  }
  return runs[0] ?? [];
}

async function merge<T>(a: T[], b: T[], compare: (a: T, b: T) => number, yielder: Yielder): Promise<T[]> {
  const out: T[] = new Array<T>(a.length + b.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = j >= b.length || (i < a.length && compare(a[i]!, b[j]!) <= 0) ? a[i++]! : b[j++]!;
    if ((k & 1023) === 1023) await yielder.maybe();
  }
  return out;
}
