// The measurement cache behind analyze-on-save: keys, LRU bounds, persistence, coalesced writes.
import assert from 'node:assert/strict';
import test from 'node:test';
import { CACHE_FILE_KIND, CACHE_FILE_VERSION, MeasurementCache, canonicalJson, type CacheKeyParts, type CacheStorage } from '../../src/core/quick/measurementCache';
import type { RunRecord } from '../../src/core/record';
import { sampleRecord } from './fixtures';

const parts: CacheKeyParts = {
  model: 'gemma3:270m',
  modelDigest: 'd'.repeat(64),
  prompt: '1+2->3\n2+2->four\n3+4->',
  tasks: [{ id: 'sum.digits', answer: '7' }, { id: 'sum.en', answer: 'seven' }],
  options: { method: 'auto', samples: 200, terminated: false, seed: 1000 },
};

/** A key that differs per n. */
function keyN(n: number): string {
  return MeasurementCache.key({ ...parts, prompt: `${parts.prompt}#${n}` });
}

/** In-memory storage that counts writes. */
function memoryStorage(initial?: string): CacheStorage & { text: string | undefined; writes: number } {
  const store = {
    text: initial,
    writes: 0,
    read: async () => store.text,
    write: async (text: string) => {
      store.writes++;
      store.text = text;
    },
  };
  return store;
}

test('a stored record is found under the same key and a fresh key misses', () => {
  const cache = new MeasurementCache();
  const record = sampleRecord('r1');
  const key = MeasurementCache.key(parts);
  assert.equal(cache.get(key), undefined);
  assert.equal(cache.set(key, record), true);
  assert.deepEqual(cache.get(key), record);
  assert.equal(MeasurementCache.key({ ...parts }), key, 'the key is a function of the parts');
  assert.match(key, /^[0-9a-f]{64}$/);
});

test('every part of the key matters: prompt, model, digest, answers and each measuring option', () => {
  const base = MeasurementCache.key(parts);
  const variants: [string, CacheKeyParts][] = [
    ['prompt', { ...parts, prompt: `${parts.prompt} ` }],
    ['model', { ...parts, model: 'gemma3:1b' }],
    ['digest', { ...parts, modelDigest: 'e'.repeat(64) }],
    ['no digest', { ...parts, modelDigest: undefined }],
    ['answer', { ...parts, tasks: [{ id: 'sum.digits', answer: '8' }, { id: 'sum.en', answer: 'seven' }] }],
    ['task', { ...parts, tasks: [{ id: 'sum.digits', answer: '7' }] }],
  ];
  const options: CacheKeyParts['options'][] = [
    { method: 'sampling' },
    { samples: 50 },
    { terminated: true },
    { seed: 7 },
    { topK: 5 },
    { minNodeMass: 1e-6 },
    { beamWidth: 3 },
    { maxDepth: 9 },
    { minCompletionProbability: 0.01 },
  ];
  for (const o of options) variants.push([Object.keys(o)[0]!, { ...parts, options: { ...parts.options, ...o } }]);
  const keys = new Set([base]);
  for (const [what, variant] of variants) {
    const key = MeasurementCache.key(variant);
    assert.notEqual(key, base, `${what} changes the key`);
    keys.add(key);
  }
  assert.equal(keys.size, variants.length + 1, 'all variants differ from each other too');
  const cache = new MeasurementCache();
  cache.set(base, sampleRecord('r'));
  for (const [what, variant] of variants) assert.equal(cache.get(MeasurementCache.key(variant)), undefined, `${what}: miss`);
});

test('defaults and key order do not change the key; the JSON is canonical', () => {
  const explicit = MeasurementCache.key(parts);
  assert.equal(MeasurementCache.key({ ...parts, options: {} }), explicit, 'analyzeMix defaults filled in');
  assert.equal(MeasurementCache.key({ ...parts, options: { seed: 1000, terminated: false, samples: 200, method: 'auto' } }), explicit);
  assert.equal(canonicalJson({ b: 1, a: [1, { d: undefined, c: 'x' }] }), '{"a":[1,{"c":"x"}],"b":1}');
});

