// Teacher-forced scoring walks the answer trie in as many rounds as it has tokens: a node's request
// goes out as soon as its parent has replied, whatever the byte lengths of its siblings.
import assert from 'node:assert/strict';
import test from 'node:test';
import { scoreAnswers } from '../../src/core/estimate/teacherForced';
import type { NextTokenSource } from '../../src/core/estimate/tokenSource';
import type { TokenLogprob } from '../../src/core/ollama/types';

/** Answers as token paths; at a token boundary the model spreads 0.9 over the next tokens of the paths through it, 0.1 on "\n". */
function tokenModel(paths: string[][]): (prefix: string) => TokenLogprob[] {
  return (prefix) => {
    const next = new Set<string>();
    for (const path of paths) {
      let text = '';
      for (const token of path) {
        if (text === prefix) next.add(token);
        text += token;
      }
      if (text === prefix) next.add('\n');
    }
    const pieces = [...next].filter((t) => t !== '\n');
    const top = pieces.map((token) => ({ token, logprob: Math.log(0.9 / pieces.length) }));
    return [...top, { token: '\n', logprob: Math.log(pieces.length > 0 ? 0.1 : 1) }];
  };
}

/** A source whose replies wait until the test releases a round: every request waiting is answered at once. */
function roundSource(model: (prefix: string) => TokenLogprob[]) {
  const waiting: Array<() => void> = [];
  let requests = 0;
  const source: NextTokenSource = {
    get requests() {
      return requests;
    },
    next(prefix) {
      requests++;
      return new Promise((resolve) => waiting.push(() => resolve({ top: model(prefix) })));
    },
  };
  /** Runs `work`, answering in rounds; returns its result and the number of rounds it took. */
  async function inRounds<T>(work: Promise<T>): Promise<{ result: T; rounds: number }> {
    let settled = false;
    void work.finally(() => (settled = true));
    let rounds = 0;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (waiting.length === 0) {
        if (settled) return { result: await work, rounds };
        continue;
      }
      rounds++;
      for (const release of waiting.splice(0)) release();
    }
  }
  return { source, inRounds };
}

const PATHS = [
  ['one', ' hundred', ' two'],
  ['cent', ' deux', ' cents'],
  ['ciento', ' dos', ' mil'],
];
const ANSWERS = PATHS.map((p) => p.join(''));

test('siblings of different byte lengths go out in one round: rounds = token depth', async () => {
  const { source, inRounds } = roundSource(tokenModel(PATHS));
  const { result, rounds } = await inRounds(scoreAnswers(source, ANSWERS));
  // Requests at '', then 'one'/'cent'/'ciento', then their second tokens: 3 rounds (byte-length rounds: 7).
  assert.equal(rounds, 3);
  assert.equal(result.requests, 1 + 3 + 3);
  for (const score of result.scores) {
    assert.ok(score.exact, `${score.answer} exact`);
    assert.ok(Math.abs(score.lower - 0.3 * 0.9 * 0.9) < 1e-12, `${score.answer}: ${score.lower}`);
  }
});

test('terminated scoring takes one more round, for the leaves (which end on a newline)', async () => {
  const { source, inRounds } = roundSource(tokenModel(PATHS));
  const { result, rounds } = await inRounds(scoreAnswers(source, ANSWERS, { terminated: true }));
  assert.equal(rounds, 4);
  for (const score of result.scores) assert.ok(Math.abs(score.lower - 0.3 * 0.9 * 0.9) < 1e-12, `${score.answer}: ${score.lower}`);
});

test('the result does not depend on the order replies arrive in', async () => {
  const immediate: NextTokenSource & { n: number } = {
    n: 0,
    get requests() {
      return this.n;
    },
    async next(prefix) {
      this.n++;
      await new Promise((r) => setTimeout(r, (prefix.length * 7) % 5));
      return { top: tokenModel(PATHS)(prefix) };
    },
  };
  const { source, inRounds } = roundSource(tokenModel(PATHS));
  const [timed, rounded] = [await scoreAnswers(immediate, ANSWERS), (await inRounds(scoreAnswers(source, ANSWERS))).result];
  assert.deepEqual(
    timed.scores.map((s) => [s.lower, s.upper]),
    rounded.scores.map((s) => [s.lower, s.upper]),
  );
});

test('a node worth a request only once all its paths are summed is still requested (late), and nothing below the floor', async () => {
  // "ab" is reached as "a"+"b" (0.3 × 0.5) and as "ab" (0.1): 0.25 in all, above a floor of 0.2 that
  // neither path reaches alone; "x" (0.1) stays below it.
  const rows: Record<string, Array<[string, number]>> = {
    '': [['a', 0.3], ['ab', 0.1], ['x', 0.1], ['q', 0.5]],
    a: [['b', 0.5], ['z', 0.5]],
    ab: [['c', 1]],
  };
  const asked: string[] = [];
  const source: NextTokenSource = {
    get requests() {
      return asked.length;
    },
    async next(prefix) {
      asked.push(prefix);
      const row = rows[prefix];
      if (!row) throw new Error(`no row for ${prefix}`);
      return { top: row.map(([token, p]) => ({ token, logprob: Math.log(p) })) };
    },
  };
  const { scores } = await scoreAnswers(source, ['abc', 'xy'], { minNodeMass: 0.2 });
  assert.deepEqual([...asked].sort(), ['', 'a', 'ab']);
  assert.ok(Math.abs(scores[0]!.lower - 0.25) < 1e-12 && scores[0]!.exact, `abc ${JSON.stringify(scores[0])}`);
  assert.ok(Math.abs(scores[1]!.upper - 0.1) < 1e-12 && !scores[1]!.exact, `xy ${JSON.stringify(scores[1])}`);
});

test('first steps: each answer\'s mass by the first token of its paths (the collapse view)', async () => {
  // "140": "1"+"40" (0.2 × 0.5 = 0.1), and node "14" — reached as "14" (0.3) and as "1"+"4" (0.1) —
  // then "0" (× 0.6): 0.18 behind "14", 0.06 + 0.1 = 0.16 behind "1". "cent" only through "c".
  const rows: Record<string, Array<[string, number]>> = {
    '': [['14', 0.3], ['1', 0.2], ['c', 0.4], ['<eos>', 0.1]],
    '1': [['40', 0.5], ['4', 0.5]],
    '14': [['0', 0.6], ['x', 0.4]],
    '14x': [['y', 1]],
    c: [['ent', 0.9], ['ien', 0.1]],
  };
  const source: NextTokenSource = {
    requests: 0,
    async next(prefix) {
      const row = rows[prefix];
      if (!row) throw new Error(`no row for ${prefix}`);
      return { top: row.map(([token, p]) => ({ token, logprob: Math.log(p) })) };
    },
  };
  const { scores, firstSteps } = await scoreAnswers(source, ['140', 'cent']);
  assert.deepEqual(firstSteps.map((s) => s.token), ['c', '14', '1']);
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;
  const step = (t: string) => firstSteps.find((s) => s.token === t)!;
  assert.ok(close(step('14').answers[0]!, 0.18) && close(step('1').answers[0]!, 0.16) && close(step('c').answers[0]!, 0), JSON.stringify(firstSteps));
  assert.ok(close(step('c').answers[1]!, 0.36) && close(step('14').answers[1]!, 0));
  // The first steps add up to each answer's probability.
  for (let i = 0; i < 2; i++) assert.ok(close(firstSteps.reduce((a, s) => a + s.answers[i]!, 0), scores[i]!.lower));
  assert.ok(close(step('14').probability, 0.3));
});
