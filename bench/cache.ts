/**
 * The prompt-cache hit ratio of one analysis on the double's per-slot cache and cost model
 * (Ollama's rule: the free slot with the longest common prefix; at least one token re-evaluated),
 * 1 slot and the product's default concurrency 1, as the real-model figure (bench/results-real.md).
 * Cold: the first request evaluates the whole prompt. Warm: the prompt was evaluated just before,
 * as in the real-model measurement.
 */
import { analyzeMix } from '../src/core/analyze';
import { OllamaClient } from '../src/core/ollama/client';
import { tokenize } from '../test/double/index';
import type { DoubleHost } from './doubles';
import { BENCH_MODEL, fourTaskPrompt } from './scenario';

export interface CacheFigure {
  requests: number;
  promptTokens: number;
  cachedPromptTokens: number;
}

export interface AnalysisCache {
  promptTokens: number;
  cold: CacheFigure;
  warm: CacheFigure;
}

export const hitRatio = (f: { promptTokens: number; cachedPromptTokens: number }) => f.cachedPromptTokens / f.promptTokens;

export async function benchAnalysisCache(host: DoubleHost, latencyMs: number, uncachedTokenMs: number): Promise<AnalysisCache> {
  const { mix, detection, spec } = fourTaskPrompt();
  const figure = async (warm: boolean): Promise<CacheFigure> => {
    const [url] = await host.startDoubles([{ parallel: 1, latencyMs, uncachedTokenMs, prompts: [spec] }]);
    const client = new OllamaClient({ host: url!, retries: 0 });
    if (warm) await client.nextTokens(BENCH_MODEL, mix.prompt, 1);
    await host.reset();
    const record = await analyzeMix(client, mix, detection, { model: BENCH_MODEL, source: 'examples/add-translate.txt' });
    if (record.status !== 'complete') throw new Error(`analysis failed: ${record.error?.message}`);
    const [stats] = await host.stats();
    const c = stats!.counters;
    return { requests: c.generate, promptTokens: c.promptTokens, cachedPromptTokens: c.cachedPromptTokens };
  };
  return { promptTokens: tokenize(mix.prompt).length, cold: await figure(false), warm: await figure(true) };
}
