// Estimators proven against the Ollama TEST DOUBLE's ground truth (computed by the double's own
// code from its scripted distributions), never against themselves.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sampleAnswers } from '../../src/core/estimate/sampling';
import { scoreAnswers } from '../../src/core/estimate/teacherForced';
import { ollamaTokenSource } from '../../src/core/estimate/tokenSource';
import { topCompletions } from '../../src/core/estimate/topCompletions';
import { OllamaClient } from '../../src/core/ollama/client';
import { RequestScheduler } from '../../src/core/ollama/scheduler';
import { seededRng } from '../../src/core/random';
import { randomScriptedModel, scriptFromAnswers, startOllamaDouble, type OllamaDouble, type ScriptedModel } from '../double/index';

const PROMPT = '75+72->147\n15+43->fifty-eight\n60+21->';

/** Every node has ≤ 20 tokens, so every step is inside the top 20: scoring must be exact. */
const handModel: ScriptedModel = {
  name: 'double-hand',
  script: [
    {
      prompt: PROMPT,
      nodes: {
        '': [
          { token: '8', prob: 0.3 },
          { token: '81', prob: 0.2 },
          { token: 'eight', prob: 0.25 },
          { token: ' 81', prob: 0.05 },
          { token: '', prob: 0.05 },
          { token: 'x', prob: 0.15 },
        ],
        '8': [
          { token: '1', prob: 0.6 },
          { token: '\n', prob: 0.3 },
          { token: '0', prob: 0.1 },
        ],
        '81': [
          { token: '\n', prob: 0.7 },
          { token: '', prob: 0.2 },
          { token: '0', prob: 0.1 },
        ],
        eight: [
          { token: 'y', prob: 0.9 },
          { token: 'een', prob: 0.1 },
        ],
        eighty: [
          { token: '-one', prob: 0.5 },
          { token: '-', prob: 0.4 },
          { token: '-one\n', prob: 0.05 },
          { token: '\n', prob: 0.05 },
        ],
        'eighty-': [
          { token: 'one', prob: 0.8 },
          { token: 'two', prob: 0.2 },
        ],
        'eighty-one': [{ token: '\n', prob: 1 }],
      },
    },
  ],
};

let exactDouble: OllamaDouble;
let realisticDouble: OllamaDouble;

before(async () => {
  exactDouble = await startOllamaDouble({ models: [handModel], float32Logprobs: false });
  realisticDouble = await startOllamaDouble({ models: [], parallel: 4 });
});
after(async () => {
  await exactDouble.close();
  await realisticDouble.close();
});

function source(double: OllamaDouble, model: string, prompt = PROMPT, concurrency = 1) {
  const client = new OllamaClient({ host: double.url, retries: 0 });
  return { client, scheduler: new RequestScheduler(concurrency), tokens: ollamaTokenSource(client, new RequestScheduler(concurrency), model, prompt) };
}

test('exact mode: every step inside the top 20 gives the true value within 1e-9', async () => {
  const answers = ['81', '8', 'eighty-one', 'eighty'];
  for (const terminated of [false, true]) {
    const { tokens } = source(exactDouble, 'double-hand');
    const result = await scoreAnswers(tokens, answers, { terminated });
    assert.ok(result.complete);
    for (const score of result.scores) {
      const truth = exactDouble.truth('double-hand', PROMPT, score.answer, { terminated });
      assert.ok(score.exact, `${score.answer} should be exact`);
      assert.ok(Math.abs(score.lower - truth) < 1e-9, `${score.answer} terminated=${terminated}: ${score.lower} vs ${truth}`);
      assert.equal(score.upper, score.lower);
    }
  }
  // By hand: P("81") = 0.2 + 0.3 × 0.6 = 0.38; terminated: 0.38 × (0.7 + 0.2) = 0.342.
  const { tokens } = source(exactDouble, 'double-hand');
  const byHand = await scoreAnswers(tokens, ['81'], {});
  assert.ok(Math.abs(byHand.scores[0]!.lower - 0.38) < 1e-12);
});

