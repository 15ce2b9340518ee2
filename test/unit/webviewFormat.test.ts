import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunRecord, TaskResult } from '../../src/core/record';
import {
  axisMax,
  comparisonSeries,
  distributionSeries,
  distributionSummary,
  formatDuration,
  formatEstimate,
  formatInterval,
  formatKl,
  formatPercent,
  formatTick,
  metaDifferences,
  methodSummary,
  optionsSummary,
  promptLines,
  promptMatchesExamples,
  quoteAnswer,
  runState,
  shortDigest,
  stepBucket,
  TASK_PALETTE_VARS,
  taskColorClass,
  taskColorIndex,
  taskColorMap,
  truncate,
  visibleToken,
  whiskerOf,
  withAlpha,
} from '../../src/webview/format';

function task(id: string, over: Partial<TaskResult> = {}): TaskResult {
  return { id, label: `Task ${id}`, answer: id.toUpperCase(), share: 0.5, examples: 2, probability: 0.4, lower: 0.4, upper: 0.4, exact: true, ...over };
}

function record(over: Partial<RunRecord> = {}): RunRecord {
  return {
    schemaVersion: 1,
    kind: 'analysis',
    id: 'run-1',
    createdAt: '2026-01-01T00:00:00.000Z',
    status: 'complete',
    model: 'm1',
    modelDigest: 'sha256:abcdef0123456789ffff',
    simulated: true,
    server: { host: 'http://127.0.0.1:11434', version: '0.13.0', logprobs: true },
    method: 'logprobs',
    options: {
      requestedMethod: 'auto',
      terminated: false,
      samples: 200,
      topK: 2,
      seed: 7,
      concurrency: 1,
      minNodeMass: 0,
      requestTimeoutMs: 300000,
      beamWidth: 8,
      maxDepth: 21,
      minCompletionProbability: 0.0001,
    },
    input: {
      prompt: 'a->A\nb->bb\nc->?\nq->',
      separator: '->',
      query: 'q',
      examples: [
        { input: 'a', output: 'A', line: 1, tasks: ['up'] },
        { input: 'b', output: 'bb', line: 2, tasks: ['dbl', 'up'] },
        { input: 'c', output: '?', line: 3, tasks: [] },
      ],
    },
    tasks: [task('up', { probability: 0.5, lower: 0.5, upper: 0.5 }), task('dbl', { probability: 0.2, lower: 0.2, upper: 0.3, exact: false })],
    other: { probability: 0.3, lower: 0.2, upper: 0.3 },
    metrics: { kl: 0.2, klNormalized: null, r: 2, K: 2, entropy: 1, taskMass: 0.7 },
    completions: [],
    warnings: [],
    requests: 3,
    durationMs: 10,
    ...over,
  };
}

test('formatPercent adapts its precision and never prints NaN', () => {
  assert.equal(formatPercent(0), '0%');
  assert.equal(formatPercent(1), '100.0%');
  assert.equal(formatPercent(0.42000001), '42.0%');
  assert.equal(formatPercent(0.013333), '1.33%');
  assert.equal(formatPercent(0.0042), '0.42%');
  assert.equal(formatPercent(0.000042), '0.0042%');
  assert.equal(formatPercent(1.2e-9), '1.2e-7%');
  assert.equal(formatPercent(Number.NaN), '–');
});

test('intervals collapse to a point when the bounds meet, and are clamped to [0, 1]', () => {
  assert.equal(formatInterval(0.2, 0.3), '[20.0%, 30.0%]');
  assert.equal(formatInterval(0.2, 0.20001), '20.0%');
  assert.equal(formatInterval(-0.01, 1.2), '[0%, 100.0%]');
  assert.equal(formatEstimate({ probability: 0.5, lower: 0.5, upper: 0.5, exact: true }), '50.0%');
  assert.equal(formatEstimate({ probability: 0.2, lower: 0.2, upper: 0.3, exact: false }), '[20.0%, 30.0%]');
  assert.equal(formatEstimate({ probability: 0.4, lower: 0.31, upper: 0.5, exact: false, ci95: [0.31, 0.5], count: 40 }), '40.0% (95% CI 31.0%–50.0%)');
});

test('KL: null is infinite', () => {
  assert.equal(formatKl(null), '∞');
  assert.equal(formatKl(0.38899), '0.3890');
  assert.equal(formatKl(Number.POSITIVE_INFINITY), '∞');
});

