// Estimators proven against the Ollama TEST DOUBLE's ground truth (computed by the double's own
// code from its scripted distributions), never against themselves — on both server generations the
// double emulates (Go runners < 0.30, llama-server ≥ 0.30), and against an independent oracle of
// the best bound the documented rule allows (test/unit/fixtures.ts), so looser bounds fail too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sampleAnswers } from '../../src/core/estimate/sampling';
import { scoreAnswers } from '../../src/core/estimate/teacherForced';
import { ollamaTokenSource } from '../../src/core/estimate/tokenSource';
import { topCompletions } from '../../src/core/estimate/topCompletions';
import { OllamaClient } from '../../src/core/ollama/client';
import { RequestScheduler } from '../../src/core/ollama/scheduler';
import { seededRng } from '../../src/core/random';
import {
  bytePiece,
  DEFAULT_FILLER_PROB,
  DEFAULT_VOCAB_SIZE,
  randomScriptedModel,
  scriptFromAnswers,
  startOllamaDouble,
  tokenizerBias,
  type OllamaDouble,
  type ProfileName,
  type ScriptedModel,
} from '../double/index';
import { bestBounds, KNOWN_END_TEXTS, recordingSource } from './fixtures';

const PROMPT = '75+72->147\n15+43->fifty-eight\n60+21->';
/** The versions used for each profile. */
const PROFILES: ReadonlyArray<{ profile: ProfileName; version: string }> = [
  { profile: 'go', version: '0.13.0' },
  { profile: 'llama-server', version: '0.32.15' },
];
const TAIL = DEFAULT_VOCAB_SIZE * DEFAULT_FILLER_PROB;

/** Few tokens per node: every scripted step is inside the top 20; only the vocabulary tail is unseen. */
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
/** The same model without a vocabulary tail: the whole distribution fits in the top 20, so scores are exact. */
const handExact: ScriptedModel = { ...handModel, name: 'double-hand-exact', vocabulary: { size: 0 } };

const doubles = new Map<ProfileName, OllamaDouble>();
let realisticDouble: OllamaDouble;

before(async () => {
  for (const { profile, version } of PROFILES) doubles.set(profile, await startOllamaDouble({ models: [handModel, handExact], float32Logprobs: false, version }));
  realisticDouble = await startOllamaDouble({ models: [], parallel: 4 });
});
after(async () => {
  for (const d of doubles.values()) await d.close();
  await realisticDouble.close();
});

function dbl(profile: ProfileName): OllamaDouble {
  return doubles.get(profile)!;
}

function source(double: OllamaDouble, model: string, prompt = PROMPT, concurrency = 1) {
  const client = new OllamaClient({ host: double.url, retries: 0 });
  return { client, scheduler: new RequestScheduler(concurrency), tokens: ollamaTokenSource(client, new RequestScheduler(concurrency), model, prompt) };
}

const contains = (lower: number, truth: number, upper: number, tol = 1e-12) => lower <= truth + tol && truth <= upper + tol;

