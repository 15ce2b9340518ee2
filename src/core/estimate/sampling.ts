import type { OllamaClient } from '../ollama/client';
import type { RequestScheduler } from '../ollama/scheduler';
import type { GenerationOptions } from '../ollama/types';
import { wilsonInterval } from './stats';
import { utf8 } from './tokenSource';

export interface SamplingOptions {
  samples: number;
  /** Seed of the first sample; sample i uses seed + i. */
  seed: number;
  signal?: AbortSignal;
  keepAlive?: string | number;
  onProgress?: (done: number, total: number) => void;
}

export interface SampledAnswer {
  answer: string;
  count: number;
  probability: number;
  ci95: [number, number];
}

export interface SamplingResult {
  answers: SampledAnswer[];
  other: { count: number; probability: number; ci95: [number, number] };
  /** The most frequent outputs that match no answer. */
  unmatched: Array<{ text: string; count: number }>;
  samples: number;
  requests: number;
  complete: boolean;
  error?: unknown;
}

/**
 * Every sampler neutralised so draws follow the model's true (T = 1) distribution; Modelfile
 * parameters would otherwise apply, so each is set explicitly.
 */
export function neutralSampler(seed: number, numPredict: number): GenerationOptions {
  return {
    temperature: 1,
    top_k: 0,
    top_p: 1,
    min_p: 0,
    typical_p: 1,
    repeat_penalty: 1,
    presence_penalty: 0,
    frequency_penalty: 0,
    seed,
    num_predict: numPredict,
    stop: ['\n'],
  };
}

/**
 * The line a sample answers with: up to the first newline, as generated. Not trimmed: " Moscow" is
 * not the answer "Moscow" — teacher-forced scoring measures the exact text, and so must sampling.
 */
export function normaliseSample(text: string): string {
  const newline = text.indexOf('\n');
  return newline >= 0 ? text.slice(0, newline) : text;
}

/**
 * Estimates P(the next line is exactly the answer) by drawing N samples with distinct seeds.
 * Sampling estimates the terminated probability (the line must end after the answer).
 */
export async function sampleAnswers(
  client: OllamaClient,
  scheduler: RequestScheduler,
  model: string,
  prompt: string,
  answers: readonly string[],
  options: SamplingOptions,
): Promise<SamplingResult> {
  const numPredict = Math.max(4, ...answers.map((a) => utf8(a).length + 1));
  const wanted = new Map(answers.map((a, i) => [a, i]));
  const counts = new Array<number>(answers.length).fill(0);
  const unmatched = new Map<string, number>();
  let done = 0;
  let otherCount = 0;
  let error: unknown;
  const tasks = Array.from({ length: options.samples }, (_, i) =>
    scheduler
      .run(prompt, '', async () => {
        if (error !== undefined || options.signal?.aborted) return;
        const result = await client.generate({ model, prompt, options: neutralSampler(options.seed + i, numPredict), keepAlive: options.keepAlive }, options.signal);
        const line = normaliseSample(result.text);
        // Cut off by the token limit before the line ended: not an answer, whatever its start.
        const truncated = result.doneReason === 'length' && !result.text.includes('\n');
        const index = truncated ? undefined : wanted.get(line);
        if (index !== undefined) counts[index]!++;
        else {
          otherCount++;
          unmatched.set(line, (unmatched.get(line) ?? 0) + 1);
        }
        done++;
        options.onProgress?.(done, options.samples);
      })
      .catch((err: unknown) => {
        error ??= err;
      }),
  );
  await Promise.all(tasks);
  const n = done;
  return {
    answers: answers.map((answer, i) => ({
      answer,
      count: counts[i]!,
      probability: n > 0 ? counts[i]! / n : 0,
      ci95: wilsonInterval(counts[i]!, n),
    })),
    other: { count: otherCount, probability: n > 0 ? otherCount / n : 0, ci95: wilsonInterval(otherCount, n) },
    unmatched: [...unmatched.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 10)
      .map(([text, count]) => ({ text, count })),
    samples: n,
    requests: n,
    complete: error === undefined && n === options.samples,
    ...(error !== undefined ? { error } : {}),
  };
}