test('durations, digests, ticks', () => {
  assert.equal(formatDuration(241), '241 ms');
  assert.equal(formatDuration(1500), '1.5 s');
  assert.equal(formatDuration(125_000), '2 min 5 s');
  assert.equal(shortDigest('sha256:0123456789abcdef'), '0123456789ab');
  assert.equal(shortDigest(undefined), '–');
  assert.equal(formatTick(0.25), '25%');
  assert.equal(formatTick(0.025), '2.5%');
  assert.equal(formatTick(0), '0%');
});

test('tokens show their whitespace and invisible characters', () => {
  assert.equal(visibleToken(' ninety'), '␣ninety');
  assert.equal(visibleToken('\n\n'), '⏎⏎');
  assert.equal(visibleToken('\t'), '⇥');
  assert.equal(visibleToken('\r\n'), '␍⏎');
  assert.equal(visibleToken(''), '∅');
  assert.equal(visibleToken('\u0000'), '␀');
  assert.equal(visibleToken('a\u200bb'), 'a⟨U+200B⟩b');
  assert.equal(visibleToken('\u00a0'), '⍽');
  assert.equal(visibleToken('quatre-vingt'), 'quatre-vingt');
  assert.equal(visibleToken('😀'), '😀');
});

test('answers keep inner single spaces but show edges, runs and other whitespace', () => {
  assert.equal(quoteAnswer('noventa y uno'), '“noventa y uno”');
  assert.equal(quoteAnswer(' 91'), '“␣91”');
  assert.equal(quoteAnswer('91 '), '“91␣”');
  assert.equal(quoteAnswer('a  b'), '“a␣␣b”');
  assert.equal(quoteAnswer('a\nb'), '“a⏎b”');
  assert.equal(quoteAnswer(''), '“”');
  assert.equal(quoteAnswer('   '), '“␣␣␣”');
});

test('task colours are stable per index and wrap around the palette', () => {
  assert.equal(taskColorIndex(0), 0);
  assert.equal(taskColorIndex(TASK_PALETTE_VARS.length), 0);
  assert.equal(taskColorIndex(TASK_PALETTE_VARS.length + 2), 2);
  assert.equal(taskColorClass(1), 'task-c1');
  const map = taskColorMap(record());
  assert.deepEqual([...map.entries()], [['up', 0], ['dbl', 1]]);
});

test('distributionSeries: one row per task plus other, with exact values, whiskers and shares', () => {
  const s = distributionSeries(record());
  assert.deepEqual(s.rows.map((r) => r.id), ['up', 'dbl', 'other']);
  assert.deepEqual(s.values, [0.5, 0.2, 0.3]);
  assert.deepEqual(s.whiskerLow, [null, 0.2, 0.2]);
  assert.deepEqual(s.whiskerHigh, [null, 0.3, 0.3]);
  assert.deepEqual(s.shares, [0.5, 0.5, null]);
  assert.deepEqual(s.colorIndex, [0, 1, null]);
  assert.deepEqual(s.labels[0], ['Task up', '“UP”']);
  assert.deepEqual(s.labels[2], ['other', '(any other answer)']);
  assert.equal(s.rows[1]!.text, '[20.0%, 30.0%]');
  assert.equal(s.rows[2]!.text, '[20.0%, 30.0%]');
  assert.equal(s.axisMax, 0.6);
  assert.match(distributionSummary(s), /Task up “UP” 50\.0% \(share 50\.0%\); .* other answers \[20\.0%, 30\.0%\]/);
});

test('distributionSeries: sampled runs whisker the 95% CI, "other" included', () => {
  const sampled = record({
    method: 'sampling',
    tasks: [task('up', { probability: 0.4, lower: 0.31, upper: 0.5, exact: false, ci95: [0.31, 0.5], count: 40 })],
    other: { probability: 0.6, lower: 0.5, upper: 0.69 },
  });
  const s = distributionSeries(sampled);
  assert.deepEqual(s.rows[0]!.whisker, [0.31, 0.5]);
  assert.equal(s.rows[0]!.count, 40);
  assert.deepEqual(s.rows[1]!.ci95, [0.5, 0.69]);
  assert.equal(s.rows[1]!.text, '60.0% (95% CI 50.0%–69.0%)');
  assert.equal(s.axisMax, 0.8);
});

