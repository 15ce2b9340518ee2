// Live suite: the engine against a REAL Ollama serving a REAL model (npm test starts Ollama 0.24.0
// with Gemma 3 270M from the project's cache, scripts/ollama-tools.sh, and sets OLLAMA_HOST and
// SUPERPOSITION_LIVE_MODEL). In CI (SUPERPOSITION_REQUIRE_LIVE=1) a missing server fails every test;
// elsewhere the tests are skipped with the reason and the install command.
//
// Gemma 3 keeps a sliding-window (512-token) KV cache: Ollama cannot roll it back, so once a prompt
// is longer than the window every request that goes back to a shorter prefix re-evaluates the whole
// prompt. Every prompt here stays below 512 tokens (the shipped examples do too).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { analyzeMix } from '../../src/core/analyze';
import { normaliseSample, neutralSampler } from '../../src/core/estimate/sampling';
import { scoreAnswers, type TokenStep } from '../../src/core/estimate/teacherForced';
import { ollamaTokenSource } from '../../src/core/estimate/tokenSource';
import { RequestScheduler } from '../../src/core/ollama/scheduler';
import { isExperimentFileText } from '../../src/core/experiments/fileKind';
import { parseMix } from '../../src/core/mix/parse';
import { OllamaClient } from '../../src/core/ollama/client';
import { compareVersions } from '../../src/core/ollama/errors';
import { hostFromEnvironment } from '../../src/core/ollama/host';
import type { Logprob } from '../../src/core/ollama/types';
import type { RunRecord } from '../../src/core/record';
import { detectTasks } from '../../src/core/tasks/detect';
import { loadRealOllamaTools, startRealOllama } from './realOllama';
import { CountingClient, familyWilson, mixFromPairs } from './liveHelpers';

const host = hostFromEnvironment(undefined, process.env);
const required = process.env['SUPERPOSITION_REQUIRE_LIVE'] === '1';
const examplesDir = join(__dirname, '..', '..', 'examples');
/** Samples per prompt for the sampling agreement (≥ 400 in CI; fewer only for a quick local look). */
const SAMPLES = Math.max(required ? 400 : 20, Number(process.env['SUPERPOSITION_LIVE_SAMPLES'] ?? 400) || 400);

interface Live {
  version: string;
  model: string;
}

