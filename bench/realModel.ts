/**
 * The real-model section of `npm run bench`: Superposition Lab on the project-installed REAL Ollama
 * 0.24.0 serving Gemma 3 270M (scripts/ollama-tools.sh), on this machine's CPU cores. Not a test.
 * Writes bench/results-real.md.
 *
 *   node --import tsx bench/realModel.ts [--sweep N] [--example FILE]
 *     --sweep N       prompts per sweep (default 100; 0: no sweeps)
 *     --example FILE  the examples/ prompt of the analysis figures (default add-translate.txt);
 *                     with another prompt or --sweep 0 the table goes to results-real-<name>.md
 *
 * Figures: wall time of one 4-task analysis; prompt tokens served from Ollama's cache across it;
 * requests against the answers' character prefixes; teacher forcing against sampling at ±2 points
 * (requests and wall time); prompts per minute of a sweep at 1 and 2 OLLAMA_NUM_PARALLEL slots.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { analyzeMix } from '../src/core/analyze';
import { expandScaling, validateScalingPlan } from '../src/core/experiments/plan';
import { runExperiment } from '../src/core/experiments/runner';
import { parseMix } from '../src/core/mix/parse';
import { OllamaClient } from '../src/core/ollama/client';
import { detectTasks } from '../src/core/tasks/detect';
import { CountingClient } from '../test/live/liveHelpers';
import { loadRealOllamaTools, startRealOllama, type RealOllamaTools } from '../test/live/realOllama';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const sweepPrompts = option('--sweep') === undefined ? 100 : Math.max(0, Number(option('--sweep')) || 0);
const exampleName = option('--example') ?? 'add-translate.txt';
const t0 = performance.now();
const log = (line: string) => process.stderr.write(`[bench real ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

function example(name: string) {
  const text = readFileSync(join(__dirname, '..', 'examples', name), 'utf8');
  const { mix } = parseMix(text, name);
  if (!mix) throw new Error(`${name} does not parse`);
  return { mix, detection: detectTasks(mix) };
}

interface Row {
  figure: string;
  target: string;
  measured: string;
  ok?: boolean;
}

async function analysisFigures(tools: RealOllamaTools, url: string, rows: Row[], notes: string[]): Promise<void> {
  const client = new CountingClient({ host: url, requestTimeoutMs: 900_000 });
  const { mix, detection } = example(exampleName);
  await client.generate({ model: tools.model, prompt: 'Something else.', options: { num_predict: 1 } });
  const cold = await client.generate({ model: tools.model, prompt: mix.prompt, options: { num_predict: 1, temperature: 0 } });
  const promptTokens = cold.promptEvalCount ?? 0;
  const perToken = (cold.promptEvalDurationNs ?? 0) / Math.max(1, promptTokens);
  client.replies.length = 0;
  const w0 = performance.now();
  const record = await analyzeMix(client, mix, detection, { model: tools.model, method: 'logprobs' });
  const wallMs = performance.now() - w0;
  const evalNs = client.replies.reduce((a, r) => a + (r.promptEvalDurationNs ?? 0), 0);
  const uncached = evalNs / perToken;
  const total = client.replies.length * promptTokens;
  const served = 1 - uncached / total;
  const prefixes = new Set<string>();
  for (const t of detection.tasks) for (let i = 0; i <= (t.answer ?? '').length; i++) prefixes.add((t.answer ?? '').slice(0, i));
  rows.push({ figure: `One ${detection.tasks.length}-task analysis (${exampleName}, ${promptTokens} prompt tokens), wall time`, target: '—', measured: `${(wallMs / 1000).toFixed(1)} s, ${record.requests} requests (${(wallMs / record.requests).toFixed(0)} ms each)` });
  rows.push({ figure: 'Prompt tokens served from Ollama\'s cache across that analysis', target: '≥ 95 %', measured: `${(100 * served).toFixed(1)} % (≈ ${uncached.toFixed(0)} of ${total} evaluated)`, ok: served >= 0.95 });
  rows.push({ figure: 'Requests against the answers\' character prefixes (a per-character walk)', target: '—', measured: `${record.requests} vs ${prefixes.size} prefixes (scoring + top-${record.metrics.K} completions)` });
  notes.push(`- Cache figure: Ollama 0.24 reports the whole prompt in \`prompt_eval_count\` even when it comes from the cache, so the tokens actually evaluated are estimated from \`prompt_eval_duration\` at the cold rate of ${(perToken / 1e6).toFixed(2)} ms/token measured just before.`);

  // Teacher forcing vs sampling at ±2 points: sampling needs n = 1.96² p(1 − p) / 0.02² samples for
  // the least favourable measured task; its time per sample is measured on 100 samples.
  const t1 = performance.now();
  const scored = await analyzeMix(client, mix, detection, { model: tools.model, method: 'logprobs', terminated: true });
  const tfMs = performance.now() - t1;
  const s0 = performance.now();
  const sampled = await analyzeMix(client, mix, detection, { model: tools.model, method: 'sampling', samples: 100, seed: 1 });
  const perSampleMs = (performance.now() - s0) / 100;
  const worst = Math.max(...scored.tasks.map((t) => Math.min(0.5, Math.max(t.lower, 1e-3))));
  const n = Math.ceil((1.96 ** 2 * worst * (1 - worst)) / 0.02 ** 2);
  const samplingMs = n * perSampleMs;
  const ratio = samplingMs / tfMs;
  rows.push({
    figure: 'Teacher forcing vs sampling at ±2 points (terminated), wall time',
    target: '≥ 20× faster',
    measured: `${(tfMs / 1000).toFixed(1)} s, ${scored.requests} requests vs ≈ ${(samplingMs / 1000).toFixed(0)} s, ${n} samples (${ratio.toFixed(0)}×)`,
    ok: ratio >= 20,
  });
  notes.push(`- Sampling time per sample measured on 100 samples (${perSampleMs.toFixed(0)} ms each, ${sampled.status}); the ${n} samples for ±0.02 at p = ${worst.toFixed(3)} are extrapolated from it.`);
}

async function sweepFigure(tools: RealOllamaTools, parallel: number, rows: Row[]): Promise<void> {
  const server = await startRealOllama(tools, { preload: tools.model, parallel });
  try {
    const client = new OllamaClient({ host: server.url, requestTimeoutMs: 900_000 });
    const check = validateScalingPlan({ pool: ['sum.digits', 'sum.en', 'sum.fr'], kMin: 2, kMax: 2, examplesPerTask: 5, promptsPerK: sweepPrompts, seed: 5, models: [tools.model], method: 'logprobs' });
    if (!check.ok) throw new Error(check.errors.join('; '));
    const w0 = performance.now();
    const run = await runExperiment(expandScaling(check.plan), { clients: [client], concurrency: parallel, analyzeOptions: { concurrency: 1 } });
    const minutes = (performance.now() - w0) / 60_000;
    rows.push({ figure: `Sweep of ${sweepPrompts} prompts (K = 2), OLLAMA_NUM_PARALLEL=${parallel}`, target: '—', measured: `${(run.results.length / minutes).toFixed(1)} prompts/min (${run.status}, ${run.requests} requests, ${(minutes * 60).toFixed(0)} s)` });
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  let tools: RealOllamaTools;
  try {
    tools = loadRealOllamaTools();
  } catch (err) {
    log(`skipped: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const rows: Row[] = [];
  const notes: string[] = [];
  const server = await startRealOllama(tools, { preload: tools.model, parallel: 1 });
  try {
    log(`Ollama ${server.version} at ${server.url}, ${tools.model}: one analysis, cache, teacher forcing vs sampling`);
    await analysisFigures(tools, server.url, rows, notes);
  } finally {
    await server.stop();
  }
  for (const parallel of sweepPrompts > 0 ? [1, 2] : []) {
    log(`sweep, ${sweepPrompts} prompts, ${parallel} slot(s)`);
    await sweepFigure(tools, parallel, rows);
  }
  const cpu = `${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores`;
  const table = ['| figure | target | measured | ok |', '|---|---|---|---|', ...rows.map((r) => `| ${r.figure} | ${r.target} | ${r.measured} | ${r.ok === undefined ? '' : r.ok ? 'yes' : '**no**'} |`)];
  const md = [`### Real model: Ollama 0.24.0 + Gemma 3 270M Q4_K_M (${new Date().toISOString().slice(0, 10)}, ${cpu})`, '', ...table, '', ...notes, ''].join('\n');
  const name = exampleName === 'add-translate.txt' && sweepPrompts > 0 ? 'results-real.md' : `results-real-${exampleName.replace(/\.[^.]+$/, '')}.md`;
  writeFileSync(join(__dirname, name), md);
  process.stdout.write(`${md}\n`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