test('shared prefixes are requested once (one request per trie node)', async () => {
  const { tokens } = source(exactDouble, 'double-hand');
  exactDouble.resetCounters();
  await scoreAnswers(tokens, ['81', '8', 'eighty-one', 'eighty'], {});
  // Nodes needing a request: "", "8", "eight", "eighty", "eighty-" → 5.
  assert.equal(tokens.requests, 5);
  assert.equal(exactDouble.counters.generate, 5);
});

test('the token view path follows the most probable tokenization', async () => {
  const { tokens } = source(exactDouble, 'double-hand');
  const result = await scoreAnswers(tokens, ['eighty-one'], {});
  const steps = result.scores[0]!.steps;
  assert.deepEqual(steps.map((s) => s.token), ['eight', 'y', '-one']);
  assert.ok(Math.abs(steps[0]!.probability - 0.25) < 1e-12);
  assert.ok(steps[0]!.alternatives.length > 1);
});

const ANSWER_POOL = ['81', '8', '810', '18', 'eighty-one', 'eighty', 'eight', 'ochenta y uno', 'quatre-vingt-un', 'Moscow', 'Mos', 'RUSSIA', 'Europe', 'a', 'A', 'd', 'veintidós', 'ñandú', '東京'];

function pickAnswers(seed: number): string[] {
  const rng = seededRng(seed * 7919 + 13);
  const k = 2 + Math.floor(rng() * 3);
  const chosen = new Set<string>();
  while (chosen.size < k) chosen.add(ANSWER_POOL[Math.floor(rng() * ANSWER_POOL.length)]!);
  return [...chosen];
}

test('intervals contain the truth on 1 000 randomised scripted models', async () => {
  const double = await startOllamaDouble({ models: [], float32Logprobs: false, parallel: 4 });
  try {
    let inexact = 0;
    let width = 0;
    let checked = 0;
    for (let seed = 0; seed < 1000; seed++) {
      const answers = pickAnswers(seed);
      const name = `double-random-${seed}`;
      const prompt = `Q${seed}->`;
      // End of sequence as the empty piece (llama-server), a well-known marker, or a control piece
      // the estimator cannot interpret (its mass may only widen terminated intervals).
      const eosToken = ['', '</s>', '<|custom_end|>'][seed % 3]!;
      double.addModel(randomScriptedModel(seed, name, prompt, answers, { eosToken }));
      const terminated = seed % 4 === 3 || seed % 6 === 2;
      const client = new OllamaClient({ host: double.url, retries: 0 });
      const tokens = ollamaTokenSource(client, new RequestScheduler(4), `${name}:latest`, prompt);
      const result = await scoreAnswers(tokens, answers, { terminated });
      assert.ok(result.complete);
      for (const score of result.scores) {
        const truth = double.truth(`${name}:latest`, prompt, score.answer, { terminated });
        assert.ok(score.lower <= truth + 1e-12 && truth <= score.upper + 1e-12, `seed ${seed} ${JSON.stringify(score.answer)} terminated=${terminated}: truth ${truth} not in [${score.lower}, ${score.upper}]`);
        if (score.exact) assert.ok(Math.abs(score.lower - truth) < 1e-9, `seed ${seed}: exact claim off`);
        else inexact++;
        width += score.upper - score.lower;
        checked++;
      }
      double.removeModel(`${name}:latest`);
    }
    // The random models put answer tokens outside the top 20 often enough to exercise the bounds.
    assert.ok(inexact > 100, `only ${inexact} inexact answers`);
    assert.ok(width / checked < 0.2, `mean interval width ${width / checked}`);
  } finally {
    await double.close();
  }
});

