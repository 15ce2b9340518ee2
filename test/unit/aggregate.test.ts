// Experiment aggregates on hand-made unit results (known values, no server).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateCalibration, aggregateScaling, calibrationByModel } from '../../src/core/experiments/aggregate';
import type { UnitResult } from '../../src/core/experiments/record';

function unit(model: string, K: number, prompt: number, r: number | null, probs: number[], extra: Partial<UnitResult> = {}): UnitResult {
  const tasks = probs.map((p, i) => ({ id: `t${i}`, answer: `a${i}`, share: 1 / probs.length, probability: p, lower: p, upper: p }));
  const mass = probs.reduce((a, b) => a + b, 0);
  return { key: `${model}/${K}/${prompt}`, model, status: 'complete', K, prompt, tasks, r, other: 1 - mass, taskMass: mass, kl: null, klNormalized: null, method: 'logprobs', requests: 1, ...extra };
}

const near = (got: number | null | undefined, want: number, tol = 1e-9) => assert.ok(got !== null && got !== undefined && Math.abs(got - want) < tol, `${got} vs ${want}`);

test('E[r] counts every unit, those with r = 0 included; r = null (not measured) is left out', () => {
  const results = [
    unit('m', 2, 0, 0, [0.1, 0.05]),
    unit('m', 2, 1, 2, [0.5, 0.4]),
    unit('m', 2, 2, 1, [0.6, 0.01]),
    unit('m', 2, 3, null, [0.3, 0.3]),
    unit('m', 2, 4, 2, [0.3, 0.3], { status: 'failed' }),
  ];
  const [row] = aggregateScaling(results, { models: ['m'], threshold: 0.05 });
  assert.ok(row);
  assert.equal(row.n, 4, 'complete units');
  // r over the three measured complete units: (0 + 2 + 1) / 3 = 1; s = 1, half = 1.96 / √3.
  near(row.r?.mean, 1);
  near(row.r?.lower, 1 - 1.959963984540054 / Math.sqrt(3));
  near(row.r?.upper, 1 + 1.959963984540054 / Math.sqrt(3));
  near(row.taskMass, (0.15 + 0.9 + 0.61 + 0.6) / 4);
  near(row.other, 1 - (0.15 + 0.9 + 0.61 + 0.6) / 4);
  // Tasks ≥ 0.05 per unit: 2, 2, 1, 2.
  near(row.aboveThreshold, 7 / 4);
  const allZero = aggregateScaling([unit('z', 1, 0, 0, [0.01]), unit('z', 1, 1, 0, [0.02])], { models: ['z'], threshold: 0.05 });
  assert.deepEqual(allZero[0]?.r, { mean: 0, lower: 0, upper: 0 });
  const none = aggregateScaling([unit('n', 1, 0, null, [0.5])], { models: ['n'], threshold: 0.05 });
  assert.equal(none[0]?.r, null);
});

test('scaling rows: one per (model, K), models in plan order, then K', () => {
  const results = [unit('b', 1, 0, 1, [0.9]), unit('a', 2, 0, 2, [0.4, 0.4]), unit('a', 1, 0, 1, [0.9]), unit('b', 2, 0, 0, [0.01, 0.01])];
  const rows = aggregateScaling(results, { models: ['a', 'b'], threshold: 0.05 });
  assert.deepEqual(rows.map((r) => [r.model, r.K, r.r?.mean]), [['a', 1, 1], ['a', 2, 2], ['b', 1, 1], ['b', 2, 0]]);
  // Three models met in reverse plan order: plan order wins over arrival order.
  const three = ['c', 'b', 'a'].flatMap((m) => [3, 1, 2].map((K) => unit(m, K, 0, 1, [0.5])));
  const ordered = aggregateScaling(three, { models: ['a', 'b', 'c'], threshold: 0.05 });
  assert.deepEqual(ordered.map((r) => `${r.model}${r.K}`), ['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2', 'c3']);
});

test('calibration: mean probability per task with a 95% interval, KL over finite values with infinities counted', () => {
  const results = [
    unit('m', 2, 0, null, [0.2, 0.6], { point: 0, kl: 0.5, klNormalized: 0.1 }),
    unit('m', 2, 1, null, [0.4, 0.2], { point: 0, kl: null, klNormalized: 0.3 }),
    unit('m', 2, 2, null, [0.3, 0.4], { point: 1, kl: 0.2, klNormalized: 0.05 }),
  ];
  const rows = aggregateCalibration(results, { models: ['m'], tasks: ['t0', 't1'], proportions: [[1, 3], [1, 1]] });
  assert.equal(rows.length, 2);
  const [p0, p1] = rows;
  assert.deepEqual(p0?.proportions, [0.25, 0.75]);
  near(p0?.tasks[0]?.probability.mean, 0.3);
  // Two values 0.2, 0.4: s = 0.141421, s/√2 = 0.1, × 1.96.
  near(p0?.tasks[0]?.probability.lower, 0.3 - 0.1959963984540054);
  near(p0?.tasks[0]?.probability.upper, 0.3 + 0.1959963984540054);
  near(p0?.tasks[1]?.probability.mean, 0.4);
  assert.deepEqual(p0?.kl, { mean: 0.5, finite: 1, infinite: 1 });
  near(p0?.klNormalized.mean, 0.2);
  assert.equal(p1?.n, 1);
  assert.deepEqual(p1?.tasks[1]?.probability, { mean: 0.4, lower: 0.4, upper: 0.4 });
  const byModel = calibrationByModel(results, ['m']);
  assert.deepEqual(byModel[0]?.kl, { mean: 0.35, finite: 2, infinite: 1 });
});
