// The collapse view's numbers: P(task answer | first token) rows from a record, "other" as the rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collapseSeries, collapseSummary } from '../../src/webview/collapse';

const tasks = [
  { id: 'sum.digits', label: 'digits' },
  { id: 'sum.en', label: 'English words' },
] as const;

test('collapse rows: one per first token, a stack per task plus other', () => {
  const series = collapseSeries({
    tasks: tasks.map((t) => ({ ...t, answer: '', share: 0.5, examples: 1, probability: 0, lower: 0, upper: 0, exact: true })),
    collapse: [
      { token: '1', probability: 0.4, tasks: [0.95, 0] },
      { token: ' one', probability: 0.2, tasks: [0, 0.6] },
    ],
  });
  assert.ok(series);
  assert.deepEqual(series.tokens.map((t) => t.token), ['1', ' one']);
  assert.deepEqual(series.stacks.map((s) => s.label), ['digits', 'English words', 'other']);
  assert.deepEqual(series.stacks[2]!.values.map((v) => Math.round(v * 1000) / 1000), [0.05, 0.4]);
  assert.equal(series.stacks[2]!.colorIndex, null);
  assert.match(collapseSummary(series), /^1 of the 2 most probable first tokens leave one task ≥ 90%/);
});

test('no collapse rows (sampling, or nothing measured): no view', () => {
  assert.equal(collapseSeries({ tasks: [], collapse: [{ token: 'a', probability: 1, tasks: [] }] }), undefined);
  assert.equal(collapseSeries({ tasks: tasks.map((t) => ({ ...t, answer: '', share: 1, examples: 1, probability: 0, lower: 0, upper: 0, exact: true })) }), undefined);
});
