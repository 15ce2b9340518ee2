/**
 * The history with 10 000 runs (and 100 000 standalone: `npx tsx bench/history.ts 10000 100000`):
 * HistoryStore.list() cold (no index.json: every file read, validated and summarised, the index
 * written), from the index (a new store: another window, a restart — one stat per file), re-listed
 * by a store that already holds the listing (one stat per file, nothing read), the in-memory
 * listing, and save() into a listed folder; each with the longest event-loop block while it ran
 * (perf_hooks.monitorEventLoopDelay). Then the Experiments tree's own mapping (day groups, every
 * run's TreeItem: the days are expanded by default, so VS Code asks for all of them) with the fake
 * `vscode` module of bench/fakeVscode.cjs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HistoryStore, runFileName } from '../src/core/history';
import type { RunRecord } from '../src/core/record';

export interface HistoryResult {
  runs: number;
  days: number;
  bytes: number;
  writeMs: number;
  coldMs: number;
  /** A tree refresh for a change on disk: list() by the store holding the listing (one stat per file, no file read). */
  warmMs: number[];
  /** getChildren(root) + getTreeItem(group), and getChildren(day) + getTreeItem(run) for the expanded days. */
  treeMs: number[];
  listed: number;
  treeItems: number;
  /** A new store with index.json (another window, a restart): one stat per file. */
  indexMs: number[];
  /** listing(): the in-memory listing (a tree refresh after the store's own save or delete). */
  memoryMs: number[];
  /** save() into the listed folder, per run (the run file written and flushed, the listing patched). */
  saveMs: number;
  /** The debounced index.json write after those saves (not flushed to disk). */
  indexWriteMs: number;
  /** Longest event-loop block (ms) during each phase. */
  blockMs: { cold: number; index: number; warm: number; memory: number; save: number; indexWrite: number; tree: number };
}

/** Runs `op`, returning its time and the longest event-loop block while it ran. */
async function probe<T>(op: () => Promise<T>): Promise<{ value: T; ms: number; blockMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const t = performance.now();
  const value = await op();
  const ms = performance.now() - t;
  await new Promise((resolve) => setTimeout(resolve, 2)); // let the monitor see a block at the very end
  histogram.disable();
  return { value, ms, blockMs: histogram.count > 0 ? histogram.max / 1e6 : ms };
}

async function repeat(times: number, op: () => Promise<unknown>): Promise<{ ms: number[]; blockMs: number }> {
  const ms: number[] = [];
  let blockMs = 0;
  for (let i = 0; i < times; i++) {
    const r = await probe(op);
    ms.push(r.ms);
    blockMs = Math.max(blockMs, r.blockMs);
  }
  return { ms, blockMs };
}

type TreeModule = typeof import('../src/extension/views/experimentsTree');

function loadTreeWithFakeVscode(): TreeModule {
  const { createFakeVscode } = require('./fakeVscode.cjs') as { createFakeVscode: () => unknown };
  const fake = createFakeVscode();
  const mod = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const load = mod._load;
  mod._load = function (request: string, parent: unknown, isMain: boolean) {
    return request === 'vscode' ? fake : load.call(this, request, parent, isMain);
  };
  try {
    return require('../src/extension/views/experimentsTree') as TreeModule;
  } finally {
    mod._load = load;
  }
}

function runId(n: number, runs: number, days: number, now: number): { id: string; createdAt: string } {
  // Spread over `days` days, newest first, a few minutes apart.
  const perDay = Math.ceil(runs / days);
  const createdAt = new Date(now - Math.floor(n / perDay) * 86_400_000 - (n % perDay) * 300_000).toISOString();
  return { id: `${createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${n.toString(36).padStart(6, '0')}`, createdAt };
}

