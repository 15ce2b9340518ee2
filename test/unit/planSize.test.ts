// The wizard's last step: how big the plan is before it runs.
import assert from 'node:assert/strict';
import test from 'node:test';
import { expandPlan, validateScalingPlan } from '../../src/core/experiments/plan';
import { formatSeconds, planSize, planSizeText } from '../../src/core/experiments/planSize';

test('plan size: prompts × models = measurements ≈ requests ≈ time', () => {
  const checked = validateScalingPlan({ pool: ['sum.digits', 'sum.en'], kMax: 2, promptsPerK: 3, examplesPerTask: 2, models: ['a', 'b'], method: 'logprobs' });
  assert.ok(checked.ok);
  const units = expandPlan(checked.plan);
  const size = planSize(checked.plan, units);
  assert.equal(size.units, 12);
  assert.equal(size.prompts, 6);
  assert.equal(size.models, 2);
  assert.ok(size.requests >= 12 * 4 && size.requests <= 12 * 40, `${size.requests}`);
  assert.match(planSizeText(size), /^6 prompts × 2 models = 12 measurements ≈ \d+ requests ≈ \d+ (s|min) \(at 0\.7 s a request/);
  const sampled = validateScalingPlan({ pool: ['sum.digits', 'sum.en'], kMax: 2, promptsPerK: 3, examplesPerTask: 2, models: ['a'], method: 'sampling', samples: 100 });
  assert.ok(sampled.ok);
  assert.equal(planSize(sampled.plan, expandPlan(sampled.plan)).requests, 6 * 100);
  assert.deepEqual([formatSeconds(30), formatSeconds(600), formatSeconds(7200)], ['30 s', '10 min', '2.0 h']);
});
