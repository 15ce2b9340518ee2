/**
 * A bounded LRU of finished measurements, so analyze-on-save (and the lens, hovers, inline result)
 * can answer at once for a prompt measured before. Keyed by what changes a result: the model (name
 * and digest), the exact prompt, the tasks' answers and the measuring options. Persisted through
 * an injected storage (the extension gives it a file or the workspace state); pure otherwise.
 */
import { createHash } from 'node:crypto';
import { ANALYZE_DEFAULTS, type AnalyzeOptions } from '../analyze';
import { parseRunRecord, type RunRecord } from '../record';

/** The options that change a measurement (concurrency, timeouts, keep-alive and callbacks do not). */
export type CacheOptions = Pick<AnalyzeOptions, 'method' | 'samples' | 'terminated' | 'seed' | 'topK' | 'minNodeMass' | 'beamWidth' | 'maxDepth' | 'minCompletionProbability'>;

/** What a cache key is made of. Compute it from the same request for the lookup and for `set`. */
export interface CacheKeyParts {
  model: string;
  /** The model's digest (from /api/tags): a re-pulled model under the same name misses. */
  modelDigest: string | undefined;
  /** The exact prompt sent (PromptMix.prompt). */
  prompt: string;
  /**
   * The tasks measured and their answers for the query (Detection.tasks): a custom task's table
   * can change an answer while the prompt stays the same.
   */
  tasks: readonly { id: string; answer?: string }[];
  options: CacheOptions;
}

/** Where the cache lives between sessions. */
export interface CacheStorage {
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
}

export interface MeasurementCacheOptions {
  /** Most entries kept (default 200). */
  maxEntries?: number;
  /** Most bytes of record JSON kept (default 20 MB). */
  maxBytes?: number;
  storage?: CacheStorage;
  /** A failed write (the cache itself keeps working). */
  onError?: (err: unknown) => void;
}

export const CACHE_DEFAULTS = { maxEntries: 200, maxBytes: 20 * 1024 * 1024 };
/** The persisted file's `kind` and `version`; any other file is ignored by `load`. */
export const CACHE_FILE_KIND = 'superposition-measurement-cache';
export const CACHE_FILE_VERSION = 1;

const KEY_PATTERN = /^[0-9a-f]{64}$/;

/** JSON with object keys sorted at every level and undefined members left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Options with analyzeMix's defaults filled in, so `{}` and `{ samples: 200 }` give one key. */
function normalisedOptions(o: CacheOptions): Record<string, string | number | boolean | null> {
  return {
    method: o.method ?? ANALYZE_DEFAULTS.method,
    samples: o.samples ?? ANALYZE_DEFAULTS.samples,
    terminated: o.terminated ?? ANALYZE_DEFAULTS.terminated,
    seed: o.seed ?? ANALYZE_DEFAULTS.seed,
    minNodeMass: o.minNodeMass ?? ANALYZE_DEFAULTS.minNodeMass,
    // Derived from the answers by analyzeMix when not given: "not given" is its own value.
    topK: o.topK ?? null,
    beamWidth: o.beamWidth ?? null,
    maxDepth: o.maxDepth ?? null,
    minCompletionProbability: o.minCompletionProbability ?? null,
  };
}

interface Entry {
  record: RunRecord;
  bytes: number;
}

