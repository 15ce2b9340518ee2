import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HistoryStore, STALE_TEMP_MS, writeAtomic } from '../../src/core/history';
import { sampleRecord } from './fixtures';


test('saves one JSON file per run and lists them newest first with summaries', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sp-history-'));
  const store = new HistoryStore(dir);
  await store.save(sampleRecord('run-a', '2026-11-25T10:00:00.000Z'));
  await store.save(sampleRecord('run-b', '2026-11-26T10:00:00.000Z', { status: 'cancelled' }));
  const { runs, unreadable } = await store.list();
  assert.deepEqual(runs.map((r) => r.id), ['run-b', 'run-a']);
  assert.equal(runs[0]!.status, 'cancelled');
  assert.equal(runs[1]!.headline, 'sum.digits 60.0%');
  assert.deepEqual(runs[1]!.tasks, ['sum.digits', 'sum.en']);
  assert.equal(unreadable.length, 0);
  assert.deepEqual((await store.load('run-a')).tasks, sampleRecord('run-a').tasks);
  const files = (await readdir(dir)).sort();
  assert.deepEqual(files, ['index.json', 'run-a.json', 'run-b.json']);
});

test('corrupt, empty, foreign and future-schema files are listed as unreadable, never fatal', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sp-history-'));
  const store = new HistoryStore(dir);
  await store.save(sampleRecord('good'));
  await writeFile(join(dir, 'empty.json'), '');
  await writeFile(join(dir, 'truncated.json'), JSON.stringify(sampleRecord('t')).slice(0, 200));
  await writeFile(join(dir, 'foreign.json'), JSON.stringify({ name: 'package', version: '1.0.0' }));
  await writeFile(join(dir, 'future.json'), JSON.stringify({ ...sampleRecord('f'), schemaVersion: 99 }));
  await writeFile(join(dir, 'binary.json'), Buffer.from([0, 1, 2, 255, 254]));
  await writeFile(join(dir, 'notes.txt'), 'ignored: not JSON');
  const { runs, unreadable } = await store.list();
  assert.deepEqual(runs.map((r) => r.id), ['good']);
  assert.deepEqual(unreadable.map((u) => u.file), ['binary.json', 'empty.json', 'foreign.json', 'future.json', 'truncated.json']);
  assert.match(unreadable.find((u) => u.file === 'future.json')!.error, /newer version/);
  await assert.rejects(store.loadFile('foreign.json'), /cannot be read/);
});

test('the index is a cache: a corrupt index, files added or removed behind its back are reconciled', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sp-history-'));
  const store = new HistoryStore(dir);
  await store.save(sampleRecord('one'));
  // Another window writes a run directly; the index does not know it.
  await writeAtomic(join(dir, 'two.json'), JSON.stringify(sampleRecord('two', '2026-11-27T00:00:00.000Z')));
  assert.deepEqual((await store.list()).runs.map((r) => r.id), ['two', 'one']);
  await writeFile(join(dir, 'index.json'), '{not json');
  assert.deepEqual((await store.list()).runs.map((r) => r.id), ['two', 'one']);
  await store.delete('one.json');
  assert.deepEqual((await store.list()).runs.map((r) => r.id), ['two']);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { runs: Array<{ id: string }> };
  assert.deepEqual(index.runs.map((r) => r.id), ['two']);
});

test('two stores writing into one folder at once lose nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sp-history-'));
  const a = new HistoryStore(dir);
  const b = new HistoryStore(dir);
  await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).save(sampleRecord(`r${String(i).padStart(2, '0')}`, `2026-11-26T10:00:${String(i).padStart(2, '0')}.000Z`))));
  const { runs, unreadable } = await a.list();
  assert.equal(runs.length, 30);
  assert.equal(unreadable.length, 0);
  assert.ok(!(await readdir(dir)).some((f) => f.endsWith('.tmp')), 'no temp files left');
});

test('a missing folder lists as empty', async () => {
  const store = new HistoryStore(join(tmpdir(), 'sp-history-missing-' + Date.now()));
  assert.deepEqual(await store.list(), { runs: [], unreadable: [] });
});

test('temp files left by killed writers are removed once stale; a fresh one (a write in progress) is kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sp-history-tmp-'));
  const store = new HistoryStore(dir);
  await store.save(sampleRecord('run-t', '2026-11-27T10:00:00.000Z'));
  const stale = join(dir, 'run-x.json.123-deadbeef.tmp');
  const fresh = join(dir, 'run-y.json.456-cafebabe.tmp');
  await writeFile(stale, '{"half":');
  await writeFile(fresh, '{"half":');
  const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
  await utimes(stale, old, old);
  const listing = await store.list();
  assert.equal(listing.runs.length, 1);
  assert.deepEqual(listing.unreadable, []);
  const left = await readdir(dir);
  assert.ok(!left.includes('run-x.json.123-deadbeef.tmp'), 'stale temp removed');
  assert.ok(left.includes('run-y.json.456-cafebabe.tmp'), 'fresh temp kept');
});

test('listing does not rewrite index.json when nothing changed, even with renamed and unreadable files (no watcher loop)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sp-history-idem-'));
  const store = new HistoryStore(dir);
  await store.save(sampleRecord('run-r', '2026-11-27T09:00:00.000Z'));
  const original = (await readdir(dir)).find((f) => f.startsWith('run-r'))!;
  await rename(join(dir, original), join(dir, 'baseline.json'));
  await writeFile(join(dir, 'broken.json'), '{ not json');
  const first = await store.list();
  assert.deepEqual(first.runs.map((r) => r.file), ['baseline.json']);
  assert.deepEqual(first.unreadable.map((u) => u.file), ['broken.json']);
  const before = await stat(join(dir, 'index.json'));
  await new Promise((r) => setTimeout(r, 20));
  const second = await store.list();
  assert.deepEqual(second, first);
  const after = await stat(join(dir, 'index.json'));
  assert.equal(after.mtimeMs, before.mtimeMs, 'index.json untouched');
});
