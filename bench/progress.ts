/**
 * Extension-host CPU per finished prompt of a running experiment, at 10 … 10 000 prompts: what
 * the extension does for each prompt (live aggregates, the delta, its JSON — what postMessage
 * serialises) and what the webview does per post (validation, merge), against the old way
 * (the whole record rebuilt, serialised and validated after every prompt), for contrast.
 *
 *   node --import tsx bench/progress.ts
 */
import { performance as perfHooks } from 'node:perf_hooks';
import { buildExperimentRecord, type UnitResult } from '../src/core/experiments/record';
import { applyExperimentDelta } from '../src/core/experiments/applyDelta';
import { checkpointRecord } from '../src/core/experiments/checkpoint';
import { expandScaling, validateScalingPlan, type MeasurementUnit, type ScalingPlan } from '../src/core/experiments/plan';
import { runExperiment } from '../src/core/experiments/runner';
import { scoreAnswers } from '../src/core/estimate/teacherForced';
import { ollamaTokenSource } from '../src/core/estimate/tokenSource';
import { OllamaClient } from '../src/core/ollama/client';
import { RequestScheduler } from '../src/core/ollama/scheduler';
import { scriptFromAnswers, startOllamaDouble } from '../test/double/index';
import { ExperimentProgress } from '../src/core/experiments/progress';
import type { ExperimentRun } from '../src/core/experiments/runner';
import { parseToWebview } from '../src/shared/protocol';

export interface ProgressCost {
  prompts: number;
  /** Extension host, per finished prompt (µs of CPU). */
  hostUs: number;
  /** Webview, per post (one prompt per post here: the worst case; posts are throttled to 4/s). */
  webviewUs: number;
  bytesPerPost: number;
  /** The old way (whole record per prompt), measured up to `oldUpTo` prompts. */
  oldHostUs?: number;
}

function plan(): ScalingPlan {
  const checked = validateScalingPlan({ pool: ['sum.digits', 'sum.en', 'sum.fr', 'sum.es'], kMax: 4, models: ['gemma3:270m'], promptsPerK: 25 });
  if (!checked.ok) throw new Error(checked.errors.join('\n'));
  return checked.plan;
}

function unit(i: number): UnitResult {
  const K = 1 + (i % 4);
  const ids = ['sum.digits', 'sum.en', 'sum.fr', 'sum.es'].slice(0, K);
  return {
    key: `scaling|gemma3:270m|K=${K}|p=${i}`,
    model: 'gemma3:270m',
    status: 'complete',
    K,
    prompt: i,
    tasks: ids.map((id, k) => ({ id, answer: `answer ${k}`, share: 1 / K, probability: 0.2 / K, lower: 0.19 / K, upper: 0.21 / K })),
    r: 1 + (i % 3) * 0.5,
    other: 0.8,
    taskMass: 0.2,
    kl: 0.3,
    klNormalized: 0.1,
    method: 'logprobs',
    requests: 40,
  };
}

const elu = perfHooks.eventLoopUtilization.bind(perfHooks);

const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

export function benchProgress(sizes = [10, 100, 1000, 10_000], oldUpTo = 1000): ProgressCost[] {
  const p = plan();
  const measure = (n: number): ProgressCost => {
    const units = Array.from({ length: n }, (_, i) => ({ key: unit(i).key, meta: { K: unit(i).K } }) as MeasurementUnit);
    const progress = new ExperimentProgress('run', p, units, new Map(), 0);
    const shown = checkpointRecord(p, { results: [], hosts: [], durationMs: 0 }, { unitCount: n, id: 'run', createdAt: 'now' });
    let host = 0;
    let webview = 0;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const t0 = cpuUs();
      progress.add(unit(i));
      const json = JSON.stringify({ type: 'experimentProgress', delta: progress.takeDelta(i) });
      const t1 = cpuUs();
      const message = parseToWebview(JSON.parse(json));
      if (message?.type === 'experimentProgress') applyExperimentDelta(shown, message.delta);
      const t2 = cpuUs();
      host += t1 - t0;
      webview += t2 - t1;
      bytes += json.length;
    }
    const result: ProgressCost = { prompts: n, hostUs: host / n, webviewUs: webview / n, bytesPerPost: bytes / n };
    if (n <= oldUpTo) result.oldHostUs = oldWay(p, n);
    return result;
  };
  measure(200); // warm-up: the first prompts would otherwise carry the JIT's compile time
  return sizes.map(measure);
}

/** Per prompt: rebuild the record from every result so far and serialise it (what the extension did before). */
function oldWay(p: ScalingPlan, n: number): number {
  const results: UnitResult[] = [];
  const t0 = cpuUs();
  for (let i = 0; i < n; i++) {
    results.push(unit(i));
    const run: ExperimentRun = { status: 'complete', results, measured: results.length, reused: 0, hosts: [], models: [{ name: 'gemma3:270m' }], requests: 0, durationMs: 0 };
    JSON.stringify({ type: 'showExperiment', record: buildExperimentRecord(p, run, { unitCount: n, id: 'run', createdAt: 'now' }) });
  }
  return (cpuUs() - t0) / n;
}


