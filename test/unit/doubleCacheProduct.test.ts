// The product's prompt-cache hit ratio on the Ollama TEST DOUBLE's per-slot cache (Ollama's rule:
// the free slot with the longest common prefix; every request re-evaluates at least one token):
// an analysis of the shipped 4-task example, teacher-forced scoring of long answers (where the
// order of a level's requests decides how much of the answers' prefixes is re-evaluated) and a
// small scaling sweep, on 1 and 2 slots.
//
// The bounds, in evaluated (uncached) prompt tokens, for R requests:
// - analysis of one P-token prompt with S slots: each slot used evaluates the prompt once (slots do
//   not share their cache), then a cache-friendly order adds about one token per request (the new
//   token of a trie child, a few more at a branch switch): evaluated ≤ S·P + 2R. For the example
//   (P = 362, R = 17) that is a hit ratio ≥ 1 − S/R − 2/P ≈ 0.94 (1 slot). With 2 slots, which
//   slot a request finds free depends on reply timing (a slot may hold another branch), so allow
//   4 tokens per request: ≥ 1 − S/R − 4/P ≈ 0.87. Long answers (64-byte siblings, 59 requests) on
//   1 slot, where the product's order alone decides: only a cache-friendly order (each request
//   next to its trie parent or sibling) stays within 2 tokens per request.
// - sweep: each unit's first request evaluates its new prompt; with S slots a new unit may evict a
//   unit between two requests (the first free slot wins a tie), so allow one more prompt per unit:
//   evaluated ≤ 2·Σ P_unit + 2R, a hit ratio ≥ about 1 − 2/(R / units) ≈ 0.89 here.
// A cache-hostile order (a scheduler that alternates the answers' branches, or more units in
// flight than slots) breaks them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { analyzeMix } from '../../src/core/analyze';
import { scoreAnswers } from '../../src/core/estimate/teacherForced';
import { ollamaTokenSource } from '../../src/core/estimate/tokenSource';
import { expandScaling, validateScalingPlan } from '../../src/core/experiments/plan';
import { runExperiment } from '../../src/core/experiments/runner';
import { parseMix } from '../../src/core/mix/parse';
import { OllamaClient } from '../../src/core/ollama/client';
import { RequestScheduler } from '../../src/core/ollama/scheduler';
import { detectTasks } from '../../src/core/tasks/detect';
import { scriptFromAnswers, startOllamaDouble, tokenize, type OllamaDouble, type ScriptEntry } from '../double/index';

const MODEL = 'double-cache-product:latest';
// Latency makes concurrent requests overlap in the double; the cost model makes a miss expensive.
const COST = { latencyMs: 5, uncachedTokenMs: 0.05 };

function cacheFigures(d: OllamaDouble): { evaluated: number; ratio: number; requests: number } {
  const c = d.counters;
  return { evaluated: c.promptTokens - c.cachedPromptTokens, ratio: c.cachedPromptTokens / c.promptTokens, requests: c.generate };
}

function check(t: TestContext, d: OllamaDouble, bound: number, floor: number): void {
  const f = cacheFigures(d);
  t.diagnostic(`evaluated ${f.evaluated} prompt tokens (bound ${bound}), hit ratio ${f.ratio.toFixed(4)} (floor ${floor.toFixed(4)}), ${f.requests} requests`);
  assert.ok(f.evaluated <= bound, `evaluated ${f.evaluated} prompt tokens > ${bound} (hit ratio ${f.ratio.toFixed(4)}, ${f.requests} requests)`);
  assert.ok(f.ratio >= floor, `hit ratio ${f.ratio.toFixed(4)} < ${floor.toFixed(4)}`);
}

const fill = (phrase: string, bytes: number) => phrase.repeat(Math.ceil(bytes / phrase.length)).slice(0, bytes);
const LONG_ANSWERS = [fill('one hundred and forty ', 64), fill('cent quarante ', 64), fill('ciento cuarenta ', 64), fill('140 ', 64)];
const LONG_PROMPT = `${'88+52 -> one hundred and forty\n'.repeat(8)}88+52 ->`;