async function probe(): Promise<Live | string> {
  const unavailable = process.env['SUPERPOSITION_LIVE_UNAVAILABLE'];
  if (unavailable) return unavailable;
  try {
    const client = new OllamaClient({ host, requestTimeoutMs: 5000, retries: 0 });
    const version = await client.version();
    const models = await client.listModels();
    const model = process.env['SUPERPOSITION_LIVE_MODEL'] ?? [...models].sort((a, b) => a.size - b.size)[0]?.name;
    if (!model) return `Ollama ${version} at ${host} has no models (set SUPERPOSITION_LIVE_MODEL)`;
    return { version, model };
  } catch (err) {
    return `no Ollama at ${host}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

const probed = probe();

/** The live server and model; skips the test (or, in CI, fails it) when there is none. */
async function live(t: TestContext): Promise<Live | undefined> {
  const server = await probed;
  if (typeof server !== 'string') return server;
  if (required) assert.fail(`the live suite must run in CI but cannot: ${server}`);
  t.skip(`skipped: ${server}`);
  return undefined;
}

const client = new OllamaClient({ host, requestTimeoutMs: 600_000 });

function exampleMixes(): Array<{ name: string; text: string }> {
  return readdirSync(examplesDir)
    .filter((f) => /\.(txt|superposition\.json)$/.test(f))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(examplesDir, name), 'utf8') }))
    .filter((e) => !isExperimentFileText(e.text));
}

function mixOf(name: string, text: string) {
  const parsed = parseMix(text, name);
  assert.ok(parsed.mix, `${name}: ${JSON.stringify(parsed.diagnostics)}`);
  return { mix: parsed.mix, detection: detectTasks(parsed.mix) };
}

function example(name: string) {
  return mixOf(name, readFileSync(join(examplesDir, name), 'utf8'));
}

function assertConsistent(record: RunRecord, label: string): void {
  assert.equal(record.status, 'complete', `${label}: ${record.error?.message}`);
  for (const task of record.tasks) {
    assert.ok(task.lower >= 0 && task.lower <= task.upper + 1e-12 && task.upper <= 1, `${label} ${task.id}: [${task.lower}, ${task.upper}]`);
  }
  const unique = [...new Map(record.tasks.map((t) => [t.answer, t])).values()];
  const sumLower = unique.reduce((a, t) => a + t.lower, 0);
  const sumUpper = unique.reduce((a, t) => a + t.upper, 0);
  assert.ok(sumLower <= 1 + 1e-6, `${label}: Σ lower = ${sumLower}`);
  assert.ok(Math.abs(record.other.upper - (1 - sumLower)) < 1e-9, `${label}: other.upper ${record.other.upper} ≠ 1 − Σ lower`);
  assert.ok(Math.abs(record.other.lower - (1 - sumUpper)) < 1e-9, `${label}: other.lower ${record.other.lower} ≠ 1 − Σ upper`);
  assert.ok(record.other.lower <= record.other.probability + 1e-12 && record.other.probability <= record.other.upper + 1e-12, `${label}: other ${JSON.stringify(record.other)}`);
}

test('live: version ≥ 0.12.11, the model listed, /api/show read (digest, context length, Go-quoted stops)', async (t) => {
  const server = await live(t);
  if (!server) return;
  assert.ok(compareVersions(server.version, '0.12.11') >= 0, `Ollama ${server.version} is older than 0.12.11 (no logprobs)`);
  assert.notEqual(server.version, '0.0.0', 'a source build without -X …version.Version reports 0.0.0');
  const models = await client.listModels();
  const listed = models.find((m) => m.name === server.model);
  assert.ok(listed, `${server.model} not in ${models.map((m) => m.name).join(', ')}`);
  assert.match(listed.digest, /^[0-9a-f]{64}$/);
  const details = await client.showModel(server.model);
  assert.ok((details.contextLength ?? 0) >= 2048, `context length ${details.contextLength}`);
  assert.ok(details.capabilities.includes('completion'), details.capabilities.join(','));
  t.diagnostic(`Ollama ${server.version}, ${server.model} (${listed.digest.slice(0, 12)}), family ${details.family}, ${details.parameterSize}, context ${details.contextLength}`);
  const withStops = process.env['SUPERPOSITION_LIVE_MODEL_STOPS'];
  if (withStops) {
    const stopped = await client.showModel(withStops);
    assert.deepEqual([...stopped.stops].sort(), ['\n', '\n\n', '<end_of_turn>'], 'the Modelfile\'s PARAMETER stop "\\n\\n" must read as two newlines');
  }
});

test('live: every example prompt is analysed with logprobs, complete and consistent', async (t) => {
  const server = await live(t);
  if (!server) return;
  const examples = exampleMixes();
  assert.ok(examples.length >= 5, examples.map((e) => e.name).join(', '));
  for (const { name, text } of examples) {
    const { mix, detection } = mixOf(name, text);
    const t0 = Date.now();
    const record = await analyzeMix(client, mix, detection, { model: server.model, method: 'logprobs', concurrency: 2 });
    assertConsistent(record, name);
    assert.equal(record.method, 'logprobs');
    assert.ok(record.requests > 0 && record.completions.length > 0, name);
    t.diagnostic(`${name}: ${record.tasks.map((x) => `${x.id} [${x.lower.toFixed(3)}, ${x.upper.toFixed(3)}]`).join(' · ')} · other ${record.other.probability.toFixed(3)} · ${record.requests} requests, ${Date.now() - t0} ms`);
  }
});

interface Sample {
  /** The line, when the sample ended it (newline or end of text) within the token limit. */
  line?: string;
  /** The generated tokens, each with the model's own top list at that step. */
  steps: Logprob[];
}

/** Neutral samples as `sampleAnswers` draws them (seed + i, stop at a newline), keeping their token paths. */
async function drawSamples(model: string, prompt: string, n: number, seed: number): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const r = await client.generate({ model, prompt, options: neutralSampler(seed + i, 24), logprobs: true, topLogprobs: 20 });
    const ended = r.text.includes('\n') || r.doneReason === 'stop';
    out.push({ ...(ended ? { line: normaliseSample(r.text) } : {}), steps: r.logprobs });
  }
  return out;
}

/**
 * Where teacher forcing and sampling disagree on an answer, is it because Ollama re-tokenizes the
 * prefix we send as text? Along the answer's best token path, compare the model's own next-token
 * probability after the GENERATED tokens (from samples that took that path) with the one after the
 * same text sent as a prompt (the teacher-forced step). A large gap demonstrates the re-tokenization
 * (docs/FIDELITY.md, D5); no gap means our reading of logprobs is wrong.
 */
function retokenizationGap(steps: readonly TokenStep[], samples: readonly Sample[]): string | undefined {
  for (let k = 1; k < steps.length; k++) {
    const through = samples.filter((s) => steps.slice(0, k).every((st, j) => s.steps[j]?.token === st.token));
    if (through.length < 3) continue;
    // How often the model, having GENERATED these tokens, went on with the next token of the path
    // (a sample that ended there did not), against the probability after the same text as a prompt.
    const continued = through.filter((s) => s.steps[k]?.token === steps[k]!.token).length;
    const p = Math.min(1 - 1e-9, Math.max(1e-9, steps[k]!.probability));
    const tail = continued / through.length < p ? binomialAtMost(continued, through.length, p) : binomialAtMost(through.length - continued, through.length, 1 - p);
    if (tail < 1e-3) {
      return `after the generated tokens ${steps.slice(0, k).map((x) => JSON.stringify(x.token)).join(' ')} the model went on with ${JSON.stringify(steps[k]!.token)} in ${continued} of ${through.length} samples; after the same text sent as the prompt its probability is ${p.toFixed(3)} (binomial tail ${tail.toExponential(1)})`;
    }
  }
  return undefined;
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
function binomialAtMost(k: number, n: number, p: number): number {
  let term = (1 - p) ** n;
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= ((n - i + 1) / i) * (p / (1 - p));
    sum += term;
  }
  return Math.min(1, sum);
}

/**
 * Terminated teacher-forced bounds against sampling. A sampled frequency ABOVE an answer's upper
 * bound (beyond its family-wise 95% interval) fails: our upper bounds would be wrong. A frequency
 * BELOW the lower bound is reported with what explains it (Ollama's re-tokenization of the prefix,
 * when the samples show it) — this is seen on Gemma 3 (country.txt "RUSSIA": teacher-forced ≥ 0.021,
 * 1 of 400 samples) and is an open finding (docs/FIDELITY.md). Returns how many tasks fully agree.
 */
async function agreesWithSampling(t: TestContext, server: Live, label: string, mix: ReturnType<typeof mixOf>, samples = SAMPLES): Promise<{ agreed: number; tasks: number }> {
  const scored = await analyzeMix(client, mix.mix, mix.detection, { model: server.model, method: 'logprobs', terminated: true, concurrency: 2 });
  assertConsistent(scored, label);
  const drawn = await drawSamples(server.model, mix.mix.prompt, samples, 1);
  const tasks = [...new Map(scored.tasks.map((x) => [x.answer, x])).values()];
  let agreed = 0;
  for (const task of tasks) {
    const count = drawn.filter((d) => d.line === task.answer).length;
    const [lo, hi] = familyWilson(count, samples, tasks.length);
    t.diagnostic(`${label} ${task.id} "${task.answer}": teacher-forced [${task.lower.toFixed(4)}, ${task.upper.toFixed(4)}], sampled ${count}/${samples} = ${(count / samples).toFixed(4)} (family-wise 95% [${lo.toFixed(4)}, ${hi.toFixed(4)}])`);
    assert.ok(lo <= task.upper + 1e-9, `${label} ${task.id}: sampled [${lo}, ${hi}] lies above the teacher-forced upper bound ${task.upper}: our reading of logprobs is wrong`);
    if (task.lower <= hi + 1e-9) {
      agreed++;
      continue;
    }
    const gap = retokenizationGap(task.steps ?? [], drawn);
    t.diagnostic(`${label} ${task.id}: sampled BELOW the teacher-forced lower bound — ${gap ? `explained by Ollama's re-tokenization of the prefix (D5): ${gap}` : 'not explained by the samples (open finding, docs/FIDELITY.md)'}`);
  }
  return { agreed, tasks: tasks.length };
}

test(`live: ${SAMPLES} neutral samples never exceed the terminated teacher-forced upper bounds (two prompts; agreement reported)`, async (t) => {
  const server = await live(t);
  if (!server) return;
  const a = await agreesWithSampling(t, server, 'country.txt', example('country.txt'));
  const b = await agreesWithSampling(t, server, 'word.txt', example('word.txt'));
  assert.ok(a.agreed + b.agreed >= 1, `no task of ${a.tasks + b.tasks} agrees with sampling`);
  t.diagnostic(`${a.agreed + b.agreed} of ${a.tasks + b.tasks} tasks agree within the family-wise 95% intervals`);
});

test('live: answers with non-ASCII characters (veintitrés, dreißig): sampling never exceeds the upper bounds', async (t) => {
  const server = await live(t);
  if (!server) return;
  const spanish = mixFromPairs([
    ['4+5', 'nueve'], ['10+3', 'trece'], ['11+5', 'dieciséis'], ['20+2', 'veintidós'], ['1+2', 'tres'], ['14+2', 'dieciséis'],
    ['3+3', 'seis'], ['12+10', 'veintidós'], ['15+1', 'dieciséis'], ['2+4', 'seis'],
  ], '20+3');
  await agreesWithSampling(t, server, 'sum.es → veintitrés', mixOf('es.txt', spanish), Math.ceil(SAMPLES / 2));
  const german = mixFromPairs([
    ['10+3', 'dreizehn'], ['4+5', 'neun'], ['6+7', 'dreizehn'], ['20+10', 'dreißig'], ['8+2', 'zehn'], ['1+2', 'drei'], ['25+5', 'dreißig'],
    ['11+2', 'dreizehn'],
  ], '15+15');
  await agreesWithSampling(t, server, 'sum.de → dreißig', mixOf('de.txt', german), Math.ceil(SAMPLES / 2));
});

test('live: the top-1 completion of the beam search is Ollama\'s greedy output, or a line at least as probable', async (t) => {
  const server = await live(t);
  if (!server) return;
  let equal = 0;
  for (const name of ['country.txt', 'add-translate.txt', 'ab.txt', 'word.txt']) {
    const { mix, detection } = example(name);
    const record = await analyzeMix(client, mix, detection, { model: server.model, method: 'logprobs', concurrency: 2 });
    assert.equal(record.status, 'complete', record.error?.message);
    const top = record.completions[0];
    assert.ok(top, `${name}: no completion`);
    const greedy = await client.generate({ model: server.model, prompt: mix.prompt, options: { temperature: 0, seed: 0, num_predict: 24, stop: ['\n'] } });
    if (top.text === greedy.text) {
      equal++;
      t.diagnostic(`${name}: top-1 = greedy ${JSON.stringify(greedy.text)} (${top.probability.toFixed(4)})`);
      continue;
    }
    // Greedy decoding takes the best token at each step, not the most probable line: the two differ
    // when an early token leads to a spread continuation. The beam's top-1 must then be at least as
    // probable as the greedy line, measured by terminated teacher-forced scoring of that line.
    const source = ollamaTokenSource(client, new RequestScheduler(1), server.model, mix.prompt);
    const [scored] = (await scoreAnswers(source, [greedy.text], { terminated: true })).scores;
    t.diagnostic(`${name}: greedy ${JSON.stringify(greedy.text)} P ∈ [${scored!.lower.toFixed(4)}, ${scored!.upper.toFixed(4)}]; top-1 ${JSON.stringify(top.text)} ${top.probability.toFixed(4)}`);
    assert.ok(scored!.lower <= top.probability + 1e-9, `${name}: the greedy line is more probable (≥ ${scored!.lower}) than the beam's top-1 (${top.probability}): the beam search missed it`);
  }
  assert.ok(equal >= 2, `the greedy line is the top-1 completion for only ${equal} of 4 prompts`);
});

