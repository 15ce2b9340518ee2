/**
 * Extension-host CPU per finished prompt of a running experiment, at 10 … 10 000 prompts: what
 * the extension does for each prompt (live aggregates, the delta, its JSON — what postMessage
 * serialises) and what the webview does per post (validation, merge), against the old way
 * (the whole record rebuilt, serialised and validated after every prompt), for contrast.
 *
 *   node --import tsx bench/progress.ts
 */
import { buildExperimentRecord, type UnitResult } from '../src/core/experiments/record';
import { applyExperimentDelta } from '../src/core/experiments/applyDelta';
import { checkpointRecord } from '../src/core/experiments/checkpoint';
import { validateScalingPlan, type MeasurementUnit, type ScalingPlan } from '../src/core/experiments/plan';
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

if (process.argv[1]?.endsWith('progress.ts')) {
  for (const r of benchProgress()) {
    console.log(`${String(r.prompts).padStart(6)} prompts: host ${r.hostUs.toFixed(1)} µs/prompt, webview ${r.webviewUs.toFixed(1)} µs/post, ${r.bytesPerPost.toFixed(0)} B/post${r.oldHostUs !== undefined ? `, old way ${r.oldHostUs.toFixed(0)} µs/prompt` : ''}`);
  }
}