test('float32 logprobs (as real Ollama sends them) stay within 1e-6 of the truth', async () => {
  const prompt = 'P->';
  realisticDouble.addModel({ name: 'double-f32', script: [scriptFromAnswers(prompt, [{ text: 'quatre-vingt-un', prob: 0.31 }, { text: '81', prob: 0.27 }, { text: 'eighty-one', prob: 0.2 }])] });
  const client = new OllamaClient({ host: realisticDouble.url, retries: 0 });
  const tokens = ollamaTokenSource(client, new RequestScheduler(2), 'double-f32', prompt);
  const result = await scoreAnswers(tokens, ['quatre-vingt-un', '81', 'eighty-one'], { terminated: true });
  for (const score of result.scores) {
    const truth = realisticDouble.truth('double-f32', prompt, score.answer, { terminated: true });
    assert.ok(score.lower <= truth + 1e-6 && truth <= score.upper + 1e-6, `${score.answer}: ${truth} vs [${score.lower}, ${score.upper}]`);
    assert.ok(score.upper - score.lower < 0.05);
  }
});

test('a walk cut short by a server failure keeps bounds that still contain the truth', async () => {
  const prompt = 'Cut->';
  const answers = ['eighty-one', 'ochenta y uno', '81'];
  realisticDouble.addModel(randomScriptedModel(4242, 'double-cut', prompt, answers));
  const client = new OllamaClient({ host: realisticDouble.url, retries: 0 });
  const tokens = ollamaTokenSource(client, new RequestScheduler(1), 'double-cut', prompt);
  realisticDouble.clearFaults();
  // Let the root request through, then fail everything after it.
  let calls = 0;
  const failing = {
    get requests() {
      return tokens.requests;
    },
    next(prefix: string, signal?: AbortSignal) {
      calls++;
      if (calls === 2) realisticDouble.inject({ kind: 'status', status: 500, count: 100 });
      return tokens.next(prefix, signal);
    },
  };
  const result = await scoreAnswers(failing, answers, {});
  realisticDouble.clearFaults();
  assert.equal(result.complete, false);
  assert.ok(result.error);
  for (const score of result.scores) {
    const truth = realisticDouble.truth('double-cut', prompt, score.answer);
    assert.ok(score.lower <= truth + 1e-6 && truth <= score.upper + 1e-6, `${score.answer}: ${truth} vs [${score.lower}, ${score.upper}]`);
  }
});

test('top-K completions: ordered terminated lines, tasks among them', async () => {
  const { tokens } = source(exactDouble, 'double-hand');
  const result = await topCompletions(tokens, { k: 4 });
  assert.ok(result.complete);
  const texts = result.completions.map((c) => c.text);
  // Terminated probabilities by hand: "81" 0.38 × 0.9 = 0.342; "8" 0.3 × 0.3 = 0.09;
  // "eighty-one" 0.25 × 0.9 × (0.5 + 0.4 × 0.8) × 1 + 0.25 × 0.9 × 0.05 = 0.19575;
  // "x" 0.15 (the fallback ends the line by newline or EOS); "" (EOS at once) 0.05.
  assert.deepEqual(texts, ['81', 'eighty-one', 'x', '8']);
  assert.ok(Math.abs(result.completions[0]!.probability - 0.342) < 1e-9);
  assert.ok(Math.abs(result.completions[1]!.probability - 0.19575) < 1e-9);
  for (const c of result.completions) assert.ok(Math.abs(c.probability - exactDouble.truth('double-hand', PROMPT, c.text, { terminated: true })) < 1e-9 || c.text === '');
});

test('sampling: Wilson 95% intervals cover the truth about 95% of the time', async () => {
  const prompt = 'S->';
  const answers = [
    { text: '81', prob: 0.45 },
    { text: 'eighty-one', prob: 0.25 },
    { text: 'ochenta y uno', prob: 0.1 },
  ];
  realisticDouble.addModel({ name: 'double-sampling', script: [scriptFromAnswers(prompt, answers, { terminatorProb: 0.9 })] });
  const truths = answers.map((a) => realisticDouble.truth('double-sampling', prompt, a.text, { terminated: true }));
  const client = new OllamaClient({ host: realisticDouble.url, retries: 0 });
  let covered = 0;
  let total = 0;
  const runs = 60;
  for (let run = 0; run < runs; run++) {
    const result = await sampleAnswers(client, new RequestScheduler(4), 'double-sampling', prompt, answers.map((a) => a.text), { samples: 100, seed: 100_000 * run });
    assert.ok(result.complete);
    assert.equal(result.samples, 100);
    result.answers.forEach((a, i) => {
      total++;
      if (a.ci95[0] <= truths[i]! && truths[i]! <= a.ci95[1]) covered++;
    });
  }
  const coverage = covered / total;
  // 180 intervals at a nominal 95%: a binomial 99.9% band is roughly [0.89, 0.99].
  assert.ok(coverage >= 0.89 && coverage <= 0.995, `coverage ${coverage}`);
});