describe('teacher-forced scoring on hand-built models', () => {
  for (const { profile } of PROFILES) {
    test(`${profile}: no vocabulary tail, non-terminated: exact, equal to the truth (by hand 0.38)`, async () => {
      const d = dbl(profile);
      const answers = ['81', '8', 'eighty-one', 'eighty'];
      const { tokens } = source(d, 'double-hand-exact');
      const result = await scoreAnswers(tokens, answers, {});
      assert.ok(result.complete);
      for (const score of result.scores) {
        const truth = d.truth('double-hand-exact', PROMPT, score.answer);
        assert.ok(score.exact, `${score.answer} should be exact`);
        assert.ok(Math.abs(score.lower - truth) < 1e-9, `${score.answer}: ${score.lower} vs ${truth}`);
        assert.equal(score.upper, score.lower);
      }
      // By hand: P("81") = 0.2 + 0.3 × 0.6 = 0.38.
      assert.ok(Math.abs(result.scores[0]!.lower - 0.38) < 1e-12);
    });

    test(`${profile}: a real vocabulary's tail makes nothing exact, but intervals stay tight around the truth`, async () => {
      const d = dbl(profile);
      const answers = ['81', '8', 'eighty-one', 'eighty'];
      for (const terminated of [false, true]) {
        const { tokens } = source(d, 'double-hand');
        const result = await scoreAnswers(tokens, answers, { terminated });
        for (const score of result.scores) {
          const truth = d.truth('double-hand', PROMPT, score.answer, { terminated });
          assert.ok(contains(score.lower, truth, score.upper), `${score.answer} terminated=${terminated}: ${truth} not in [${score.lower}, ${score.upper}]`);
          assert.equal(score.exact, false, `${score.answer}: the unseen tail (${TAIL}) must keep it inexact`);
          // The unseen tail is ~3.3e-4 per node, each unseen token at most 1e-8: non-terminated
          // bounds use (pieces) × 1e-8, terminated ones the whole tail after the answer.
          const width = score.upper - score.lower;
          if (!terminated) assert.ok(width > 0 && width < 1e-6, `${score.answer}: width ${width}`);
          else if (profile === 'go' || score.answer === '8') assert.ok(width > 0 && width < 2 * TAIL, `${score.answer} terminated: width ${width}`);
        }
      }
    });
  }

  test('llama-server: "" is end, a control token or a split character: a gap for terminated answers, never a terminator (D1)', async () => {
    const { tokens } = source(dbl('llama-server'), 'double-hand-exact');
    const result = await scoreAnswers(tokens, ['81', 'eighty-one'], { terminated: true });
    const [s81, s81long] = result.scores;
    // After "81": "\n" 0.7 is a terminator; the "" (0.2) may or may not be one.
    assert.ok(Math.abs(s81!.lower - 0.38 * 0.7) < 1e-9, `lower ${s81!.lower}`);
    assert.ok(Math.abs(s81!.upper - 0.38 * 0.9) < 1e-9, `upper ${s81!.upper}`);
    assert.equal(s81!.exact, false);
    // No "" after "eighty-one": still exact.
    assert.ok(s81long!.exact);
    // Go runners print the same end token as "<eos>": exact there.
    const go = await scoreAnswers(source(dbl('go'), 'double-hand-exact').tokens, ['81'], { terminated: true });
    assert.ok(go.scores[0]!.exact && Math.abs(go.scores[0]!.lower - 0.342) < 1e-9);
  });

  test('minNodeMass: a node below it is not requested, and its whole mass widens the interval', async () => {
    const prompt = 'Min->';
    const model: ScriptedModel = {
      name: 'double-min-node',
      vocabulary: { size: 0 },
      script: [{ prompt, nodes: { '': [{ token: 'ab', prob: 0.5 }, { token: 'a', prob: 0.002 }, { token: 'x', prob: 0.498 }], a: [{ token: 'b', prob: 1 }] } }],
    };
    const d = dbl('go');
    d.addModel(model);
    const truth = d.truth('double-min-node', prompt, 'ab');
    assert.ok(Math.abs(truth - 0.502) < 1e-12);
    const all = await scoreAnswers(source(d, 'double-min-node', prompt).tokens, ['ab'], {});
    assert.ok(all.scores[0]!.exact && Math.abs(all.scores[0]!.lower - 0.502) < 1e-12);
    assert.equal(all.requests, 2);
    const cut = await scoreAnswers(source(d, 'double-min-node', prompt).tokens, ['ab'], { minNodeMass: 0.01 });
    assert.equal(cut.requests, 1, 'the node "a" (mass 0.002) is not requested');
    const s = cut.scores[0]!;
    assert.ok(Math.abs(s.lower - 0.5) < 1e-12 && Math.abs(s.upper - 0.502) < 1e-12 && !s.exact, `[${s.lower}, ${s.upper}]`);
    d.removeModel('double-min-node');
  });

  test('shared prefixes are requested once (one request per trie node)', async () => {
    const d = dbl('go');
    const { tokens } = source(d, 'double-hand');
    d.resetCounters();
    await scoreAnswers(tokens, ['81', '8', 'eighty-one', 'eighty'], {});
    // Nodes needing a request: "", "8", "eight", "eighty", "eighty-" → 5.
    assert.equal(tokens.requests, 5);
    assert.equal(d.counters.generate, 5);
  });

  test('the token view path follows the most probable tokenization', async () => {
    const { tokens } = source(dbl('go'), 'double-hand-exact');
    const result = await scoreAnswers(tokens, ['eighty-one'], {});
    const steps = result.scores[0]!.steps;
    assert.deepEqual(steps.map((s) => s.token), ['eight', 'y', '-one']);
    assert.ok(Math.abs(steps[0]!.probability - 0.25) < 1e-12);
    assert.ok(steps[0]!.alternatives.length > 1);
  });

  test('identical texts in one top list are two tokens: both paths count (D12)', async () => {
    const prompt = 'Twin->';
    const model: ScriptedModel = {
      name: 'double-twins',
      vocabulary: { size: 0 },
      script: [{ prompt, nodes: { '': [{ token: '8', prob: 0.3 }, { token: '8', prob: 0.1 }, { token: 'x', prob: 0.6 }], '8': [{ token: '1', prob: 0.5 }, { token: '\n', prob: 0.5 }] } }],
    };
    const d = dbl('go');
    d.addModel(model);
    const reply = await new OllamaClient({ host: d.url, retries: 0 }).nextTokens('double-twins', prompt, 20);
    assert.deepEqual(reply.top.map((t) => t.token), ['x', '8', '8'], 'the double does not merge them');
    const { tokens } = source(d, 'double-twins', prompt);
    const result = await scoreAnswers(tokens, ['81', '8'], {});
    assert.ok(Math.abs(result.scores[0]!.lower - 0.2) < 1e-12, `P("81") = 0.4 × 0.5, got ${result.scores[0]!.lower}`);
    assert.ok(Math.abs(result.scores[1]!.lower - 0.4) < 1e-12);
    const top = await topCompletions(tokens, { k: 3 });
    assert.deepEqual(Object.fromEntries(top.completions.map((c) => [c.text, Math.round(c.probability * 1e9) / 1e9])), { x: 0.6, '8': 0.2, '81': 0.2 });
    d.removeModel('double-twins');
  });
});