function example() {
  const text = readFileSync(join(__dirname, '..', '..', 'examples', 'add-translate.txt'), 'utf8');
  const mix = parseMix(text, 'add-translate.txt').mix;
  assert.ok(mix);
  const detection = detectTasks(mix);
  const probs = [0.42, 0.21, 0.12, 0.09];
  const script = [scriptFromAnswers(mix.prompt, detection.tasks.map((t, i) => ({ text: t.answer ?? '', prob: probs[i] ?? 0.05 })))];
  return { mix, detection, script };
}

function sweep() {
  const checked = validateScalingPlan({ pool: ['sum.digits', 'sum.en', 'sum.fr', 'sum.es'], kMin: 4, kMax: 4, promptsPerK: 6, examplesPerTask: 5, seed: 7, models: [MODEL] });
  assert.ok(checked.ok);
  const units = expandScaling(checked.plan);
  const script: ScriptEntry[] = units.map((u) => scriptFromAnswers(u.mix.prompt, u.detection.tasks.map((t, k) => ({ text: t.answer ?? '', prob: 0.2 - 0.03 * k }))));
  return { units, script };
}

describe('the product on the per-slot prompt cache', () => {
  for (const slots of [1, 2]) {
    test(`an analysis of the 4-task example on ${slots} slot(s) (concurrency ${slots}): evaluated ≤ slots × prompt + 2 per request`, async (t) => {
      const { mix, detection, script } = example();
      const d = await startOllamaDouble({ models: [{ name: MODEL, script }], parallel: slots, ...COST });
      try {
        const record = await analyzeMix(new OllamaClient({ host: d.url, retries: 0 }), mix, detection, { model: MODEL, concurrency: slots });
        assert.equal(record.status, 'complete', record.error?.message);
        const P = tokenize(mix.prompt).length;
        const R = d.counters.generate;
        const perRequest = slots === 1 ? 2 : 4;
        check(t, d, slots * P + perRequest * R, 1 - slots / R - perRequest / P);
      } finally {
        await d.close();
      }
    });

    // Red on 2 slots with two requests in flight per unit (883a187, undone by a029659): a unit's
    // second request took another unit's slot, which displaced that unit in turn (0.93 → 0.43).
    test(`a scaling sweep on ${slots} slot(s) (units in flight = slots): evaluated ≤ 2 × Σ unit prompts + 2 per request`, async (t) => {
      const { units, script } = sweep();
      const d = await startOllamaDouble({ models: [{ name: MODEL, script }], parallel: slots, ...COST });
      try {
        const run = await runExperiment(units, { clients: [new OllamaClient({ host: d.url, retries: 0 })], concurrency: slots });
        assert.equal(run.status, 'complete', run.error?.message);
        const prompts = units.reduce((a, u) => a + tokenize(u.mix.prompt).length, 0);
        check(t, d, 2 * prompts + 2 * d.counters.generate, 0.85);
      } finally {
        await d.close();
      }
    });
  }

  test(`teacher-forced scoring of long answers on 1 slot (concurrency 1): evaluated ≤ prompt + 2 per request`, async (t) => {
    const script = [scriptFromAnswers(LONG_PROMPT, LONG_ANSWERS.map((text, i) => ({ text, prob: [0.4, 0.2, 0.12, 0.09][i] ?? 0 })))];
    const d = await startOllamaDouble({ models: [{ name: MODEL, script }], parallel: 1, ...COST });
    try {
      const source = ollamaTokenSource(new OllamaClient({ host: d.url, retries: 0 }), new RequestScheduler(1), MODEL, LONG_PROMPT);
      const scored = await scoreAnswers(source, LONG_ANSWERS);
      assert.ok(scored.complete, String(scored.error));
      const P = tokenize(LONG_PROMPT).length;
      const R = d.counters.generate;
      check(t, d, P + 2 * R, 1 - 1 / R - 2 / P);
    } finally {
      await d.close();
    }
  });
});