/** Bounded LRU of complete run records, persisted through an injected storage. */
export class MeasurementCache {
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly storage: CacheStorage | undefined;
  private readonly onError: (err: unknown) => void;
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(options: MeasurementCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? CACHE_DEFAULTS.maxEntries);
    this.maxBytes = Math.max(1, options.maxBytes ?? CACHE_DEFAULTS.maxBytes);
    this.storage = options.storage;
    this.onError = options.onError ?? (() => {});
  }

  /** The cache key (sha256 hex of the canonical JSON of the parts, options defaulted). */
  static key(parts: CacheKeyParts): string {
    const payload = {
      v: CACHE_FILE_VERSION,
      model: parts.model,
      modelDigest: parts.modelDigest ?? null,
      prompt: parts.prompt,
      tasks: parts.tasks.map((t) => [t.id, t.answer ?? null]),
      options: normalisedOptions(parts.options),
    };
    return createHash('sha256').update(canonicalJson(payload)).digest('hex');
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes of record JSON held (UTF-8). */
  get bytes(): number {
    return this.totalBytes;
  }

  /** The record under `key`, which becomes the most recently used; undefined on a miss. */
  get(key: string): RunRecord | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.record;
  }

  /** Whether `key` is held (does not count as a use). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Stores a record as the most recently used and schedules a save. Only complete records are
   * kept, and none larger than the byte bound; returns whether it was stored.
   */
  set(key: string, record: RunRecord): boolean {
    if (record.status !== 'complete' || !KEY_PATTERN.test(key)) return false;
    const stored = this.insert(key, record);
    if (stored) this.save();
    return stored;
  }

  /** Forgets one entry; returns whether it was held. */
  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
    this.save();
    return true;
  }

  /**
   * Reads the storage. A missing, unreadable, corrupt, foreign or future-version file leaves the
   * cache empty (`problem` says why); invalid entries are skipped. Never throws. Entries set
   * before the load finishes stay, as the most recent ones.
   */
  async load(): Promise<{ loaded: number; problem?: string }> {
    let text: string | undefined;
    try {
      text = await this.storage?.read();
    } catch (err) {
      return { loaded: 0, problem: `unreadable: ${(err as Error).message}` };
    }
    if (text === undefined) return { loaded: 0 };
    const parsed = parseCacheFile(text);
    if (parsed.problem !== undefined) return { loaded: 0, problem: parsed.problem };
    const current = [...this.entries];
    this.entries.clear();
    this.totalBytes = 0;
    for (const [key, record] of parsed.entries) this.insert(key, record);
    for (const [key, entry] of current) this.insert(key, entry.record);
    const kept = new Set(current.map(([key]) => key));
    return { loaded: parsed.entries.filter(([key]) => !kept.has(key) && this.entries.has(key)).length };
  }

  /**
   * Schedules one write of the whole cache. Calls in the same turn, or while a write is under
   * way, are coalesced into one (more) write. Failures go to `onError`.
   */
  save(): void {
    if (!this.storage) return;
    this.dirty = true;
    this.writing ??= this.writeLoop();
  }

  /** Resolves once every scheduled save has been written (or has failed). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** The persisted form: entries from least to most recently used. */
  serialize(): string {
    return JSON.stringify({ kind: CACHE_FILE_KIND, version: CACHE_FILE_VERSION, entries: [...this.entries].map(([key, e]) => [key, e.record]) });
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.dirty) {
        // Let the rest of this turn's sets land in the same write.
        await Promise.resolve();
        this.dirty = false;
        try {
          await this.storage!.write(this.serialize());
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** Inserts as most recent, then evicts the least recently used over either bound. */
  private insert(key: string, record: RunRecord): boolean {
    const bytes = Buffer.byteLength(JSON.stringify(record), 'utf8');
    if (bytes > this.maxBytes) return false;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.totalBytes -= old.bytes;
    }
    this.entries.set(key, { record, bytes });
    this.totalBytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.totalBytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.totalBytes -= entry.bytes;
    }
    return true;
  }
}

/** Reads the persisted form; never throws. Entries that are not complete valid run records are skipped. */
function parseCacheFile(text: string): { entries: [string, RunRecord][]; problem?: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { entries: [], problem: 'not JSON' };
  }
  const file = data as { kind?: unknown; version?: unknown; entries?: unknown } | null;
  if (file === null || typeof file !== 'object' || file.kind !== CACHE_FILE_KIND) return { entries: [], problem: 'not a measurement cache' };
  if (file.version !== CACHE_FILE_VERSION) return { entries: [], problem: `cache version ${String(file.version)} (this one reads ${CACHE_FILE_VERSION})` };
  if (!Array.isArray(file.entries)) return { entries: [], problem: 'no entries' };
  const entries: [string, RunRecord][] = [];
  for (const item of file.entries as unknown[]) {
    if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string' || !KEY_PATTERN.test(item[0])) continue;
    const { record } = parseRunRecord(JSON.stringify(item[1]));
    if (record?.status === 'complete') entries.push([item[0], record]);
  }
  return { entries };
}
