/**
 * A heavy-tailed scenario: the 4-task prompt with small answer masses (0.06 … 0.01), 400 root
 * distractors with heavy-tailed weights and 10 % of the mass leaking to distractors at every inner
 * node. Teacher forcing (terminated, as sampling measures) against sampling at ±2 points: the
 * requests of each and the interval widths reached.
 */
import { analyzeMix } from '../src/core/analyze';
import { OllamaClient } from '../src/core/ollama/client';
import { groundTruth, scriptFromAnswers, type ScriptedModel } from '../test/double/index';
import type { DoubleHost } from './doubles';
import { BENCH_MODEL, fourTaskPrompt, type PromptSpec } from './scenario';

const Z95 = 1.959964;
const SLOTS = 8;

export interface HeavyTailResult {
  halfWidth: number;
  teacherForced: { requests: number; widths: number[]; maxError: number };
  samples: number;
  worstP: number;
  sampling: { requests: number; widths: number[]; maxError: number; seconds: number };
  answers: Array<{ answer: string; truth: number }>;
}

export async function benchHeavyTail(host: DoubleHost, latencyMs: number, halfWidth: number): Promise<HeavyTailResult> {
  const { mix, detection, spec: base } = fourTaskPrompt();
  const probs = [0.06, 0.03, 0.02, 0.01];
  const spec: PromptSpec = { prompt: base.prompt, answers: base.answers.map((a, i) => ({ text: a.text, prob: probs[i] ?? 0.01 })), script: { distractors: 400, innerNoise: 0.1 } };
  const model: ScriptedModel = { name: BENCH_MODEL, script: [scriptFromAnswers(spec.prompt, spec.answers, spec.script)] };
  const truth = (answer: string) => groundTruth(model, spec.prompt, answer, { terminated: true });
  const [url] = await host.startDoubles([{ parallel: SLOTS, latencyMs, prompts: [spec] }]);
  const client = new OllamaClient({ host: url!, retries: 0 });

  await host.reset();
  const tf = await analyzeMix(client, mix, detection, { model: BENCH_MODEL, method: 'logprobs', terminated: true, concurrency: SLOTS });
  if (tf.status !== 'complete') throw new Error(`heavy-tail analysis failed: ${tf.error?.message}`);
  const [tfStats] = await host.stats();
  const worstP = tf.tasks.map((t) => t.probability).reduce((best, p) => (p * (1 - p) > best * (1 - best) ? p : best), 0);
  const samples = Math.ceil((Z95 * Z95 * worstP * (1 - worstP)) / (halfWidth * halfWidth));

  await host.reset();
  const t0 = performance.now();
  const sampled = await analyzeMix(client, mix, detection, { model: BENCH_MODEL, method: 'sampling', samples, seed: 1, concurrency: SLOTS });
  const seconds = (performance.now() - t0) / 1000;
  if (sampled.status !== 'complete') throw new Error(`heavy-tail sampling failed: ${sampled.error?.message}`);
  const [sStats] = await host.stats();
  const maxError = (tasks: typeof tf.tasks) => Math.max(...tasks.map((t) => Math.abs(t.probability - truth(t.answer))));
  return {
    halfWidth,
    teacherForced: { requests: tfStats!.counters.generate, widths: tf.tasks.map((t) => t.upper - t.lower), maxError: maxError(tf.tasks) },
    samples,
    worstP,
    sampling: { requests: sStats!.counters.generate, widths: sampled.tasks.map((t) => t.upper - t.lower), maxError: maxError(sampled.tasks), seconds },
    answers: spec.answers.map((a) => ({ answer: a.text, truth: truth(a.text) })),
  };
}
