// The throttled checkpointer (fake writes) and the checkpoint record of a run in progress.
// Timing is only asserted from below (a write never comes before its interval), never as speed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkpointRecord, experimentIdentity, inPlanOrder, reusedUnits, startCheckpoints } from '../../src/core/experiments/checkpoint';
import { expandScaling, validateScalingPlan, type MeasurementUnit } from '../../src/core/experiments/plan';
import { parseExperimentRecord, resumeFrom, type UnitResult } from '../../src/core/experiments/record';

/** Writes the test completes by hand, with the number in flight and the start times. */
function fakeWrites() {
  const pending: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const starts: number[] = [];
  let active = 0;
  let maxActive = 0;
  const write = () =>
    new Promise<void>((resolve, reject) => {
      starts.push(performance.now());
      active++;
      maxActive = Math.max(maxActive, active);
      const end = () => active--;
      pending.push({ resolve: () => (end(), resolve()), reject: (err) => (end(), reject(err)) });
    });
  return {
    write,
    starts,
    get maxActive() {
      return maxActive;
    },
    /** Completes the oldest write in flight. */
    finish(err?: Error) {
      const next = pending.shift();
      assert.ok(next, 'no write in flight');
      if (err) next.reject(err);
      else next.resolve();
    },
    get inFlight() {
      return pending.length;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

// setTimeout may fire up to ~1 ms early against performance.now.
const SLACK_MS = 3;

test('the first change is written at once; later ones at most once per interval, never two writes at once', async () => {
  const w = fakeWrites();
  const cp = startCheckpoints(w.write, { intervalMs: 150 });
  for (let i = 0; i < 5; i++) cp.note();
  await until('the first write', () => w.starts.length === 1);
  // Changes while a write is in flight never start a second one.
  for (let i = 0; i < 5; i++) cp.note();
  await sleep(200);
  assert.equal(w.starts.length, 1);
  w.finish();
  await until('the second write', () => w.starts.length === 2);
  assert.ok(w.starts[1]! - w.starts[0]! >= 150 - SLACK_MS, `second write ${w.starts[1]! - w.starts[0]!} ms after the first`);
  w.finish();
  cp.note();
  cp.note();
  await until('the third write', () => w.starts.length === 3);
  assert.ok(w.starts[2]! - w.starts[1]! >= 150 - SLACK_MS);
  w.finish();
  await cp.stop();
  assert.equal(w.starts.length, 3, 'five notes between two writes make one write');
  assert.equal(w.maxActive, 1);
});

test('nothing changed, nothing written', async () => {
  const w = fakeWrites();
  const cp = startCheckpoints(w.write, { intervalMs: 10 });
  await sleep(60);
  await cp.flush();
  assert.equal(w.starts.length, 0);
  cp.note();
  await until('a write', () => w.starts.length === 1);
  w.finish();
  await sleep(60);
  await cp.flush();
  assert.equal(w.starts.length, 1, 'no change since the last write');
  await cp.stop();
});

test('flush writes now, without waiting for the interval, after the write in flight', async () => {
  const w = fakeWrites();
  const cp = startCheckpoints(w.write, { intervalMs: 60_000 });
  cp.note();
  await until('the first write', () => w.starts.length === 1);
  cp.note();
  let flushed = false;
  const flushing = cp.flush().then(() => (flushed = true));
  await sleep(30);
  assert.equal(w.starts.length, 1, 'flush waits for the write in flight');
  assert.equal(flushed, false);
  w.finish();
  await until('the flushed write', () => w.starts.length === 2);
  assert.equal(flushed, false, 'flush resolves once its write has ended');
  w.finish();
  await flushing;
  assert.equal(w.maxActive, 1);
  await cp.stop();
});

test('a failing write is reported, never thrown, and retried at the next interval without a new change', async () => {
  const w = fakeWrites();
  const errors: unknown[] = [];
  const cp = startCheckpoints(w.write, { intervalMs: 50, onError: (err) => errors.push(err) });
  cp.note();
  await until('the first write', () => w.starts.length === 1);
  w.finish(new Error('disk full'));
  await until('the retry', () => w.starts.length === 2);
  assert.deepEqual(errors.map((e) => (e as Error).message), ['disk full']);
  assert.ok(w.starts[1]! - w.starts[0]! >= 50 - SLACK_MS, 'the retry waits for the interval');
  w.finish();
  await sleep(120);
  assert.equal(w.starts.length, 2, 'written: no more retries');

  // A write that throws synchronously, and a reporter that throws, do not escape either.
  const throwing = startCheckpoints(
    () => {
      throw new Error('sync');
    },
    {
      intervalMs: 0,
      onError: () => {
        throw new Error('reporter');
      },
    },
  );
  throwing.note();
  await throwing.flush();
  await throwing.stop();
  await cp.stop();
});

test('stop waits for the write in flight and writes nothing more', async () => {
  const w = fakeWrites();
  const cp = startCheckpoints(w.write, { intervalMs: 20 });
  cp.note();
  await until('the first write', () => w.starts.length === 1);
  cp.note();
  let stopped = false;
  const stopping = cp.stop().then(() => (stopped = true));
  await sleep(30);
  assert.equal(stopped, false, 'stop waits for the write in flight');
  w.finish();
  await stopping;
  cp.note();
  await sleep(60);
  assert.equal(w.starts.length, 1, 'no write after stop, pending change dropped');
  await cp.flush();
  assert.equal(w.starts.length, 1, 'flush after stop writes nothing');
  assert.throws(() => startCheckpoints(w.write, { intervalMs: -1 }), RangeError);
});

const plan = (() => {
  const check = validateScalingPlan({ pool: ['sum.digits', 'sum.en'], kMax: 2, examplesPerTask: 2, promptsPerK: 2, seed: 1, models: ['m1:latest', 'm2:latest'], method: 'logprobs' });
  assert.ok(check.ok);
  return check.plan;
})();
const units = expandScaling(plan);

function fakeResult(unit: MeasurementUnit, status: UnitResult['status'] = 'complete'): UnitResult {
  const tasks = unit.detection.tasks.map((t) => ({ id: t.id, answer: t.answer!, share: t.share, probability: 0.4 / unit.meta.K, lower: 0.3 / unit.meta.K, upper: 0.5 / unit.meta.K }));
  return {
    key: unit.key,
    model: unit.model,
    status,
    K: unit.meta.K,
    prompt: unit.meta.prompt,
    tasks,
    r: 1,
    other: 0.6,
    taskMass: 0.4,
    kl: 0.5,
    klNormalized: 0.2,
    method: 'logprobs',
    modelDigest: `sha256:${unit.model}`,
    requests: 7,
  };
}

test('checkpointRecord: a cancelled, resumable record of the units finished so far', () => {
  const done = new Map<string, UnitResult>();
  // Finished out of order; one failed.
  for (const i of [3, 0, 1]) done.set(units[i]!.key, fakeResult(units[i]!));
  done.set(units[5]!.key, fakeResult(units[5]!, 'failed'));
  const identity = experimentIdentity(undefined, new Date('2025-01-02T03:04:05.678Z'));
  assert.match(identity.id, /^20250102T030405Z-[a-z0-9]+$/);
  const at = new Date('2025-01-02T03:05:00.000Z');
  const record = checkpointRecord(plan, { results: inPlanOrder(units, done), hosts: [{ host: 'http://h:1' }], durationMs: 55_000 }, { unitCount: units.length, ...identity, at });

  const parsed = parseExperimentRecord(JSON.stringify(record));
  assert.ok(parsed.record, parsed.error);
  assert.equal(parsed.record.status, 'cancelled');
  assert.deepEqual(parsed.record.error, { kind: 'interrupted', message: 'The run stopped before it finished (checkpoint of 2025-01-02T03:05:00.000Z).', nextStep: 'Resume it to measure the rest.' });
  assert.equal(parsed.record.id, identity.id);
  assert.equal(parsed.record.createdAt, '2025-01-02T03:04:05.678Z');
  assert.equal(parsed.record.unitCount, units.length);
  assert.deepEqual(parsed.record.units.map((u) => u.key), [0, 1, 3, 5].map((i) => units[i]!.key), 'plan order');
  assert.deepEqual([...resumeFrom(parsed.record).keys()], [0, 1, 3].map((i) => units[i]!.key), 'resume takes the complete units');
  assert.equal(parsed.record.requests, 4 * 7);
  assert.equal(parsed.record.durationMs, 55_000);
  assert.deepEqual(parsed.record.models, [{ name: 'm1:latest', digest: 'sha256:m1:latest' }, { name: 'm2:latest', digest: 'sha256:m2:latest' }]);
  assert.ok((parsed.record.aggregates.scaling ?? []).length > 0);

  // A resumed run keeps the earlier record's id and adds up durations.
  const again = checkpointRecord(plan, { results: inPlanOrder(units, reusedUnits(units, resumeFrom(parsed.record))), hosts: [{ host: 'http://h:2' }], durationMs: 1000 }, { unitCount: units.length, resumed: parsed.record, ...experimentIdentity(parsed.record) });
  assert.equal(again.id, identity.id);
  assert.equal(again.createdAt, identity.createdAt);
  assert.equal(again.durationMs, 56_000);
  assert.deepEqual(again.hosts.map((h) => h.host), ['http://h:1', 'http://h:2']);
  assert.equal(again.units.length, 3, 'the failed unit is not carried over: it is measured again');
});

test('reusedUnits: only complete units of the same model, as the runner reuses them', () => {
  const previous = new Map<string, UnitResult>([
    [units[0]!.key, fakeResult(units[0]!)],
    [units[1]!.key, fakeResult(units[1]!, 'failed')],
    [units[2]!.key, { ...fakeResult(units[2]!), model: 'other:latest' }],
    ['scaling|gone|K=9|p=0', { ...fakeResult(units[3]!), key: 'scaling|gone|K=9|p=0' }],
  ]);
  assert.deepEqual([...reusedUnits(units, previous).keys()], [units[0]!.key]);
  assert.equal(reusedUnits(units, undefined).size, 0);
});