test('live: the same analysis twice gives the same numbers (to 1e-3; the difference is printed)', async (t) => {
  const server = await live(t);
  if (!server) return;
  const { mix, detection } = example('add-translate.txt');
  const a = await analyzeMix(client, mix, detection, { model: server.model, method: 'logprobs' });
  // In between, another prompt takes the cache slot, so the second run evaluates from a different cache state.
  await client.generate({ model: server.model, prompt: 'Unrelated text to move the cache.', options: { num_predict: 1, temperature: 0 } });
  const b = await analyzeMix(client, mix, detection, { model: server.model, method: 'logprobs' });
  let largest = 0;
  for (const [i, x] of a.tasks.entries()) {
    const y = b.tasks[i]!;
    largest = Math.max(largest, Math.abs(x.lower - y.lower), Math.abs(x.upper - y.upper));
  }
  t.diagnostic(`largest difference between two runs: ${largest.toExponential(2)} (of the bounds of ${a.tasks.length} tasks)`);
  assert.ok(largest <= 1e-3, `runs differ by ${largest}`);
  assert.deepEqual(b.completions.map((c) => c.text), a.completions.map((c) => c.text));
});

test('live: the prompt cache is reused — an analysis evaluates its prompt about once, not once per request', async (t) => {
  const server = await live(t);
  if (!server) return;
  const counting = new CountingClient({ host, requestTimeoutMs: 600_000 });
  const { mix, detection } = example('add-translate.txt');
  // A cold evaluation of the prompt (after another prompt took the slot) gives the per-prompt cost.
  await counting.generate({ model: server.model, prompt: 'Something else entirely.', options: { num_predict: 1 } });
  const cold = await counting.generate({ model: server.model, prompt: mix.prompt, options: { num_predict: 1, temperature: 0 } });
  counting.replies.length = 0;
  const record = await analyzeMix(counting, mix, detection, { model: server.model, method: 'logprobs' });
  assert.equal(record.status, 'complete', record.error?.message);
  const generates = counting.replies.length;
  const evalNs = counting.replies.reduce((a, r) => a + (r.promptEvalDurationNs ?? 0), 0);
  const coldNs = cold.promptEvalDurationNs ?? 0;
  // Ollama 0.24's prompt_eval_count counts the whole prompt even when it comes from the cache, so the
  // cache is seen in prompt_eval_duration: cached requests evaluate only their few new tokens.
  const ratio = evalNs / (generates * coldNs);
  t.diagnostic(`${generates} requests; prompt evaluation ${(evalNs / 1e6).toFixed(0)} ms in all vs ${(coldNs / 1e6).toFixed(0)} ms for one cold prompt (${cold.promptEvalCount} tokens): ${(evalNs / coldNs).toFixed(2)} cold-prompt equivalents, ratio ${ratio.toFixed(3)} of no-cache`);
  assert.ok(generates >= 10, `${generates} requests`);
  assert.ok(evalNs / coldNs < 3, `the analysis evaluated the prompt ${(evalNs / coldNs).toFixed(1)} times (cache not reused)`);
});