test('only complete records are stored', () => {
  const cache = new MeasurementCache();
  const key = MeasurementCache.key(parts);
  assert.equal(cache.set(key, sampleRecord('c', undefined, { status: 'cancelled' })), false);
  assert.equal(cache.set(key, sampleRecord('f', undefined, { status: 'failed' })), false);
  assert.equal(cache.get(key), undefined);
  assert.equal(cache.size, 0);
});

test('the count bound evicts the least recently used, and get counts as a use', () => {
  const cache = new MeasurementCache({ maxEntries: 3 });
  for (let n = 1; n <= 3; n++) cache.set(keyN(n), sampleRecord(`r${n}`));
  assert.ok(cache.get(keyN(1)), 'touch 1: now 2 is the oldest');
  cache.set(keyN(4), sampleRecord('r4'));
  assert.equal(cache.size, 3);
  assert.equal(cache.get(keyN(2)), undefined, '2 evicted');
  assert.equal(cache.get(keyN(1))?.id, 'r1', 'touched entry kept');
  assert.equal(cache.get(keyN(3))?.id, 'r3');
  assert.equal(cache.get(keyN(4))?.id, 'r4');
  cache.set(keyN(3), sampleRecord('r3b'));
  cache.set(keyN(5), sampleRecord('r5'));
  assert.equal(cache.get(keyN(1)), undefined, 're-setting 3 made 1 the oldest');
  assert.equal(cache.get(keyN(3))?.id, 'r3b');
});

test('the byte bound evicts the least recently used; a record over the bound is not stored', () => {
  const one = Buffer.byteLength(JSON.stringify(sampleRecord('r1')));
  const cache = new MeasurementCache({ maxBytes: Math.floor(one * 2.5) });
  cache.set(keyN(1), sampleRecord('r1'));
  cache.set(keyN(2), sampleRecord('r2'));
  assert.equal(cache.bytes, 2 * one);
  cache.get(keyN(1));
  cache.set(keyN(3), sampleRecord('r3'));
  assert.equal(cache.size, 2);
  assert.equal(cache.get(keyN(2)), undefined, 'least recently used went');
  assert.ok(cache.get(keyN(1)) && cache.get(keyN(3)));
  assert.equal(cache.bytes, 2 * one);
  const huge = sampleRecord('big', undefined, { input: { ...sampleRecord('x').input, source: 'x'.repeat(one * 3) } });
  assert.equal(cache.set(keyN(9), huge), false);
  assert.equal(cache.size, 2, 'nothing evicted for it');
});

test('a new instance over the same storage finds the entries, in LRU order', async () => {
  const storage = memoryStorage();
  const first = new MeasurementCache({ storage, maxEntries: 3 });
  for (let n = 1; n <= 3; n++) first.set(keyN(n), sampleRecord(`r${n}`));
  first.get(keyN(1));
  first.save();
  await first.flush();
  const second = new MeasurementCache({ storage, maxEntries: 3 });
  assert.deepEqual(await second.load(), { loaded: 3 });
  assert.equal(second.get(keyN(2))?.id, 'r2');
  assert.deepEqual(second.get(keyN(3)), sampleRecord('r3'));
  // Order survived: 1 was the most recent before the reload, so after touching 2 and 3, 1 is the oldest.
  second.set(keyN(4), sampleRecord('r4'));
  assert.equal(second.get(keyN(1)), undefined);
});

test('load keeps entries set before it finished, as the most recent', async () => {
  const storage = memoryStorage();
  const first = new MeasurementCache({ storage });
  first.set(keyN(1), sampleRecord('old1'));
  first.set(keyN(2), sampleRecord('old2'));
  await first.flush();
  const second = new MeasurementCache({ storage, maxEntries: 2 });
  second.set(keyN(2), sampleRecord('new2'));
  second.set(keyN(3), sampleRecord('new3'));
  assert.deepEqual(await second.load(), { loaded: 0 }, 'the loaded ones are older and over the bound');
  assert.equal(second.get(keyN(2))?.id, 'new2');
  assert.equal(second.get(keyN(3))?.id, 'new3');
});