const ANSWER_POOL = ['81', '8', '810', '18', 'eighty-one', 'eighty', 'eight', 'ochenta y uno', 'quatre-vingt-un', 'Moscow', 'Mos', 'RUSSIA', 'Europe', 'a', 'A', 'd', 'veintidós', 'ñandú', '東京'];

function pickAnswers(seed: number, pool = ANSWER_POOL): string[] {
  const rng = seededRng(seed * 7919 + 13);
  const k = 2 + Math.floor(rng() * 3);
  const chosen = new Set<string>();
  while (chosen.size < k) chosen.add(pool[Math.floor(rng() * pool.length)]!);
  return [...chosen];
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

interface RandomRun {
  checked: number;
  inexact: number;
  exact: number;
  widths: number[];
  /** Intervals that miss the truth (or exact claims off it). */
  missTruth: string[];
  /** Bounds (or exact flags) that differ from the oracle's best bound. */
  offOracle: string[];
}

/**
 * Scores random models on one profile and checks every interval: it contains the truth, and it
 * equals the oracle's best bound from the same replies (so a looser or a too-tight bound fails).
 */
async function randomModels(profile: ProfileName, version: string, seeds: number[]): Promise<RandomRun> {
  const double = await startOllamaDouble({ models: [], float32Logprobs: false, parallel: 4, version });
  const run: RandomRun = { checked: 0, inexact: 0, exact: 0, widths: [], missTruth: [], offOracle: [] };
  try {
    for (const seed of seeds) {
      const answers = pickAnswers(seed);
      const name = `double-random-${seed}`;
      const prompt = `Q${seed}->`;
      // End of sequence as a well-known marker ("<eos>" by default, "</s>") or a control piece the
      // estimator cannot interpret (its mass may only widen terminated intervals).
      const eosToken = ['', '</s>', '<|custom_end|>'][seed % 3]!;
      // One model in ten can be exact: a negligible vocabulary tail and few tokens per node. In
      // another tenth every inner node is "tight": its unseen mass is only spelling tails in
      // [1e-6, 1e-3] (nothing elsewhere widens the interval, so dropping them misses the truth).
      const exactable = seed % 10 === 7;
      const tight = seed % 10 === 3;
      const base = exactable
        ? randomScriptedModel(seed, name, prompt, answers, { eosToken, distractors: 4, diffuseProb: 0, spellingTails: false, tightProb: 0 })
        : tight
          ? randomScriptedModel(seed, name, prompt, answers, { eosToken, distractors: 4, diffuseProb: 0, tightProb: 1 })
          : randomScriptedModel(seed, name, prompt, answers, { eosToken });
      const model: ScriptedModel = exactable || tight ? { ...base, vocabulary: { tokenProb: 1e-15 } } : base;
      double.addModel(model);
      const terminated = seed % 4 === 3 || seed % 6 === 2;
      const minNodeMass = seed % 5 === 1 ? 0.003 : 0;
      const client = new OllamaClient({ host: double.url, retries: 0 });
      const { source: tokens, replies } = recordingSource(ollamaTokenSource(client, new RequestScheduler(4), `${name}:latest`, prompt));
      const result = await scoreAnswers(tokens, answers, { terminated, minNodeMass });
      assert.ok(result.complete);
      const names = [model.eosToken || '<eos>', ...(model.endTokens ?? []), ...(model.controlTokens ?? [])];
      const oracle = bestBounds(replies, answers, {
        terminated,
        minNodeMass,
        profile,
        ends: KNOWN_END_TEXTS,
        controls: new Set(names.filter((n) => !KNOWN_END_TEXTS.has(n))),
      });
      result.scores.forEach((score, i) => {
        const truth = double.truth(`${name}:latest`, prompt, score.answer, { terminated });
        const where = `${profile} seed ${seed} ${JSON.stringify(score.answer)} terminated=${terminated} minNodeMass=${minNodeMass}`;
        // Bounds hold up to FLOAT32_NOISE (1e-6): an unseen mass below it is not counted.
        if (!contains(score.lower, truth, score.upper, 2e-6)) run.missTruth.push(`${where}: truth ${truth} not in [${score.lower}, ${score.upper}]`);
        if (score.exact && Math.abs(score.lower - truth) >= 2e-6) run.missTruth.push(`${where}: exact claim ${score.lower} vs truth ${truth}`);
        const best = oracle[i]!;
        if (best.missing.length > 0) run.offOracle.push(`${where}: the walk skipped nodes the rule needs: ${JSON.stringify(best.missing)}`);
        if (Math.abs(score.lower - best.lower) >= 1e-9) run.offOracle.push(`${where}: lower ${score.lower}, best bound ${best.lower} (truth ${truth})`);
        if (Math.abs(score.upper - best.upper) >= 1e-9) run.offOracle.push(`${where}: upper ${score.upper}, best bound ${best.upper} (truth ${truth})`);
        if (score.exact !== best.exact) run.offOracle.push(`${where}: exact ${score.exact}, the rule says ${best.exact}`);
        if (score.exact) run.exact++;
        else run.inexact++;
        run.widths.push(score.upper - score.lower);
        run.checked++;
      });
      double.removeModel(`${name}:latest`);
    }
  } finally {
    await double.close();
  }
  return run;
}

describe('teacher-forced scoring on randomised scripted models', () => {
  const seeds = Array.from({ length: 400 }, (_, i) => i);
  for (const { profile, version } of PROFILES) {
    test(`${profile}: 400 models: truth inside, every bound equal to the oracle's best bound, exact claims right`, async () => {
      const run = await randomModels(profile, version, seeds);
      const head = (xs: string[]) => `${xs.length} of ${run.checked}: ${xs.slice(0, 4).join('; ')}`;
      assert.equal(run.missTruth.length, 0, `intervals missing the truth, ${head(run.missTruth)}`);
      assert.equal(run.offOracle.length, 0, `bounds other than the best bound, ${head(run.offOracle)}`);
      // Tails beyond the top 20 (vocabulary fillers, spelling tails in [1e-6, 1e-3], heavy
      // distractors) keep most answers inexact; the exactable tenth has exact ones.
      assert.ok(run.inexact > 400, `only ${run.inexact} inexact answers`);
      assert.ok(run.exact > 10, `only ${run.exact} exact answers`);
      const mean = run.widths.reduce((a, b) => a + b, 0) / run.checked;
      assert.ok(mean < 0.2, `mean interval width ${mean}`);
      console.log(`${profile}: ${run.checked} answers, ${run.exact} exact, mean width ${mean.toFixed(5)}, p90 ${quantile(run.widths, 0.9).toFixed(5)}`);
    });
  }
});

describe('split characters and control tokens (D1, D2)', () => {
  const POOL = ['veintidós', 'ñandú', '東京', '日本', 'café', 'Zürich', '81', 'eighty-one', 'naïve'];
  for (const { profile, version } of PROFILES) {
    test(`${profile}: byte-piece paths and control tokens: the truth stays inside, nothing "\\ufffd" or "" among completions`, async () => {
      const double = await startOllamaDouble({ models: [], float32Logprobs: false, parallel: 4, version });
      try {
        let widened = 0;
        for (let seed = 0; seed < 120; seed++) {
          const answers = pickAnswers(seed + 5000, POOL);
          const name = `double-split-${seed}`;
          const prompt = `U${seed}->`;
          double.addModel(randomScriptedModel(seed, name, prompt, answers, { bytePieces: 0.7, controlTokens: 0.4 }));
          const terminated = seed % 2 === 1;
          const client = new OllamaClient({ host: double.url, retries: 0 });
          const tokens = ollamaTokenSource(client, new RequestScheduler(4), `${name}:latest`, prompt);
          const result = await scoreAnswers(tokens, answers, { terminated });
          for (const score of result.scores) {
            const truth = double.truth(`${name}:latest`, prompt, score.answer, { terminated });
            const text = double.truth(`${name}:latest`, prompt, score.answer, { terminated, conditioning: 'text' });
            assert.equal(truth, text);
            assert.ok(contains(score.lower, truth, score.upper), `${profile} seed ${seed} ${JSON.stringify(score.answer)} terminated=${terminated}: truth ${truth} not in [${score.lower}, ${score.upper}]`);
            if (score.upper - score.lower > 0.01) widened++;
          }
          const top = await topCompletions(tokens, { k: 4 });
          for (const c of top.completions) {
            assert.ok(!c.text.includes('\ufffd'), `${profile} seed ${seed}: completion ${JSON.stringify(c.text)}`);
            // Completions are lower bounds: "" (llama-server) or a U+FFFD piece counted as an end would exceed the truth.
            const t = double.truth(`${name}:latest`, prompt, c.text, { terminated: true });
            assert.ok(c.probability <= t + 1e-9, `${profile} seed ${seed}: completion ${JSON.stringify(c.text)} ${c.probability} > truth ${t}`);
          }
          double.removeModel(`${name}:latest`);
        }
        assert.ok(widened > 20, `byte pieces widened only ${widened} intervals`);
      } finally {
        await double.close();
      }
    });
  }

  for (const { profile, version } of PROFILES) {
    test(`${profile}: "日" reached only through the byte pieces E6 97 + A5 (fidelity demo): bounded, not 0, not exact`, async () => {
      const prompt = 'JP->';
      const model: ScriptedModel = {
        name: 'double-nichi',
        script: [
          {
            prompt,
            nodes: { '': [bytePiece([0xe6, 0x97], 0.6), { token: '本', prob: 0.3 }, { token: 'x0', prob: 0.1 }], '本': [{ token: '\n', prob: 1 }], 'x0': [{ token: '\n', prob: 1 }] },
            byteNodes: [{ ctx: [0xe6, 0x97], dist: [bytePiece([0xa5], 1)] }],
          },
        ],
        fallback: [{ token: '\n', prob: 0.7 }, { token: '', prob: 0.3 }],
      };
      const double = await startOllamaDouble({ models: [model], version });
      try {
        const truth = double.truth('double-nichi', prompt, '日');
        assert.ok(Math.abs(truth - 0.6 * (1 - TAIL) ** 2) < 1e-12);
        const reply = await new OllamaClient({ host: double.url, retries: 0 }).nextTokens('double-nichi', prompt, 20);
        assert.deepEqual(reply.top[0], profile === 'go' ? { token: '\ufffd\ufffd', logprob: Math.fround(Math.log(0.6 * (1 - TAIL))), bytes: [0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd] } : { token: '', logprob: Math.fround(Math.log(0.6 * (1 - TAIL))) });
        const tokens = ollamaTokenSource(new OllamaClient({ host: double.url, retries: 0 }), new RequestScheduler(1), 'double-nichi', prompt);
        for (const terminated of [false, true]) {
          const score = (await scoreAnswers(tokens, ['日'], { terminated })).scores[0]!;
          const t = double.truth('double-nichi', prompt, '日', { terminated });
          assert.ok(contains(score.lower, t, score.upper, 1e-6), `terminated=${terminated}: truth ${t} not in [${score.lower}, ${score.upper}]`);
          assert.equal(score.exact, false);
        }
        const top = await topCompletions(tokens, { k: 3 });
        assert.ok(top.completions.every((c) => c.text !== '' && !c.text.includes('\ufffd')), JSON.stringify(top.completions));
        assert.equal(top.completions[0]?.text, '本');
      } finally {
        await double.close();
      }
    });
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

describe('top-K completions', () => {
  test('ordered terminated lines, tasks among them (by hand, no vocabulary tail)', async () => {
    const { tokens } = source(dbl('go'), 'double-hand-exact');
    const result = await topCompletions(tokens, { k: 4 });
    assert.ok(result.complete);
    const texts = result.completions.map((c) => c.text);
    // Terminated probabilities by hand: "81" 0.38 × 0.9 = 0.342; "8" 0.3 × 0.3 = 0.09;
    // "eighty-one" 0.25 × 0.9 × (0.5 + 0.4 × 0.8) × 1 + 0.25 × 0.9 × 0.05 = 0.19575;
    // "x" 0.15 (the fallback ends the line by newline or EOS); "" (EOS at once) 0.05.
    assert.deepEqual(texts, ['81', 'eighty-one', 'x', '8']);
    assert.ok(Math.abs(result.completions[0]!.probability - 0.342) < 1e-9);
    assert.ok(Math.abs(result.completions[1]!.probability - 0.19575) < 1e-9);
    for (const c of result.completions) assert.ok(Math.abs(c.probability - dbl('go').truth('double-hand-exact', PROMPT, c.text, { terminated: true })) < 1e-9);
  });

  test('paths of equal depth to the same text are summed, not maxed', async () => {
    const prompt = 'XYZ->';
    // "xyz": x+yz and xy+z (depth 2, merged), x+y+z (depth 3); the root's "x" is two tokens (twins).
    const model: ScriptedModel = {
      name: 'double-depth',
      vocabulary: { size: 0 },
      script: [
        {
          prompt,
          nodes: {
            '': [{ token: 'x', prob: 0.2 }, { token: 'x', prob: 0.1 }, { token: 'xy', prob: 0.3 }, { token: 'q', prob: 0.4 }],
            x: [{ token: 'yz', prob: 0.5 }, { token: 'y', prob: 0.5 }],
            xy: [{ token: 'z', prob: 0.6 }, { token: '\n', prob: 0.4 }],
            xyz: [{ token: '\n', prob: 1 }],
            q: [{ token: '\n', prob: 1 }],
          },
        },
      ],
    };
    const d = dbl('go');
    d.addModel(model);
    const { tokens } = source(d, 'double-depth', prompt);
    const result = await topCompletions(tokens, { k: 3 });
    const got = Object.fromEntries(result.completions.map((c) => [c.text, c.probability]));
    // By hand: xyz = 0.3·0.5 + 0.3·0.6 + 0.3·0.5·0.6 = 0.42; q = 0.4; xy = 0.3·0.4 + 0.3·0.5·0.4 = 0.18.
    for (const [text, p] of [['xyz', 0.42], ['q', 0.4], ['xy', 0.18]] as const) {
      assert.ok(Math.abs((got[text] ?? 0) - p) < 1e-12, `${text}: ${got[text]} vs ${p}`);
      assert.ok(Math.abs(p - d.truth('double-depth', prompt, text, { terminated: true })) < 1e-12);
    }
    d.removeModel('double-depth');
  });
});

describe('sampling', () => {
  const answers = [
    { text: '81', prob: 0.45 },
    { text: 'eighty-one', prob: 0.25 },
    { text: 'ochenta y uno', prob: 0.1 },
  ];
  before(() => realisticDouble.addModel({ name: 'double-sampling', script: [scriptFromAnswers('S->', answers, { terminatorProb: 0.9 })] }));

  test('Wilson 95% intervals cover the truth about 95% of the time', async () => {
    const prompt = 'S->';
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

  test('sampling neutralises every sampler, seeds each sample; answers, other and unmatched add up', async () => {
    realisticDouble.resetCounters();
    const client = new OllamaClient({ host: realisticDouble.url, retries: 0 });
    const result = await sampleAnswers(client, new RequestScheduler(1), 'double-sampling', 'S->', ['81', 'eighty-one'], { samples: 40, seed: 7 });
    const bodies = realisticDouble.requests.filter((r) => r.path === '/api/generate').map((r) => r.body as { options: Record<string, unknown> });
    assert.equal(bodies.length, 40);
    assert.deepEqual(new Set(bodies.map((b) => b.options['seed'])), new Set(Array.from({ length: 40 }, (_, i) => 7 + i)));
    for (const b of bodies) {
      assert.equal(b.options['temperature'], 1);
      assert.equal(b.options['top_k'], 0);
      assert.equal(b.options['top_p'], 1);
      assert.equal(b.options['min_p'], 0);
      assert.deepEqual(b.options['stop'], ['\n']);
    }
    const answered = result.answers.reduce((a, x) => a + x.count, 0);
    assert.equal(answered + result.other.count, 40, 'every sample is an answer or "other"');
    assert.ok(Math.abs(result.other.probability - result.other.count / 40) < 1e-15);
    assertInterval(result.other.ci95, wilson(result.other.count, 40), 'other');
    result.answers.forEach((a) => assertInterval(a.ci95, wilson(a.count, 40), a.answer));
    assert.ok(result.unmatched.length > 0);
    // Fewer than 10 distinct outputs (the list's cap) for these seeds: the list is every "other" sample.
    assert.ok(result.unmatched.length < 10, `${result.unmatched.length} distinct unmatched outputs`);
    assert.equal(result.unmatched.reduce((a, u) => a + u.count, 0), result.other.count, 'the unmatched list is every "other" sample');
    for (const u of result.unmatched) assert.ok(!['81', 'eighty-one'].includes(u.text));
    // Same seeds → same draws.
    const again = await sampleAnswers(client, new RequestScheduler(1), 'double-sampling', 'S->', ['81', 'eighty-one'], { samples: 40, seed: 7 });
    assert.deepEqual(again.answers, result.answers);
  });

  test('a sample cut off by num_predict is not an answer, even when its text trims to one', async () => {
    const prompt = 'Cutoff->';
    // Half the mass writes "81\n"; the other half writes "81 " and then spaces, never ending the line,
    // until num_predict cuts it off: its text trims to "81" but it is not the answer.
    realisticDouble.addModel({
      name: 'double-cutoff',
      vocabulary: { size: 0 },
      script: [{ prompt, nodes: { '': [{ token: '81', prob: 0.5 }, { token: '81 ', prob: 0.5 }], '81': [{ token: '\n', prob: 1 }], '81 ': [{ token: ' ', prob: 1 }], '81  ': [{ token: ' ', prob: 1 }], '81   ': [{ token: ' ', prob: 1 }], '81    ': [{ token: ' ', prob: 1 }] } }],
    });
    const truth = realisticDouble.truth('double-cutoff', prompt, '81', { terminated: true });
    assert.equal(truth, 0.5);
    const client = new OllamaClient({ host: realisticDouble.url, retries: 0 });
    const result = await sampleAnswers(client, new RequestScheduler(4), 'double-cutoff', prompt, ['81'], { samples: 200, seed: 3 });
    const p = result.answers[0]!.probability;
    assert.ok(Math.abs(p - 0.5) < 0.12, `P("81") sampled ${p}, truth 0.5: samples cut off by num_predict must not count`);
    assert.equal(result.answers[0]!.count + result.other.count, 200);
    realisticDouble.removeModel('double-cutoff');
  });
});

function assertInterval(got: [number, number], want: [number, number], what: string): void {
  assert.ok(Math.abs(got[0] - want[0]) < 1e-12 && Math.abs(got[1] - want[1]) < 1e-12, `${what}: [${got}] vs Wilson [${want}]`);
}

/** Wilson score interval, written here from its formula (not src's). */
function wilson(k: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

describe('end of sequence as the greedy token', () => {
  for (const { profile, version } of PROFILES) {
    test(`${profile}: no logprobs when the greedy token ends the text; sampled retries recover the alternatives`, async () => {
      const prompt = 'E->';
      const double = await startOllamaDouble({
        version,
        models: [{ name: 'double-eos-first', script: [{ prompt, nodes: { '': [{ token: '', prob: 0.5 }, { token: '81', prob: 0.3 }, { token: 'x', prob: 0.2 }] } }] }],
      });
      try {
        const client = new OllamaClient({ host: double.url, retries: 0 });
        const reply = await client.nextTokens('double-eos-first', prompt, 20);
        assert.equal(reply.top.length, 20, 'a real vocabulary fills the list');
        assert.deepEqual(reply.top.slice(0, 3).map((t) => t.token), [profile === 'go' ? '<eos>' : '', '81', 'x']);
        const tokens = ollamaTokenSource(client, new RequestScheduler(1), 'double-eos-first', prompt);
        const result = await scoreAnswers(tokens, ['81'], {});
        assert.ok(Math.abs(result.scores[0]!.lower - double.truth('double-eos-first', prompt, '81')) < 1e-6);
        const top = await topCompletions(tokens, { k: 2 });
        if (profile === 'go') {
          // "<eos>" is a known end token: the empty completion.
          assert.equal(top.completions[0]!.text, '');
          assert.ok(Math.abs(top.completions[0]!.probability - 0.5 * (1 - TAIL)) < 1e-6);
        } else {
          // llama-server's "" may be a control token or a split character: not a completion.
          assert.ok(top.completions.every((c) => c.text !== ''), JSON.stringify(top.completions));
        }
      } finally {
        await double.close();
      }
    });
  }
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

describe('tokenizer-aware double (D5): the bias of re-tokenized text on the estimates', () => {
  for (const mainSplit of ['canonical', 'random'] as const) {
    test(`${mainSplit} main tokenization: bias of the estimand and what it does to the intervals, measured and bounded`, async () => {
      const double = await startOllamaDouble({ models: [], float32Logprobs: false, parallel: 4 });
      try {
        const biases: number[] = [];
        const relative: number[] = [];
        const misses: number[] = [];
        let n = 0;
        for (let seed = 0; seed < 100; seed++) {
          const answers = pickAnswers(seed + 9000);
          const name = `double-aware-${seed}`;
          const prompt = `T${seed}->`;
          const model: ScriptedModel = { ...randomScriptedModel(seed, name, prompt, answers, { mainSplit }), tokenizerAware: { strength: 0.5 } };
          double.addModel(model);
          const terminated = seed % 2 === 1;
          const client = new OllamaClient({ host: double.url, retries: 0 });
          const tokens = ollamaTokenSource(client, new RequestScheduler(4), `${name}:latest`, prompt);
          const result = await scoreAnswers(tokens, answers, { terminated });
          for (const score of result.scores) {
            const b = tokenizerBias(model, prompt, score.answer, { terminated });
            // What the walk measures is the text-conditioned value: its interval contains it…
            assert.ok(contains(score.lower, b.text, score.upper), `seed ${seed} ${score.answer}: text truth ${b.text} not in [${score.lower}, ${score.upper}]`);
            assert.equal(double.truth(`${name}:latest`, prompt, score.answer, { terminated }), b.paths);
            // …the model's own probability (what sampling measures) may fall outside it.
            misses.push(Math.max(0, score.lower - b.paths, b.paths - score.upper));
            biases.push(Math.abs(b.bias));
            if (b.paths > 1e-3) relative.push(Math.abs(b.bias) / b.paths);
            n++;
          }
          double.removeModel(`${name}:latest`);
        }
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        const missed = misses.filter((m) => m > 0);
        console.log(
          `D5 bias, ${mainSplit} main tokenization, strength 0.5, ${n} answers: |text − path truth| mean ${mean(biases).toFixed(5)}, p90 ${quantile(biases, 0.9).toFixed(5)}, max ${Math.max(...biases).toFixed(4)}; ` +
            `relative mean ${(100 * mean(relative)).toFixed(2)}%, p90 ${(100 * quantile(relative, 0.9)).toFixed(2)}%; ` +
            `path truth outside the interval for ${missed.length}/${n}, by ${missed.length ? mean(missed).toFixed(5) : 0} on average (max ${Math.max(0, ...missed).toFixed(4)})`,
        );
        // The bias is real (the tests could not see it before) but small: non-canonical paths carry little mass.
        assert.ok(missed.length > 0, 'some intervals miss the path truth');
        const [meanMax, maxMax] = mainSplit === 'canonical' ? [0.003, 0.06] : [0.01, 0.2];
        assert.ok(mean(biases) < meanMax, `mean bias ${mean(biases)}`);
        assert.ok(Math.max(...biases) < maxMax, `max bias ${Math.max(...biases)}`);
        assert.ok(mean(misses) < meanMax, `mean miss ${mean(misses)}`);
      } finally {
        await double.close();
      }
    });
  }

  test('sampling measures the path probability, teacher forcing the text one', async () => {
    const prompt = 'Aware->';
    // "81" is canonical as one token; "8"+"1" is not: after it the model ends the line far less.
    const model: ScriptedModel = {
      name: 'double-aware-hand',
      vocabulary: { size: 0 },
      tokenizerAware: { nodes: { '81': [{ token: '\n', prob: 0.1 }, { token: '0', prob: 0.9 }] } },
      script: [{ prompt, nodes: { '': [{ token: '81', prob: 0.4 }, { token: '8', prob: 0.5 }, { token: 'x', prob: 0.1 }], '8': [{ token: '1', prob: 1 }], '81': [{ token: '\n', prob: 0.9 }, { token: '0', prob: 0.1 }] } }],
    };
    const double = await startOllamaDouble({ models: [model], parallel: 4, float32Logprobs: false });
    try {
      const b = tokenizerBias(model, prompt, '81', { terminated: true });
      assert.ok(Math.abs(b.text - 0.9 * 0.9) < 1e-12, `text ${b.text}`);
      assert.ok(Math.abs(b.paths - (0.4 * 0.9 + 0.5 * 0.1)) < 1e-12, `paths ${b.paths}`);
      const client = new OllamaClient({ host: double.url, retries: 0 });
      const tokens = ollamaTokenSource(client, new RequestScheduler(2), 'double-aware-hand', prompt);
      const score = (await scoreAnswers(tokens, ['81'], { terminated: true })).scores[0]!;
      assert.ok(Math.abs(score.lower - b.text) < 1e-9, `teacher-forced ${score.lower} ≈ text ${b.text}`);
      const sampled = await sampleAnswers(client, new RequestScheduler(4), 'double-aware-hand', prompt, ['81'], { samples: 300, seed: 11 });
      const p = sampled.answers[0]!.probability;
      assert.ok(Math.abs(p - b.paths) < 0.08, `sampled ${p} ≈ path truth ${b.paths} (text ${b.text})`);
    } finally {
      await double.close();
    }
  });
});