test('live: a prompt longer than the model\'s context is refused with a context error, no numbers', async (t) => {
  const server = await live(t);
  if (!server) return;
  const small = process.env['SUPERPOSITION_LIVE_MODEL_STOPS'];
  if (!small && required) assert.fail('SUPERPOSITION_LIVE_MODEL_STOPS (num_ctx 512) not set');
  if (!small) return t.skip('no model with a small context (SUPERPOSITION_LIVE_MODEL_STOPS)');
  const pairs: Array<[string, string]> = Array.from({ length: 150 }, (_, i) => [`${10 + (i % 80)}+${11 + ((i * 7) % 80)}`, String(21 + (i % 80) + ((i * 7) % 80))]);
  const { mix, detection } = mixOf('long.txt', mixFromPairs(pairs, '60+21'));
  const record = await analyzeMix(client, mix, detection, { model: small, method: 'logprobs' });
  assert.equal(record.status, 'failed');
  assert.equal(record.error?.kind, 'context-overflow', record.error?.message);
  assert.match(record.error?.nextStep ?? '', /Shorten the prompt|num_ctx/);
  for (const task of record.tasks) assert.deepEqual([task.lower, task.upper], [0, 1], `${task.id} has numbers from a refused prompt`);
  const sampled = await analyzeMix(client, mix, detection, { model: small, method: 'sampling', samples: 4 });
  assert.equal(sampled.error?.kind, 'context-overflow', sampled.error?.message);
});

