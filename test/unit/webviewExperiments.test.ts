import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExperimentRecordSchema, type ExperimentRecord } from '../../src/core/experiments/record';
import {
  calibrationComparison,
  calibrationSeries,
  experimentModels,
  planSummary,
  resumable,
  scalingComparison,
  scalingDiagonal,
  scalingSeries,
  unitProgress,
} from '../../src/webview/experimentSeries';

const base = {
  schemaVersion: 1 as const,
  id: 'exp-1',
  createdAt: '2025-01-01T00:00:00.000Z',
  status: 'complete' as const,
  hosts: [{ host: 'http://127.0.0.1:11434', version: '0.12.0' }],
  models: [{ name: 'big', digest: 'sha256:aaaa' }, { name: 'small' }],
  unitCount: 12,
  units: [],
  requests: 12,
  durationMs: 1500,
};

function scaling(over: Partial<ExperimentRecord> = {}): ExperimentRecord {
  return ExperimentRecordSchema.parse({
    ...base,
    kind: 'scaling',
    plan: { kind: 'scaling', pool: ['a', 'b', 'c'], kMin: 1, kMax: 3, examplesPerTask: 5, promptsPerK: 2, seed: 7, models: ['big', 'small'], method: 'logprobs', samples: 20, threshold: 0.05 },
    aggregates: {
      // Deliberately out of K order, and one null r.
      scaling: [
        { model: 'big', K: 3, n: 2, r: { mean: 2.8, lower: 2.5, upper: 3.1 }, taskMass: 0.9, aboveThreshold: 3, other: 0.1 },
        { model: 'big', K: 1, n: 2, r: { mean: 1, lower: 1, upper: 1 }, taskMass: 0.99, aboveThreshold: 1, other: 0.01 },
        { model: 'big', K: 2, n: 2, r: { mean: 1.9, lower: 1.7, upper: 2.1 }, taskMass: 0.95, aboveThreshold: 2, other: 0.05 },
        { model: 'small', K: 1, n: 2, r: { mean: 1, lower: 1, upper: 1 }, taskMass: 0.8, aboveThreshold: 1, other: 0.2 },
        { model: 'small', K: 2, n: 2, r: null, taskMass: 0.5, aboveThreshold: 1, other: 0.5 },
      ],
    },
    ...over,
  });
}

function calibration(over: Partial<ExperimentRecord> = {}): ExperimentRecord {
  const kl = (mean: number | null, finite: number, infinite: number) => ({ mean, finite, infinite });
  const agg = (model: string, point: number, share: number, p: number, k: number | null, inf = 0) => ({
    model,
    point,
    proportions: [share, 1 - share],
    shares: [share, 1 - share],
    n: 2,
    tasks: [
      { id: 'sum.digits', probability: { mean: p, lower: p - 0.05, upper: p + 0.05 } },
      { id: 'sum.en', probability: { mean: 1 - p, lower: 0.9 - p, upper: 1.1 - p } },
    ],
    kl: kl(k, k === null ? 0 : 2 - inf, inf),
    klNormalized: kl(k === null ? null : k / 2, k === null ? 0 : 2 - inf, inf),
  });
  return ExperimentRecordSchema.parse({
    ...base,
    kind: 'calibration',
    plan: { kind: 'calibration', tasks: ['sum.digits', 'sum.en'], proportions: [[0, 1], [1, 1], [1, 0]], promptsPerPoint: 2, totalExamples: 10, seed: 1, models: ['big', 'small'], method: 'logprobs', samples: 20 },
    aggregates: {
      calibration: [
        agg('big', 2, 1, 0.97, 0.1),
        agg('big', 0, 0, 0.02, 0.3),
        agg('big', 1, 0.5, 0.5, 0.2, 1),
        agg('small', 0, 0, 0.3, null),
        agg('small', 1, 0.5, 0.8, null),
      ],
    },
    ...over,
  });
}

