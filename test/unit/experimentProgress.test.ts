// A running experiment's progress: the live aggregates agree with the batch ones, each finished
// prompt costs the same at 10 prompts and at 10 000 (the panel gets deltas, never the record), the
// ETA comes from the run's own pace, and cancel stops scheduling at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateCalibration, aggregateScaling } from '../../src/core/experiments/aggregate';
import { applyExperimentDelta } from '../../src/core/experiments/applyDelta';
import { checkpointRecord } from '../../src/core/experiments/checkpoint';
import { LiveAggregates } from '../../src/core/experiments/liveAggregates';
import { expandScaling, validateCalibrationPlan, validateScalingPlan, type MeasurementUnit } from '../../src/core/experiments/plan';
import { probeEstimate } from '../../src/core/experiments/planSize';
import { EtaEstimator, ExperimentProgress } from '../../src/core/experiments/progress';
import type { UnitResult } from '../../src/core/experiments/record';
import { runExperiment } from '../../src/core/experiments/runner';
import { OllamaClient } from '../../src/core/ollama/client';
import { parseToWebview } from '../../src/shared/protocol';
import { scriptFromAnswers, startOllamaDouble } from '../double/index';

function plans() {
  const scaling = validateScalingPlan({ pool: ['sum.digits', 'sum.en', 'sum.fr'], kMax: 3, models: ['a', 'b'], promptsPerK: 4, examplesPerTask: 3, threshold: 0.1 });
  const calibration = validateCalibrationPlan({ tasks: ['sum.digits', 'sum.en'], models: ['a'], proportions: [[1, 3], [1, 1]], promptsPerPoint: 3, totalExamples: 8 });
  assert.ok(scaling.ok && calibration.ok);
  return { scaling: scaling.plan, calibration: calibration.plan };
}

/** A pseudo-random unit: some failed, some with r = null, some with an infinite KL or a missing task. */
function unit(i: number, kind: 'scaling' | 'calibration'): UnitResult {
  const x = (k: number) => ((i * 7919 + k * 104729) % 1000) / 1000;
  const K = kind === 'scaling' ? 1 + (i % 3) : 2;
  const ids = kind === 'scaling' ? ['sum.digits', 'sum.en', 'sum.fr'].slice(0, K) : i % 5 === 0 ? ['sum.digits'] : ['sum.digits', 'sum.en'];
  return {
    key: `${kind}|${i}`,
    model: i % 4 === 0 ? 'b' : 'a',
    status: i % 11 === 3 ? 'failed' : 'complete',
    K,
    prompt: i,
    ...(kind === 'calibration' ? { point: i % 2 } : {}),
    tasks: ids.map((id, k) => ({ id, answer: `${id}-${i}`, share: x(k), probability: x(k + 5) / K, lower: 0, upper: 1 })),
    r: i % 6 === 1 ? null : x(9) * K,
    other: x(10),
    taskMass: x(11),
    kl: i % 7 === 2 ? null : x(12),
    klNormalized: i % 7 === 2 ? null : x(13),
    method: 'logprobs',
    requests: 5 + (i % 4),
  };
}