test('live: Modelfile stops do not swallow scoring replies (stop: [] replaces them)', async (t) => {
  const server = await live(t);
  if (!server) return;
  const withStops = process.env['SUPERPOSITION_LIVE_MODEL_STOPS'];
  if (!withStops) return required ? assert.fail('SUPERPOSITION_LIVE_MODEL_STOPS not set') : t.skip('no model with Modelfile stops');
  // After this text Gemma's most probable next token is "\n", which completes the Modelfile stop "\n":
  // without stop: [] the stops model would send no logprobs for it.
  const prompt = 'One.\n\nTwo.\n\nThree.\n\nFour.';
  const plain = await client.nextTokens(server.model, prompt, 20);
  const stopped = await client.nextTokens(withStops, prompt, 20);
  assert.equal(plain.generated?.token, '\n', 'the greedy token completes a Modelfile stop');
  assert.equal(stopped.generated?.token, '\n', 'the stops model sent the entry of its greedy token');
  assert.ok(plain.top.length === 20, `plain: ${plain.top.length} entries`);
  assert.deepEqual(stopped.top.map((e) => e.token), plain.top.map((e) => e.token));
  t.diagnostic(`greedy ${JSON.stringify(plain.generated?.token)}; top-3 ${plain.top.slice(0, 3).map((e) => JSON.stringify(e.token)).join(' ')}`);
});

