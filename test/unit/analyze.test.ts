// The analysis runner end to end against the Ollama TEST DOUBLE.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyzeMix, noTaskMassWarning } from '../../src/core/analyze';
import { klNormalised, klUnnormalised } from '../../src/core/estimate/metrics';
import { parseMix } from '../../src/core/mix/parse';
import { OllamaClient } from '../../src/core/ollama/client';
import { parseRunRecord, RunRecordSchema } from '../../src/core/record';
import { detectTasks } from '../../src/core/tasks/detect';
import { scriptFromAnswers, startOllamaDouble, type OllamaDouble } from '../double/index';

const text = readFileSync(join(__dirname, '..', '..', 'examples', 'add-translate.txt'), 'utf8');
const parsed = parseMix(text, 'add-translate.txt');
assert.ok(parsed.mix);
const mix = parsed.mix;
const detection = detectTasks(mix);
// The query of the shipped example is 88+52: the double is scripted with these answers.
const SCRIPT = [
  { text: '140', prob: 0.42 },
  { text: 'one hundred and forty', prob: 0.21 },
  { text: 'cent quarante', prob: 0.12 },
  { text: 'ciento cuarenta', prob: 0.09 },
];
const MODEL = 'double-analyze:latest';
let double: OllamaDouble;

before(async () => {
  double = await startOllamaDouble({ models: [{ name: MODEL, script: [scriptFromAnswers(mix.prompt, SCRIPT)] }], parallel: 2 });
});
after(() => double.close());

const client = () => new OllamaClient({ host: double.url, retries: 0 });

/** Wilson score interval of k of n, written here from its formula (not src's). */
function assertWilson(got: readonly [number, number], k: number, n: number, what: string): void {
  const z = 1.959963984540054;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  const want = [k === 0 ? 0 : centre - half, k === n ? 1 : centre + half];
  assert.ok(Math.abs(got[0] - want[0]!) < 1e-12 && Math.abs(got[1] - want[1]!) < 1e-12, `${what}: [${got}] vs Wilson(${k}/${n}) [${want}]`);
}

test('the example prompt: detected tasks and the answers the double was scripted with', () => {
  assert.deepEqual(detection.tasks.map((t) => t.answer), SCRIPT.map((s) => s.text));
  assert.deepEqual(detection.tasks.map((t) => t.share), [0.25, 0.25, 0.25, 0.25]);
});

test('logprob analysis: probabilities match the ground truth; metrics and record are complete', async () => {
  const record = await analyzeMix(client(), mix, detection, { model: MODEL, source: 'examples/add-translate.txt' });
  assert.equal(record.status, 'complete', record.error?.message);
  assert.equal(RunRecordSchema.safeParse(record).success, true);
  assert.equal(record.method, 'logprobs');
  assert.equal(record.server.version, '0.13.0');
  assert.match(record.modelDigest ?? '', /^[0-9a-f]{64}$/);
  for (const task of record.tasks) {
    const truth = double.truth(MODEL, mix.prompt, task.answer);
    assert.ok(task.lower <= truth + 1e-6 && truth <= task.upper + 1e-6, `${task.id}: ${truth} vs [${task.lower}, ${task.upper}]`);
    assert.ok(Math.abs(task.probability - truth) < 0.01, `${task.id}: ${task.probability} vs ${truth}`);
    assert.ok(task.steps && task.steps.length > 0);
  }
  const probs = record.tasks.map((t) => t.probability);
  assert.ok(Math.abs(record.other.probability - (1 - probs.reduce((a, b) => a + b, 0))) < 1e-12);
  // "other" is bounded by the tasks' bounds: [1 − Σ upper, 1 − Σ lower], and holds the true other mass.
  assert.ok(Math.abs(record.other.lower - (1 - record.tasks.reduce((a, t) => a + t.upper, 0))) < 1e-12);
  assert.ok(Math.abs(record.other.upper - (1 - record.tasks.reduce((a, t) => a + t.lower, 0))) < 1e-12);
  const trueOther = 1 - record.tasks.reduce((a, t) => a + double.truth(MODEL, mix.prompt, t.answer), 0);
  assert.ok(record.other.lower <= trueOther + 1e-6 && trueOther <= record.other.upper + 1e-6, `other ${trueOther} vs [${record.other.lower}, ${record.other.upper}]`);
  assert.ok(record.other.upper - record.other.lower < 0.15, `other width ${record.other.upper - record.other.lower}`);
  assert.ok(Math.abs(record.metrics.kl! - klUnnormalised([0.25, 0.25, 0.25, 0.25], probs)) < 1e-12);
  assert.ok(Math.abs(record.metrics.klNormalized! - klNormalised([0.25, 0.25, 0.25, 0.25], probs)) < 1e-12);
  assert.equal(record.metrics.K, 4);
  // Every scripted answer ends its line with probability 0.9 and dominates the distractors.
  assert.equal(record.metrics.r, 4);
  assert.deepEqual(record.completions.slice(0, 4).map((c) => c.tasks[0]), ['sum.digits', 'sum.en', 'sum.fr', 'sum.es']);
  assert.ok(record.requests > 0 && record.requests < 80, `requests ${record.requests}`);
  assert.equal(parseRunRecord(JSON.stringify(record)).record?.id, record.id);
  // The collapse at the first step: conditionals in [0, 1] that, weighted by their token's
  // probability, add back up to each task's (lower-bound) probability.
  const collapse = record.collapse ?? [];
  assert.ok(collapse.length >= 4, `${collapse.length} first tokens`);
  record.tasks.forEach((task, i) => {
    const back = collapse.reduce((a, step) => a + step.probability * step.tasks[i]!, 0);
    assert.ok(Math.abs(back - task.lower) < 1e-9, `${task.id}: ${back} vs ${task.lower}`);
    for (const step of collapse) assert.ok(step.tasks[i]! >= 0 && step.tasks[i]! <= 1 + 1e-9);
  });
  // The digits answer starts with a token no word answer starts with: given it, the answer is digits.
  const digitsFirst = collapse.find((step) => step.tasks[0]! > 0.5);
  assert.ok(digitsFirst && digitsFirst.tasks.slice(1).every((p) => p === 0), JSON.stringify(collapse));
});

