/**
 * The history tree with 10 000 runs: HistoryStore.list() cold (no index.json: every file read,
 * validated and summarised, the index written) and warm (index cache: one stat per file), and the
 * Experiments tree's own mapping (day groups, every run's TreeItem: the days are expanded by
 * default, so VS Code asks for all of them) with the fake `vscode` module of bench/fakeVscode.cjs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryStore, runFileName } from '../src/core/history';
import type { RunRecord } from '../src/core/record';

export interface HistoryResult {
  runs: number;
  days: number;
  bytes: number;
  writeMs: number;
  coldMs: number;
  warmMs: number[];
  /** getChildren(root) + getTreeItem(group), and getChildren(day) + getTreeItem(run) for the expanded days. */
  treeMs: number[];
  listed: number;
  treeItems: number;
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

export async function benchHistory(template: RunRecord, runs: number, days: number, warmRepeats = 5): Promise<HistoryResult> {
  const dir = mkdtempSync(join(tmpdir(), 'superposition-history-'));
  try {
    const now = Date.now();
    let bytes = 0;
    const started = performance.now();
    const batch = 200;
    for (let i = 0; i < runs; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, runs - i) }, async (_, k) => {
          const n = i + k;
          // Spread over `days` days, newest first, a few minutes apart.
          const createdAt = new Date(now - Math.floor(n / Math.ceil(runs / days)) * 86_400_000 - (n % Math.ceil(runs / days)) * 300_000).toISOString();
          const id = `${createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${n.toString(36).padStart(6, '0')}`;
          const text = `${JSON.stringify({ ...template, id, createdAt }, null, 2)}\n`;
          bytes += text.length;
          await writeFile(join(dir, runFileName(id)), text, 'utf8');
        }),
      );
    }
    const writeMs = performance.now() - started;

    const store = new HistoryStore(dir);
    let t = performance.now();
    const cold = await store.list();
    const coldMs = performance.now() - t;
    const warmMs: number[] = [];
    let listed = cold.runs.length;
    for (let i = 0; i < warmRepeats; i++) {
      t = performance.now();
      const warm = await store.list();
      warmMs.push(performance.now() - t);
      listed = warm.runs.length;
    }

    const { ExperimentsTree } = loadTreeWithFakeVscode();
    const treeMs: number[] = [];
    let treeItems = 0;
    for (let i = 0; i < warmRepeats; i++) {
      const tree = new ExperimentsTree(() => store);
      const listing = await tree.runs(); // the listing itself is timed above
      void listing;
      t = performance.now();
      const groups = await tree.getChildren();
      treeItems = 0;
      for (const group of groups) {
        // As VS Code does: the children of a group are asked for only when it is expanded.
        const item = tree.getTreeItem(group);
        if (item.collapsibleState !== 2 /* TreeItemCollapsibleState.Expanded */) continue;
        for (const child of await tree.getChildren(group)) {
          tree.getTreeItem(child);
          treeItems++;
        }
      }
      treeMs.push(performance.now() - t);
      tree.dispose();
    }
    return { runs, days, bytes, writeMs, coldMs, warmMs, treeMs, listed, treeItems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
