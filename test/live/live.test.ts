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
import { scoreAnswers } from '../../src/core/estimate/teacherForced';
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
import { goFirstDraw, goSamplerDraws, tokenAtDraw, type RankedToken } from './goSampler';

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
 * Ollama's Go sampler draws one `Float32()` per token from a PCG seeded by the request's seed, and
 * picks the first token whose cumulative probability reaches it. Reproducing the draws
 * (`goSampler.ts`), every sampled token is predicted from the top list the server reports at that
 * step — exactly, not statistically. Tokens whose draw falls beyond the top-20 mass, or within 5e-4
 * of a boundary (the server sums in float32), are not predicted. Returns [predicted, checked].
 */
function assertSamplerFollowsLogprobs(t: TestContext, label: string, drawn: readonly Sample[], seed: number): void {
  let checked = 0;
  let predicted = 0;
  const misses: string[] = [];
  drawn.forEach((sample, i) => {
    const draw = goSamplerDraws(seed + i);
    for (const [k, step] of sample.steps.entries()) {
      const ranked = (step.top_logprobs ?? []).map((x) => ({ token: x.token, probability: Math.exp(x.logprob) }));
      const want = tokenAtDraw(ranked, draw() / 2 ** 24, 5e-4);
      checked++;
      if (want === undefined) continue;
      predicted++;
      if (want !== step.token) misses.push(`seed ${seed + i} step ${k}: predicted ${JSON.stringify(want)}, sampled ${JSON.stringify(step.token)}`);
    }
  });
  t.diagnostic(`${label}: ${predicted} of ${checked} sampled tokens predicted from the reported logprobs and the seed's draws, ${misses.length} wrong`);
  assert.ok(predicted >= checked / 4, `${label}: only ${predicted} of ${checked} tokens could be predicted`);
  assert.deepEqual(misses.slice(0, 5), [], `${label}: the server sampled tokens its own logprobs do not put at the seed's draw — our reading of logprobs is wrong`);
}

/** How many of seeds seed…seed+n−1 draw their first token into `token`'s interval of this ranked list. */
function seedsDrawing(ranked: readonly RankedToken[], token: string, seed: number, n: number): number {
  let hits = 0;
  for (let i = 0; i < n; i++) if (tokenAtDraw(ranked, goFirstDraw(seed + i), 0) === token) hits++;
  return hits;
}

/**
 * Terminated teacher-forced bounds against the frequencies of `samples` neutral samples (seeds
 * 1…N): a frequency ABOVE an answer's upper bound (beyond its family-wise 95% interval) fails. The
 * seeds make each draw deterministic, so a chance shortfall below a LOWER bound would repeat in
 * every run (country.txt "RUSSIA": seeds 1…400 draw only 1 first token into "R"'s 2.07% interval,
 * where 8.3 are expected). Such a prompt is sampled again with fresh seeds (1 000 001…), and fails
 * when that batch also falls below. Returns how many tasks agree on the first batch.
 */
async function agreesWithSampling(t: TestContext, server: Live, label: string, mix: ReturnType<typeof mixOf>, samples = SAMPLES): Promise<{ agreed: number; tasks: number }> {
  const scored = await analyzeMix(client, mix.mix, mix.detection, { model: server.model, method: 'logprobs', terminated: true, concurrency: 2 });
  assertConsistent(scored, label);
  const tasks = [...new Map(scored.tasks.map((x) => [x.answer, x])).values()];
  const compare = (drawn: readonly Sample[], batch: string): typeof tasks => {
    const below: typeof tasks = [];
    for (const task of tasks) {
      const count = drawn.filter((d) => d.line === task.answer).length;
      const [lo, hi] = familyWilson(count, drawn.length, tasks.length);
      t.diagnostic(`${label} ${batch} ${task.id} "${task.answer}": teacher-forced [${task.lower.toFixed(4)}, ${task.upper.toFixed(4)}], sampled ${count}/${drawn.length} = ${(count / drawn.length).toFixed(4)} (family-wise 95% [${lo.toFixed(4)}, ${hi.toFixed(4)}])`);
      assert.ok(lo <= task.upper + 1e-9, `${label} ${task.id}: sampled [${lo}, ${hi}] lies above the teacher-forced upper bound ${task.upper}: our reading of logprobs is wrong`);
      if (task.lower > hi + 1e-9) below.push(task);
    }
    return below;
  };
  const first = await drawSamples(server.model, mix.mix.prompt, samples, 1);
  assertSamplerFollowsLogprobs(t, label, first, 1);
  const below = compare(first, 'seeds 1…');
  if (below.length === 0) return { agreed: tasks.length, tasks: tasks.length };
  const ranked = (first[0]?.steps[0]?.top_logprobs ?? []).map((x) => ({ token: x.token, probability: Math.exp(x.logprob) }));
  for (const task of below) {
    const step = task.steps?.[0];
    if (step) t.diagnostic(`${label} ${task.id}: below its lower bound with seeds 1…${samples}; they draw ${seedsDrawing(ranked, step.token, 1, samples)} first tokens into ${JSON.stringify(step.token)} (p = ${step.probability.toFixed(4)}, expected ${(step.probability * samples).toFixed(1)})`);
  }
  const fresh = await drawSamples(server.model, mix.mix.prompt, samples, 1_000_001);
  assertSamplerFollowsLogprobs(t, `${label} (fresh seeds)`, fresh, 1_000_001);
  const still = compare(fresh, 'seeds 1 000 001…').filter((task) => below.includes(task));
  assert.deepEqual(still.map((x) => x.id), [], `${label}: sampled below the teacher-forced lower bound with two independent seed batches — the lower bounds are wrong`);
  return { agreed: tasks.length - below.length, tasks: tasks.length };
}

test(`live: ${SAMPLES} neutral samples follow the reported logprobs token by token and agree with the terminated teacher-forced bounds (two prompts)`, async (t) => {
  const server = await live(t);
  if (!server) return;
  const a = await agreesWithSampling(t, server, 'country.txt', example('country.txt'));
  const b = await agreesWithSampling(t, server, 'word.txt', example('word.txt'));
  t.diagnostic(`${a.agreed + b.agreed} of ${a.tasks + b.tasks} tasks agree within the family-wise 95% intervals on the first seed batch; the rest on fresh seeds`);
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