test('sampling neutralises every sampler, seeds each sample and lists unmatched outputs', async () => {
  realisticDouble.resetCounters();
  const client = new OllamaClient({ host: realisticDouble.url, retries: 0 });
  const result = await sampleAnswers(client, new RequestScheduler(1), 'double-sampling', 'S->', ['81'], { samples: 20, seed: 7 });
  const bodies = realisticDouble.requests.filter((r) => r.path === '/api/generate').map((r) => r.body as { options: Record<string, unknown> });
  assert.equal(bodies.length, 20);
  assert.deepEqual(new Set(bodies.map((b) => b.options['seed'])), new Set(Array.from({ length: 20 }, (_, i) => 7 + i)));
  for (const b of bodies) {
    assert.equal(b.options['temperature'], 1);
    assert.equal(b.options['top_k'], 0);
    assert.equal(b.options['top_p'], 1);
    assert.equal(b.options['min_p'], 0);
    assert.deepEqual(b.options['stop'], ['\n']);
  }
  assert.ok(result.unmatched.length > 0);
  assert.equal(result.unmatched.reduce((a, u) => a + u.count, 0) <= result.other.count, true);
  // Same seeds → same draws.
  const again = await sampleAnswers(client, new RequestScheduler(1), 'double-sampling', 'S->', ['81'], { samples: 20, seed: 7 });
  assert.deepEqual(again.answers, result.answers);
});

test('when end of sequence is the greedy token (no logprobs from Go runners), sampled retries recover the alternatives', async () => {
  const prompt = 'E->';
  realisticDouble.addModel({
    name: 'double-eos-first',
    script: [
      {
        prompt,
        nodes: {
          '': [
            { token: '', prob: 0.5 },
            { token: '81', prob: 0.3 },
            { token: 'x', prob: 0.2 },
          ],
        },
      },
    ],
  });
  const client = new OllamaClient({ host: realisticDouble.url, retries: 0 });
  const reply = await client.nextTokens('double-eos-first', prompt, 20);
  assert.equal(reply.top.length, 3);
  const tokens = ollamaTokenSource(client, new RequestScheduler(1), 'double-eos-first', prompt);
  const result = await scoreAnswers(tokens, ['81'], {});
  assert.ok(Math.abs(result.scores[0]!.lower - 0.3) < 1e-6);
  const top = await topCompletions(tokens, { k: 2 });
  assert.equal(top.completions[0]!.text, '');
  assert.ok(Math.abs(top.completions[0]!.probability - 0.5) < 1e-6);
});

test('requests still queued are not sent after a failure', async () => {
  const prompt = 'F->';
  realisticDouble.addModel(randomScriptedModel(77, 'double-fail-fast', prompt, ['eighty-one', 'ochenta y uno', 'quatre-vingt-un', '81', '8']));
  const client = new OllamaClient({ host: realisticDouble.url, retries: 0 });
  const tokens = ollamaTokenSource(client, new RequestScheduler(1), 'double-fail-fast:latest', prompt);
  await tokens.next('');
  realisticDouble.resetCounters();
  realisticDouble.inject({ kind: 'status', status: 500, count: 1 });
  const result = await scoreAnswers(tokens, ['eighty-one', 'ochenta y uno', 'quatre-vingt-un', '81', '8'], {});
  assert.equal(result.complete, false);
  await new Promise((r) => setTimeout(r, 200));
  // The first request of the level failed; none of the queued ones followed it to the server.
  assert.equal(realisticDouble.counters.requests, 1);
  realisticDouble.clearFaults();
});
