import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countInTopK, entropy, klDivergence, klNormalised, klUnnormalised, mixtureCounts } from '../../src/core/estimate/metrics';
import { meanInterval, wilsonInterval } from '../../src/core/estimate/stats';

test('KL of identical distributions is 0, and grows with the mismatch', () => {
  assert.equal(klDivergence([0.5, 0.5], [0.5, 0.5]), 0);
  const small = klDivergence([0.5, 0.5], [0.6, 0.4]);
  const large = klDivergence([0.5, 0.5], [0.9, 0.1]);
  assert.ok(small > 0 && large > small);
  // By hand: 0.5 ln(0.5/0.9) + 0.5 ln(0.5/0.1)
  assert.ok(Math.abs(large - (0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1))) < 1e-12);
});

test('unnormalised KL = normalised KL − log Σp (paper §6), and is infinite on a zero', () => {
  const t = [0.25, 0.25, 0.5];
  const p = [0.1, 0.2, 0.3];
  const sum = 0.6;
  assert.ok(Math.abs(klUnnormalised(t, p) - (klNormalised(t, p) - Math.log(sum))) < 1e-12);
  assert.equal(klUnnormalised([0.5, 0.5], [0.5, 0]), Number.POSITIVE_INFINITY);
  // Tasks absent from the context (share 0) do not count.
  assert.ok(Number.isFinite(klUnnormalised([1, 0], [0.5, 0])));
});

test('entropy counts the "other" mass', () => {
  assert.equal(entropy([1]), 0);
  assert.ok(Math.abs(entropy([0.5]) - Math.log(2)) < 1e-12);
  assert.ok(Math.abs(entropy([0.25, 0.25, 0.25]) - Math.log(4)) < 1e-12);
});

test('r counts tasks whose answer reaches the K-th completion (paper rule, 1e-5 slack)', () => {
  const completions = [
    { text: '81', probability: 0.4 },
    { text: 'eighty-one', probability: 0.2 },
    { text: '18', probability: 0.1 },
    { text: 'ochenta y uno', probability: 0.05 },
  ];
  const answers = ['81', 'eighty-one', 'quatre-vingt-un', 'ochenta y uno'].map((answer) => ({ answer }));
  assert.equal(countInTopK(answers, completions, 4), 3);
  assert.equal(countInTopK(answers.slice(0, 2), completions, 1), 1);
  // Not enumerated by the beam search, but its teacher-forced value reaches the K-th completion.
  assert.equal(countInTopK([{ answer: 'quatre-vingt-un', fallback: 0.06 }], completions, 4), 1);
  assert.equal(countInTopK([{ answer: 'quatre-vingt-un', fallback: 0.04 }], completions, 4), 0);
  assert.equal(countInTopK([{ answer: 'ochenta y uno' }], completions, 4), 1);
  assert.equal(countInTopK([{ answer: 'x', fallback: 0.05 - 5e-6 }], completions, 4), 1);
});

test('mixture counts follow the paper rounding (floor, then +1 in task order to non-integers)', () => {
  assert.deepEqual(mixtureCounts([1 / 3, 1 / 3, 1 / 3], 20), [7, 7, 6]);
  assert.deepEqual(mixtureCounts([0.1, 0.9], 20), [2, 18]);
  assert.deepEqual(mixtureCounts([0, 1], 10), [0, 10]);
  assert.deepEqual(mixtureCounts([0.25, 0.25, 0.25, 0.25], 80), [20, 20, 20, 20]);
});

const near = (got: number, want: number, tol = 5e-5) => assert.ok(Math.abs(got - want) < tol, `${got} vs ${want}`);

test('Wilson interval: known values (asymmetric around p̂, unlike a Wald interval) and edge cases', () => {
  const [lo, hi] = wilsonInterval(50, 100);
  near(lo, 0.4038);
  near(hi, 0.5962);
  // Published values (e.g. Newcombe 1998, method 3): 1 of 10 → [0.0179, 0.4042]; 3 of 10 → [0.1078, 0.6032].
  const [a, b] = wilsonInterval(1, 10);
  near(a, 0.01788, 1e-5);
  near(b, 0.40415, 1e-5);
  const [c, d] = wilsonInterval(3, 10);
  near(c, 0.10779, 1e-5);
  near(d, 0.60322, 1e-5);
  // Centred above p̂ = 0.1 (a Wald-centred interval would be symmetric around it).
  assert.ok(b - 0.1 > 2 * (0.1 - a));
  const [e, f] = wilsonInterval(0, 10);
  assert.equal(e, 0);
  near(f, 0.27753, 1e-5);
  const [g, h] = wilsonInterval(10, 10);
  near(g, 0.72247, 1e-5);
  assert.equal(h, 1);
  const [i, j] = wilsonInterval(81, 263);
  near(i, 0.25529, 1e-5);
  near(j, 0.36621, 1e-5);
  const [zlo, zhi] = wilsonInterval(0, 200);
  assert.equal(zlo, 0);
  assert.ok(zhi > 0 && zhi < 0.02);
  assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
  const [flo, fhi] = wilsonInterval(200, 200);
  assert.ok(flo > 0.98 && fhi === 1);
});

test('mean interval: mean ± 1.96 standard errors (known values)', () => {
  const m = meanInterval([1, 2, 3, 4]);
  assert.equal(m.mean, 2.5);
  // s = √(5/3), s/√n = 0.645497, × 1.959964 = 1.265151.
  near(m.lower, 1.234849, 1e-6);
  near(m.upper, 3.765151, 1e-6);
  const r = meanInterval([0, 0, 2, 2, 1]);
  // s = 1, s/√5 = 0.447214, × 1.959964 = 0.876523.
  near(r.lower, 1 - 0.876523, 1e-6);
  near(r.upper, 1 + 0.876523, 1e-6);
  assert.deepEqual(meanInterval([3]), { mean: 3, lower: 3, upper: 3 });
  assert.ok(Number.isNaN(meanInterval([]).mean));
});
