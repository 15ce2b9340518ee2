// A sweep asks the server's version, the model digest and details once per host and model
// (CachedServerInfo), not before every prompt; failures are not remembered. Against the TEST DOUBLE.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expandScaling } from '../../src/core/experiments/plan';
import { runExperiment } from '../../src/core/experiments/runner';
import { OllamaClient } from '../../src/core/ollama/client';
import { CachedServerInfo } from '../../src/core/ollama/serverInfo';
import { scriptFromAnswers, startOllamaDouble, type OllamaDouble } from '../double/index';

const MODEL = 'double-info:latest';
const units = expandScaling({ pool: ['sum.digits', 'sum.en', 'sum.fr'], kMax: 2, promptsPerK: 3, examplesPerTask: 2, seed: 4, models: [MODEL], method: 'logprobs' });
let double: OllamaDouble;

before(async () => {
  double = await startOllamaDouble({
    models: [{ name: MODEL, script: units.map((u) => scriptFromAnswers(u.mix.prompt, u.detection.tasks.map((t, i) => ({ text: t.answer!, prob: 0.4 / (i + 1) })))) }],
    float32Logprobs: false,
  });
});
after(() => double.close());

test('a sweep asks version, tags and show once, not once per unit; results are unchanged', async () => {
  const client = new OllamaClient({ host: double.url, retries: 0 });
  double.resetCounters();
  const run = await runExperiment(units, { clients: [client], analyzeOptions: { method: 'logprobs' } });
  assert.equal(run.status, 'complete');
  assert.equal(run.results.length, units.length);
  assert.equal(double.counters.byPath['/api/version'], 1);
  assert.equal(double.counters.byPath['/api/tags'], 1);
  assert.equal(double.counters.byPath['/api/show'], 1);
  assert.ok(run.results.every((r) => r.modelDigest === run.results[0]!.modelDigest && r.modelDigest !== undefined));
  for (const r of run.results) {
    const unit = units.find((u) => u.key === r.key)!;
    for (const t of r.tasks) {
      const truth = double.truth(MODEL, unit.mix.prompt, t.answer);
      assert.ok(t.lower <= truth + 1e-9 && truth <= t.upper + 1e-9, `${r.key} ${t.id}`);
    }
  }
});

test('failures are not cached: the next call asks again', async () => {
  const info = new CachedServerInfo(new OllamaClient({ host: double.url, retries: 0 }));
  double.inject({ kind: 'status', status: 500, path: '/api/version' });
  await assert.rejects(info.version());
  assert.equal(await info.version(), await info.version());
  assert.equal(await info.modelDigest('double-missing'), undefined);
  double.resetCounters();
  assert.equal(await info.modelDigest('double-missing'), undefined);
  assert.equal(double.counters.byPath['/api/tags'], 1, 'a missing model is asked about again (it may have been pulled)');
});