test('live: a model that is not there is reported with a Pull next step', async (t) => {
  if (!(await live(t))) return;
  const { mix, detection } = example('word.txt');
  const record = await analyzeMix(client, mix, detection, { model: 'superposition-lab-no-such-model:latest' });
  assert.equal(record.status, 'failed');
  assert.equal(record.error?.kind, 'model-not-found');
  assert.match(record.error?.nextStep ?? '', /ollama pull/);
});

test('live: the server stopped mid-analysis — partial results kept, the error names the next step', async (t) => {
  const server = await live(t);
  if (!server) return;
  let tools;
  try {
    tools = loadRealOllamaTools();
  } catch (err) {
    if (required) throw err;
    return t.skip(`needs the project-installed Ollama: ${err instanceof Error ? err.message : String(err)}`);
  }
  const own = await startRealOllama(tools, { preload: tools.model });
  try {
    const victim = new CountingClient({ host: own.url, requestTimeoutMs: 120_000, retries: 1, retryBaseMs: 50 });
    const { mix, detection } = example('add-translate.txt');
    let killed = false;
    const record = await analyzeMix(victim, mix, detection, {
      model: tools.model,
      method: 'logprobs',
      onProgress: () => {
        if (!killed && victim.replies.length >= 6) {
          killed = true;
          void own.stop();
        }
      },
    });
    assert.ok(killed, 'the server was not stopped');
    assert.equal(record.status, 'failed');
    assert.ok(['not-running', 'connection-reset', 'stream-error'].includes(record.error?.kind ?? ''), record.error?.kind);
    assert.match(record.error?.nextStep ?? '', /Start Ollama|still running/);
    assert.ok(record.tasks.some((x) => x.upper < 1 || x.lower > 0), 'no partial numbers were kept');
    t.diagnostic(`after ${victim.replies.length} replies: ${record.error?.kind}: ${record.error?.message}; kept ${record.tasks.map((x) => `[${x.lower.toFixed(3)}, ${x.upper.toFixed(3)}]`).join(' ')}`);
  } finally {
    await own.stop();
  }
});

test('live: a small scaling experiment (K = 1…3) and a calibration sweep (3 points) complete on the real model', async (t) => {
  const server = await live(t);
  if (!server) return;
  const { runLiveExperiments } = await import('./liveHelpers');
  const { scaling, calibration } = await runLiveExperiments(client, server.model);
  assert.equal(scaling.run.status, 'complete', scaling.run.error?.message);
  assert.equal(calibration.run.status, 'complete', calibration.run.error?.message);
  assert.deepEqual(scaling.aggregates.map((a) => a.K), [1, 2, 3]);
  for (const a of scaling.aggregates) assert.ok(a.r && a.r.mean >= 0 && a.r.mean <= a.K, JSON.stringify(a));
  assert.equal(calibration.aggregates.length, 3);
  for (const a of calibration.aggregates) assert.ok(a.n >= 1 && Number.isFinite(a.tasks[0]?.probability.mean ?? Number.NaN), JSON.stringify(a));
  t.diagnostic(`scaling E[r]: ${scaling.aggregates.map((a) => `K=${a.K} ${a.r?.mean.toFixed(2)}`).join(', ')}; calibration p(task 1): ${calibration.aggregates.map((a) => `${a.proportions[0]}→${a.tasks[0]?.probability.mean.toFixed(3)}`).join(', ')}`);
});
