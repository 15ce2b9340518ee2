// Sampling's bookkeeping at its edges: the exact line, the token limit, zero samples, failures
// and cancellation. A scripted client answers each seed with a chosen text.
import assert from 'node:assert/strict';
import test from 'node:test';
import { normaliseSample, sampleAnswers } from '../../src/core/estimate/sampling';
import type { OllamaClient } from '../../src/core/ollama/client';
import { RequestScheduler } from '../../src/core/ollama/scheduler';
import type { GenerateResult, GenerateSpec } from '../../src/core/ollama/types';

type Reply = GenerateResult | Error;

/** A client whose reply to the sample with seed s is `script(s, spec)`; records every request. */
function scripted(script: (seed: number, spec: GenerateSpec) => Reply): { client: OllamaClient; specs: GenerateSpec[] } {
  const specs: GenerateSpec[] = [];
  const client = {
    async generate(spec: GenerateSpec): Promise<GenerateResult> {
      specs.push(spec);
      const reply = script(spec.options?.seed ?? 0, spec);
      if (reply instanceof Error) throw reply;
      return reply;
    },
  } as unknown as OllamaClient;
  return { client, specs };
}

const line = (text: string, doneReason = 'stop'): GenerateResult => ({ text, logprobs: [], doneReason });

test('normaliseSample keeps the line exactly, from its first character to the first newline', () => {
  assert.equal(normaliseSample(' Moscow\nRussia'), ' Moscow');
  assert.equal(normaliseSample('81'), '81');
  assert.equal(normaliseSample('\nx'), '');
});

test('a sample matches an answer only as the exact line: a leading space is another answer', async () => {
  const { client } = scripted((seed) => line(seed % 2 === 0 ? 'Moscow\n' : ' Moscow\n'));
  const result = await sampleAnswers(client, new RequestScheduler(1), 'm', 'p', ['Moscow'], { samples: 10, seed: 0 });
  assert.equal(result.answers[0]!.count, 5);
  assert.equal(result.other.count, 5);
  assert.deepEqual(result.unmatched, [{ text: ' Moscow', count: 5 }]);
});

test('num_predict leaves room for the longest answer in bytes plus its newline', async () => {
  const { client, specs } = scripted(() => line('x\n'));
  await sampleAnswers(client, new RequestScheduler(1), 'm', 'p', ['ab', 'veintitrés'], { samples: 1, seed: 0 });
  assert.equal(specs[0]!.options?.num_predict, Buffer.byteLength('veintitrés') + 1);
  await sampleAnswers(client, new RequestScheduler(1), 'm', 'p', ['a'], { samples: 1, seed: 0 });
  assert.equal(specs[1]!.options?.num_predict, 4, 'at least 4 tokens');
});

test('a line cut by the token limit is not an answer, even when its text is one', async () => {
  const { client } = scripted((seed) => (seed < 3 ? line('81', 'length') : line('81\n')));
  const result = await sampleAnswers(client, new RequestScheduler(1), 'm', 'p', ['81'], { samples: 5, seed: 0 });
  assert.equal(result.answers[0]!.count, 2);
  assert.equal(result.other.count, 3);
});

test('when every request fails: zero samples, probabilities 0 (not NaN), incomplete, the error kept', async () => {
  const { client } = scripted(() => new Error('down'));
  const result = await sampleAnswers(client, new RequestScheduler(2), 'm', 'p', ['81'], { samples: 6, seed: 0 });
  assert.equal(result.samples, 0);
  assert.equal(result.answers[0]!.probability, 0);
  assert.equal(result.other.probability, 0);
  assert.equal(result.complete, false);
  assert.ok(result.error instanceof Error);
});

test('a failure mid-way keeps the samples drawn before it and marks the result incomplete', async () => {
  const { client } = scripted((seed) => (seed === 4 ? new Error('500') : line('81\n')));
  const result = await sampleAnswers(client, new RequestScheduler(1), 'm', 'p', ['81'], { samples: 8, seed: 0 });
  assert.equal(result.samples, 4);
  assert.equal(result.answers[0]!.probability, 1);
  assert.equal(result.complete, false);
});

test('cancelled sampling is incomplete without an error, and counts only what was drawn', async () => {
  const controller = new AbortController();
  const { client } = scripted((seed) => {
    if (seed === 2) controller.abort();
    return line('81\n');
  });
  const result = await sampleAnswers(client, new RequestScheduler(1), 'm', 'p', ['81'], { samples: 10, seed: 0, signal: controller.signal });
  assert.equal(result.error, undefined);
  assert.equal(result.complete, false);
  assert.ok(result.samples < 10 && result.samples >= 3, `${result.samples} samples`);
});

test('all samples drawn: complete, and the probabilities are the counts over the samples', async () => {
  const { client } = scripted((seed) => line(seed < 3 ? '81\n' : 'eighty-one\n'));
  const result = await sampleAnswers(client, new RequestScheduler(3), 'm', 'p', ['81', 'eighty-one'], { samples: 12, seed: 0 });
  assert.equal(result.complete, true);
  assert.deepEqual(result.answers.map((a) => a.probability), [3 / 12, 9 / 12]);
});