// ── engine CPU per request against prompt length, and cancel latency ─────────────────────────────

export interface EngineCost {
  promptChars: number;
  requests: number;
  /** Scheduler + token source + trie walk, main-thread µs per request (the HTTP client is replaced by an instant fake). */
  cpuUsPerRequest: number;
  /** Characters the scheduler compared per request to pick the next one. */
  comparedPerRequest: number;
}

/** A client whose 1-token replies are instant: spreads 0.9 over the answers' next pieces (3-byte tokens). */
function instantClient(answers: readonly string[], promptChars: number): OllamaClient {
  const fake = {
    requestCount: 0,
    async nextTokens(_model: string, text: string) {
      await new Promise((r) => setImmediate(r));
      const prefix = text.slice(promptChars);
      const next = new Set<string>();
      for (const a of answers) if (a.startsWith(prefix) && a.length > prefix.length) next.add(a.slice(prefix.length, prefix.length + 3));
      const pieces = [...next];
      return { top: [...pieces.map((token) => ({ token, logprob: Math.log(0.9 / pieces.length) })), { token: '\n', logprob: Math.log(0.1) }] };
    },
  };
  return fake as unknown as OllamaClient;
}

export async function benchEngineCost(promptSizes = [1_000, 85_000], repeats = 7): Promise<EngineCost[]> {
  const answers = Array.from({ length: 12 }, (_, i) => ` answer ${i} ${'and more words '.repeat(8 + (i % 5))}`);
  const once = async (size: number): Promise<EngineCost> => {
    const prompt = `${'Q: 12 + 30\nA: 42\n'.repeat(Math.ceil(size / 18))}`.slice(0, size - 6) + 'Q: 1\nA:';
    const scheduler = new RequestScheduler(16);
    const source = ollamaTokenSource(instantClient(answers, prompt.length), scheduler, 'm', prompt);
    // Main-thread busy time (what blocks the extension host); process CPU would add the GC's helper threads.
    const before = elu();
    const scored = await scoreAnswers(source, answers);
    const busyMs = elu(before).active;
    return { promptChars: prompt.length, requests: scored.requests, cpuUsPerRequest: (busyMs * 1000) / scored.requests, comparedPerRequest: scheduler.comparedChars / scored.requests };
  };
  await once(promptSizes[0]!); // warms the JIT
  // Sizes alternate, medians reported: the machine's other load hits every size alike.
  const runs = new Map<number, EngineCost[]>(promptSizes.map((s) => [s, []]));
  for (let i = 0; i < repeats; i++) for (const size of promptSizes) runs.get(size)!.push(await once(size));
  return promptSizes.map((size) => {
    const all = runs.get(size)!.sort((a, b) => a.cpuUsPerRequest - b.cpuUsPerRequest);
    return all[Math.floor(all.length / 2)]!;
  });
}

/** Time from Cancel to the experiment's end, with prompts of ~`latencyMs` requests in flight. */
export async function benchCancelLatency(latencyMs = 200): Promise<{ latencyMs: number; cancelMs: number; inFlightAtCancel: number }> {
  const checked = validateScalingPlan({ pool: ['sum.digits', 'sum.en'], kMax: 2, models: ['double-cancel:latest'], promptsPerK: 10, examplesPerTask: 3, method: 'logprobs' });
  if (!checked.ok) throw new Error(checked.errors.join('\n'));
  const units = expandScaling(checked.plan);
  const script = units.map((u) => scriptFromAnswers(u.mix.prompt, u.detection.tasks.map((t) => ({ text: t.answer!, prob: 0.3 }))));
  const double = await startOllamaDouble({ models: [{ name: 'double-cancel:latest', script }], parallel: 2, latencyMs });
  try {
    const controller = new AbortController();
    let abortedAt = 0;
    let inFlight = 0;
    const run = runExperiment(units, {
      clients: [new OllamaClient({ host: double.url, retries: 0 })],
      concurrency: 2,
      signal: controller.signal,
      onUnit: (_r, done) => {
        if (done === 2 && !abortedAt) {
          inFlight = double.counters.generate;
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    await run;
    return { latencyMs, cancelMs: performance.now() - abortedAt, inFlightAtCancel: inFlight };
  } finally {
    await double.close();
  }
}

if (process.argv[1]?.endsWith('progress.ts')) {
  void (async () => {
    for (const r of benchProgress()) {
      console.log(`${String(r.prompts).padStart(6)} prompts: host ${r.hostUs.toFixed(1)} µs/prompt, webview ${r.webviewUs.toFixed(1)} µs/post, ${r.bytesPerPost.toFixed(0)} B/post${r.oldHostUs !== undefined ? `, old way ${r.oldHostUs.toFixed(0)} µs/prompt` : ''}`);
    }
    for (const e of await benchEngineCost()) console.log(`engine: prompt ${e.promptChars} chars, ${e.requests} requests, ${e.cpuUsPerRequest.toFixed(0)} µs CPU/request`);
    const c = await benchCancelLatency();
    console.log(`cancel: ${c.cancelMs.toFixed(0)} ms from Cancel to the end (requests of ${c.latencyMs} ms in flight)`);
  })();
}
