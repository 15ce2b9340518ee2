// Teacher-forced scoring and the r metric at their edges, on hand-made next-token tables where the
// right answer can be worked out by hand.
import assert from 'node:assert/strict';
import test from 'node:test';
import { countInTopK, mixtureCounts } from '../../src/core/estimate/metrics';
import { scoreAnswers } from '../../src/core/estimate/teacherForced';
import { topCompletions } from '../../src/core/estimate/topCompletions';
import { classifyPiece, type NextTokenSource } from '../../src/core/estimate/tokenSource';

/** A source answering each prefix with `reply(prefix)`; records every prefix asked. */
function scripted(reply: (prefix: string) => Array<[string, number]>): NextTokenSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    get requests() {
      return asked.length;
    },
    async next(prefix: string) {
      asked.push(prefix);
      return { top: reply(prefix).map(([token, p]) => ({ token, logprob: p > 0 ? Math.log(p) : -1e4 })) };
    },
  };
}

/** A source answering each prefix from a table of (token, probability); unknown prefixes fail. */
function table(rows: Record<string, Array<[string, number]>>): NextTokenSource & { asked: string[] } {
  return scripted((prefix) => {
    const row = rows[prefix];
    if (!row) throw new Error(`no row for ${JSON.stringify(prefix)}`);
    return row;
  });
}

test('an answer that ends at a node not worth a request stays exact; only the longer answer widens', async () => {
  // "8" (0.3) is below minNodeMass: "81" cannot be walked further and gets 0.3 of uncertainty,
  // while "8" (not terminated) is fully known — its probability is the 0.3 already reached.
  const source = table({ '': [['8', 0.3], ['7', 0.7]] });
  const { scores } = await scoreAnswers(source, ['8', '81'], { minNodeMass: 0.5 });
  assert.ok(Math.abs(scores[0]!.lower - 0.3) < 1e-9, `"8" lower ${scores[0]!.lower}`);
  assert.ok(Math.abs(scores[0]!.upper - 0.3) < 1e-9, `"8" upper ${scores[0]!.upper}`);
  assert.equal(scores[1]!.lower, 0);
  assert.ok(Math.abs(scores[1]!.upper - 0.3) < 1e-9, `"81" upper ${scores[1]!.upper}`);
  assert.deepEqual(source.asked, ['']);
});

test('a node reached with zero probability is never requested and adds nothing', async () => {
  const source = table({ '': [['8', 0], ['x', 1]] });
  const { scores, requests } = await scoreAnswers(source, ['81'], {});
  assert.equal(requests, 1);
  assert.deepEqual(source.asked, ['']);
  assert.equal(scores[0]!.lower, 0);
  assert.ok(scores[0]!.upper < 1e-9);
});

test('r: completions in any order — the K-th is the K-th most probable', () => {
  const completions = [
    { text: 'c', probability: 0.05 },
    { text: 'a', probability: 0.4 },
    { text: 'd', probability: 0.1 },
    { text: 'b', probability: 0.2 },
  ];
  assert.equal(countInTopK([{ answer: 'd' }], completions, 1), 0);
  assert.equal(countInTopK([{ answer: 'a' }], completions, 1), 1);
  assert.equal(countInTopK([{ answer: 'd' }, { answer: 'b' }], completions, 2), 1);
});

test('r: with K = 0 (no task) nothing counts, and nothing throws', () => {
  assert.equal(countInTopK([], [{ text: 'a', probability: 1 }], 0), 0);
});

test('r: a probability exactly at the K-th minus the 1e-5 slack still counts', () => {
  const completions = [{ text: 'a', probability: 0.4 }, { text: 'b', probability: 0.05 }];
  assert.equal(countInTopK([{ answer: 'x', fallback: 0.05 - 1e-5 }], completions, 2), 1);
  assert.equal(countInTopK([{ answer: 'x', fallback: 0.05 - 2e-5 }], completions, 2), 0);
});

test('mixture counts: the remainder goes to non-integer shares first, then round-robin', () => {
  assert.deepEqual(mixtureCounts([0.5, 0.25, 0.25], 10), [5, 3, 2]);
  assert.deepEqual(mixtureCounts([0.4, 0.4], 10), [5, 5], 'shares short of 1 are topped up in turn');
  assert.deepEqual(mixtureCounts([0.2, 0.2, 0.2], 10), [4, 3, 3]);
});

test('completions: by default a path down to 1e-4 is still followed (a rare but named completion)', async () => {
  const source = table({ '': [['a\n', 0.9995], ['b', 0.0005]], b: [['\n', 1]] });
  const { completions } = await topCompletions(source, { k: 2 });
  assert.deepEqual(completions.map((c) => c.text), ['a', 'b']);
  assert.ok(Math.abs(completions[1]!.probability - 0.0005) < 1e-12);
  const { completions: pruned } = await topCompletions(table({ '': [['a\n', 0.99995], ['b', 0.00005]], b: [['\n', 1]] }), { k: 2 });
  assert.deepEqual(pruned.map((c) => c.text), ['a'], 'below 1e-4 the path is not followed');
});

test('classifyPiece: a text piece without a bytes field is text (servers and proxies may omit bytes)', () => {
  assert.equal(classifyPiece({ token: '81', logprob: -0.1 }), 'text');
  assert.equal(classifyPiece({ token: '', logprob: -0.1 }), 'ambiguous');
  assert.equal(classifyPiece({ token: '', logprob: -0.1, bytes: [] }), 'ambiguous');
});

test('completions: the beam stops at maxDepth tokens (default 16), even when paths go on', async () => {
  // "a" forever, a newline only after n tokens: a 16-token line is found by default, a 17-token one is not.
  const chain = (n: number) => scripted((prefix) => [[prefix.length === n - 1 ? 'a\n' : 'a', 1]]);
  const sixteen = await topCompletions(chain(16), { k: 1 });
  assert.deepEqual(sixteen.completions.map((c) => c.text), ['a'.repeat(16)]);
  const seventeen = chain(17);
  const none = await topCompletions(seventeen, { k: 1 });
  assert.deepEqual(none.completions, []);
  assert.equal(seventeen.asked.length, 16, 'one request per depth, no more');
  const short = chain(40);
  await topCompletions(short, { k: 1, maxDepth: 3 });
  assert.equal(short.asked.length, 3);
});