test('scaling: one line per model in plan order, sorted by K, null r is a gap', () => {
  const s = scalingSeries(scaling());
  assert.deepEqual(s.r.map((l) => l.model), ['big', 'small']);
  assert.deepEqual(s.r[0]!.points, [{ x: 1, y: 1 }, { x: 2, y: 1.9 }, { x: 3, y: 2.8 }]);
  assert.deepEqual(s.r[0]!.low, [1, 1.7, 2.5]);
  assert.deepEqual(s.r[0]!.high, [1, 2.1, 3.1]);
  assert.deepEqual(s.r[1]!.points, [{ x: 1, y: 1 }, { x: 2, y: null }]);
  assert.deepEqual(s.r[1]!.low, [1, null]);
  assert.deepEqual(s.taskMass[1]!.points, [{ x: 1, y: 0.8 }, { x: 2, y: 0.5 }]);
  assert.notEqual(s.r[0]!.colorIndex, s.r[1]!.colorIndex);
  assert.equal(s.kMin, 1);
  assert.equal(s.kMax, 3);
  assert.equal(s.rMax, 4); // ceil of the largest upper bound 3.1
});

test('scaling: the ideal diagonal r = K over the plan range', () => {
  assert.deepEqual(scalingSeries(scaling()).diagonal, [{ x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: 3 }]);
  assert.deepEqual(scalingDiagonal(2, 4).map((p) => p.y), [2, 3, 4]);
});

test('scaling: a running experiment without aggregates keeps a (empty) line per model', () => {
  const s = scalingSeries(scaling({ aggregates: { scaling: [] }, status: 'cancelled' }));
  assert.deepEqual(s.r.map((l) => l.points.length), [0, 0]);
  assert.equal(s.rMax, 3);
  assert.deepEqual(experimentModels(scaling()), ['big', 'small']);
});

test('calibration: p1 against share per model, sorted by share, with interval bars', () => {
  const s = calibrationSeries(calibration());
  assert.deepEqual(s.tasks, ['sum.digits', 'sum.en']);
  assert.deepEqual(s.p1[0]!.points, [{ x: 0, y: 0.02 }, { x: 0.5, y: 0.5 }, { x: 1, y: 0.97 }]);
  assert.deepEqual(s.p1[0]!.low.map((v) => Number(v?.toFixed(4))), [0, 0.45, 0.92]); // clamped at 0
  assert.deepEqual(s.p1[0]!.high.map((v) => Number(v?.toFixed(4))), [0.07, 0.55, 1]); // clamped at 1
  assert.deepEqual(s.diagonal, [{ x: 0, y: 0 }, { x: 1, y: 1 }]);
});

test('calibration: KL bars weight the finite means and count infinities; no finite KL is a gap', () => {
  const s = calibrationSeries(calibration());
  assert.deepEqual(s.kl.labels, ['big', 'small']);
  // big: (0.1·2 + 0.3·2 + 0.2·1) / 5
  assert.ok(Math.abs((s.kl.kl[0] ?? NaN) - 1.0 / 5) < 1e-12);
  assert.ok(Math.abs((s.kl.klNormalized[0] ?? NaN) - 0.5 / 5) < 1e-12);
  assert.deepEqual(s.kl.infinite, [1, 0]);
  assert.equal(s.kl.kl[1], null);
  assert.equal(s.kl.klNormalized[1], null);
  assert.deepEqual(s.kl.n, [6, 4]);
});

test('comparison: lines of both runs labelled by side, one colour per model on both sides', () => {
  const right = scaling({ id: 'exp-2' });
  const s = scalingComparison(scaling(), right);
  assert.deepEqual(s.r.map((l) => l.label), ['Left · big', 'Left · small', 'Right · big', 'Right · small']);
  assert.deepEqual(s.r.map((l) => l.run), ['left', 'left', 'right', 'right']);
  assert.equal(s.r[0]!.colorIndex, s.r[2]!.colorIndex);
  const c = calibrationComparison(calibration(), calibration({ id: 'exp-3' }));
  assert.deepEqual(c.kl.labels, ['Left · big', 'Left · small', 'Right · big', 'Right · small']);
  assert.equal(c.p1.length, 4);
});

test('header helpers: plan summary, progress, resumable', () => {
  assert.match(planSummary(scaling()), /pool a, b, c · K 1–3 · 2 prompts per K · 5 examples per task/);
  assert.match(planSummary(calibration()), /tasks sum.digits, sum.en · 3 mixture points/);
  assert.deepEqual(unitProgress(scaling()), { done: 0, total: 12, failed: 0 });
  assert.equal(resumable({ status: 'cancelled' }, false), true);
  assert.equal(resumable({ status: 'failed' }, false), true);
  assert.equal(resumable({ status: 'cancelled' }, true), false);
  assert.equal(resumable({ status: 'complete' }, false), false);
});
