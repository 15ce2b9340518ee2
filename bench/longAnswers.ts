/**
 * Teacher-forced scoring of long answers (256 bytes each, siblings "one…" / "cent…" / "ciento…" /
 * "140…") with 8 slots and 20 ms per request: a node's request goes out as soon as its parent
 * replies, so the wall time should approach the critical path, token depth × latency.
 */
import { scoreAnswers } from '../src/core/estimate/teacherForced';
import { ollamaTokenSource } from '../src/core/estimate/tokenSource';
import { OllamaClient } from '../src/core/ollama/client';
import { RequestScheduler } from '../src/core/ollama/scheduler';
import { scriptFromAnswers, tokenize, type ScriptedModel } from '../test/double/index';
import type { DoubleHost } from './doubles';
import { BENCH_MODEL, fill, fourTaskPrompt, trieLowerBound } from './scenario';

export const LONG_BYTES = 256;
const SLOTS = 8;

export interface LongAnswerResult {
  slots: number;
  latencyMs: number;
  answerTokens: number[];
  requests: number;
  /** Nodes under the engine's own rule (trieLowerBound) and the answers' own token prefixes. */
  engineRuleNodes: number;
  tokenPathNodes: number;
  /** The longest chain of requests that depend on each other (tokens of the deepest answer path). */
  tokenDepth: number;
  wallMs: number;
  criticalPathMs: number;
  maxConcurrent: number;
}

export async function benchLongAnswers(host: DoubleHost, latencyMs: number): Promise<LongAnswerResult> {
  const { spec } = fourTaskPrompt();
  const phrases = ['one hundred and forty ', 'cent quarante ', 'ciento cuarenta ', '140 '];
  const answers = phrases.map((p, i) => ({ text: fill(p, LONG_BYTES), prob: spec.answers[i]?.prob ?? 0.05 }));
  const texts = answers.map((a) => a.text);
  const [url] = await host.startDoubles([{ parallel: SLOTS, latencyMs, prompts: [{ prompt: spec.prompt, answers }] }]);
  const client = new OllamaClient({ host: url!, retries: 0 });
  const run = async () => {
    await host.reset();
    const source = ollamaTokenSource(client, new RequestScheduler(SLOTS), BENCH_MODEL, spec.prompt);
    const t0 = performance.now();
    const result = await scoreAnswers(source, texts);
    const wallMs = performance.now() - t0;
    if (!result.complete) throw new Error(`long-answer scoring failed: ${String(result.error)}`);
    const [stats] = await host.stats();
    return { wallMs, requests: stats!.counters.generate, maxConcurrent: stats!.counters.maxConcurrent };
  };
  await run(); // warm-up (connections, JIT)
  const measured = await run();
  const model: ScriptedModel = { name: BENCH_MODEL, script: [scriptFromAnswers(spec.prompt, answers)] };
  const bound = trieLowerBound(model, spec.prompt, texts, tokenize);
  return {
    slots: SLOTS,
    latencyMs,
    answerTokens: texts.map((t) => tokenize(t).length),
    requests: measured.requests,
    engineRuleNodes: bound.reachable,
    tokenPathNodes: bound.tokenPath,
    tokenDepth: bound.rounds,
    wallMs: measured.wallMs,
    criticalPathMs: bound.rounds * latencyMs,
    maxConcurrent: measured.maxConcurrent,
  };
}