test('whiskers clamp to [0, 1] and vanish for points', () => {
  assert.equal(whiskerOf({ lower: 0.2, upper: 0.2 }), null);
  assert.deepEqual(whiskerOf({ lower: -0.1, upper: 0.2 }), [0, 0.2]);
  assert.deepEqual(whiskerOf({ lower: 0, upper: 0, ci95: [0, 0.05] }), [0, 0.05]);
});

test('axisMax leaves headroom and stays within [0.1, 1]', () => {
  assert.equal(axisMax([0.42]), 0.5);
  assert.equal(axisMax([0.5]), 0.6);
  assert.equal(axisMax([0.9]), 1);
  assert.equal(axisMax([1]), 1);
  assert.equal(axisMax([0]), 0.1);
  assert.equal(axisMax([Number.NaN, 0.01]), 0.1);
});

test('comparisonSeries aligns tasks by id, left order first, then right-only tasks, then other', () => {
  const left = record();
  const right = record({ tasks: [task('dbl', { probability: 0.6, lower: 0.6, upper: 0.6, answer: 'QQ' }), task('new', { probability: 0.1, lower: 0.1, upper: 0.1 })], other: { probability: 0.3, lower: 0.3, upper: 0.3 } });
  const s = comparisonSeries(left, right);
  assert.deepEqual(s.rows.map((r) => r.id), ['up', 'dbl', 'new', 'other']);
  assert.deepEqual(s.left, [0.5, 0.2, null, 0.3]);
  assert.deepEqual(s.right, [null, 0.6, 0.1, 0.3]);
  assert.equal(s.rows[0]!.rightText, '–');
  assert.deepEqual(s.labels[1], ['Task dbl', '“DBL” / “QQ”']);
  assert.deepEqual(s.rows[3]!.leftWhisker, [0.2, 0.3]);
  assert.equal(s.rows[3]!.rightWhisker, null);
  assert.equal(s.axisMax, 0.7);
});

test('metaDifferences flags the fields that differ', () => {
  const a = record();
  const b = record({ model: 'm2', input: { ...a.input, prompt: 'x->' } });
  const diffs = metaDifferences(a, b);
  const byField = new Map(diffs.map((d) => [d.field, d]));
  assert.equal(byField.get('Model')?.differs, true);
  assert.equal(byField.get('Method')?.differs, false);
  assert.equal(byField.get('Prompt')?.differs, true);
  assert.equal(metaDifferences(a, a).find((d) => d.field === 'Prompt')?.left, 'identical');
});

test('options and method summaries', () => {
  const r = record();
  assert.equal(optionsSummary(r), 'top-K 2 · concurrency 1 · seed 7');
  assert.equal(optionsSummary({ ...r, method: 'sampling' }), 'samples 200 · top-K 2 · concurrency 1 · seed 7');
  assert.equal(methodSummary(r), 'logprobs (auto)');
  assert.equal(methodSummary({ ...r, options: { ...r.options, requestedMethod: 'logprobs', terminated: true } }), 'logprobs + terminated');
});

test('promptLines: one line per example, then the query; unmatched and multi-task lines kept', () => {
  const lines = promptLines(record().input);
  assert.deepEqual(
    lines.map((l) => [l.number, l.kind, l.input, l.output, l.tasks.join(',')]),
    [
      [1, 'example', 'a', 'A', 'up'],
      [2, 'example', 'b', 'bb', 'dbl,up'],
      [3, 'example', 'c', '?', ''],
      [4, 'query', 'q', '', ''],
    ],
  );
  assert.equal(promptMatchesExamples(record().input), true);
  assert.equal(promptMatchesExamples({ ...record().input, prompt: 'other' }), false);
});

test('misc helpers', () => {
  assert.equal(stepBucket(0.95), 'high');
  assert.equal(stepBucket(0.5), 'mid');
  assert.equal(stepBucket(0.01), 'low');
  assert.equal(withAlpha('#3794ff', 0.5), 'rgba(55, 148, 255, 0.5)');
  assert.equal(withAlpha('#fff', 1), 'rgba(255, 255, 255, 1)');
  assert.equal(withAlpha('#3794ffcc', 0.2), 'rgba(55, 148, 255, 0.2)');
  assert.equal(withAlpha('rgba(204, 204, 204, 0.5)', 0.8), 'rgba(204, 204, 204, 0.8)');
  assert.equal(withAlpha('red', 0.5), 'red');
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abc', 4), 'abc');
  assert.equal(runState(record(), true), 'running');
  assert.equal(runState(record({ status: 'cancelled' }), false), 'cancelled');
});
