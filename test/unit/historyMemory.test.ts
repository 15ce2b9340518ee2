// The store's in-memory listing: save and delete patch it without re-listing the folder, the index
// cache is written coalesced and never flushed to disk, and running out of file descriptors while
// listing never shows a good run as unreadable.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HistoryStore, runFileName, writeAtomic, type HistoryFs } from '../../src/core/history';
import { nodeFs } from '../../src/core/historyFs';
import { sampleRecord } from './fixtures';

interface Counts {
  readdir: number;
  stat: number;
  readFile: number;
  durableWrites: string[];
  cacheWrites: string[];
}

/** The real file system, counting calls. */
function countingFs(): { fs: HistoryFs; counts: Counts } {
  const counts: Counts = { readdir: 0, stat: 0, readFile: 0, durableWrites: [], cacheWrites: [] };
  const fs: HistoryFs = {
    ...nodeFs,
    readdir: (dir) => (counts.readdir++, nodeFs.readdir(dir)),
    stat: (path) => (counts.stat++, nodeFs.stat(path)),
    readFile: (path) => (counts.readFile++, nodeFs.readFile(path)),
    readStamped: (path) => (counts.readFile++, nodeFs.readStamped(path)),
    writeFile: (path, text, durable) => ((durable ? counts.durableWrites : counts.cacheWrites).push(path), nodeFs.writeFile(path, text, durable)),
  };
  return { fs, counts };
}

function at(i: number): string {
  return new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();
}

async function seeded(n: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sp-history-mem-'));
  for (let i = 0; i < n; i++) await writeFile(join(dir, runFileName(`seed-${i}`)), JSON.stringify(sampleRecord(`seed-${i}`, at(i))));
  return dir;
}

test('save puts the run into the listing without re-listing the folder; a file written behind its back waits for list()', async () => {
  const dir = await seeded(5);
  const { fs, counts } = countingFs();
  const store = new HistoryStore(dir, { fs });
  assert.equal((await store.list()).runs.length, 5);
  const listedStats = counts.stat;
  await writeAtomic(join(dir, 'foreign-run.json'), JSON.stringify(sampleRecord('foreign', at(100))));
  const changes: string[] = [];
  store.onDidChange((c) => changes.push(c));
  for (let i = 0; i < 20; i++) await store.save(sampleRecord(`new-${i}`, at(200 + i)));
  const listing = await store.listing();
  assert.equal(counts.readdir, 1, 'no readdir after the first listing');
  assert.equal(counts.stat - listedStats, 20, 'one stat per save (its own file)');
  assert.deepEqual(listing.runs.slice(0, 3).map((r) => r.id), ['new-19', 'new-18', 'new-17']);
  assert.equal(listing.runs.length, 25);
  assert.ok(!listing.runs.some((r) => r.id === 'foreign'), 'not seen before a re-list');
  assert.deepEqual(changes, Array<string>(20).fill('save'));
  const relisted = await store.list();
  assert.equal(counts.readdir, 2);
  assert.ok(relisted.runs.some((r) => r.id === 'foreign'), 'seen after list()');
  assert.deepEqual(relisted, await new HistoryStore(dir).list(), 'the patched listing is what the files give');
  await rm(dir, { recursive: true, force: true });
});

test('delete takes the file out of the listing without re-listing; copies and renamed files are patched as a listing would show them', async () => {
  const dir = await seeded(3);
  const { fs, counts } = countingFs();
  const store = new HistoryStore(dir, { fs });
  await store.save(sampleRecord('orig', at(50)));
  const text = await readFile(join(dir, 'orig.json'), 'utf8');
  await writeFile(join(dir, 'aaa-before.json'), text);
  await writeFile(join(dir, 'broken.json'), '{ nope');
  await store.list();
  await store.delete('seed-1.json');
  await store.delete('orig.json'); // the renamed copy becomes the run
  await store.delete('broken.json');
  let listing = await store.listing();
  assert.equal(counts.readdir, 1);
  assert.deepEqual(listing.runs.map((r) => r.file), ['aaa-before.json', 'seed-2.json', 'seed-0.json']);
  assert.deepEqual(listing.unreadable, []);
  await store.save(sampleRecord('orig', at(50))); // its own file wins again, the other is a copy
  listing = await store.listing();
  assert.deepEqual(listing.runs.map((r) => r.file), ['orig.json', 'seed-2.json', 'seed-0.json']);
  assert.deepEqual(listing.unreadable.map((u) => u.file), ['aaa-before.json']);
  assert.match(listing.unreadable[0]!.error, /same run .*orig\.json/);
  assert.equal(counts.readdir, 1);
  assert.deepEqual(listing, await new HistoryStore(dir).list(), 'the patched listing is what the files give');
  await rm(dir, { recursive: true, force: true });
});

test('index.json is written once for a burst of saves, never flushed to disk; run files are', async () => {
  const dir = await seeded(2);
  const { fs, counts } = countingFs();
  const store = new HistoryStore(dir, { fs, indexDelayMs: 60_000 });
  await store.list();
  const index = join(dir, 'index.json');
  const indexWrites = () => counts.cacheWrites.filter((p) => p.startsWith(`${index}.`)).length;
  const before = indexWrites();
  for (let i = 0; i < 30; i++) await store.save(sampleRecord(`b-${i}`, at(10 + i)));
  await store.flush();
  assert.equal(indexWrites() - before, 1, 'one index write for the burst');
  assert.ok(!counts.durableWrites.some((p) => p.startsWith(`${index}.`)), 'index writes are not flushed');
  assert.equal(counts.durableWrites.filter((p) => /b-\d+\.json\./.test(p)).length, 30, 'every run file is flushed');
  const cached = JSON.parse(await readFile(index, 'utf8')) as { runs: Array<{ id: string }> };
  assert.deepEqual(cached.runs.map((r) => r.id), (await store.listing()).runs.map((r) => r.id));
  await rm(dir, { recursive: true, force: true });
});

/** Fails reads and stats with EMFILE/ENFILE the first time for two files in three. */
function exhaustedFs(): { fs: HistoryFs; failures: () => number } {
  const seen = new Set<string>();
  let failures = 0;
  const maybeFail = (op: string, path: string): void => {
    const key = `${op}:${path}`;
    if (seen.has(key) || key.length % 3 === 0) return;
    seen.add(key);
    failures++;
    throw Object.assign(new Error(`${key.length % 2 ? 'EMFILE: too many open files' : 'ENFILE: file table overflow'}, open '${path}'`), { code: key.length % 2 ? 'EMFILE' : 'ENFILE' });
  };
  const fs: HistoryFs = {
    ...nodeFs,
    stat: async (path) => (maybeFail('stat', path), nodeFs.stat(path)),
    readFile: async (path) => (maybeFail('read', path), nodeFs.readFile(path)),
    readStamped: async (path) => (maybeFail('read', path), nodeFs.readStamped(path)),
  };
  return { fs, failures: () => failures };
}

test('file descriptors running out (EMFILE, ENFILE) during a cold listing are waited for, never reported as unreadable runs', async () => {
  const dir = await seeded(600);
  await writeFile(join(dir, 'foreign.json'), JSON.stringify({ name: 'package' }));
  const { fs, failures } = exhaustedFs();
  const store = new HistoryStore(dir, { fs });
  const listing = await store.list();
  assert.ok(failures() > 100, `only ${failures()} injected failures`);
  assert.equal(listing.runs.length, 600);
  assert.deepEqual(listing.unreadable.map((u) => u.file), ['foreign.json']);
  assert.equal((await store.loadStored('seed-7')).id, 'seed-7');
  await rm(dir, { recursive: true, force: true });
});