test('same inputs and seeds give identical results', async () => {
  const strip = (r: Awaited<ReturnType<typeof analyzeMix>>) => ({ tasks: r.tasks, other: r.other, metrics: r.metrics, completions: r.completions, requests: r.requests });
  const a = await analyzeMix(client(), mix, detection, { model: MODEL, terminated: true });
  const b = await analyzeMix(client(), mix, detection, { model: MODEL, terminated: true });
  assert.deepEqual(strip(a), strip(b));
  const s1 = await analyzeMix(client(), mix, detection, { model: MODEL, method: 'sampling', samples: 40, seed: 5 });
  const s2 = await analyzeMix(client(), mix, detection, { model: MODEL, method: 'sampling', samples: 40, seed: 5 });
  assert.deepEqual(strip(s1), strip(s2));
});

test('sampling: frequencies with Wilson intervals, unmatched outputs, sampling-based completions', async () => {
  const record = await analyzeMix(client(), mix, detection, { model: MODEL, method: 'sampling', samples: 150, seed: 1, concurrency: 2 });
  assert.equal(record.status, 'complete');
  assert.equal(record.method, 'sampling');
  assert.equal(record.requests, 150 + 3); // samples + version + tags + show
  for (const task of record.tasks) {
    // The Wilson interval of the task's own count (formula written here, not src's).
    assert.ok(task.ci95 && task.count !== undefined);
    assert.equal(task.probability, task.count / 150);
    assertWilson(task.ci95, task.count, 150, task.id);
    assert.deepEqual([task.lower, task.upper], task.ci95);
    const truth = double.truth(MODEL, mix.prompt, task.answer, { terminated: true });
    assert.ok(Math.abs(task.probability - truth) < 0.15, `${task.id}: ${task.probability} vs ${truth}`);
  }
  // "other" is every sample that is no task's answer, with its own Wilson interval.
  const otherCount = 150 - record.tasks.reduce((a, t) => a + (t.count ?? 0), 0);
  assert.ok(Math.abs(record.other.probability - otherCount / 150) < 1e-12);
  assertWilson([record.other.lower, record.other.upper], otherCount, 150, 'other');
  const trueOther = 1 - record.tasks.reduce((a, t) => a + double.truth(MODEL, mix.prompt, t.answer, { terminated: true }), 0);
  assert.ok(Math.abs(record.other.probability - trueOther) < 0.15);
  assert.ok(record.unmatched);
  assert.ok(record.completions.length >= 1);
});