function close(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isNaN(expected)) assert.ok(Number.isNaN(actual), path);
    else assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${path}: ${actual} vs ${expected}`);
  } else if (expected !== null && typeof expected === 'object') {
    assert.equal(typeof actual, 'object', path);
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual as object)]);
    for (const k of keys) close((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
  } else assert.equal(actual, expected, path);
}

test('live aggregates, updated one prompt at a time, equal the batch aggregates', () => {
  const { scaling, calibration } = plans();
  for (const [plan, kind] of [[scaling, 'scaling'], [calibration, 'calibration']] as const) {
    const units = Array.from({ length: 300 }, (_, i) => unit(i, kind));
    const live = new LiveAggregates(plan);
    const rows = new Map<string, unknown>();
    for (const u of units) {
      const changed = live.add(u);
      if (u.status !== 'complete') assert.equal(changed, undefined);
      else rows.set(JSON.stringify([u.model, kind === 'scaling' ? u.K : u.point]), changed!.row);
    }
    const batch = kind === 'scaling' ? aggregateScaling(units, scaling) : aggregateCalibration(units, calibration);
    assert.equal(rows.size, batch.length);
    for (const row of batch) close(rows.get(JSON.stringify([row.model, 'K' in row ? row.K : row.point])), row, `${kind} ${row.model}`);
  }
});

/** Bytes posted per finished prompt, and rows sent, over a run of `n` prompts (one post per prompt). */
function postCost(n: number): { maxBytes: number; maxRows: number; maxUnits: number } {
  const { scaling } = plans();
  const units = Array.from({ length: n }, (_, i) => ({ key: `scaling|${i}`, meta: { K: 1 + (i % 3) } }) as MeasurementUnit);
  const progress = new ExperimentProgress('run', scaling, units, new Map(), 0);
  let maxBytes = 0;
  let maxRows = 0;
  let maxUnits = 0;
  for (let i = 0; i < n; i++) {
    progress.add({ ...unit(i, 'scaling'), key: `scaling|${i}` });
    const delta = progress.takeDelta(1000 + i);
    maxBytes = Math.max(maxBytes, JSON.stringify({ type: 'experimentProgress', delta }).length);
    maxRows = Math.max(maxRows, delta.scaling.length + delta.calibration.length);
    maxUnits = Math.max(maxUnits, delta.units.length);
  }
  return { maxBytes, maxRows, maxUnits };
}

test('a finished prompt posts the same few hundred bytes at 10 prompts and at 10 000 (one unit, one row)', () => {
  const small = postCost(10);
  const large = postCost(10_000);
  assert.equal(large.maxUnits, 1);
  assert.equal(large.maxRows, 1);
  // Longer numbers (keys, prompt indices, counts) add a few digits; nothing grows with the record
  // (posting the record would be ~800 bytes × the prompts so far).
  assert.ok(large.maxBytes <= small.maxBytes * 1.25, `${small.maxBytes} → ${large.maxBytes} bytes`);
  assert.ok(large.maxBytes < 2000, `${large.maxBytes} bytes`);
});

test('deltas applied in the webview rebuild the final record; the protocol accepts them', () => {
  const { calibration } = plans();
  const units = Array.from({ length: 60 }, (_, i) => ({ key: `calibration|${i}`, meta: { K: 2 } }) as MeasurementUnit);
  const previous = new Map([0, 1, 2].map((i) => [`calibration|${i}`, { ...unit(i, 'calibration'), status: 'complete' as const }]));
  const progress = new ExperimentProgress('run-1', calibration, units, previous, 0, 5000);
  const shown = checkpointRecord(calibration, { results: progress.finished(), hosts: [], durationMs: 0 }, { unitCount: 60, id: 'run-1', createdAt: 'now' });
  for (let i = 3; i < 60; i++) {
    progress.add({ ...unit(i, 'calibration'), key: `calibration|${i}` });
    if (i % 4 !== 0) continue; // several prompts per post
    const message = parseToWebview(JSON.parse(JSON.stringify({ type: 'experimentProgress', delta: progress.takeDelta(i * 10) })));
    assert.ok(message?.type === 'experimentProgress');
    applyExperimentDelta(shown, message.delta);
  }
  const last = progress.takeDelta(900);
  applyExperimentDelta(shown, last);
  assert.equal(last.durationMs, 5900);
  const final = checkpointRecord(calibration, { results: progress.finished(), hosts: [], durationMs: 0 }, { unitCount: 60, id: 'run-1', createdAt: 'now' });
  assert.deepEqual(new Set(shown.units.map((u) => u.key)), new Set(final.units.map((u) => u.key)));
  close(shown.aggregates.calibration, final.aggregates.calibration, 'calibration rows');
  assert.equal(shown.requests, final.requests);
});

test('ETA: requests left per K from what was measured (scaled by K for an unseen K) over the pace so far', () => {
  const todo = [1, 1, 2, 2, 3].map((K) => ({ meta: { K } }) as MeasurementUnit);
  const eta = new EtaEstimator(todo, 0);
  assert.equal(eta.seconds(1000), undefined);
  eta.observe(1, 10); // 10 requests in 2 s: 5 requests/s
  // Left: one K=1 (10), two K=2 (2 × 20, scaled), one K=3 (30) = 80 requests → 16 s.
  assert.equal(eta.requestsLeft(), 80);
  assert.equal(eta.seconds(2000), 16);
  eta.observe(2, 30); // K=2 measured: 30; pace 40 requests in 4 s
  assert.equal(eta.requestsLeft(), 10 + 30 + (40 / 3) * 3);
  assert.equal(eta.seconds(4000), (10 + 30 + 40) / 10);
});

test('the probe estimate scales with each prompt\'s size and is shared over hosts × units in flight', () => {
  const { scaling } = plans();
  const units = expandScaling(scaling).filter((u) => u.model === 'a');
  const k1 = units.find((u) => u.meta.K === 1)!;
  const rest = units.filter((u) => u !== k1);
  const one = probeEstimate({ unit: k1, requests: 10, durationMs: 10_000 }, rest, scaling, 1);
  const four = probeEstimate({ unit: k1, requests: 10, durationMs: 10_000 }, rest, scaling, 4);
  // Larger K prompts have more answers: more than 10 requests each on average.
  assert.ok(one.requests > 10 * units.length, `${one.requests} requests`);
  assert.ok(Math.abs(one.seconds - (one.requests - 10)) <= 0.5, `${one.seconds} s for ${one.requests} requests at 1 s`);
  assert.equal(four.seconds, one.seconds / 4);
});

test('cancel stops scheduling at once: no request is sent after the abort', async () => {
  const { scaling } = plans();
  const units = expandScaling({ ...scaling, models: ['double-slow:latest'] });
  const script = units.map((u) => scriptFromAnswers(u.mix.prompt, u.detection.tasks.map((t) => ({ text: t.answer!, prob: 0.2 }))));
  const double = await startOllamaDouble({ models: [{ name: 'double-slow:latest', script }], parallel: 2, latencyMs: 15 });
  try {
    const controller = new AbortController();
    let sent = 0;
    let sentAfterAbort = 0;
    // Counts the requests the client starts (a request started just before the abort may still reach the server later).
    const countingFetch: typeof fetch = (input, init) => {
      if (String(input instanceof Request ? input.url : input).endsWith('/api/generate')) {
        sent++;
        if (controller.signal.aborted) sentAfterAbort++;
      }
      return fetch(input, init);
    };
    const run = await runExperiment(units, {
      clients: [new OllamaClient({ host: double.url, retries: 0, fetch: countingFetch })],
      concurrency: 2,
      signal: controller.signal,
      onUnit: (_r, done) => {
        if (done === 2) controller.abort();
      },
    });
    assert.equal(run.status, 'cancelled', JSON.stringify(run.error));
    assert.ok(sent > 0);
    assert.equal(sentAfterAbort, 0);
    assert.ok(run.results.length >= 2 && run.results.length < units.length, `${run.results.length}`);
  } finally {
    await double.close();
  }
});