async function writeRuns(dir: string, template: RunRecord, runs: number, days: number): Promise<number> {
  const now = Date.now();
  let bytes = 0;
  const batch = 200;
  for (let i = 0; i < runs; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, runs - i) }, async (_, k) => {
        const { id, createdAt } = runId(i + k, runs, days, now);
        const text = `${JSON.stringify({ ...template, id, createdAt }, null, 2)}\n`;
        bytes += text.length;
        await writeFile(join(dir, runFileName(id)), text, 'utf8');
      }),
    );
  }
  return bytes;
}

async function benchTree(store: HistoryStore, repeats: number): Promise<{ ms: number[]; blockMs: number; items: number }> {
  const { ExperimentsTree } = loadTreeWithFakeVscode();
  let items = 0;
  const { ms, blockMs } = await repeat(repeats, async () => {
    const tree = new ExperimentsTree(() => store);
    await tree.runs(); // the listing itself is timed apart
    const groups = await tree.getChildren();
    items = 0;
    for (const group of groups) {
      // As VS Code does: the children of a group are asked for only when it is expanded.
      const item = tree.getTreeItem(group);
      if (item.collapsibleState !== 2 /* TreeItemCollapsibleState.Expanded */) continue;
      for (const child of await tree.getChildren(group)) {
        tree.getTreeItem(child);
        items++;
      }
    }
    tree.dispose();
  });
  return { ms, blockMs, items };
}

export async function benchHistory(template: RunRecord, runs: number, days: number, warmRepeats = 5, saves = 200): Promise<HistoryResult> {
  const dir = mkdtempSync(join(tmpdir(), 'superposition-history-'));
  try {
    let t = performance.now();
    const bytes = await writeRuns(dir, template, runs, days);
    const writeMs = performance.now() - t;

    const cold = await probe(() => new HistoryStore(dir).list());
    const index = await repeat(warmRepeats, () => new HistoryStore(dir).list());
    const store = new HistoryStore(dir);
    await store.list();
    const warm = await repeat(warmRepeats, () => store.list());
    const memory = await repeat(warmRepeats, () => store.listing());
    const now = Date.now() + 86_400_000;
    const save = await probe(async () => {
      for (let i = 0; i < saves; i++) await store.save({ ...template, id: `saved-${i}`, createdAt: new Date(now + i * 1000).toISOString() });
    });
    const indexWrite = await probe(() => store.flush());
    const listed = (await store.listing()).runs.length;
    const tree = await benchTree(store, warmRepeats);
    return {
      runs,
      days,
      bytes,
      writeMs,
      coldMs: cold.ms,
      warmMs: warm.ms,
      treeMs: tree.ms,
      listed,
      treeItems: tree.items,
      indexMs: index.ms,
      memoryMs: memory.ms,
      saveMs: save.ms / saves,
      indexWriteMs: indexWrite.ms,
      blockMs: { cold: cold.blockMs, index: index.blockMs, warm: warm.blockMs, memory: memory.blockMs, save: save.blockMs, indexWrite: indexWrite.blockMs, tree: tree.blockMs },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Standalone: `npx tsx bench/history.ts [runs...]`, with the test fixture's record. */
async function main(): Promise<void> {
  const { sampleRecord } = await import('../test/unit/fixtures');
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  for (const runs of sizes.length > 0 ? sizes : [10_000]) {
    const r = await benchHistory(sampleRecord('template'), runs, 100, 3, 200);
    const f = (x: number) => x.toFixed(1);
    console.log(
      `${runs} runs (${(r.bytes / runs / 1024).toFixed(1)} KiB each): cold ${f(r.coldMs)} ms · from index ${f(median(r.indexMs))} ms · re-list ${f(median(r.warmMs))} ms · in memory ${f(median(r.memoryMs))} ms · ` +
        `save ${f(r.saveMs)} ms/run · index write ${f(r.indexWriteMs)} ms · tree ${f(median(r.treeMs))} ms; longest block (ms) ${JSON.stringify(Object.fromEntries(Object.entries(r.blockMs).map(([k, v]) => [k, Number(v.toFixed(1))])))}`,
    );
  }
}

if (require.main === module) void main();