test('corrupt, foreign, future-version or unreadable storage starts empty and never throws', async () => {
  const valid = JSON.parse(new MeasurementCache().serialize()) as { entries: unknown[] };
  const cases: [string, CacheStorage][] = [
    ['not JSON', memoryStorage('{"kind": "superposition-measure')],
    ['null', memoryStorage('null')],
    ['foreign', memoryStorage(JSON.stringify({ kind: 'something-else', version: 1, entries: [] }))],
    ['future', memoryStorage(JSON.stringify({ kind: CACHE_FILE_KIND, version: CACHE_FILE_VERSION + 1, entries: [[keyN(1), sampleRecord('r1')]] }))],
    ['no entries', memoryStorage(JSON.stringify({ kind: CACHE_FILE_KIND, version: CACHE_FILE_VERSION }))],
    ['read throws', { read: async () => Promise.reject(new Error('EACCES')), write: async () => {} }],
  ];
  for (const [what, storage] of cases) {
    const cache = new MeasurementCache({ storage });
    const result = await cache.load();
    assert.equal(result.loaded, 0, what);
    assert.ok(result.problem, `${what}: a problem is reported`);
    assert.equal(cache.size, 0, what);
  }
  assert.deepEqual(valid.entries, []);
  assert.deepEqual(await new MeasurementCache({ storage: memoryStorage(undefined) }).load(), { loaded: 0 }, 'no file yet: no problem');
});

test('invalid entries are skipped, valid ones kept', async () => {
  const good = sampleRecord('good');
  const badRecord: Partial<RunRecord> = { ...sampleRecord('bad') };
  delete badRecord.tasks;
  const text = JSON.stringify({
    kind: CACHE_FILE_KIND,
    version: CACHE_FILE_VERSION,
    entries: [[keyN(1), badRecord], ['not-a-key', good], [keyN(2), { ...good, schemaVersion: 99 }], [keyN(3), { ...good, status: 'failed' }], 'junk', [keyN(4), good]],
  });
  const cache = new MeasurementCache({ storage: memoryStorage(text) });
  assert.deepEqual(await cache.load(), { loaded: 1 });
  assert.deepEqual(cache.get(keyN(4)), good);
  for (const n of [1, 2, 3]) assert.equal(cache.get(keyN(n)), undefined);
});

test('several sets in a row are written once; a set during a write gives one more write', async () => {
  const storage = memoryStorage();
  let release: () => void = () => {};
  const cache = new MeasurementCache({ storage });
  for (let n = 1; n <= 5; n++) cache.set(keyN(n), sampleRecord(`r${n}`));
  cache.save();
  await cache.flush();
  assert.equal(storage.writes, 1);
  assert.equal((JSON.parse(storage.text!) as { entries: unknown[] }).entries.length, 5, 'the one write has them all');

  const slow: CacheStorage & { writes: number } = {
    writes: 0,
    read: async () => undefined,
    write: () => {
      slow.writes++;
      return new Promise<void>((resolve) => (release = resolve));
    },
  };
  const blocked = new MeasurementCache({ storage: slow });
  blocked.set(keyN(1), sampleRecord('a'));
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(slow.writes, 1, 'first write under way');
  blocked.set(keyN(2), sampleRecord('b'));
  blocked.set(keyN(3), sampleRecord('c'));
  const done = blocked.flush();
  release();
  await new Promise<void>((resolve) => setImmediate(resolve));
  release();
  await done;
  assert.equal(slow.writes, 2, 'the two sets during the write share one more write');
});

test('a failing write is reported and the cache keeps working', async () => {
  const errors: unknown[] = [];
  const storage: CacheStorage = { read: async () => undefined, write: async () => Promise.reject(new Error('ENOSPC')) };
  const cache = new MeasurementCache({ storage, onError: (err) => errors.push(err) });
  cache.set(keyN(1), sampleRecord('r1'));
  await cache.flush();
  assert.equal(errors.length, 1);
  assert.equal(cache.get(keyN(1))?.id, 'r1');
});
