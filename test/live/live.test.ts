// Live suite: the same checks as the double-based tests, against a real Ollama.
// Runs when OLLAMA_HOST (or 127.0.0.1:11434) answers; otherwise every test reports "skipped: no Ollama".
// Pick the model with OLLAMA_TEST_MODEL (default: the smallest installed model).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { analyzeMix } from '../../src/core/analyze';
import { parseMix } from '../../src/core/mix/parse';
import { OllamaClient } from '../../src/core/ollama/client';
import { supportsLogprobs } from '../../src/core/ollama/errors';
import { hostFromEnvironment } from '../../src/core/ollama/host';
import { detectTasks } from '../../src/core/tasks/detect';

const host = hostFromEnvironment(undefined, process.env);

async function probe(): Promise<{ version: string; model?: string } | undefined> {
  try {
    const client = new OllamaClient({ host, requestTimeoutMs: 2000, retries: 0 });
    const version = await client.version();
    const models = await client.listModels();
    const wanted = process.env['OLLAMA_TEST_MODEL'];
    const model = wanted ?? [...models].sort((a, b) => a.size - b.size)[0]?.name;
    return { version, model };
  } catch {
    return undefined;
  }
}

const probed = probe();

/** The live server and model, or undefined after marking the test skipped (no Ollama here). */
async function live(t: TestContext): Promise<{ version: string; model: string } | undefined> {
  const server = await probed;
  const reason = !server ? `skipped: no Ollama at ${host}` : !server.model ? `skipped: Ollama ${server.version} at ${host} has no models (set OLLAMA_TEST_MODEL)` : undefined;
  if (reason || !server?.model) {
    t.diagnostic(reason ?? 'skipped');
    t.skip(reason);
    return undefined;
  }
  return { version: server.version, model: server.model };
}

function example(name: string) {
  const parsed = parseMix(readFileSync(join(__dirname, '..', '..', 'examples', name), 'utf8'), name);
  assert.ok(parsed.mix);
  return { mix: parsed.mix, detection: detectTasks(parsed.mix) };
}

const client = new OllamaClient({ host, requestTimeoutMs: 600_000 });

test('live: logprob scoring gives consistent bounds', async (t) => {
  const server = await live(t);
  if (!server) return;
  assert.ok(supportsLogprobs(server.version), `Ollama ${server.version} is older than 0.12.11 (no logprobs)`);
  const { mix, detection } = example('ab.txt');
  const record = await analyzeMix(client, mix, detection, { model: server.model, method: 'logprobs' });
  assert.equal(record.status, 'complete', record.error?.message);
  assert.ok(record.requests > 0);
  for (const task of record.tasks) {
    assert.ok(task.lower >= 0 && task.lower <= task.upper && task.upper <= 1, `${task.id}: [${task.lower}, ${task.upper}]`);
  }
  assert.ok(record.tasks.reduce((a, t) => a + t.lower, 0) <= 1 + 1e-6);
  assert.ok(record.completions.length > 0);
});

test('live: sampling agrees with terminated logprob scoring', async (t) => {
  const server = await live(t);
  if (!server) return;
  const { mix, detection } = example('country.txt');
  const exact = await analyzeMix(client, mix, detection, { model: server.model, method: 'logprobs', terminated: true });
  const sampled = await analyzeMix(client, mix, detection, { model: server.model, method: 'sampling', samples: 100 });
  assert.equal(exact.status, 'complete', exact.error?.message);
  assert.equal(sampled.status, 'complete', sampled.error?.message);
  for (const task of exact.tasks) {
    const s = sampled.tasks.find((x) => x.id === task.id)!;
    // Wilson 95% intervals at n = 100 are about ±0.1; allow a little slack for cache nondeterminism.
    const distance = Math.max(0, s.ci95![0] - task.upper, task.lower - s.ci95![1]);
    assert.ok(distance < 0.05, `${task.id}: sampled ${s.probability} (CI ${s.ci95}) vs logprobs [${task.lower}, ${task.upper}]`);
  }
});

test('live: a missing model is reported with a Pull next step', async (t) => {
  if (!(await live(t))) return;
  const { mix, detection } = example('word.txt');
  const record = await analyzeMix(client, mix, detection, { model: 'superposition-lab-no-such-model:latest' });
  assert.equal(record.status, 'failed');
  assert.equal(record.error?.kind, 'model-not-found');
  assert.match(record.error?.nextStep ?? '', /ollama pull/);
});
