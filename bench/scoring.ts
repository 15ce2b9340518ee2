/**
 * Requests of teacher-forced scoring vs the trie-node lower bound, and vs sampling at equal accuracy.
 */
import { analyzeMix } from '../src/core/analyze';
import { scoreAnswers } from '../src/core/estimate/teacherForced';
import { ollamaTokenSource } from '../src/core/estimate/tokenSource';
import { OllamaClient } from '../src/core/ollama/client';
import { RequestScheduler } from '../src/core/ollama/scheduler';
import { groundTruth, scriptFromAnswers, tokenize, type ScriptedModel } from '../test/double/index';
import type { DoubleHost } from './doubles';
import { BENCH_MODEL, fourTaskPrompt, trieLowerBound } from './scenario';
import type { RunRecord } from '../src/core/record';

export const LATENCY_MS = 20;
export const HALF_WIDTH = 0.02;
const Z95 = 1.959964;

export interface ScoringResult {
  answers: string[];
  /** Default scoring (not terminated). */
  requests: number;
  bound: number;
  tokenPathBound: number;
  boundNodes: string[];
  /** Scoring with 8 slots: wall time, most requests in flight at once, and the fewest sequential rounds possible. */
  scoringMs: number;
  scoringMaxConcurrent: number;
  minRounds: number;
  /** Terminated scoring (line must end after the answer). */
  terminatedRequests: number;
  terminatedBound: number;
  /** The whole analysis (scoring + top-K completions), generate requests and all requests. */
  analysisGenerate: number;
  analysisRequests: number;
  /** Teacher-forced probabilities, interval widths, truth. */
  probabilities: Array<{ answer: string; p: number; width: number; truth: number; truthTerminated: number }>;
  /** Samples for a 95% half-width of ±HALF_WIDTH at the worst measured p(1 − p). */
  samplesNeeded: number;
  worstP: number;
  /** The sampling run with that many samples (same double): its requests and largest error vs the truth. */
  sampling?: { requests: number; generate: number; maxError: number; maxHalfWidth: number; seconds: number };
  /** A real run record of the 4-task prompt (for the chart measurement). */
  record: RunRecord;
}

export async function benchScoring(host: DoubleHost, log: (line: string) => void, runSampling = true): Promise<ScoringResult> {
  const { mix, detection, spec } = fourTaskPrompt();
  const answers = spec.answers.map((a) => a.text);
  const model: ScriptedModel = { name: BENCH_MODEL, script: [scriptFromAnswers(spec.prompt, spec.answers)] };
  const [url] = await host.startDoubles([{ parallel: 8, latencyMs: LATENCY_MS, prompts: [spec] }]);
  const client = new OllamaClient({ host: url!, retries: 0 });

  const score = async (terminated: boolean) => {
    await host.reset();
    const source = ollamaTokenSource(client, new RequestScheduler(8), BENCH_MODEL, mix.prompt);
    const t0 = performance.now();
    const result = await scoreAnswers(source, answers, { terminated });
    const wallMs = performance.now() - t0;
    if (!result.complete) throw new Error(`scoring failed: ${String(result.error)}`);
    const [stats] = await host.stats();
    return { result, generate: stats!.counters.generate, wallMs, maxConcurrent: stats!.counters.maxConcurrent };
  };

  await score(false); // warm-up (connection, JIT)
  const plain = await score(false);
  const terminated = await score(true);
  const bound = trieLowerBound(model, mix.prompt, answers, tokenize, false);
  const terminatedBound = trieLowerBound(model, mix.prompt, answers, tokenize, true);
  log(`  scoring: ${plain.generate} generate requests, lower bound ${bound.reachable} (nodes ${bound.nodes.map((n) => JSON.stringify(n)).join(' ')})`);

  await host.reset();
  const record = await analyzeMix(client, mix, detection, { model: BENCH_MODEL, concurrency: 8, source: 'examples/add-translate.txt' });
  if (record.status !== 'complete') throw new Error(`analysis failed: ${record.error?.message}`);
  const [analysisStats] = await host.stats();

  const probabilities = plain.result.scores.map((s) => ({
    answer: s.answer,
    p: s.lower,
    width: s.upper - s.lower,
    truth: groundTruth(model, mix.prompt, s.answer),
    truthTerminated: groundTruth(model, mix.prompt, s.answer, { terminated: true }),
  }));
  const worstP = probabilities.map((x) => x.p).reduce((best, p) => (p * (1 - p) > best * (1 - best) ? p : best), 0);
  const samplesNeeded = Math.ceil((Z95 * Z95 * worstP * (1 - worstP)) / (HALF_WIDTH * HALF_WIDTH));

  let sampling: ScoringResult['sampling'];
  if (runSampling) {
    await host.reset();
    const started = performance.now();
    const sampled = await analyzeMix(client, mix, detection, { model: BENCH_MODEL, method: 'sampling', samples: samplesNeeded, seed: 1, concurrency: 8 });
    const seconds = (performance.now() - started) / 1000;
    const [s] = await host.stats();
    if (sampled.status !== 'complete') throw new Error(`sampling failed: ${sampled.error?.message}`);
    // Sampling measures the terminated probability (the line ends after the answer): compare with that truth.
    const maxError = Math.max(...sampled.tasks.map((t) => Math.abs(t.probability - groundTruth(model, mix.prompt, t.answer, { terminated: true }))));
    const maxHalfWidth = Math.max(...sampled.tasks.map((t) => (t.upper - t.lower) / 2));
    sampling = { requests: sampled.requests, generate: s!.counters.generate, maxError, maxHalfWidth, seconds };
    log(`  sampling: ${samplesNeeded} samples in ${seconds.toFixed(1)} s, max |error| ${maxError.toFixed(4)}, max Wilson half-width ${maxHalfWidth.toFixed(4)}`);
  }

  return {
    answers,
    requests: plain.generate,
    bound: bound.reachable,
    tokenPathBound: bound.tokenPath,
    boundNodes: bound.nodes,
    scoringMs: plain.wallMs,
    scoringMaxConcurrent: plain.maxConcurrent,
    minRounds: bound.rounds,
    terminatedRequests: terminated.generate,
    terminatedBound: terminatedBound.reachable,
    analysisGenerate: analysisStats!.counters.generate,
    analysisRequests: record.requests,
    probabilities,
    samplesNeeded,
    worstP,
    ...(sampling ? { sampling } : {}),
    record,
  };
}