test('Ollama older than 0.12.11: auto falls back to sampling with a warning; logprobs fails clearly', async () => {
  const old = await startOllamaDouble({ models: [{ name: MODEL, script: [scriptFromAnswers(mix.prompt, SCRIPT)] }], version: '0.12.10' });
  try {
    const oldClient = new OllamaClient({ host: old.url, retries: 0 });
    const auto = await analyzeMix(oldClient, mix, detection, { model: MODEL, samples: 20 });
    assert.equal(auto.status, 'complete');
    assert.equal(auto.method, 'sampling');
    assert.ok(auto.warnings.some((w) => w.code === 'sampling-fallback'));
    const forced = await analyzeMix(oldClient, mix, detection, { model: MODEL, method: 'logprobs' });
    assert.equal(forced.status, 'failed');
    assert.equal(forced.error?.kind, 'version-too-old');
    assert.match(forced.error?.nextStep ?? '', /Update Ollama/);
  } finally {
    await old.close();
  }
});

test('a missing model fails with a Pull next step; a stopped server with Start Ollama', async () => {
  const missing = await analyzeMix(client(), mix, detection, { model: 'llama3.2' });
  assert.equal(missing.status, 'failed');
  assert.equal(missing.error?.kind, 'model-not-found');
  assert.match(missing.error?.nextStep ?? '', /ollama pull llama3\.2/);
  const gone = await startOllamaDouble({ models: [] });
  const url = gone.url;
  await gone.close();
  const down = await analyzeMix(new OllamaClient({ host: url, retries: 0 }), mix, detection, { model: MODEL });
  assert.equal(down.status, 'failed');
  assert.equal(down.error?.kind, 'not-running');
  assert.equal(RunRecordSchema.safeParse(down).success, true);
});

test('cancelling keeps a partial run marked cancelled, with bounds that still hold', async () => {
  const controller = new AbortController();
  let steps = 0;
  const record = await analyzeMix(client(), mix, detection, {
    model: MODEL,
    signal: controller.signal,
    onProgress: (message, done) => {
      if (message === 'Scoring task answers' && done !== undefined && ++steps === 3) controller.abort();
    },
  });
  assert.equal(record.status, 'cancelled');
  assert.equal(record.error?.kind, 'cancelled');
  assert.equal(RunRecordSchema.safeParse(record).success, true);
  for (const task of record.tasks) {
    const truth = double.truth(MODEL, mix.prompt, task.answer);
    assert.ok(task.lower <= truth + 1e-6 && truth <= task.upper + 1e-6);
  }
  assert.ok(record.tasks.some((t) => t.upper - t.lower > 0.01), 'a cancelled walk leaves wide intervals');
});

/** Waits until the double has received nothing for 50 ms: a request cancelled by an earlier test may still be arriving. */
async function quiet(d: OllamaDouble): Promise<void> {
  for (let seen = -1; seen !== d.requests.length; ) {
    seen = d.requests.length;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('an error inside the stream mid-analysis fails the run but keeps partial results', async () => {
  await quiet(double);
  double.inject({ kind: 'errorMidStream', afterChunks: 1, count: 1, error: 'an error was encountered while running the model' });
  const record = await analyzeMix(client(), mix, detection, { model: MODEL });
  double.clearFaults();
  assert.equal(record.status, 'failed');
  assert.equal(record.error?.kind, 'stream-error');
  assert.match(record.error?.message ?? '', /an error was encountered while running the model/);
  assert.equal(record.tasks.length, 4);
});

test('the model\'s stop pieces from /api/show count as end of sequence (Go runners print them literally)', async () => {
  const prompt = mix.prompt;
  const eos = '<|my_eos|>';
  // The terminator is never the greedy token here: Go runners return no logprobs when it is.
  const script = [{ prompt, nodes: { '': [{ token: '140', prob: 0.6 }, { token: 'one hundred and forty', prob: 0.4 }], '140': [{ token: 'x', prob: 0.6 }, { token: eos, prob: 0.4 }], 'one hundred and forty': [{ token: 'y', prob: 0.5 }, { token: eos, prob: 0.5 }] } }];
  double.addModel({ name: 'double-stops', eosToken: eos, parameters: { stop: [eos] }, script });
  double.addModel({ name: 'double-stops-exact', eosToken: eos, parameters: { stop: [eos] }, script, vocabulary: { size: 0 } });
  const twoTasks = { ...detection, tasks: detection.tasks.slice(0, 2) };
  // Without a vocabulary tail nothing is unseen: exact.
  const exact = await analyzeMix(client(), mix, twoTasks, { model: 'double-stops-exact', terminated: true });
  assert.equal(exact.status, 'complete', exact.error?.message);
  assert.deepEqual(exact.tasks.map((t) => [t.exact, Math.round(t.probability * 1e6) / 1e6]), [[true, 0.24], [true, 0.2]]);
  // A real vocabulary's tail leaves only that tail uncertain: the stop piece is in the lower bound.
  const record = await analyzeMix(client(), mix, twoTasks, { model: 'double-stops', terminated: true });
  assert.equal(record.status, 'complete', record.error?.message);
  for (const t of record.tasks) {
    const truth = double.truth('double-stops', prompt, t.answer, { terminated: true });
    assert.ok(t.lower <= truth + 1e-6 && truth <= t.upper + 1e-6, `${t.id}: ${truth} vs [${t.lower}, ${t.upper}]`);
    assert.ok(Math.abs(t.lower - truth) < 1e-5, `${t.id}: the stop piece counts as an end (lower ${t.lower}, truth ${truth})`);
    assert.ok(t.upper - t.lower < 1e-3 && !t.exact);
  }
});

test('Modelfile stops are read Go-quoted: "\\n\\n" is two newlines, not "nn" (D6)', async () => {
  const prompt = mix.prompt;
  // "nn" after the answer is text, not an end: a client that read the stop "\n\n" as "nn" would count it.
  double.addModel({
    name: 'double-quoted-stops',
    parameters: { stop: ['\n\n', 'User:', 'tab\there', 'quote"d'] },
    vocabulary: { size: 0 },
    script: [{ prompt, nodes: { '': [{ token: '140', prob: 0.7 }, { token: 'x', prob: 0.3 }], '140': [{ token: '\n', prob: 0.5 }, { token: 'nn', prob: 0.3 }, { token: 't', prob: 0.2 }] } }],
  });
  const shown = await client().showModel('double-quoted-stops');
  assert.deepEqual(shown.stops, ['\n\n', 'User:', 'tab\there', 'quote"d']);
  const oneTask = { ...detection, tasks: detection.tasks.slice(0, 1) };
  const record = await analyzeMix(client(), mix, oneTask, { model: 'double-quoted-stops', terminated: true });
  assert.equal(record.status, 'complete', record.error?.message);
  const truth = double.truth('double-quoted-stops', prompt, '140', { terminated: true });
  assert.ok(Math.abs(truth - 0.35) < 1e-12);
  assert.ok(record.tasks[0]!.exact && Math.abs(record.tasks[0]!.probability - truth) < 1e-6, JSON.stringify(record.tasks[0]));
});

test('tasks with the same answer count once in the task mass, "other" and the KL', async () => {
  const abText = '96@55=96\n88@46=46\n63@93=156\n33@33=';
  const ab = parseMix(abText);
  assert.ok(ab.mix);
  const abDetection = detectTasks(ab.mix);
  assert.ok(abDetection.diagnostics.some((d) => d.code === 'duplicate-answers'));
  double.addModel({ name: 'double-dup', script: [scriptFromAnswers(ab.mix.prompt, [{ text: '33', prob: 0.5 }, { text: '66', prob: 0.3 }])] });
  const record = await analyzeMix(client(), ab.mix, abDetection, { model: 'double-dup' });
  assert.equal(record.status, 'complete');
  const p33 = record.tasks.find((t) => t.id === 'ab.copy1')!.probability;
  const p66 = record.tasks.find((t) => t.id === 'sum.digits')!.probability;
  assert.ok(Math.abs(record.metrics.taskMass - (p33 + p66)) < 1e-12);
  assert.ok(Math.abs(record.other.probability - (1 - p33 - p66)) < 1e-12);
  assert.ok(Math.abs(record.metrics.klNormalized! - klNormalised([2 / 3, 1 / 3], [p33, p66])) < 1e-12);
});

for (const version of ['0.13.0', '0.32.15']) {
  test(`${version}: a prompt longer than the context fails as context-overflow, with no number measured on a cut prompt (D3)`, async () => {
    const long = Array.from({ length: 40 }, (_, i) => `${10 + (i % 80)}+${11 + (i % 70)}->${21 + (i % 80) + (i % 70)}`).join('\n') + '\n28+63->';
    const parsedLong = parseMix(long);
    assert.ok(parsedLong.mix);
    const longDetection = detectTasks(parsedLong.mix);
    const spec = { script: [scriptFromAnswers(parsedLong.mix.prompt, [{ text: '91', prob: 0.9 }])] };
    // num_ctx 128 in the Modelfile: the prompt (≈ 280 tokens) does not fit; 4096 does.
    const d = await startOllamaDouble({ version, models: [{ name: 'double-long', parameters: { num_ctx: 128 }, ...spec }, { name: 'double-fits', ...spec }] });
    try {
      const c = new OllamaClient({ host: d.url, retries: 0 });
      for (const method of ['logprobs', 'sampling'] as const) {
        const record = await analyzeMix(c, parsedLong.mix, longDetection, { model: 'double-long', method, samples: 5 });
        assert.equal(record.status, 'failed', `${method}: ${record.status}`);
        assert.equal(record.error?.kind, 'context-overflow', `${method}: ${record.error?.kind} ${record.error?.message}`);
        assert.match(record.error?.nextStep ?? '', /num_ctx/);
        for (const t of record.tasks) assert.ok(t.lower === 0 && t.upper === 1, `${method} ${t.id}: [${t.lower}, ${t.upper}] measured on a cut prompt`);
      }
      // The server would have cut it silently without truncate:false.
      const generate = d.requests.filter((r) => r.path === '/api/generate').map((r) => r.body as Record<string, unknown>);
      assert.ok(generate.length > 0 && generate.every((b) => b['truncate'] === false), 'every generate request sends truncate: false');
      const fits = await analyzeMix(c, parsedLong.mix, longDetection, { model: 'double-fits' });
      assert.equal(fits.status, 'complete', fits.error?.message);
      assert.ok(Math.abs(fits.tasks[0]!.probability - d.truth('double-fits', parsedLong.mix.prompt, '91')) < 1e-5);
    } finally {
      await d.close();
    }
  });
}

test('llama-server (0.32.15): the logprob analysis end to end holds the truth; completions and r as on Go runners', async () => {
  const d = await startOllamaDouble({ version: '0.32.15', models: [{ name: MODEL, script: [scriptFromAnswers(mix.prompt, SCRIPT)] }] });
  try {
    const record = await analyzeMix(new OllamaClient({ host: d.url, retries: 0 }), mix, detection, { model: MODEL });
    assert.equal(record.status, 'complete', record.error?.message);
    assert.equal(record.server.version, '0.32.15');
    for (const task of record.tasks) {
      const truth = d.truth(MODEL, mix.prompt, task.answer);
      assert.ok(task.lower <= truth + 1e-6 && truth <= task.upper + 1e-6, `${task.id}: ${truth} vs [${task.lower}, ${task.upper}]`);
      assert.ok(task.upper - task.lower < 0.05, `${task.id}: width ${task.upper - task.lower}`);
    }
    assert.equal(record.metrics.r, 4);
    assert.deepEqual(record.completions.slice(0, 4).map((c) => c.tasks[0]), ['sum.digits', 'sum.en', 'sum.fr', 'sum.es']);
  } finally {
    await d.close();
  }
});

test('a source build reporting 0.0.0 is probed, not sent to sampling (D8)', async () => {
  const d = await startOllamaDouble({ version: '0.0.0', models: [{ name: MODEL, script: [scriptFromAnswers(mix.prompt, SCRIPT)] }] });
  try {
    const record = await analyzeMix(new OllamaClient({ host: d.url, retries: 0 }), mix, detection, { model: MODEL });
    assert.equal(record.status, 'complete', record.error?.message);
    assert.equal(record.method, 'logprobs');
    assert.equal(record.server.logprobs, true);
    assert.ok(!record.warnings.some((w) => w.code === 'sampling-fallback'));
  } finally {
    await d.close();
  }
});

test('a simulated model is flagged in the record; options are all recorded', async () => {
  const record = await analyzeMix(client(), mix, detection, { model: MODEL, keepAlive: '10m' });
  assert.equal(record.simulated, true);
  assert.equal(record.options.keepAlive, '10m');
  assert.equal(record.options.requestTimeoutMs, 300_000);
  assert.ok(record.options.beamWidth >= 8 && record.options.maxDepth >= 16);
});

test('a complete run with (almost) no mass on any task says so and what it may mean', () => {
  const task = (upper: number) => ({ id: 't', label: 't', answer: 'a', share: 1, count: 1, probability: upper, lower: upper / 2, upper, exact: false });
  const completions = [{ text: ' yes', probability: 0.6 }, { text: 'No', probability: 0.2 }];
  const warning = noTaskMassWarning({ status: 'complete', tasks: [task(0.004), task(0.01)], completions } as unknown as Parameters<typeof noTaskMassWarning>[0]);
  assert.equal(warning?.code, 'no-task-mass');
  assert.match(warning?.message ?? '', /at most 1\.4% in all.*" yes" 60%, "No" 20%.*format/);
  assert.equal(noTaskMassWarning({ status: 'complete', tasks: [task(0.02)], completions } as unknown as Parameters<typeof noTaskMassWarning>[0]), undefined);
  assert.equal(noTaskMassWarning({ status: 'failed', tasks: [task(0)], completions } as unknown as Parameters<typeof noTaskMassWarning>[0]), undefined);
});
